"""The GIL is released while C++ works on whole batches, and every entry
point is safe from many Python threads at once."""
import threading
import time

import numpy as np

import vigil
from vigil import _vigil
from vigil._columns import table_of
from vigil.prometheus_client import CollectorRegistry, Counter


def progress_during(call):
    """How many Python loop turns the calling thread made while `call` ran
    in another thread: near zero if `call` held the GIL throughout."""
    started, done = threading.Event(), threading.Event()

    def worker():
        started.set()
        call()
        done.set()

    turns = 0
    thread = threading.Thread(target=worker)
    thread.start()
    started.wait()
    time.sleep(0.01)  # let the worker enter C++
    while not done.is_set():
        turns += 1
    thread.join()
    return turns


def test_profiling_and_drift_release_the_gil():
    rng = np.random.default_rng(0)
    data = {f"c{i}": rng.normal(size=1_500_000) for i in range(4)}
    table = table_of(data)
    assert progress_during(lambda: _vigil.profile_table(table)) > 10_000
    ref = vigil.profile(data)
    assert progress_during(lambda: _vigil.compare(ref._core, ref._core, table, table, "ks", None, 0, {}, 0.5, "", "",
                                                  "a", "b")) > 10_000


def test_scrape_encoding_releases_the_gil():
    registry = CollectorRegistry()
    counter = Counter("wide", "Wide.", ["k"], registry=registry)
    for i in range(9000):
        counter.labels(str(i)).inc()
    assert progress_during(lambda: [registry.expose() for _ in range(20)]) > 10_000


def test_monitor_and_metrics_from_many_threads():
    registry = CollectorRegistry()
    monitor = vigil.ModelMonitor(registry=registry, window_seconds=3600)
    monitor.set_reference("m", vigil.profile({"x": np.random.default_rng(9).normal(size=1000),
                                              "c": np.array(["a", "b"] * 500)}))
    served = Counter("served", "Served.", ["worker"], registry=registry)
    errors = []

    def worker(w):
        try:
            rng = np.random.default_rng(w)
            for i in range(300):
                monitor.record(model="m", features={"x": float(rng.normal()), "c": "ab"[i % 2]}, prediction="y",
                               request_id=f"{w}-{i}")
                served.labels(str(w % 4)).inc()
            monitor.record_batch("m", {"x": rng.normal(size=500), "c": np.array(["a"] * 500)})
            vigil.profile({"x": rng.normal(size=10_000)})
            for i in range(0, 300, 3):
                assert monitor.record_label("m", f"{w}-{i}", "y")
        except Exception as e:  # reported below: an assert in a thread is lost
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    (evaluation,) = monitor.close_windows()
    assert evaluation["rows"] == 8 * (300 + 500)
    assert monitor.quality("m")["labelled"] == 8 * 100
    assert sum(served.labels(str(k)).value() for k in range(4)) == 8 * 300
