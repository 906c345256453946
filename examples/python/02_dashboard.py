"""Exercise 2: a monitoring dashboard for an ML service.

Instruments a simulated fraud model with vigil's conventions (request rate,
errors, latency, model monitor, SLO), then writes what Grafana, Prometheus
and Alertmanager need, and checks that every metric a panel queries is in
the program's own scrape (an absent one would leave a panel empty).

    python3 02_dashboard.py [out-dir]
"""
import json
import os
import random
import re
import sys

import vigil
import vigil.dashboards
from vigil.prometheus_client import Counter, Histogram, generate_latest


def reference_profile(rng):
    import pandas as pd

    return vigil.profile(pd.DataFrame({
        "amount": [rng.lognormvariate(4, 1) for _ in range(1000)],
        "country": [rng.choice("NO SE DK".split()) for _ in range(1000)]}))


def simulate(rng, monitor, slo):
    requests = Counter("inference_requests_total", "Predictions served.", ["model", "version", "status"])
    latency = Histogram("inference_latency_seconds", "Prediction latency.", ["model", "version"])
    for i in range(2000):
        amount = rng.lognormvariate(4, 1)
        seconds = rng.uniform(0.002, 0.05)
        failed = rng.random() < 0.02
        requests.labels("fraud", "3", "error" if failed else "ok").inc()
        latency.labels("fraud", "3").observe(seconds)
        slo.record_request(not failed, seconds * 1000)
        features = {"amount": amount, "country": rng.choice("NO SE DK".split())}
        if failed:
            monitor.record(model="fraud", version="3", features=features, error="timeout")
            continue
        predicted = "fraud" if amount > 300 else "legit"
        monitor.record(model="fraud", version="3", features=features, prediction=predicted,
                       confidence=rng.uniform(0.5, 1), latency_seconds=seconds, request_id=str(i))
        if i % 10 == 0:  # ground truth arrives for some requests
            monitor.record_label("fraud", str(i), predicted if rng.random() < 0.9 else "fraud")
    monitor.close_windows()


def queried_metrics(dashboard):
    names = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            names.update(re.findall(r"\b(?:inference|vigil|process)_[a-z_]+", target.get("expr", "")))
    return names


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "out"
    os.makedirs(out, exist_ok=True)
    rng = random.Random(2)
    monitor = vigil.ModelMonitor(window_seconds=60)
    monitor.set_reference("fraud", reference_profile(rng))
    slo = vigil.SLOMonitor(target_availability=0.99, latency_threshold_ms=40, name="fraud-predict")
    simulate(rng, monitor, slo)
    files = {"dashboard.json": vigil.dashboards.grafana_dashboard(),
             "slo-dashboard.json": vigil.dashboards.slo_dashboard(),
             "rules.yml": vigil.dashboards.alert_rules(),
             "alertmanager.yml": vigil.dashboards.alertmanager_config()}
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    scrape = generate_latest().decode()
    exposed = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", scrape, re.M))
    needed = queried_metrics(json.loads(files["dashboard.json"]))
    missing = sorted(n for n in needed if not any(e.startswith(n) for e in exposed) and not n.endswith("_"))
    print("wrote", ", ".join(files), "to", out)
    print("panels query", len(needed), "metric names;", "missing from the scrape:", missing or "none")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
