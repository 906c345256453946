"""vigil.ModelMonitor: events one by one or as a batch give the same
windows, metrics reach the registry, and bad input gets Python errors."""
import numpy as np
import pandas as pd
import pytest

import vigil
from vigil.prometheus_client import CollectorRegistry

T0 = 1_700_000_000


def traffic(n=600, seed=3, shift=0.0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"amount": rng.normal(100 + shift, 20, n), "country": rng.choice(["NO", "SE", "DK"], n)})


def monitor_with_reference(registry=None):
    monitor = vigil.ModelMonitor(registry=registry or CollectorRegistry(), window_seconds=60)
    monitor.set_reference("fraud", traffic(2000, seed=1))
    return monitor


def test_batch_and_row_by_row_give_the_same_evaluation():
    batch = traffic(shift=25)
    predictions = np.where(batch["amount"] > 110, "fraud", "legit")
    confidence = np.linspace(0.5, 1, len(batch))
    one = monitor_with_reference()
    for i, row in batch.iterrows():
        one.record(model="fraud", features={"amount": row["amount"], "country": row["country"]},
                   prediction=predictions[i], confidence=confidence[i], timestamp=T0 + 1)
    many = monitor_with_reference()
    assert many.record_batch("fraud", batch, prediction=predictions, confidence=confidence,
                             timestamps=np.full(len(batch), T0 + 1.0)) == len(batch)
    (a,), (b,) = one.close_windows(now=T0 + 2), many.close_windows(now=T0 + 2)
    assert a["rows"] == b["rows"] == len(batch)
    assert a["drifted"] == b["drifted"] and "amount" in a["drifted"]
    assert a["report"]["features"] == b["report"]["features"]


def test_labels_give_quality_and_metrics_reach_the_registry():
    registry = CollectorRegistry()
    monitor = monitor_with_reference(registry)
    for i in range(100):
        monitor.record(model="fraud", features={"amount": 100.0, "country": "NO"}, prediction="legit",
                       confidence=0.9, latency_seconds=0.01, request_id=f"r{i}")
    for i in range(100):
        assert monitor.record_label("fraud", f"r{i}", "legit" if i < 80 else "fraud")
    assert not monitor.record_label("fraud", "never-seen", "legit")
    q = monitor.quality("fraud")
    assert q["labelled"] == 100 and q["accuracy"] == pytest.approx(0.8)
    text = registry.expose().decode()
    assert 'vigil_model_predictions_total{model="fraud"' in text
    assert "vigil_model_prediction_latency_seconds_bucket{model=\"fraud\"" in text


def test_column_names_for_prediction_and_ids():
    monitor = monitor_with_reference()
    batch = traffic(50).assign(pred=["legit"] * 50, id=[f"b{i}" for i in range(50)])
    assert monitor.record_batch("fraud", batch, prediction="pred", request_ids="id") == 50
    assert monitor.record_label("fraud", "b7", "legit")


def test_bad_input_gets_python_errors():
    monitor = monitor_with_reference()
    with pytest.raises(ValueError, match="column 'amount' is numeric but row 1 holds 'lots'"):
        monitor.record_batch("fraud", {"amount": np.array([1.0, "lots", 3.0], dtype=object),
                                       "country": np.array(["NO", "SE", "DK"])})
    with pytest.raises(ValueError, match="confidence has 2 rows"):
        monitor.record_batch("fraud", traffic(3), confidence=np.array([0.5, 0.5]))
    with pytest.raises(TypeError, match="features must be a dict"):
        monitor.record(model="fraud", features=[("amount", 1.0)])
    with pytest.raises(TypeError, match="number, a str or None"):
        monitor.record(model="fraud", features={"amount": object()})
    with pytest.raises(ValueError, match="task"):
        monitor.set_reference("x", vigil.profile(traffic(10)), task="ranking")
    with pytest.raises(ValueError):
        vigil.ModelMonitor(window_seconds=0)


def test_windows_under_min_window_rows_are_not_judged():
    registry = CollectorRegistry()
    monitor = vigil.ModelMonitor(registry=registry, window_seconds=60, min_window_rows=100)
    monitor.set_reference("fraud", traffic(2000, seed=1))
    small, full = traffic(40, shift=25), traffic(600, shift=25)
    assert monitor.record_batch("fraud", small, timestamps=np.full(len(small), T0 + 1.0)) == 40
    assert monitor.close_windows(now=T0 + 2) == []
    assert monitor.record_batch("fraud", full, timestamps=np.full(len(full), T0 + 61.0)) == 600
    (judged,) = monitor.close_windows(now=T0 + 62)
    assert judged["rows"] == 600 and "amount" in judged["drifted"]
    assert 'vigil_model_windows_unjudged_total{model="fraud"} 1\n' in registry.expose().decode()
    with pytest.raises(ValueError, match="min_window_rows"):
        vigil.ModelMonitor(min_window_rows=-1)


def test_models_past_the_limit_are_refused():
    monitor = vigil.ModelMonitor(registry=CollectorRegistry(), max_models=2)
    assert monitor.record(model="a", features={"x": 1.0})
    assert monitor.record(model="b", features={"x": 1.0})
    assert not monitor.record(model="c", features={"x": 1.0})
    assert sorted(monitor.models()) == ["a", "b"]
