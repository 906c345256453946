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
A plugin SLI is a clear error naming the plugin.

Then Sloth's own integration case: the spec of Sloth's
test/integration/prometheus/testdata/in-base.yaml (an events SLI with page
and ticket alerts, and a raw SLI with both disabled), under a day at half
the budget rate, a 20-minute burst of 10 % errors, and 20 minutes more at
the base rate. The values
each recording rule must have are those Sloth's expected rules
(out-base.yaml.tpl) gave under promtool on the same traffic, written here
as numbers (as SciPy's figures are in the statistics tests); so are the
label sets of the alerts that fire (the page alert's sloth_window moves
from 5m to 30m as the burst ages, as with Sloth's rules)."""
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
                             "sloth_severity": "ticket", "sloth_window": "6h", "severity": "warning",
                             "team": "payments", "route": "queue",
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


SLOTH_BASE_SPEC = """version: prometheus/v1
service: svc01
labels: {global01k1: global01v1}
slos:
  - name: slo1
    objective: 99.9
    description: This is SLO 01.
    labels: {global02k1: global02v1}
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: myServiceAlert
      labels: {alert01k1: alert01v1}
      annotations: {alert02k1: alert02k2}
      page_alert: {labels: {alert03k1: alert03v1}}
      ticket_alert: {labels: {alert04k1: alert04v1}}
  - name: slo02
    objective: 95
    description: This is SLO 02.
    labels: {global03k1: global03v1}
    sli:
      raw:
        errorRatioQuery: |
          sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
          /
          sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""
BASE_OK, BASE_ERR, BASE_MINUTES, BURST_OK, BURST_ERR, BURST_MINUTES = 1999, 1, 24 * 60, 1800, 200, 20
TIMES = ("1d", "1d20m", "1d40m")  # steady; the end of the burst; 20 minutes after it
# What Sloth's expected rules (out-base.yaml.tpl) evaluated to under promtool on this traffic.
_BURST = {"5m": 9.999999999999999e-02, "30m": 6.683333333333334e-02, "1h": 3.366666666666667e-02, "2h": 1.7083333333333336e-02,
          "6h": 6.027777777777779e-03, "1d": 1.8819444444444448e-03, "3d": 1.8630136986301368e-03, "30d": 1.7267123287671232e-03}
SLOTH_RATIOS = {"1d": dict.fromkeys(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"], 5e-04), "1d20m": _BURST,
                "1d40m": {**_BURST, "5m": 5e-04, "30m": 3.366666666666667e-02, "3d": 1.8445945945945942e-03,
                          "30d": 1.8445945945945947e-03}}
_OBJECTIVE = {"slo1": (9.990000000000001e-01, 9.999999999998899e-04), "slo02": (9.5e-01, 5.0000000000000044e-02)}
SLOTH_BURN = {  # current burn rate, period burn rate, period budget remaining
    ("1d", "slo1"): (5.000000000000551e-01, 5.000000000000551e-01, 4.9999999999994493e-01),
    ("1d", "slo02"): (9.999999999999992e-03, 9.999999999999992e-03, 9.9e-01),
    ("1d20m", "slo1"): (1.00000000000011e+02, 1.7267123287673134e+00, -7.267123287673134e-01),
    ("1d20m", "slo02"): (1.999999999999998e+00, 3.453424657534243e-02, 9.654657534246576e-01),
    ("1d40m", "slo1"): (5.000000000000551e-01, 1.844594594594798e+00, -8.445945945947979e-01),
    ("1d40m", "slo02"): (9.999999999999992e-03, 3.689189189189186e-02, 9.631081081081081e-01),
}
_PAGE = {"alertname": "myServiceAlert", "alert01k1": "alert01v1", "alert03k1": "alert03v1", "global01k1": "global01v1",
         "global02k1": "global02v1", "sloth_id": "svc01-slo1", "sloth_service": "svc01", "sloth_severity": "page", "sloth_slo": "slo1"}
_TICKET = {**_PAGE, "alert03k1": None, "alert04k1": "alert04v1", "sloth_severity": "ticket", "sloth_window": "6h"}
del _TICKET["alert03k1"]
SLOTH_ALERTS = {"1d": [], "1d20m": [{**_PAGE, "sloth_window": "5m"}, _TICKET], "1d40m": [{**_PAGE, "sloth_window": "30m"}, _TICKET]}


def sloth_base_expected(t, slo):
    """(record, value) of every recording rule of one SLO at time t, as Sloth's rules gave them."""
    objective, budget = _OBJECTIVE[slo]
    current, period, remaining = SLOTH_BURN[(t, slo)]
    return [(f"slo:sli_error:ratio_rate{w}", v) for w, v in SLOTH_RATIOS[t].items()] + [
        ("slo:objective:ratio", objective), ("slo:error_budget:ratio", budget), ("slo:time_period:days", 30),
        ("slo:current_burn_rate:ratio", current), ("slo:period_burn_rate:ratio", period),
        ("slo:period_error_budget_remaining:ratio", remaining), ("sloth_slo_info", 1)]


def probe(tmp, rules, times):
    """Every recording series and firing alert at each of `times`, read from
    promtool's report of expectations set to fail (promtool prints what it
    got), in one promtool run over the three days of traffic."""
    import re
    def segment(per_min, burst):  # base rate, the burst, then the base rate again
        after = per_min * BASE_MINUTES + burst * BURST_MINUTES
        return (f"0+{per_min}x{BASE_MINUTES} {per_min * BASE_MINUTES + burst}+{burst}x{BURST_MINUTES - 1} "
                f"{after + per_min}+{per_min}x{BURST_MINUTES}")
    spec = {"rule_files": [rules], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [
            {"series": 'http_request_duration_seconds_count{job="myservice",code="200"}', "values": segment(BASE_OK, BURST_OK)},
            {"series": 'http_request_duration_seconds_count{job="myservice",code="500"}', "values": segment(BASE_ERR, BURST_ERR)}],
        "promql_expr_test": [{"expr": f'{record}{{sloth_id="svc01-{slo}"}}', "eval_time": t,
                              "exp_samples": [{"labels": "probe", "value": -1}]}
                             for t in times for slo in ("slo1", "slo02") for record, _ in sloth_base_expected(t, slo)],
        "alert_rule_test": [{"eval_time": t, "alertname": "myServiceAlert", "exp_alerts": [{"exp_labels": {"probe": t}}]}
                            for t in times]}]}
    path = os.path.join(tmp, "probe.yml")
    with open(path, "w") as f:
        yaml.safe_dump(spec, f)
    res = subprocess.run(["promtool", "test", "rules", path], capture_output=True, text=True)
    text = res.stdout + res.stderr
    series = {t: {} for t in times}
    for m in re.finditer(r'expr: "(.*?)", time: (\S+),\n\s+exp: .*\n\s+got: \{(.*?)\} (\S+)\n', text):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3)))
        series[m.group(2)][(labels["__name__"], labels["sloth_slo"])] = (labels, float(m.group(4)))
    alerts = {t: [] for t in times}
    for m in re.finditer(r'alertname: myServiceAlert, time: (\S+), \n\s+exp:.*?got:\[(.*?)\]\n', text, re.S):
        alerts[m.group(1)] = [dict(re.findall(r'(\w+)="([^"]*)"', l)) for l in re.findall(r'Labels:\{(.*?)\}', m.group(2))]
    return series, alerts


