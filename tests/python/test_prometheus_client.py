"""vigil.prometheus_client against Debian's prometheus_client: the same
operations give the same families and samples, and the same errors."""
import threading

import prometheus_client as reference
import pytest
from prometheus_client.parser import text_string_to_metric_families

import vigil.prometheus_client as ours


def exercise(lib, registry):
    """One sequence of operations, run on either library."""
    requests = lib.Counter("requests_total", "Requests.", ["method", "code"], registry=registry)
    requests.labels("get", "200").inc()
    requests.labels(method="post", code="500").inc(2.5)
    requests.labels("get", "200").inc(3)
    plain = lib.Counter("jobs", "Jobs.", namespace="app", subsystem="worker", registry=registry)
    plain.inc()
    errors = lib.Counter("errors_total", "Errors.", registry=registry)
    with pytest.raises(ZeroDivisionError):
        with errors.count_exceptions(ZeroDivisionError):
            1 / 0
    users = lib.Gauge("active_users", "Users.", registry=registry)
    users.set(10)
    users.inc(2)
    users.dec(5)
    busy = lib.Gauge("busy", "Busy.", ["pool"], registry=registry)
    with busy.labels("a").track_inprogress():
        busy.labels("b").set(4)
    size = lib.Gauge("queue_size", "Queue.", unit="bytes", registry=registry)
    size.set(1024)
    latency = lib.Histogram("latency_seconds", "Latency.", ["model"], registry=registry)
    for v in (0.001, 0.02, 0.3, 0.3, 4, 12):
        latency.labels("a").observe(v)
    custom = lib.Histogram("batch", "Batch.", buckets=(1, 2, 5, float("inf")), registry=registry)
    for v in (0.5, 1, 2, 3, 8):
        custom.observe(v)
    payload = lib.Summary("payload_bytes", "Payload.", registry=registry)
    payload.observe(100)
    payload.observe(250)


def _bound_as_number(labels):
    """le="1.0" (prometheus_client) and le="1" (vigil) name the same bound."""
    if "le" in labels:
        labels = dict(labels, le=float(labels["le"]))
    return labels


def samples(text):
    """{family: (type, {(sample name, labels): value})}.

    Left out: prometheus_client's *_created gauges (its text format writes
    creation times as extra families; vigil writes them in OpenMetrics
    only) and vigil's own cardinality counter.
    """
    out = {}
    for family in text_string_to_metric_families(text):
        if family.name.startswith("vigil_") or family.name.endswith("_created"):
            continue
        values = {(s.name, tuple(sorted(_bound_as_number(s.labels).items()))): s.value for s in family.samples
                  if not s.name.endswith("_created")}
        out[family.name] = (family.type, values)
    return out


def test_families_and_samples_match_prometheus_client_family_by_family():
    ref_registry = reference.CollectorRegistry()
    exercise(reference, ref_registry)
    our_registry = ours.CollectorRegistry()
    exercise(ours, our_registry)
    expected = samples(reference.generate_latest(ref_registry).decode())
    got = samples(ours.generate_latest(our_registry).decode())
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name


def test_help_and_type_lines_match():
    def headers(text):  # family order aside (vigil sorts by name)
        return sorted(line for line in text.splitlines()
                      if line.startswith("# ") and "vigil_" not in line and "_created " not in line)

    ref_registry, our_registry = reference.CollectorRegistry(), ours.CollectorRegistry()
    exercise(reference, ref_registry)
    exercise(ours, our_registry)
    assert headers(ours.generate_latest(our_registry).decode()) == headers(
        reference.generate_latest(ref_registry).decode())


