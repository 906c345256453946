"""Grafana dashboards, Prometheus rules and Alertmanager config for a service
instrumented with vigil's conventions (what `vigil gen` writes).

    open("dashboard.json", "w").write(vigil.dashboards.grafana_dashboard())
    open("rules.yml", "w").write(vigil.dashboards.alert_rules())

The panels and rules query ``inference_requests_total`` (a counter with a
``status`` label, "error" for failures) and ``inference_latency_seconds``
(a histogram) unless told other names, plus the vigil_model_* and
vigil_slo_* families of ModelMonitor and SLOMonitor.
"""

from ._vigil import alert_rules, alertmanager_config, grafana_dashboard, slo_dashboard

__all__ = ["alert_rules", "alertmanager_config", "grafana_dashboard", "slo_dashboard"]
