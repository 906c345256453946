#!/usr/bin/env python3
"""`vigil gen grafana`: the dashboards type-check against Grafana's published
dashboard types (npm @grafana/schema, compiled by TypeScript with excess
property checks), every panel query parses as PromQL (promtool), the layout
is sane, and the copies under deploy/grafana are up to date."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
INTEROP = os.path.join(HERE, "..", "interop")

VARIABLES = {"$__rate_interval": "5m", "$__range": "1h", "$model": "model-a", "$version": "v1",
             "$instance": "localhost:4318"}


def promql(expr):
    for k, v in VARIABLES.items():
        expr = expr.replace(k, v)
    return expr


def typecheck(tmp, name, dashboard):
    src = os.path.join(tmp, f"{name}.ts")
    with open(src, "w") as f:
        # TypeScript string enums only accept their members, not the equal
        # string: name the one enum the JSON uses.
        text = json.dumps(dashboard, indent=1)
        text = re.sub(r'("mode": )"absolute"', r"\1ThresholdsMode.Absolute", text)
        text = re.sub(r'("mode": )"percentage"', r"\1ThresholdsMode.Percentage", text)
        f.write("import { Dashboard, ThresholdsMode } from '@grafana/schema';\n")
        f.write(f"export const dashboard: Dashboard = {text};\n")
    res = subprocess.run([os.path.join(INTEROP, "node_modules", ".bin", "tsc"), "--noEmit", "--strict",
                          "--target", "es2020", "--module", "commonjs", "--moduleResolution", "node",
                          "--skipLibCheck", src], capture_output=True, text=True, cwd=tmp)
    check(res.returncode == 0, f"{name}: type-checks as Grafana's Dashboard (@grafana/schema)",
          res.stdout[-3000:] + res.stderr[-1000:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(os.path.join(INTEROP, "node_modules"), os.path.join(tmp, "node_modules"))
        dashboards = {}
        for name, extra in (("vigil-ml-service", []), ("vigil-slo", ["--slo"])):
            out = subprocess.run([args.vigil, "gen", "grafana", *extra], capture_output=True, text=True, check=True)
            dashboards[name] = json.loads(out.stdout)
            with open(os.path.join(ROOT, "deploy", "grafana", "dashboards", f"{name}.json")) as f:
                check(json.load(f) == dashboards[name], f"{name}: deploy/grafana copy is current")
        for name, d in dashboards.items():
            typecheck(tmp, name, d)

        d = dashboards["vigil-ml-service"]
        panels = [p for p in d["panels"] if p["type"] != "row"]
        types = {p["type"] for p in panels}
        check(len(panels) >= 8, f"{len(panels)} panels (at least 8)")
        check(types >= {"timeseries", "stat", "piechart", "heatmap", "bargauge", "table"},
              f"fitting visualisations: {sorted(types)}")
        names = {v["name"] for v in d["templating"]["list"]}
        check(names >= {"datasource", "model", "version", "instance"}, "template variables datasource, model, version, instance")
        check(all(p["datasource"]["uid"] == "${datasource}" for p in panels), "every panel uses the datasource variable")
        titles = " | ".join(p["title"] for p in panels)
        for needed in ("Request rate", "Error rate", "P99", "accuracy", "CPU", "Memory", "Predictions by class",
                       "drift", "SLO compliance", "Burn rate"):
            check(needed.lower() in titles.lower(), f"panel for {needed}")
        ids = [p["id"] for p in d["panels"]]
        check(len(ids) == len(set(ids)), "panel ids unique")
        cells = set()
        overlap = False
        for p in d["panels"]:
            g = p["gridPos"]
            check(g["x"] + g["w"] <= 24, f"panel '{p['title']}' fits the 24-column grid") if g["x"] + g["w"] > 24 else None
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    overlap |= (x, y) in cells
                    cells.add((x, y))
        check(not overlap, "no two panels overlap")

        # Every query, variables substituted, must parse as PromQL.
        exprs = [t["expr"] for dd in dashboards.values() for p in dd["panels"] for t in p.get("targets", [])]
        rules = os.path.join(tmp, "queries.yml")
        with open(rules, "w") as f:
            f.write("groups:\n  - name: dashboard-queries\n    rules:\n")
            for i, e in enumerate(exprs):
                f.write(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(promql(e))}\n")
        res = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
        check(res.returncode == 0, f"all {len(exprs)} panel queries parse as PromQL (promtool)", res.stdout + res.stderr)
        check(all(re.search(r"\$(?!__rate_interval|__range|model|version|instance)", e) is None for e in exprs),
              "queries use only known variables")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
