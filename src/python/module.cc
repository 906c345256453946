#include "python/bindings.h"

PYBIND11_MODULE(_vigil, m) {
  m.doc() = "vigil's C++ core; import the vigil package, not this module.";
  vigil::python::bind_metrics(m);
  vigil::python::bind_trace(m);
  vigil::python::bind_log(m);
  vigil::python::bind_tables(m);
  vigil::python::bind_drift(m);
  vigil::python::bind_monitor(m);
  vigil::python::bind_slo(m);
  vigil::python::bind_dashboards(m);
}
