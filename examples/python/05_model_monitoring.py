"""Exercise 5: monitor a model in production: a reference from training
data, live predictions, ground truth later, drift and quality per window,
and a batch drift report from DataFrames.

    python3 05_model_monitoring.py [report.html]
"""
import sys

import numpy as np
import pandas as pd

import vigil


def dataset(rng, n, shift=0.0):
    return pd.DataFrame({
        "age": rng.normal(40 + shift * 10, 10, n),
        "income": rng.lognormal(10 + shift, 0.5, n),
        "country": rng.choice(["NO", "SE", "DK"], n, p=[0.5, 0.3, 0.2]),
    })


def main():
    rng = np.random.default_rng(5)
    training = dataset(rng, 5000)
    monitor = vigil.ModelMonitor(window_seconds=60)
    monitor.set_reference("churn", vigil.profile(training))

    start = 1_700_000_000
    for minute, shift in enumerate([0.0, 0.0, 1.0]):  # the third window drifts
        batch = dataset(rng, 2000, shift)
        scores = rng.uniform(0, 1, len(batch))
        ids = [f"{minute}-{i}" for i in range(len(batch))]
        monitor.record_batch("churn", batch, prediction=np.where(scores > 0.5, "churn", "stay"),
                             confidence=np.maximum(scores, 1 - scores), request_ids=ids,
                             timestamps=np.full(len(batch), start + minute * 60 + 1.0))
        for i in range(0, 200):
            monitor.record_label("churn", ids[i], "churn" if scores[i] > 0.4 else "stay")
    monitor.close_windows(now=start + 180)
    for e in monitor.history("churn"):
        print("window", e["window_start_unix_nano"] // 10**9, "rows", e["rows"], "dataset drift", e["dataset_drift"],
              "drifted", e["drifted"])
    print("quality", monitor.quality("churn"))

    report = vigil.drift(training, dataset(rng, 3000, 1.0))
    for f in report.features.values():
        print(f"{f.name:10} {f.method:14} score={f.score:.4g} drift={f.drifted}")
    if len(sys.argv) > 1:
        report.save_html(sys.argv[1])


if __name__ == "__main__":
    main()
