"""vigil.trace: OpenTelemetry's names over the C++ tracer; the active span
follows threads and asyncio tasks; W3C propagation on dicts."""
import asyncio
import threading

import pytest

from vigil import trace
from vigil.trace import (InMemorySpanExporter, Resource, SimpleSpanProcessor, SpanKind, StatusCode,
                         TracerProvider)


@pytest.fixture
def traced():
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "test-svc"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider.get_tracer("tests", "1.0"), exporter, provider
    provider.shutdown()


def by_name(exporter):
    return {s.name: s for s in exporter.get_finished_spans()}


def test_nesting_attributes_events_and_status(traced):
    tracer, exporter, _ = traced
    with tracer.start_as_current_span("predict", kind=SpanKind.SERVER, attributes={"model": "ranker"}) as root:
        with tracer.start_as_current_span("inference") as child:
            child.set_attribute("batch", 32)
            child.set_attribute("scores", [0.5, 0.25])
            child.add_event("scored", {"rows": 32})
        root.set_status(StatusCode.OK)
    spans = by_name(exporter)
    assert spans["inference"].parent_span_id == spans["predict"].span_id
    assert spans["inference"].trace_id == spans["predict"].trace_id
    assert spans["predict"].parent_span_id == ""
    assert spans["predict"].kind is SpanKind.SERVER
    assert spans["predict"].attributes == {"model": "ranker"}
    assert spans["inference"].attributes == {"batch": 32, "scores": [0.5, 0.25]}
    assert spans["inference"].events == [{"name": "scored", "attributes": {"rows": 32}}]
    assert spans["predict"].status.status_code is StatusCode.OK
    assert spans["predict"].resource["service.name"] == "test-svc"
    assert spans["predict"].scope == "tests"


def test_exception_is_recorded_with_python_traceback(traced):
    tracer, exporter, _ = traced

    def failing_inference():
        raise RuntimeError("model not loaded")

    with pytest.raises(RuntimeError):
        with tracer.start_as_current_span("predict"):
            failing_inference()
    span = by_name(exporter)["predict"]
    assert span.status.status_code is StatusCode.ERROR
    (event,) = span.events
    assert event["name"] == "exception"
    assert event["attributes"]["exception.type"] == "RuntimeError"
    assert event["attributes"]["exception.message"] == "model not loaded"
    assert "failing_inference" in event["attributes"]["exception.stacktrace"]


def test_decorator_makes_the_span_current(traced):
    tracer, exporter, _ = traced

    @tracer.start_as_current_span("step")
    def step():
        return trace.get_current_span().get_span_context()

    first, second = step(), step()
    assert first.span_id != second.span_id  # a new span per call
    assert len(exporter.get_finished_spans()) == 2


def test_active_span_per_thread(traced):
    tracer, exporter, _ = traced
    seen = {}

    def worker(name):
        with tracer.start_as_current_span(name):
            with tracer.start_as_current_span(name + ".child"):
                pass

    threads = [threading.Thread(target=worker, args=("w%d" % i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans = by_name(exporter)
    for i in range(8):
        seen[i] = spans["w%d.child" % i].parent_span_id == spans["w%d" % i].span_id
    assert all(seen.values()), seen
    assert len({spans["w%d" % i].trace_id for i in range(8)}) == 8


def test_active_span_per_asyncio_task(traced):
    tracer, exporter, _ = traced

    async def handle(name):
        with tracer.start_as_current_span(name):
            await asyncio.sleep(0.01)  # the other tasks run meanwhile
            with tracer.start_as_current_span(name + ".db"):
                await asyncio.sleep(0.01)

    async def main():
        await asyncio.gather(*(handle("req%d" % i) for i in range(10)))

    asyncio.run(main())
    spans = by_name(exporter)
    for i in range(10):
        assert spans["req%d.db" % i].parent_span_id == spans["req%d" % i].span_id


def test_inject_and_extract_w3c(traced):
    tracer, exporter, _ = traced
    headers = {}
    with tracer.start_as_current_span("client") as client:
        trace.inject(headers)
        ctx = client.get_span_context()
    assert headers["traceparent"] == "00-%s-%s-01" % (trace.format_trace_id(ctx.trace_id),
                                                     trace.format_span_id(ctx.span_id))
    incoming = {"TraceParent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "k=v"}
    with tracer.start_as_current_span("server", context=trace.extract(incoming)):
        pass
    server = by_name(exporter)["server"]
    assert server.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert server.parent_span_id == "00f067aa0ba902b7"


def test_malformed_traceparent_starts_a_new_trace(traced):
    tracer, exporter, _ = traced
    for bad in ("00-xyz-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", ""):
        with tracer.start_as_current_span("server", context=trace.extract({"traceparent": bad})):
            pass
    assert all(s.parent_span_id == "" for s in exporter.get_finished_spans())


def test_invalid_attribute_is_dropped_with_a_warning(traced):
    tracer, exporter, _ = traced
    with tracer.start_as_current_span("s") as span:
        with pytest.warns(UserWarning, match="Invalid type"):
            span.set_attribute("obj", object())
        span.set_attribute("ok", "yes")
    assert by_name(exporter)["s"].attributes == {"ok": "yes"}


def test_closed_provider_refuses_new_tracers_and_spans():
    provider = TracerProvider()
    tracer = provider.get_tracer("t")
    provider.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        provider.get_tracer("again")
    with pytest.raises(RuntimeError, match="shut down"):
        tracer.start_span("late")


def test_ratio_sampler_records_nothing_at_zero():
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=trace.TraceIdRatioBased(0.0))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("dropped") as span:
        assert not span.is_recording()
        assert span.get_span_context().is_valid  # still propagates
    assert exporter.get_finished_spans() == ()
    with pytest.raises(ValueError):
        trace.TraceIdRatioBased(1.5)


def test_links_and_explicit_parents(traced):
    tracer, exporter, _ = traced
    with tracer.start_as_current_span("producer") as producer:
        produced = producer.get_span_context()
    consumer = tracer.start_span("consumer", kind=SpanKind.CONSUMER, context=trace.Context(None))
    consumer.add_link(produced, {"queue": "scores"})
    consumer.end()
    consumer.end()  # a second end is a no-op, as in OpenTelemetry
    spans = by_name(exporter)
    (link,) = spans["consumer"].links
    assert link["traceId"] == spans["producer"].trace_id and link["spanId"] == spans["producer"].span_id
    assert spans["consumer"].parent_span_id == ""
    assert len(exporter.get_finished_spans()) == 2
