#!/usr/bin/env python3
"""Sloth specs in full, checked by the real promtool on synthetic traffic:
a prometheus/v1 spec with an events SLI and a raw SLI (errorRatioQuery)
whose alerts are disabled, shaped like Sloth's own integration spec, and
an OpenSLO openslo/v1alpha document, which Sloth also reads. Every
recording rule Sloth generates (the error ratio over each window, the 30d
ratio, objective, budget, burn rates, budget left, sloth_slo_info) is
evaluated and compared with the value computed here from the traffic, with
Sloth's label sets (vigil's may add labels, never lack one); the enabled
page and ticket alerts fire exactly when the burn rate says they should.
A plugin SLI is a clear error naming the plugin."""
import argparse
import os
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check  # noqa: E402

SPEC = """version: prometheus/v1
service: checkout
labels:
  owner: payments
slos:
  - name: requests-ok
    objective: 99
    description: Checkout requests that succeed.
    labels:
      tier: "1"
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
    alerting:
      name: CheckoutBudgetBurn
      labels: {team: payments}
      page_alert: {labels: {route: pager}}
      ticket_alert: {labels: {route: queue}}
  - name: requests-raw
    objective: 95
    sli:
      raw:
        errorRatioQuery: |
          sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
          /
          sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""

OPENSLO = """apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: checkout-ok
spec:
  service: checkout
  description: Checkout requests that succeed.
  budgetingMethod: Occurrences
  objectives:
    - ratioMetrics:
        good: {source: prometheus, queryType: promql, query: 'sum(rate(http_requests_total{job="checkout",code!~"5.."}[{{.window}}]))'}
        total: {source: prometheus, queryType: promql, query: 'sum(rate(http_requests_total{job="checkout"}[{{.window}}]))'}
      target: 0.99
  timeWindows:
    - count: 30
      unit: Day
"""

OK_PER_MIN, ERR_PER_MIN, MINUTES = 63, 1, 8 * 60  # a 1/64 error ratio (1.5625x a 99 % budget) for 8 hours
RATIO = ERR_PER_MIN / (OK_PER_MIN + ERR_PER_MIN)
WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]


def generate(vigil, tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    rules = path + ".rules.yml"
    res = subprocess.run([vigil, "gen", "slo-rules", path, "-o", rules], capture_output=True, text=True)
    check(res.returncode == 0, f"vigil gen slo-rules {name}", res.stderr)
    res = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
    check(res.returncode == 0, f"promtool check rules on the rules of {name}", res.stdout + res.stderr)
    return rules


def sloth_labels(service, slo, extra):
    """The labels Sloth puts on an SLO's recording rules."""
    return {**extra, "sloth_id": f"{service}-{slo}", "sloth_service": service, "sloth_slo": slo}


def expected_recordings(service, slo, objective_percent, extra):
    """Sloth's recording rules of one SLO and their values under the traffic."""
    base = sloth_labels(service, slo, extra)
    budget = 1 - objective_percent / 100
    out = [(f"slo:sli_error:ratio_rate{w}", {**base, "sloth_window": w}, RATIO) for w in WINDOWS]
    out += [
        ("slo:sli_error:ratio_rate30d", {**base, "sloth_window": "30d"}, RATIO),
        ("slo:objective:ratio", base, objective_percent / 100),
        ("slo:error_budget:ratio", base, budget),
        ("slo:time_period:days", base, 30),
        # These keep the sloth_window of the ratio they divide, in Sloth's rules as in vigil's.
        ("slo:current_burn_rate:ratio", {**base, "sloth_window": "5m"}, RATIO / budget),
        ("slo:period_burn_rate:ratio", {**base, "sloth_window": "30d"}, RATIO / budget),
        ("slo:period_error_budget_remaining:ratio", {**base, "sloth_window": "30d"}, 1 - RATIO / budget),
    ]
    return out


def promtool_test(tmp, rules, cases, alerts):
    spec = {
        "rule_files": [rules],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": 'http_requests_total{job="checkout",code="200"}', "values": f"0+{OK_PER_MIN}x{MINUTES}"},
                {"series": 'http_requests_total{job="checkout",code="500"}', "values": f"0+{ERR_PER_MIN}x{MINUTES}"},
            ],
            "promql_expr_test": [
                {"expr": f'{record}{{{",".join(f"{k}={v!r}".replace(chr(39), chr(34)) for k, v in labels.items())}}}',
                 "eval_time": f"{MINUTES}m", "exp_samples": [{"labels": labels_text(record, labels, actual), "value": value}]}
                for record, labels, value, actual in cases],
            "alert_rule_test": alerts,
        }],
    }
    path = os.path.join(tmp, os.path.basename(rules) + ".test.yml")
    with open(path, "w") as f:
        yaml.safe_dump(spec, f)
    res = subprocess.run(["promtool", "test", "rules", path], capture_output=True, text=True)
    return res


def labels_text(record, labels, actual):
    """The full label set promtool must see: Sloth's labels plus any vigil adds."""
    merged = {**actual, **labels}
    return record + "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(merged.items())) + "}"


