#!/usr/bin/env python3
"""Loki's query API (what Grafana's Loki datasource calls), field by field:
log queries with line filters, `| json` and field filters on records sent by
the real OpenTelemetry JS SDK; the log-volume queries Grafana's Explore sends
(sum by (level) (count_over_time(...)), rate, bytes_over_time) checked
value by value against counts computed here; labels, label values, series,
index stats and the vector(1)+vector(1) health check; times as nanosecond
strings in streams and unix seconds in matrices; bad input answered 400 in
plain text, as Loki does; the bearer token required."""
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check, run_otel_client, start_daemon, vigil_main  # noqa: E402

TOKEN = "loki-s3cret"
SDK_SERVICE = "node-client-protobuf"
S = 1_000_000_000


def volume_records(t0):
    """Minute i of ten holds i + 1 records, at seconds 1..i+1; errors in even minutes."""
    return [(t0 + i * 60 * S + (k + 1) * S, "error" if i % 2 == 0 else "info", f"batch {i} item {k}")
            for i in range(10) for k in range(i + 1)]


def send_volume(d, records):
    logs = [{"timeUnixNano": str(t), "severityText": level.upper(), "body": {"stringValue": body},
             "attributes": [{"key": "minute", "value": {"intValue": str(int(body.split()[1]))}}]}
            for t, level, body in records]
    payload = {"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "volume"}}]},
                                 "scopeLogs": [{"scope": {"name": "batcher"}, "logRecords": logs}]}]}
    req = urllib.request.Request(d.base + "/v1/logs", data=json.dumps(payload).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    check(urllib.request.urlopen(req, timeout=30).status == 200, f"{len(records)} volume records sent")


def ok(d, path, **params):
    status, body = d.get_json(path, TOKEN, **params)
    check(status == 200 and isinstance(body, dict) and body.get("status") == "success", f"GET {path} {params}: success",
          str(body)[:400])
    return body["data"]


def streams(d, query, **params):
    data = ok(d, "/loki/api/v1/query_range", query=query, **params)
    check(data["resultType"] == "streams" and "stats" in data, f"{query}: a streams result")
    for s in data["result"]:
        check(set(s) == {"stream", "values"} and all(isinstance(v, str) for v in s["stream"].values()),
              "a stream: string labels and values")
        for ts, line in s["values"]:
            check(isinstance(ts, str) and ts.isdigit() and abs(int(ts) - time.time_ns()) < 3600 * S and
                  isinstance(line, str), "an entry: [nanoseconds as a string, line]", f"{ts!r} {line!r}")
    return data["result"]


def lines(result):
    return sorted(line for s in result for _, line in s["values"])


def sdk_log_queries(d):
    sel = f'{{service="{SDK_SERVICE}"}}'
    every = streams(d, sel)
    check(lines(every) == ["cache cold", "gpu timeout on worker 3", "prediction served"], "all three SDK records",
          json.dumps(every))
    err = [s for s in every if s["values"][0][1] == "gpu timeout on worker 3"][0]["stream"]
    check(err["level"] == "error" and err["service"] == SDK_SERVICE and err["logger"] == "ranker-logger" and
          len(err.get("trace_id", "")) == 32 and "user_id" not in err,
          "stream labels: service, level, logger and the trace id; fields only with | json", json.dumps(err))
    check(lines(streams(d, sel + ' |= "timeout"')) == ["gpu timeout on worker 3"], "line filter |=")
    check(lines(streams(d, sel + ' != "timeout" |~ "ca?che|ser+ved"')) == ["cache cold", "prediction served"],
          "line filters != and |~")
    by_user = streams(d, sel + ' | json | user_id="42"')
    check(lines(by_user) == ["cache cold", "prediction served"], "| json then a field filter", json.dumps(by_user))
    check(all(s["stream"].get("user_id") == "42" for s in by_user), "with | json the fields are stream labels")
    check(lines(streams(d, sel + " | json | latency_ms > 10")) == ["prediction served"], "a numeric field filter")
    check(lines(streams(d, sel + ' | level=~"warn|error" | drop __error__')) == ["cache cold", "gpu timeout on worker 3"],
          "a regex label filter, and | drop __error__ accepted")
    newest = streams(d, sel, limit="1")
    oldest = streams(d, sel, limit="1", direction="forward")
    check(lines(newest) == ["cache cold"] and lines(oldest) == ["prediction served"],
          "limit with direction backward (newest) and forward (oldest)", json.dumps([newest, oldest]))


def expected_counts(records, start, end, step, rng, by_level=True, bytes_=False):
    out = {}
    t = start
    while t <= end:
        for ts, level, body in records:
            if t - rng < ts <= t:
                key = level if by_level else ""
                out.setdefault(key, {})
                out[key][t] = out[key].get(t, 0) + (len(body) if bytes_ else 1)
        t += step
    return out


def matrix(d, query, start, end, step):
    data = ok(d, "/loki/api/v1/query_range", query=query, start=str(start), end=str(end), step=step)
    check(data["resultType"] == "matrix", f"{query}: a matrix")
    got = {}
    for s in data["result"]:
        check(set(s) == {"metric", "values"}, "a series: metric and values")
        for t, v in s["values"]:
            check(isinstance(t, (int, float)) and isinstance(v, str), "a point: [unix seconds, value as a string]")
            got.setdefault(s["metric"].get("level", ""), {})[round(t * S)] = float(v)
    return got


def volume_queries(d, records, t0):
    start, end = t0 + 60 * S, t0 + 600 * S
    want = expected_counts(records, start, end, 60 * S, 60 * S)
    got = matrix(d, 'sum by (level) (count_over_time({service="volume"} [1m]))', start, end, "60s")
    check(got == want, "Explore's log volume: sum by (level) (count_over_time([1m])) per step", f"{got} != {want}")
    check(sum(sum(v.values()) for v in got.values()) == 55, "every record counted once, in its minute")
    # A range longer than the step: each record counts at every step whose window holds it.
    want5 = expected_counts(records, start, end, 30 * S, 300 * S, by_level=False)
    got5 = matrix(d, 'sum(count_over_time({service="volume"}[5m]))', start, end, "30")
    check(got5 == want5, "count_over_time [5m] at 30 s steps (overlapping windows)", f"{got5} != {want5}")
    rate = matrix(d, 'sum(rate({service="volume"} |= "item" [1m]))', start, end, "1m")
    want_rate = {k: {t: v / 60 for t, v in s.items()} for k, s in expected_counts(records, start, end, 60 * S, 60 * S,
                                                                                    by_level=False).items()}
    check(rate.keys() == want_rate.keys() and all(abs(rate[""][t] - v) < 1e-9 for t, v in want_rate[""].items()),
          "rate() is the count per second of the range")
    got_bytes = matrix(d, 'sum by (level) (bytes_over_time({service="volume"}[1m]))', start, end, "60s")
    check(got_bytes == expected_counts(records, start, end, 60 * S, 60 * S, bytes_=True), "bytes_over_time sums line bytes")
    by_field = ok(d, "/loki/api/v1/query_range", query='sum by (minute) (count_over_time({service="volume"} | json [10m]))',
                  start=str(end), end=str(end), step="60s")["result"]
    check(sorted((s["metric"]["minute"], s["values"][0][1]) for s in by_field) ==
          sorted((str(i), str(i + 1)) for i in range(10)), "sum by a field", json.dumps(by_field)[:300])
    plain = ok(d, "/loki/api/v1/query_range", query='count_over_time({service="volume"}[10m])', start=str(end),
               end=str(end), step="60s")["result"]
    check(sorted(s["metric"]["level"] for s in plain) == ["error", "info"] and
          all(set(s["metric"]) == {"service", "level", "logger"} for s in plain),
          "without sum: one series per stream (service, level, logger)", json.dumps(plain))
    inst = ok(d, "/loki/api/v1/query", query='sum by (level) (count_over_time({service="volume"}[10m]))', time=str(end))
    check(inst["resultType"] == "vector" and
          sorted((r["metric"]["level"], r["value"][1]) for r in inst["result"]) == [("error", "25"), ("info", "30")],
          "an instant metric query: a vector", json.dumps(inst))


def catalog(d, t0):
    rng = {"start": str(t0), "end": str(time.time_ns() + 60 * S)}
    check(ok(d, "/loki/api/v1/labels", **rng) == ["level", "logger", "service"], "labels: the stream labels")
    check(ok(d, "/loki/api/v1/label/service/values", **rng) == [SDK_SERVICE, "volume"], "label values of service")
    check(ok(d, "/loki/api/v1/label/level/values", query='{service="volume"}', **rng) == ["error", "info"],
          "label values narrowed by a query")
    series = ok(d, "/loki/api/v1/series", **{"match[]": ['{service="volume"}', '{level="warn"}']}, **rng)
    check(sorted(json.dumps(s, sort_keys=True) for s in series) == sorted(json.dumps(s, sort_keys=True) for s in [
        {"service": "volume", "level": "error", "logger": "batcher"}, {"service": "volume", "level": "info", "logger": "batcher"},
        {"service": SDK_SERVICE, "level": "warn", "logger": "ranker-logger"}]), "series of two selectors", json.dumps(series))
    status, stats = d.get_json("/loki/api/v1/index/stats", TOKEN, query='{service="volume"}', **rng)
    body_bytes = sum(len(b) for _, _, b in volume_records(t0))
    check(status == 200 and stats == {"streams": 2, "chunks": 2, "entries": 55, "bytes": body_bytes},
          "index/stats: streams, entries and bytes", json.dumps(stats))
    health = ok(d, "/loki/api/v1/query", query="vector(1)+vector(1)", time=str(time.time_ns()))
    check(health["resultType"] == "vector" and health["result"][0]["value"][1] == "2", "the health check answers 2")


def bad_input(d):
    q = "/loki/api/v1/query_range"
    cases = [
        ({"query": '{service="volume"'}, "expected"),
        ({"query": '{service="volume"} | logfmt'}, "logfmt"),
        ({"query": 'quantile_over_time(0.9, {service="volume"} [1m])'}, "quantile_over_time"),
        ({"query": 'count_over_time({service="volume"} [soon])'}, "range"),
        ({"query": 'sum(count_over_time({service="volume"}[1m])) + vector(1)'}, "binary"),
        ({"query": '{service="volume"}', "start": "2000", "end": "1000"}, "before"),
        ({"query": '{service="volume"}', "limit": "100000"}, "max entries"),
        ({"query": 'count_over_time({service="volume"}[1m])', "step": "0"}, "step"),
        ({"query": 'count_over_time({service="volume"}[1m])', "start": "0", "end": str(time.time_ns()), "step": "1s"},
         "11,000 points"),
        ({"query": '{service="volume"}', "start": "yesterday"}, "start"),
        ({}, "query is required"),
    ]
    for params, says in cases:
        status, body = d.get_json(q, TOKEN, **params)
        check(status == 400 and isinstance(body, str) and says in body, f"{params}: 400 in plain text naming {says!r}",
              f"{status} {body!r}"[:300])
    status, body = d.get_json("/loki/api/v1/query", TOKEN, query='{service="volume"}')
    check(status == 400 and "instant query" in body, "a log query as an instant query: 400, as in Loki 3")
    status, _ = d.get_json("/loki/api/v1/labels")
    check(status == 401, "no token: 401")


def run(vigil, tmp):
    d = start_daemon(vigil, tmp, TOKEN)
    run_otel_client(d, TOKEN)
    t0 = (time.time_ns() // (60 * S)) * 60 * S - 900 * S
    records = volume_records(t0)
    send_volume(d, records)
    d.flush(TOKEN)
    sdk_log_queries(d)
    volume_queries(d, records, t0)
    catalog(d, t0)
    bad_input(d)
    d.stop()


if __name__ == "__main__":
    sys.exit(vigil_main(run))
