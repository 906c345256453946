#!/usr/bin/env python3
"""Span start/end from Python on vigil's C++ tracer: the cost a request
handler pays per span, recorded and queued for export (the batch processor's
exporter discards, so the network is not measured).

The OpenTelemetry Python SDK is not packaged in Debian 12, so there is no
peer to run beside it here.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/trace_bench.py
"""
import statistics
import timeit

from vigil import trace
from vigil.trace import BatchSpanProcessor, InMemorySpanExporter, TracerProvider

CASES = {
    "start_as_current_span (with)": "with tracer.start_as_current_span('op'):\n    pass",
    "start_as_current_span + 2 attributes": ("with tracer.start_as_current_span('op') as s:\n"
                                             "    s.set_attribute('rows', 32)\n    s.set_attribute('model', 'ranker')"),
    "start_span + end": "tracer.start_span('op').end()",
    "nested child in a span": "with tracer.start_as_current_span('child'):\n    pass",
    "unsampled (ratio 0) span": "with unsampled.start_as_current_span('op'):\n    pass",
}


def main():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=1 << 16, schedule_delay_millis=50))
    tracer = provider.get_tracer("bench")
    unsampled = TracerProvider(sampler=trace.TraceIdRatioBased(0.0)).get_tracer("bench")
    env = {"tracer": tracer, "unsampled": unsampled}
    parent = tracer.start_span("parent")
    print(f"{'operation':40} {'per span':>10}   (median of 5 rounds of 20000)")
    for name, stmt in CASES.items():
        runs = []
        for _ in range(5):
            if name.startswith("nested"):
                with trace.use_span(parent):
                    runs.append(timeit.timeit(stmt, globals=env, number=20000) / 20000 * 1e9)
            else:
                runs.append(timeit.timeit(stmt, globals=env, number=20000) / 20000 * 1e9)
            exporter.clear()
        print(f"{name:40} {statistics.median(runs):7.0f} ns")
    provider.shutdown()


if __name__ == "__main__":
    main()
