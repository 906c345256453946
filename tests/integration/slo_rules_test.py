#!/usr/bin/env python3
"""`vigil gen slo-rules` output checked by the real promtool: `check rules`
passes, and `test rules` proves the alert timing of the SRE workbook's
multi-window multi-burn-rate alerts:
  - a fast burn (20x, 2 % errors) after two clean hours: ticket first, then the
    14.4x page once the 1h ratio passes 1.44 % (43.2 min after onset);
  - a slow burn (1.5x) tickets and never pages;
  - a healthy service (0.5x) raises nothing."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC = os.path.join(REPO, "deploy", "slo", "inference-slos.yaml")
ALERT = "RankerAvailabilityBudgetBurn"


def alert(severity, window):
    """The alert as Sloth labels it: sloth_window is the short window of
    the first window pair that fires."""
    return {
        "exp_labels": {
            "sloth_id": "ranker-requests-availability", "sloth_service": "ranker",
            "sloth_slo": "requests-availability", "team": "ml-platform", "category": "availability",
            "severity": "critical" if severity == "page" else "warning", "sloth_severity": severity,
            "sloth_window": window,
        },
        "exp_annotations": {
            "runbook_url": "docs/runbooks/slo-burn-rate.md",
            "summary": "ranker requests-availability SLO error budget burn rate is too fast.",
            "title": f"({severity}) ranker requests-availability SLO error budget burn rate is too fast.",
        },
    }


def series(ok_per_min, err_segments):
    """One counter per status; err_segments are (minutes, errors per minute)."""
    total_minutes = sum(m for m, _ in err_segments)
    values, acc = ["0"], 0.0
    for minutes, per_min in err_segments:
        for _ in range(minutes):
            acc += per_min
            values.append(repr(acc))
    return [
        {"series": 'inference_requests_total{status="ok"}', "values": f"0+{ok_per_min}x{total_minutes}"},
        {"series": 'inference_requests_total{status="error"}', "values": " ".join(values)},
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "slo-rules.yml")
        gen = subprocess.run([args.vigil, "gen", "slo-rules", SPEC, "-o", rules], capture_output=True, text=True)
        check(gen.returncode == 0, "vigil gen slo-rules succeeded", gen.stderr)
        res = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
        check(res.returncode == 0 and "SUCCESS" in res.stdout, "promtool check rules passes", res.stdout + res.stderr)

        tests = {
            "rule_files": [rules],
            "evaluation_interval": "1m",
            "tests": [
                {   # fast burn: 2 clean hours, then 2 % errors (20x)
                    "name": "fast burn pages within the workbook detection time",
                    "interval": "1m",
                    "input_series": series(1000, [(120, 0.0), (60, 20.0)]),
                    "alert_rule_test": [
                        {"eval_time": "119m", "alertname": ALERT, "exp_alerts": []},
                        # 40 min after onset: the 3x ticket (2h ratio > 0.3 %) fires, the page not yet.
                        {"eval_time": "160m", "alertname": ALERT, "exp_alerts": [alert("ticket", "2h")]},
                        # 47 min after onset the 1h ratio is past 1.44 %: page.
                        {"eval_time": "167m", "alertname": ALERT, "exp_alerts": [alert("page", "5m"), alert("ticket", "2h")]},
                    ],
                },
                {   # slow burn: 1.5x for 8 hours
                    "name": "slow burn only tickets",
                    "interval": "1m",
                    "input_series": series(1000, [(480, 1.5)]),
                    "alert_rule_test": [
                        {"eval_time": "240m", "alertname": ALERT, "exp_alerts": [alert("ticket", "6h")]},
                        {"eval_time": "479m", "alertname": ALERT, "exp_alerts": [alert("ticket", "6h")]},
                    ],
                },
                {   # healthy: half the budget rate
                    "name": "healthy service raises nothing",
                    "interval": "1m",
                    "input_series": series(2000, [(480, 1.0)]),
                    "alert_rule_test": [
                        {"eval_time": "60m", "alertname": ALERT, "exp_alerts": []},
                        {"eval_time": "479m", "alertname": ALERT, "exp_alerts": []},
                    ],
                    "promql_expr_test": [
                        {"expr": 'slo:sli_error:ratio_rate1h{sloth_slo="requests-availability"}',
                         "eval_time": "300m",
                         "exp_samples": [{"labels": 'slo:sli_error:ratio_rate1h{sloth_id="ranker-requests-availability", '
                                                    'sloth_service="ranker", sloth_slo="requests-availability", '
                                                    'sloth_window="1h", team="ml-platform"}',
                                          "value": 1 / 2001}]},  # 1 error in 2001 requests a minute
                        {"expr": 'slo:current_burn_rate:ratio{sloth_slo="requests-availability"}',
                         "eval_time": "300m",
                         "exp_samples": [{"labels": 'slo:current_burn_rate:ratio{sloth_id="ranker-requests-availability", '
                                                    'sloth_service="ranker", sloth_slo="requests-availability", '
                                                    'sloth_window="5m", team="ml-platform"}',
                                          "value": (1 / 2001) / (1 - 0.999)}]},  # as PromQL computes it
                    ],
                },
            ],
        }
        test_file = os.path.join(tmp, "slo-rules.test.yml")
        with open(test_file, "w") as f:
            json.dump(tests, f, indent=1)  # JSON is YAML
        res = subprocess.run(["promtool", "test", "rules", test_file], capture_output=True, text=True)
        check(res.returncode == 0, "promtool test rules: fast burn pages, slow burn tickets, healthy is quiet",
              res.stdout + res.stderr)

        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write('version: "prometheus/v1"\nservice: ranker\nslos:\n  - name: x\n    objective: 101\n')
        res = subprocess.run([args.vigil, "gen", "slo-rules", bad], capture_output=True, text=True)
        check(res.returncode != 0 and f"{bad}:5: slos[0].objective" in res.stderr,
              "invalid spec: error names file, line and field", res.stderr)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
