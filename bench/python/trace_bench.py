#!/usr/bin/env python3
"""Span start/end from Python on vigil's C++ tracer: the cost a request
handler pays per span. Two providers: one with no processor (the binding and
the span alone) and one whose batch processor queues every span for an
in-memory exporter, which encodes each batch as OTLP/JSON on the exporter
thread (no network).

The OpenTelemetry Python SDK is not packaged in Debian 12, so there is no
peer to run beside it here.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/trace_bench.py
"""
import contextlib
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


def per_span(stmt, env, parent, exporter):
    runs = []
    for _ in range(5):
        with trace.use_span(parent) if parent else contextlib.nullcontext():
            runs.append(timeit.timeit(stmt, globals=env, number=20000) / 20000 * 1e9)
        if exporter:
            exporter.clear()
    return statistics.median(runs)


def tracers(exporter=None):
    """A sampled and an unsampled tracer, with a batch processor for `exporter` when given."""
    out = {}
    for key, sampler in (("tracer", None), ("unsampled", trace.TraceIdRatioBased(0.0))):
        provider = TracerProvider(sampler=sampler)
        if exporter:
            provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=1 << 16,
                                                           schedule_delay_millis=50))
        out[key] = provider.get_tracer("bench")
    return out


def main():
    exporter = InMemorySpanExporter()
    columns = ((tracers(), None), (tracers(exporter), exporter))
    print(f"{'operation':40} {'no processor':>13} {'batch, in-memory':>17}   (median of 5 rounds of 20000)")
    for name, stmt in CASES.items():
        row = []
        for env, sink in columns:
            parent = env["tracer"].start_span("parent") if name.startswith("nested") else None
            row.append(per_span(stmt, env, parent, sink))
        print(f"{name:40} {row[0]:10.0f} ns {row[1]:14.0f} ns")


if __name__ == "__main__":
    main()
