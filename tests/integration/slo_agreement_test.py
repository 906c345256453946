#!/usr/bin/env python3
"""The in-process SloMonitor and the Prometheus rules `vigil gen slo-rules`
writes agree on the same synthetic traffic: 3 h at 2 % errors then 2 h at
10 %, replayed minute by minute into both (promtool test rules on one side,
the monitor on the other); the error ratio of every window must match."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SEGMENTS = [(180, 1000, 20), (120, 1000, 100)]
WINDOWS = {300: "5m", 1800: "30m", 3600: "1h", 7200: "2h", 21600: "6h", 86400: "1d", 259200: "3d", 2592000: "30d"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--traffic", required=True)
    args = ap.parse_args()
    res = subprocess.run([args.traffic] + [f"{m}:{t}:{e}" for m, t, e in SEGMENTS], capture_output=True, text=True,
                         check=True)
    inproc = {int(k): v for k, v in json.loads(res.stdout).items()}
    check(abs(inproc[3600] - 0.1) < 1e-12 and abs(inproc[2592000] - 0.052) < 1e-12,
          f"in-process ratios: 1h {inproc[3600]}, period {inproc[2592000]}")
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "slo-rules.yml")
        subprocess.run([args.vigil, "gen", "slo-rules", os.path.join(ROOT, "deploy", "slo", "inference-slos.yaml"),
                        "-o", rules], check=True)
        ok, err, total_errors = [0], [0], 0
        for minutes, total, errors in SEGMENTS:
            for _ in range(minutes):
                ok.append(ok[-1] + total - errors)
                err.append(err[-1] + errors)
        end = sum(m for m, _, _ in SEGMENTS)
        tests = []
        for seconds, name in WINDOWS.items():
            expr = f'max(slo:sli_error:ratio_rate{name}{{sloth_slo="requests-availability"}})'
            # The period ratio is the mean of the 5m ratios (Sloth's definition),
            # which starts with a few partial windows: a looser bound there.
            tol = 0.002 if name == "30d" else 1e-6
            tests.append({"expr": f"abs({expr} - {inproc[seconds]!r}) < bool {tol}", "eval_time": f"{end}m",
                          "exp_samples": [{"labels": "{}", "value": 1}]})
        spec = {"rule_files": [rules], "evaluation_interval": "1m", "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": 'inference_requests_total{status="ok"}', "values": " ".join(map(str, ok))},
                {"series": 'inference_requests_total{status="error"}', "values": " ".join(map(str, err))},
            ],
            "promql_expr_test": tests}]}
        test_file = os.path.join(tmp, "agreement_test.yml")
        with open(test_file, "w") as f:
            json.dump(spec, f)
        out = subprocess.run(["promtool", "test", "rules", test_file], capture_output=True, text=True)
        check(out.returncode == 0, "Prometheus rules and in-process monitor agree on every window "
              "(5m 30m 1h 2h 6h 1d 3d to 1e-6; the period to 0.002)", out.stdout[-3000:] + out.stderr[-2000:])
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