@pytest.mark.parametrize("lib", [reference, ours], ids=["prometheus_client", "vigil"])
def test_errors_are_the_same_kind(lib):
    registry = lib.CollectorRegistry()
    c = lib.Counter("c_total", "C.", ["a", "b"], registry=registry)
    with pytest.raises(ValueError):
        c.labels("only-one")
    with pytest.raises(ValueError):
        c.labels(a="1", c="2")
    with pytest.raises(ValueError):
        c.inc()  # a labelled family has no value of its own
    with pytest.raises(ValueError):
        c.labels("1", "2").inc(-1)
    with pytest.raises(ValueError):
        lib.Counter("bad name", "Bad.", registry=registry)
    with pytest.raises(ValueError):
        lib.Gauge("g", "G.", ["__reserved"], registry=registry)
    with pytest.raises(ValueError):
        lib.Histogram("h", "H.", ["le"], registry=registry)
    with pytest.raises(ValueError):
        lib.Summary("s", "S.", ["quantile"], registry=registry)
    with pytest.raises(ValueError):
        lib.Histogram("h2", "H.", buckets=(5, 1), registry=registry)
    with pytest.raises(ValueError):
        lib.Counter("c", "Same name again.", registry=registry)
    with pytest.raises(ValueError):
        lib.Gauge("plain", "P.", registry=registry).labels("x")


def test_time_works_as_decorator_and_context_manager(registry):
    h = ours.Histogram("work_seconds", "Work.", registry=registry)

    @h.time()
    def work():
        return 42

    assert work() == 42
    with h.time():
        pass
    assert h._series.count() == 2
    g = ours.Gauge("last_seconds", "Last.", registry=registry)
    with g.time():
        pass
    assert 0 <= g._series.value() < 1


def test_set_to_current_time_and_remove(registry):
    import time

    g = ours.Gauge("stamp", "Stamp.", ["k"], registry=registry)
    g.labels("a").set_to_current_time()
    assert abs(g.labels("a").value() - time.time()) < 5
    g.remove("a")
    assert "stamp{" not in ours.generate_latest(registry).decode()


def test_exemplars_appear_in_openmetrics(registry):
    h = ours.Histogram("lat_seconds", "Lat.", registry=registry)
    h.observe(0.2, exemplar={"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})
    c = ours.Counter("hits", "Hits.", registry=registry)
    c.inc(1, exemplar={"trace_id": "00f067aa0ba902b700f067aa0ba902b7"})
    text = registry.expose(openmetrics=True).decode()
    assert '# {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.2' in text
    assert 'trace_id="00f067aa0ba902b700f067aa0ba902b7"' in text


def test_counts_are_exact_from_many_threads(registry):
    c = ours.Counter("parallel", "Parallel.", ["worker"], registry=registry)
    h = ours.Histogram("parallel_seconds", "Parallel.", registry=registry)

    def work(i):
        child = c.labels(str(i % 3))
        for _ in range(20000):
            child.inc()
            h.observe(0.01)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(c.labels(str(k)).value() for k in range(3)) == 8 * 20000
    assert h._series.count() == 8 * 20000


def test_scrape_over_http_and_asgi(registry):
    import urllib.request

    ours.Counter("served", "Served.", registry=registry).inc(7)
    server = ours.start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % server.port, timeout=5) as res:
            body = res.read().decode()
            assert res.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert "served_total 7" in body
    finally:
        server.stop()


def test_native_series_take_keywords_and_reject_bad_amounts(registry):
    c = ours.Counter("kw", "Kw.", ["k"], registry=registry)
    child = c.labels("a")
    child.inc(amount=2)
    child.inc(3, exemplar=None)
    assert child.value() == 5
    with pytest.raises(TypeError):
        child.inc("many")
    with pytest.raises(TypeError):
        child.inc(1, colour="red")
    with pytest.raises(ValueError):
        child.inc(float("nan"))
    with pytest.raises(TypeError):
        child.inc(1, exemplar=["trace_id", "x"])
    with pytest.raises(ValueError):  # exemplar labels over 128 characters
        child.inc(1, exemplar={"trace_id": "x" * 200})
    assert c.labels("a") is child and c.labels(k="a") is child
    h = ours.Histogram("kw_seconds", "Kw.", registry=registry)
    h.observe(amount=0.5)
    with pytest.raises(TypeError):
        h.observe()
    assert h._series.count() == 1


def test_labels_of_other_types_are_strings_and_not_confused(registry):
    c = ours.Counter("typed", "Typed.", ["code"], registry=registry)
    c.labels(200).inc()
    c.labels(200.0).inc()
    c.labels(True).inc()
    text = ours.generate_latest(registry).decode()
    assert 'typed_total{code="200"} 1' in text
    assert 'typed_total{code="200.0"} 1' in text
    assert 'typed_total{code="True"} 1' in text
