#!/usr/bin/env python3
"""The built-in web UI in a real browser (Debian's chromium driven by npm
playwright-core) against `vigil demo`: overview charts that update, trace
search and waterfall, log search, drift, SLO and alert views."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check, free_port, http_get, process, wait_for  # noqa: E402

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with process([args.vigil, "demo", "--listen", f"127.0.0.1:{port}", "--data", os.path.join(tmp, "data"),
                      "--qps", "60", "--window", "5", "--drift-at", "2", "--burst-at", "4", "--burst-length", "60",
                      "--quiet", "--duration", "120", "--history-resolution", "1"], stdout=subprocess.DEVNULL):
            wait_for("vigil demo", lambda: http_get(base + "/healthz")[0] == 200, 30)
            time.sleep(14)  # two evaluation windows, the error burst under way
            shots = os.environ.get("VIGIL_UI_SCREENSHOTS", tmp)
            os.makedirs(shots, exist_ok=True)
            res = subprocess.run(["node", os.path.join(INTEROP, "ui_test.js"), base, shots], capture_output=True,
                                 text=True, timeout=120, cwd=INTEROP)
            print(res.stdout)
            check(res.returncode == 0, "browser walk through the UI", res.stderr[-3000:])
        # The history is in the store: a daemon started later on the same
        # data still serves it.
        with process([args.vigil, "serve", "--listen", f"127.0.0.1:{port}", "--grpc-listen", "off",
                      "--data", os.path.join(tmp, "data")], stdout=subprocess.DEVNULL):
            wait_for("vigil serve", lambda: http_get(base + "/healthz")[0] == 200, 30)
            kept = json.loads(http_get(base + "/api/v1/history?range=15m")[2])
            check(len(kept["t"]) >= 14 and len([v for v in kept["series"]["rate"] if v is not None]) >= 14,
                  f"after a restart the daemon still serves the history ({len(kept['t'])} points)")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
