#!/usr/bin/env python3
"""Alert timing of the rules `vigil gen rules` writes, proven with
`promtool test rules`: each alert stays quiet while its condition is new,
fires once it has held for its `for` duration, and a healthy service raises
nothing."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check  # noqa: E402

RUNBOOKS = "https://github.com/vigil/vigil/blob/main/docs/runbooks/"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules.yml")
        subprocess.run([args.vigil, "gen", "rules", "-o", rules], check=True)
        error_annotations = {
            "summary": "ranker: 10% of requests fail",
            "description": "More than 5% of inference requests failed over 5m.",
            "runbook_url": RUNBOOKS + "high-error-rate.md"}
        drift_annotations = {
            "summary": "fraud: dataset drift",
            "description": "The share of drifted features passed the dataset-drift threshold in the last evaluation window.",
            "runbook_url": RUNBOOKS + "model-drift.md"}
        quality_annotations = {
            "summary": "fraud: unseen_categories on country",
            "description": "A data-quality check (missing-rate jump, out-of-range values, unseen categories, type errors, "
                           "constant column, schema mismatch) failed in the last evaluation window.",
            "runbook_url": RUNBOOKS + "data-quality.md"}
        tests = {
            "rule_files": [rules],
            "evaluation_interval": "1m",
            "tests": [
                {   # 10 % of requests fail from the start: pending at 1m, firing after 5m.
                    "interval": "1m",
                    "input_series": [
                        {"series": 'inference_requests_total{model="ranker",version="2",status="ok"}', "values": "0+90x30"},
                        {"series": 'inference_requests_total{model="ranker",version="2",status="error"}', "values": "0+10x30"},
                        {"series": 'vigil_model_dataset_drift{model="fraud"}', "values": "0x4 1x20"},
                        {"series": 'vigil_model_data_quality_failed{model="fraud",check="unseen_categories",feature="country"}',
                         "values": "1x20"},
                    ],
                    "alert_rule_test": [
                        {"eval_time": "5m", "alertname": "HighErrorRate", "exp_alerts": []},
                        {"eval_time": "7m", "alertname": "HighErrorRate",
                         "exp_alerts": [{"exp_labels": {"severity": "critical", "model": "ranker"},
                                         "exp_annotations": error_annotations}]},
                        {"eval_time": "9m", "alertname": "ModelDriftDetected", "exp_alerts": []},
                        {"eval_time": "11m", "alertname": "ModelDriftDetected",
                         "exp_alerts": [{"exp_labels": {"severity": "warning", "model": "fraud"},
                                         "exp_annotations": drift_annotations}]},
                        {"eval_time": "4m", "alertname": "DataQualityBreach", "exp_alerts": []},
                        {"eval_time": "6m", "alertname": "DataQualityBreach",
                         "exp_alerts": [{"exp_labels": {"severity": "warning", "model": "fraud", "check": "unseen_categories",
                                                        "feature": "country"},
                                         "exp_annotations": quality_annotations}]},
                    ],
                },
                {   # A healthy service: 0.5 % errors, no drift, fast responses.
                    "interval": "1m",
                    "input_series": [
                        {"series": 'inference_requests_total{model="ranker",version="2",status="ok"}', "values": "0+995x60"},
                        {"series": 'inference_requests_total{model="ranker",version="2",status="error"}', "values": "0+5x60"},
                        {"series": 'inference_latency_seconds_bucket{model="ranker",le="0.1"}', "values": "0+1000x60"},
                        {"series": 'inference_latency_seconds_bucket{model="ranker",le="+Inf"}', "values": "0+1000x60"},
                        {"series": 'vigil_model_dataset_drift{model="fraud"}', "values": "0x60"},
                    ],
                    "alert_rule_test": [
                        {"eval_time": "60m", "alertname": name, "exp_alerts": []}
                        for name in ("HighErrorRate", "HighP99Latency", "ModelDriftDetected", "DataQualityBreach")
                    ],
                },
            ],
        }
        test_file = os.path.join(tmp, "rules_test.yml")
        with open(test_file, "w") as f:
            json.dump(tests, f)  # JSON is YAML
        res = subprocess.run(["promtool", "test", "rules", test_file], capture_output=True, text=True)
        check(res.returncode == 0, "promtool test rules: alert timing of the generated rules", res.stdout + res.stderr)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
