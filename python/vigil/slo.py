"""The classic SLO monitor, on vigil's C++ SloMonitor.

    slo = vigil.SLOMonitor(target_availability=0.999, latency_threshold_ms=200)
    slo.record_request(success=True, latency_ms=42.0)
    slo.check_slo_compliance()   # compliance, budget left, burn rates, at risk

A request is good when it succeeded within the latency threshold. Burn rates
use the SRE workbook's windows, and the vigil_slo_* gauges are exported to
the registry given (vigil.prometheus_client's default one unless told).
"""

from . import _vigil

__all__ = ["SLOMonitor"]


class SLOMonitor:
    def __init__(self, target_availability=0.999, latency_threshold_ms=200, name="service", period_days=30,
                 resolution_seconds=60, registry=None):
        if registry is None:
            from .prometheus_client import REGISTRY as registry
        threshold = None if latency_threshold_ms is None else float(latency_threshold_ms) / 1000.0
        self._core = _vigil.SloMonitor(name, float(target_availability), float(period_days) * 86400,
                                       float(resolution_seconds), threshold,
                                       registry._core if registry is not False else None)
        self.target_availability = target_availability
        self.latency_threshold_ms = latency_threshold_ms

    def record_request(self, success: bool, latency_ms: float):
        """One request: bad if it failed or was slower than the threshold."""
        latency_ms = float(latency_ms)
        if latency_ms != latency_ms or latency_ms < 0:
            raise ValueError("latency_ms must be a non-negative number, not {!r}".format(latency_ms))
        self._core.record_request_latency(bool(success), latency_ms / 1000.0)

    def check_slo_compliance(self) -> dict:
        """The SLO's state now.

        Keys: compliance (good share over the period), error_budget_remaining
        (1 untouched, 0 spent, negative overspent), burn_rates per window
        ("5m", "1h", ..., None without traffic), alerts (the page and ticket
        burn-rate pairs and whether each fires), and at_risk: any of them
        firing, or the budget spent.
        """
        status = self._core.live_status()
        status["target_availability"] = self.target_availability
        status["latency_threshold_ms"] = self.latency_threshold_ms
        status["at_risk"] = bool(status["page"] or status["ticket"] or status["error_budget_remaining"] <= 0)
        return status
