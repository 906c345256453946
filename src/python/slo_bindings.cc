// vigil.SLOMonitor over the C++ SloMonitor (and its vigil_slo_* metrics).
#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "python/bindings.h"
#include "vigil/metrics.h"
#include "vigil/slo.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

// 300 -> "5m", 3600 -> "1h", 2592000 -> "30d": as the rules name windows.
std::string window_name(std::chrono::seconds w) {
  auto s = w.count();
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

py::object number_or_none(double v) { return std::isnan(v) ? py::object(py::none()) : py::object(py::float_(v)); }

py::dict status_dict(const SloStatus& s) {
  py::dict d;
  d["name"] = s.name;
  d["objective"] = s.objective;
  d["total"] = s.total;
  d["bad"] = s.bad;
  d["compliance"] = s.compliance;
  d["error_budget_remaining"] = s.budget_remaining;
  d["error_budget_consumed"] = s.budget_consumed;
  d["time_to_exhaustion_seconds"] =
      s.time_to_exhaustion ? py::object(py::float_(s.time_to_exhaustion->count())) : py::object(py::none());
  py::dict burn, errors;
  for (const auto& w : s.windows) {
    burn[py::str(window_name(w.window))] = number_or_none(w.burn_rate);
    errors[py::str(window_name(w.window))] = number_or_none(w.error_ratio);
  }
  d["burn_rates"] = burn;
  d["error_ratios"] = errors;
  py::list alerts;
  for (const auto& a : s.alerts) {
    py::dict ad;
    ad["severity"] = a.severity;
    ad["factor"] = a.factor;
    ad["long_window"] = window_name(a.long_window);
    ad["short_window"] = window_name(a.short_window);
    ad["firing"] = a.firing;
    alerts.append(ad);
  }
  d["alerts"] = alerts;
  d["page"] = s.page();
  d["ticket"] = s.ticket();
  return d;
}

std::unique_ptr<SloMonitor> make_slo(std::string name, double objective, double period_seconds,
                                     double resolution_seconds, std::optional<double> latency_threshold_seconds,
                                     Registry* registry, bool background_ticker) {
  if (!(objective > 0 && objective < 1)) throw py::value_error("the objective must be between 0 and 1 (exclusive)");
  if (!(resolution_seconds >= 1 && period_seconds >= resolution_seconds))
    throw py::value_error("the period must be at least the resolution, and the resolution at least 1 s");
  if (latency_threshold_seconds && !(*latency_threshold_seconds > 0))
    throw py::value_error("the latency threshold must be positive");
  return std::make_unique<SloMonitor>(SloMonitorOptions{
      .name = std::move(name),
      .objective = objective,
      .period = seconds_of(period_seconds),
      .resolution = seconds_of(resolution_seconds),
      .latency_threshold_seconds = latency_threshold_seconds,
      .background_ticker = background_ticker,
      .registry = registry});
}

}  // namespace

void bind_slo(py::module_& m) {
  py::class_<SloMonitor>(m, "SloMonitor")
      .def(py::init(&make_slo), py::keep_alive<1, 7>(), py::arg("name"), py::arg("objective"), py::arg("period_seconds"),
           py::arg("resolution_seconds"), py::arg("latency_threshold_seconds"), py::arg("registry"),
           py::arg("background_ticker") = true)
      .def("record_request", [](SloMonitor& s, bool success) { s.record_request(success); })
      .def("record_request_latency", [](SloMonitor& s, bool success, double latency_seconds) {
        s.record_request(success, latency_seconds);
      })
      .def("tick", [](SloMonitor& s, double now_seconds) { s.tick(std::chrono::duration<double>(now_seconds)); })
      .def("status", [](const SloMonitor& s) { return status_dict(s.status()); })
      .def("live_status", [](const SloMonitor& s) { return status_dict(s.live_status()); });
}

}  // namespace vigil::python