def check_sloth_base(vigil, tmp):
    rules = generate(vigil, tmp, "sloth-in-base.yaml", SLOTH_BASE_SPEC)
    all_series, all_alerts = probe(tmp, rules, TIMES)
    for t in TIMES:
        series, alerts = all_series[t], all_alerts[t]
        for slo, extra in (("slo1", {"global01k1": "global01v1", "global02k1": "global02v1"}),
                           ("slo02", {"global01k1": "global01v1", "global03k1": "global03v1"})):
            for record, want in sloth_base_expected(t, slo):
                got = series.get((record, slo))
                check(got is not None, f"{t} {slo} {record}: recorded", str(sorted(series)))
                labels, value = got
                missing = {k: v for k, v in sloth_labels("svc01", slo, extra).items() if labels.get(k) != v}
                check(not missing, f"{t} {slo} {record}: Sloth's labels", str((missing, labels)))
                # promtool runs rule groups in no fixed order within a step, so where the 30d ratio changes
                # fast (the last minute of the burst) the period rules of Sloth's rules and of vigil's alike
                # read this minute's ratio or the last one's, run to run: not compared there.
                if t == "1d20m" and "period" in record:
                    continue
                # Elsewhere that one-minute lag still moves the period rules slightly: up to 1.1e-3
                # relative 20 minutes after the burst (seen: -0.8455037 against Sloth's -0.8445946).
                tolerance = 2e-3 if "period" in record else 1e-9
                check(abs(value - want) <= tolerance * abs(want), f"{t} {slo} {record} = {value:.10g}, Sloth's {want:.10g}")
        wanted = SLOTH_ALERTS[t]
        matched = all(any(all(a.get(k) == v for k, v in w.items()) for a in alerts) for w in wanted)
        check(len(alerts) == len(wanted) and matched,
              f"{t}: the alerts Sloth's rules fire ({', '.join(w['sloth_severity'] + ' ' + w['sloth_window'] for w in wanted) or 'none'}), "
              "with Sloth's labels", str(alerts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        check_spec(args.vigil, tmp)
        check_sloth_base(args.vigil, tmp)
        check_openslo(args.vigil, tmp)
        check_errors(args.vigil, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
