// The parts of the vigil._vigil extension module, one per area; module.cc
// calls each once. The Python package (python/vigil/) puts the idioms of
// prometheus_client, OpenTelemetry and structlog on top of these.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <cstdint>

namespace vigil::python {

// Durations arrive from Python as float seconds.
inline std::chrono::milliseconds milliseconds_of(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}
inline std::chrono::seconds seconds_of(double seconds) {
  return std::chrono::seconds(static_cast<std::int64_t>(seconds));
}

void bind_metrics(pybind11::module_& m);
void bind_trace(pybind11::module_& m);
void bind_log(pybind11::module_& m);
void bind_tables(pybind11::module_& m);
void bind_drift(pybind11::module_& m);
void bind_monitor(pybind11::module_& m);
void bind_slo(pybind11::module_& m);
void bind_dashboards(pybind11::module_& m);

}  // namespace vigil::python
