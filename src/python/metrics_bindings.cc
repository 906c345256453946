// Registry and families for vigil.prometheus_client. The series objects
// themselves are native types (fast_series.cc): the per-call hot path from
// Python.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "python/bindings.h"
#include "python/fast_series.h"
#include "vigil/exposition.h"
#include "vigil/metrics.h"
#include "vigil/metrics_server.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

template <typename T>
using Borrowed = std::unique_ptr<T, py::nodelete>;  // owned by its registry

// Label values as views into the Python strings (no copies on a lookup).
std::vector<std::string_view> label_views(const py::tuple& values) {
  std::vector<std::string_view> views;
  views.reserve(values.size());
  for (const py::handle& v : values) {
    if (!PyUnicode_Check(v.ptr())) throw py::type_error("label values must be str");
    Py_ssize_t n = 0;
    const char* data = PyUnicode_AsUTF8AndSize(v.ptr(), &n);
    if (!data) throw py::error_already_set();
    views.emplace_back(data, static_cast<std::size_t>(n));
  }
  return views;
}

template <typename Metric>
void bind_family(py::module_& m, const char* name) {
  py::class_<Family<Metric>, Borrowed<Family<Metric>>>(m, name)
      // The series for these label values, as an instance of `cls` (a
      // subclass of the family's native series type).
      .def("labels", [](const py::object& self, const py::tuple& values, const py::handle& cls) {
            auto views = label_views(values);
            Metric& series = self.cast<Family<Metric>&>().labels(std::span<const std::string_view>(views));
            return wrap_series<Metric>(cls, series, self);
          })
      .def("remove", [](Family<Metric>& f, const py::tuple& values) {
            auto views = label_views(values);
            return f.remove(std::span<const std::string_view>(views));
          })
      .def("__len__", &Family<Metric>::size);
}

void bind_registry(py::module_& m) {
  py::class_<Registry>(m, "Registry")
      .def(py::init<>())
      .def("counter", [](Registry& r, std::string name, std::string help, std::vector<std::string> labels,
                         std::string unit) -> Family<Counter>& {
            return r.counter({.name = std::move(name), .help = std::move(help), .labels = std::move(labels),
                              .unit = std::move(unit)});
          }, py::return_value_policy::reference_internal)
      .def("gauge", [](Registry& r, std::string name, std::string help, std::vector<std::string> labels,
                       std::string unit) -> Family<Gauge>& {
            return r.gauge({.name = std::move(name), .help = std::move(help), .labels = std::move(labels),
                            .unit = std::move(unit)});
          }, py::return_value_policy::reference_internal)
      .def("histogram", [](Registry& r, std::string name, std::string help, std::vector<std::string> labels,
                           std::string unit, std::vector<double> buckets) -> Family<Histogram>& {
            return r.histogram({.name = std::move(name), .help = std::move(help), .labels = std::move(labels),
                                .unit = std::move(unit), .buckets = std::move(buckets)});
          }, py::return_value_policy::reference_internal)
      .def("summary", [](Registry& r, std::string name, std::string help, std::vector<std::string> labels,
                         std::string unit, std::vector<double> quantiles) -> Family<Summary>& {
            return r.summary({.name = std::move(name), .help = std::move(help), .labels = std::move(labels),
                              .unit = std::move(unit), .config = {.quantiles = std::move(quantiles)}});
          }, py::return_value_policy::reference_internal)
      .def("add_process_collector", [](Registry& r) { r.register_collector(make_process_collector()); })
      // The scrape text; encoded without the GIL, so other threads keep
      // serving while a large registry is written.
      .def("expose", [](const Registry& r, bool openmetrics) {
            std::string text;
            {
              py::gil_scoped_release release;
              text = encode(r.gather(), openmetrics ? ExpositionFormat::kOpenMetrics
                                                    : ExpositionFormat::kPrometheusText);
            }
            return py::bytes(text);
          }, py::arg("openmetrics") = false);
  m.def("default_registry", [] { return &default_registry(); }, py::return_value_policy::reference);
}

void bind_server(py::module_& m) {
  py::class_<MetricsServer>(m, "MetricsServer")
      .def(py::init([](Registry& registry, std::string host, int port, std::string path) {
             py::gil_scoped_release release;
             return std::make_unique<MetricsServer>(
                 registry, MetricsServerOptions{.host = std::move(host), .port = port, .path = std::move(path)});
           }), py::keep_alive<1, 2>(), py::arg("registry"), py::arg("host"), py::arg("port"),
           py::arg("path") = "/metrics")
      .def_property_readonly("port", &MetricsServer::port)
      .def("stop", &MetricsServer::stop, py::call_guard<py::gil_scoped_release>());
}

}  // namespace

void bind_metrics(py::module_& m) {
  add_series_types(m);
  bind_family<Counter>(m, "CounterFamily");
  bind_family<Gauge>(m, "GaugeFamily");
  bind_family<Histogram>(m, "HistogramFamily");
  bind_family<Summary>(m, "SummaryFamily");
  bind_registry(m);
  bind_server(m);
  m.attr("CONTENT_TYPE_TEXT") = std::string(kPrometheusTextContentType);
  m.attr("CONTENT_TYPE_OPENMETRICS") = std::string(kOpenMetricsContentType);
}

}  // namespace vigil::python
