#!/usr/bin/env python3
"""The demo's data through each API the way Grafana reads it, with nothing
set up by hand: a real Prometheus (exemplar storage on) scrapes `vigil
demo`, /api/v1/query_exemplars returns exemplars of the latency histogram,
and every exemplar's trace_id opens on the daemon, as Jaeger JSON and as
Tempo protobuf (the metrics -> traces link); Jaeger search by service and
tag, then the trace; the service graph across the demo's two services;
TraceQL on the model server's spans; a Loki query with | json and a field
filter, then the log-volume query; and the generated data source
provisioning names those data sources and links."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Prometheus, check, free_port, http_get, process, wait_for  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def get(base, path, accept=None, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        status, headers, body = http_get(url, headers={"Accept": accept} if accept else None, timeout=30)
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    return status, body


def api(base, path, **params):
    status, body = get(base, path, **params)
    check(status == 200, f"GET {path} {params}: 200", body[:300])
    return json.loads(body)


def exemplar_chain(base, prom):
    end = time.time()

    def exemplars():
        ex = prom.get_json("/api/v1/query_exemplars", query="inference_latency_seconds_bucket",
                           start=str(end - 600), end=str(time.time()))
        found = [e for s in ex["data"] for e in s["exemplars"]]
        assert len(found) >= 3, f"{len(found)} exemplars"
        return found
    found = wait_for("exemplars of the latency histogram in Prometheus", exemplars, timeout=60, interval=1)
    trace_ids = {e["labels"].get("trace_id") for e in found}
    check(all(t and len(t) == 32 for t in trace_ids), f"{len(found)} exemplars, each with a trace_id", json.dumps(found[:2]))
    for tid in sorted(trace_ids)[:10]:
        def opens(tid=tid):
            status, body = get(base, f"/api/traces/{tid}")
            assert status == 200, status
            return json.loads(body)["data"][0]
        trace = wait_for(f"trace {tid} on the daemon", opens, timeout=20, interval=0.5)
        check(any(s["operationName"] == "POST /score" for s in trace["spans"]), f"exemplar trace {tid}: the request's trace")
        status, _ = get(base, f"/api/traces/{tid}", accept="application/protobuf")
        check(status == 200, f"exemplar trace {tid}: also through Tempo's API")


def traces_like_grafana(base):
    services = api(base, "/api/services")["data"]
    check({"credit-scorer", "credit-model-server"} <= set(services), "the demo's two services", services)
    found = api(base, "/api/traces", service="credit-scorer", tags=json.dumps({"model.name": "credit"}), limit="5",
                lookback="1h")["data"]
    check(len(found) == 5, "Jaeger search by service and tag: five traces")

    def both_services():  # the two services' exporters batch separately: allow one batch delay
        trace = api(base, f"/api/traces/{found[-1]['traceID']}")["data"][0]
        return {trace["processes"][s["processID"]]["serviceName"] for s in trace["spans"]} == \
            {"credit-scorer", "credit-model-server"}
    wait_for("an opened trace spanning both services", both_services, timeout=10)  # fails the test if not
    deps = api(base, "/api/dependencies", endTs=str(int(time.time() * 1000)), lookback="3600000")["data"]
    check(any(d["parent"] == "credit-scorer" and d["child"] == "credit-model-server" and d["callCount"] > 10 for d in deps),
          "the service graph: credit-scorer -> credit-model-server", json.dumps(deps))
    # The newest matches may be traces whose root, the scorer's span, is
    # still in the scorer's next export batch: allow one batch delay, as above.
    tempo = []

    def rooted_in_scorer():
        tempo[:] = api(base, "/api/search", q='{ resource.service.name = "credit-model-server" && name = "predict" '
                                            '&& kind = server }', limit="3")["traces"]
        return len(tempo) == 3 and all(t["rootServiceName"] == "credit-scorer" for t in tempo)
    try:
        wait_for("TraceQL matches whose roots have arrived", rooted_in_scorer, timeout=10)
    except AssertionError:
        pass  # the check below names what was found
    check(len(tempo) == 3 and all(t["rootServiceName"] == "credit-scorer" and t["spanSet"]["matched"] == 1 for t in tempo),
          "TraceQL finds the model server's spans inside the scorer's traces", json.dumps(tempo)[:300])


def logs_like_grafana(base):
    q = '{service="credit-scorer"} | json | channel="web"'
    data = api(base, "/loki/api/v1/query_range", query=q, limit="50")["data"]
    entries = [(s["stream"], v) for s in data["result"] for v in s["values"]]
    check(entries and all(s["channel"] == "web" and s["service"] == "credit-scorer" for s, _ in entries),
          f"Loki: {len(entries)} lines for {q}", json.dumps(data)[:300])
    check(any(len(s.get("trace_id", "")) == 32 for s, _ in entries), "log lines carry the trace_id label (logs -> trace)")
    now = time.time_ns()
    volume = api(base, "/loki/api/v1/query_range", query='sum by (level) (count_over_time({service="credit-scorer"} [10s]))',
                 start=str(now - 120 * 10**9), end=str(now), step="10s")["data"]
    levels = {s["metric"].get("level") for s in volume["result"]}
    check(volume["resultType"] == "matrix" and "info" in levels, f"the log-volume histogram by level: {sorted(levels)}")


def provisioning():
    with open(os.path.join(ROOT, "deploy", "grafana", "provisioning", "datasources", "vigil.yaml")) as f:
        sources = {d["uid"]: d for d in yaml.safe_load(f)["datasources"]}
    check({d["type"] for d in sources.values()} == {"prometheus", "jaeger", "tempo", "loki"},
          "provisioned: Prometheus, and vigil as Jaeger, Tempo and Loki")
    check(sources["prometheus"]["jsonData"]["exemplarTraceIdDestinations"] ==
          [{"name": "trace_id", "datasourceUid": "vigil-traces"}], "exemplars link to the traces data source")
    check(sources["vigil-logs"]["jsonData"]["derivedFields"][0]["datasourceUid"] == "vigil-traces" and
          sources["vigil-logs"]["jsonData"]["derivedFields"][0]["matcherRegex"] == "trace_id",
          "logs -> trace: a derived field on the trace_id label")
    check(all(sources[u]["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "vigil-logs" for u in ("vigil-traces", "vigil-tempo")),
          "traces -> logs on both trace data sources")
    with open(os.path.join(ROOT, "deploy", "grafana", "dashboards", "vigil-ml-service.json")) as f:
        dash = json.load(f)
    latency = [p for p in dash["panels"] if p.get("title", "").startswith("Latency")][0]
    check(all(t.get("exemplar") is True for t in latency["targets"]), "the latency panel asks for exemplars")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    provisioning()
    with tempfile.TemporaryDirectory() as tmp:
        port, prom_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        with process([args.vigil, "demo", "--listen", f"127.0.0.1:{port}", "--data", os.path.join(tmp, "demo"),
                      "--duration", "75", "--qps", "30", "--quiet"], stdout=subprocess.DEVNULL):
            wait_for("vigil demo", lambda: http_get(base + "/healthz")[0] == 200, 30)
            config = os.path.join(tmp, "prometheus.yml")
            with open(config, "w") as f:
                f.write(f"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: vigil-demo\n"
                        f"    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
            with process(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp}/prom",
                          f"--web.listen-address=127.0.0.1:{prom_port}", "--enable-feature=exemplar-storage"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                prom = Prometheus(prom_port)
                wait_for("Prometheus scraping the demo", lambda: prom.scalar("up") == 1, 60)
                time.sleep(8)  # a few seconds of traffic, spans exported
                exemplar_chain(base, prom)
                traces_like_grafana(base)
                logs_like_grafana(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