def actual_labels(rules_path, record, sloth_slo):
    """A rule's own labels; a label its expression carries (sloth_window of
    the ratio it divides) is not among them."""
    for group in yaml.safe_load(open(rules_path))["groups"]:
        for rule in group["rules"]:
            if rule.get("record") == record and rule["labels"].get("sloth_slo") == sloth_slo:
                return rule["labels"]
    return None


def check_spec(vigil, tmp):
    rules = generate(vigil, tmp, "checkout.yaml", SPEC)
    cases = []
    for slo, objective, extra in [("requests-ok", 99, {"owner": "payments", "tier": "1"}),
                                  ("requests-raw", 95, {"owner": "payments"})]:
        for record, labels, value in expected_recordings("checkout", slo, objective, extra):
            actual = actual_labels(rules, record, slo)
            check(actual is not None and all(actual.get(k, v if k == "sloth_window" else None) == v
                                              for k, v in labels.items()),
                  f"{slo} {record}: Sloth's labels, none missing", str(actual))
            cases.append((record, labels, value, actual))
        info = actual_labels(rules, "sloth_slo_info", slo)
        want = {**sloth_labels("checkout", slo, extra), "sloth_mode": "cli-gen-prom", "sloth_spec": "prometheus/v1",
                "sloth_objective": str(objective)}
        check(info is not None and all(info.get(k) == v for k, v in want.items()) and info.get("sloth_version"),
              f"{slo}: sloth_slo_info with Sloth's labels", str(info))
        cases.append(("sloth_slo_info", want, 1, info))
    groups = [g["name"] for g in yaml.safe_load(open(rules))["groups"]]
    check(not any("alerts" in g and "requests-raw" in g for g in groups), "disabled page and ticket alerts: no alert group")
    # 1.5625x burn: over the 3d/6h ticket pair's 1x, under every page factor (14.4x, 6x) and the 2h/1d 3x.
    ticket = {"exp_labels": {"sloth_id": "checkout-requests-ok", "sloth_service": "checkout", "sloth_slo": "requests-ok",
                             "sloth_severity": "ticket", "severity": "warning", "team": "payments", "route": "queue",
                             "owner": "payments", "tier": "1"},
              "exp_annotations": {"runbook_url": "docs/runbooks/slo-burn-rate.md",
                                  "summary": "checkout requests-ok SLO error budget burn rate is too fast.",
                                  "title": "(ticket) checkout requests-ok SLO error budget burn rate is too fast."}}
    alerts = [{"eval_time": f"{MINUTES}m", "alertname": "CheckoutBudgetBurn", "exp_alerts": [ticket]}]
    res = promtool_test(tmp, rules, cases, alerts)
    check(res.returncode == 0, f"promtool test rules: {len(cases)} recording rules of a Sloth spec (events and raw SLIs) "
          "evaluate to the values of the traffic, and only the ticket alert fires", res.stdout[-3000:] + res.stderr[-2000:])


def check_openslo(vigil, tmp):
    rules = generate(vigil, tmp, "checkout-openslo.yaml", OPENSLO)
    cases = []
    for record, labels, value in expected_recordings("checkout", "checkout-ok-0", 99, {}):
        actual = actual_labels(rules, record, "checkout-ok-0")
        check(actual is not None and all(actual.get(k, v if k == "sloth_window" else None) == v
                                          for k, v in labels.items()),
              f"OpenSLO {record}: Sloth's labels", str(actual))
        cases.append((record, labels, value, actual))
    info = actual_labels(rules, "sloth_slo_info", "checkout-ok-0")
    check(info and info["sloth_spec"] == "openslo/v1alpha" and info["sloth_mode"] == "cli-gen-openslo",
          "OpenSLO: sloth_slo_info names the spec", str(info))
    check(not any(r.get("alert") for g in yaml.safe_load(open(rules))["groups"] for r in g["rules"]),
          "OpenSLO v1alpha defines no alerts: none generated")
    res = promtool_test(tmp, rules, cases, [])
    check(res.returncode == 0, f"promtool test rules: the OpenSLO SLO's {len(cases)} recording rules (1 - good/total)",
          res.stdout[-3000:] + res.stderr[-2000:])


def check_errors(vigil, tmp):
    plugin = SPEC.replace("""      raw:
        errorRatioQuery: |
          sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
          /
          sum(rate(http_requests_total{job="checkout"}[{{.window}}]))""", """      plugin:
        id: sloth-common/kubernetes/apiserver/availability""")
    for name, text, says in [("plugin.yaml", plugin, 'plugin "sloth-common/kubernetes/apiserver/availability"'),
                             ("timeslices.yaml", OPENSLO.replace("Occurrences", "Timeslices"), "budgetingMethod"),
                             ("week.yaml", OPENSLO.replace("count: 30", "count: 7"), "timeWindows")]:
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        res = subprocess.run([vigil, "gen", "slo-rules", path], capture_output=True, text=True)
        check(res.returncode != 0 and f"{name}:" in res.stderr and says in res.stderr,
              f"{name}: a clear error naming the file and {says}", res.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        check_spec(args.vigil, tmp)
        check_openslo(args.vigil, tmp)
        check_errors(args.vigil, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
