"""Exercise 3: trace an inference request (preprocess, inference,
postprocess) with OpenTelemetry's API names, exported over OTLP/HTTP.

    vigil serve &        # or any OTLP receiver on 127.0.0.1:4318
    python3 03_tracing.py [endpoint]     ("-": print spans to stdout as OTLP/JSON)
"""
import random
import sys
import time

from vigil import trace
from vigil.trace import (BatchSpanProcessor, ConsoleSpanExporter, OTLPSpanExporter, Resource, SpanKind,
                         TracerProvider)

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4318/v1/traces"
exporter = ConsoleSpanExporter() if endpoint == "-" else OTLPSpanExporter(endpoint=endpoint)
provider = TracerProvider(resource=Resource.create({"service.name": "ranker", "service.version": "1.4.0"}))
provider.add_span_processor(BatchSpanProcessor(exporter))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("ranker.server", "1.4.0")


@tracer.start_as_current_span("preprocess")
def preprocess(rows):
    trace.get_current_span().set_attribute("rows", len(rows))
    return [r * 2 for r in rows]


def predict(headers, rows):
    parent = trace.extract(headers)  # the caller's traceparent, if any
    with tracer.start_as_current_span("predict", context=parent, kind=SpanKind.SERVER,
                                      attributes={"model.name": "ranker"}) as span:
        features = preprocess(rows)
        with tracer.start_as_current_span("inference") as inference:
            time.sleep(random.uniform(0.001, 0.005))
            inference.add_event("batch scored", {"size": len(features)})
        with tracer.start_as_current_span("postprocess"):
            if random.random() < 0.1:
                raise ValueError("no ranking for an empty result")
        span.set_attribute("result.count", len(features))
        return span.get_span_context()


def main():
    random.seed(3)
    for i in range(20):
        try:
            ctx = predict({"traceparent": f"00-{i + 1:032x}-{i + 1:016x}-01"}, list(range(i)))
            print("trace", trace.format_trace_id(ctx.trace_id), flush=True)
        except ValueError as e:
            print("failed:", e, flush=True)
    provider.force_flush()
    provider.shutdown()


if __name__ == "__main__":
    main()
