"""vigil.SLOMonitor: the classic record_request / check_slo_compliance
shape over the C++ SloMonitor, with its vigil_slo_* metrics."""
import pytest

import vigil
from vigil.prometheus_client import CollectorRegistry


def test_compliance_budget_and_burn_rates():
    slo = vigil.SLOMonitor(target_availability=0.99, latency_threshold_ms=200, registry=CollectorRegistry())
    for i in range(1000):
        slo.record_request(success=i % 50 != 0, latency_ms=250 if i % 100 == 1 else 20)
    s = slo.check_slo_compliance()
    # 20 failures + 10 slow successes = 30 bad of 1000: error ratio 0.03,
    # 3x the 1% budget: burn rate 3, budget remaining 1 - 3 = -2.
    assert s["total"] == 1000 and s["bad"] == 30
    assert s["compliance"] == pytest.approx(0.97)
    assert s["error_budget_remaining"] == pytest.approx(-2.0)
    assert s["burn_rates"]["1h"] == pytest.approx(3.0)
    assert s["burn_rates"]["5m"] == pytest.approx(3.0)
    assert s["at_risk"] is True
    firing = {(a["severity"], a["long_window"], a["short_window"]) for a in s["alerts"] if a["firing"]}
    assert firing == {("ticket", "3d", "6h")}  # 3x is over 1x only (it must exceed 3x for the 1d/2h ticket)


def test_a_healthy_service_is_not_at_risk():
    slo = vigil.SLOMonitor(target_availability=0.999, latency_threshold_ms=200, registry=CollectorRegistry())
    for _ in range(5000):
        slo.record_request(True, 10.0)
    s = slo.check_slo_compliance()
    assert s["compliance"] == 1.0 and s["error_budget_remaining"] == 1.0
    assert s["at_risk"] is False and s["burn_rates"]["1h"] == 0.0


def test_no_traffic_has_no_burn_rate():
    s = vigil.SLOMonitor(registry=CollectorRegistry()).check_slo_compliance()
    assert s["total"] == 0 and s["burn_rates"]["5m"] is None and s["at_risk"] is False


def test_gauges_are_exported():
    registry = CollectorRegistry()
    slo = vigil.SLOMonitor(name="predict", registry=registry)  # exported while it lives
    slo.record_request(True, 1.0)
    text = registry.expose().decode()
    assert 'vigil_slo_objective_ratio{slo="predict"} 0.999' in text
    assert "vigil_slo_burn_rate" in text


def test_bad_input():
    with pytest.raises(ValueError):
        vigil.SLOMonitor(target_availability=1.5, registry=CollectorRegistry())
    slo = vigil.SLOMonitor(registry=CollectorRegistry())
    with pytest.raises(ValueError):
        slo.record_request(True, float("nan"))
    with pytest.raises(ValueError):
        slo.record_request(True, -1)
    with pytest.raises(ValueError):
        slo.record_request(True, "fast")
