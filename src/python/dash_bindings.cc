// Generated Grafana dashboards, Prometheus rules and Alertmanager config
// for vigil.dashboards (what `vigil gen` writes).
#include <string>

#include "python/bindings.h"
#include "vigil/dashboards.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

ServiceMetrics service_metrics(std::string requests, std::string latency, std::string error_selector) {
  return {.requests = std::move(requests), .latency = std::move(latency), .error_selector = std::move(error_selector)};
}

}  // namespace

void bind_dashboards(py::module_& m) {
  m.def("grafana_dashboard", [](std::string title, std::string uid, std::string requests, std::string latency,
                                std::string error_selector) {
    return generate_grafana_dashboard({.title = std::move(title), .uid = std::move(uid),
                                       .metrics = service_metrics(std::move(requests), std::move(latency),
                                                                  std::move(error_selector))});
  }, py::arg("title") = "vigil — ML inference service", py::arg("uid") = "vigil-ml-service",
     py::arg("requests") = "inference_requests_total", py::arg("latency") = "inference_latency_seconds",
     py::arg("error_selector") = "status=\"error\"");
  m.def("slo_dashboard", [](std::string title, std::string uid) {
    return generate_slo_dashboard({.title = std::move(title), .uid = std::move(uid)});
  }, py::arg("title") = "vigil — SLOs", py::arg("uid") = "vigil-slo");
  m.def("alert_rules", [](std::string requests, std::string latency, std::string error_selector,
                          double error_rate_threshold, double p99_latency_seconds, std::string for_duration) {
    return generate_alert_rules({.metrics = service_metrics(std::move(requests), std::move(latency),
                                                            std::move(error_selector)),
                                 .error_rate_threshold = error_rate_threshold,
                                 .p99_latency_seconds = p99_latency_seconds,
                                 .for_duration = std::move(for_duration)});
  }, py::arg("requests") = "inference_requests_total", py::arg("latency") = "inference_latency_seconds",
     py::arg("error_selector") = "status=\"error\"", py::arg("error_rate_threshold") = 0.05,
     py::arg("p99_latency_seconds") = 0.5, py::arg("for_duration") = "");
  m.def("alertmanager_config", [](std::string webhook_url, std::string page_webhook_url) {
    return generate_alertmanager_config({.webhook_url = std::move(webhook_url),
                                         .page_webhook_url = std::move(page_webhook_url)});
  }, py::arg("webhook_url") = "http://127.0.0.1:5001/alerts", py::arg("page_webhook_url") = "");
}

}  // namespace vigil::python
