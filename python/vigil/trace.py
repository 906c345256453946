"""Tracing with OpenTelemetry Python's names, on vigil's C++ tracer.

OpenTelemetry code maps one to one::

    from vigil import trace
    from vigil.trace import TracerProvider, BatchSpanProcessor, OTLPSpanExporter, Resource

    provider = TracerProvider(resource=Resource.create({"service.name": "ranker"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint="http://127.0.0.1:4318/v1/traces")))
    trace.set_tracer_provider(provider)
    tracer = trace.get_tracer(__name__)

    with tracer.start_as_current_span("predict", kind=trace.SpanKind.SERVER) as span:
        span.set_attribute("model", "ranker")

The active span is kept in a ``contextvars.ContextVar``, so it is right per
thread and per asyncio task. Spans are recorded, batched and exported
(OTLP/HTTP) by the C++ SDK: ending a span enqueues it and returns.
"""

import contextlib
import contextvars
import functools
import traceback

from . import _vigil
from ._trace_export import (ALWAYS_OFF, ALWAYS_ON, BatchSpanProcessor, ConsoleSpanExporter, FinishedSpan,  # noqa: F401
                            InMemorySpanExporter, OTLPSpanExporter, ParentBased, SimpleSpanProcessor,
                            TraceIdRatioBased)
from ._trace_types import Resource, SpanKind, Status, StatusCode, format_span_id, format_trace_id  # noqa: F401

__all__ = [
    "BatchSpanProcessor", "ConsoleSpanExporter", "Context", "InMemorySpanExporter", "OTLPSpanExporter",
    "Resource", "SimpleSpanProcessor", "Span", "SpanContext", "SpanKind", "Status", "StatusCode", "Tracer",
    "TracerProvider", "extract", "format_span_id", "format_trace_id", "get_current_span", "get_tracer",
    "get_tracer_provider", "inject", "set_span_in_context", "set_tracer_provider", "use_span",
]

SpanContext = _vigil.SpanContext


class TracerProvider:
    def __init__(self, resource=None, sampler=None, registry=None):
        """``registry``: a vigil.prometheus_client.CollectorRegistry that
        counts queued, exported and dropped spans; None counts nowhere."""
        resource = resource if resource is not None else Resource.create()
        sampler = sampler if sampler is not None else ParentBased(ALWAYS_ON)
        self.resource = resource
        self._core = _vigil.TracerProvider(resource.attributes, sampler._spec, sampler._ratio)
        self._registry = registry._core if registry is not None else None
        self._shut_down = False
        self._synchronous = False  # a SimpleSpanProcessor exports as spans end

    def add_span_processor(self, span_processor):
        self._check_open()
        if span_processor._attach(self._core, self._registry):
            self._synchronous = True

    def get_tracer(self, instrumenting_module_name, instrumenting_library_version=None, schema_url=None):
        self._check_open()
        return Tracer(self, self._core.tracer(instrumenting_module_name, instrumenting_library_version or ""))

    def force_flush(self, timeout_millis=30000):
        return self._core.force_flush(timeout_millis / 1000.0)

    def shutdown(self):
        if not self._shut_down:
            self._shut_down = True
            self._core.shutdown(30.0)

    def _check_open(self):
        if self._shut_down:
            raise RuntimeError("this TracerProvider has been shut down")


class Context:
    """A carrier-free context: the span (or remote span context) to parent on."""

    def __init__(self, span_context=None):
        self.span_context = span_context


_current = contextvars.ContextVar("vigil_current_span", default=None)


class Span:
    """A span being recorded; its methods are OpenTelemetry's."""

    __slots__ = ("_core", "name", "kind", "_ended", "_context", "_blocking_end")

    def __init__(self, core, name, kind):
        self._core = core
        self.name = name
        self.kind = kind
        self._ended = False
        self._context = None
        self._blocking_end = False

    def get_span_context(self):
        if self._context is None:  # fixed for the span's life; children ask for it
            self._context = self._core.get_span_context()
        return self._context

    def is_recording(self):
        return not self._ended and self._core.is_recording()

    def set_attribute(self, key, value):
        self._core.set_attribute(key, value)
        return self

    def set_attributes(self, attributes):
        self._core.set_attributes(attributes)
        return self

    def add_event(self, name, attributes=None, timestamp=None):
        self._core.add_event(name, attributes, timestamp or 0)
        return self

    def add_link(self, context, attributes=None):
        self._core.add_link(context, attributes)
        return self

    def record_exception(self, exception, attributes=None, timestamp=None, escaped=False):
        stack = "".join(traceback.format_exception(type(exception), exception, exception.__traceback__))
        self._core.record_exception(_qualified_name(type(exception)), str(exception), stack)
        return self

    def set_status(self, status, description=None):
        if isinstance(status, StatusCode):
            status = Status(status, description)
        self._core.set_status(status.status_code.value, status.description or "")
        return self

    def update_name(self, name):
        self.name = name
        self._core.update_name(name)
        return self

    def end(self, end_time=None):
        if self._ended:
            return
        self._ended = True
        if self._blocking_end:  # a synchronous processor exports now: let other threads run
            self._core.end_blocking(end_time or 0)
        else:
            self._core.end(end_time or 0)

    def __enter__(self):
        return self

    def __exit__(self, typ, value, tb):
        if value is not None:
            self.record_exception(value)
            self.set_status(Status(StatusCode.ERROR, "{}: {}".format(typ.__name__, value)))
        self.end()


def _qualified_name(cls):
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "__main__") else module + "." + cls.__qualname__


class _NonRecordingSpan(Span):
    __slots__ = ()

    def __init__(self, span_context):
        self._context = span_context
        self.name = ""
        self.kind = SpanKind.INTERNAL
        self._ended = True

    def get_span_context(self):
        return self._context

    def is_recording(self):
        return False

    def set_attribute(self, key, value):
        return self

    def set_attributes(self, attributes):
        return self

    def add_event(self, name, attributes=None, timestamp=None):
        return self

    def add_link(self, context, attributes=None):
        return self

    def record_exception(self, exception, attributes=None, timestamp=None, escaped=False):
        return self

    def set_status(self, status, description=None):
        return self

    def update_name(self, name):
        return self

    def end(self, end_time=None):
        pass


INVALID_SPAN = _NonRecordingSpan(None)


def _parent_of(context):
    if context is None:
        span = _current.get()
        return span.get_span_context() if span is not None else None
    if isinstance(context, Context):
        return context.span_context
    if isinstance(context, SpanContext):
        return context
    raise TypeError("context must be a vigil.trace.Context (from extract) or a SpanContext")


class Tracer:
    def __init__(self, provider, core):
        self._provider = provider
        self._core = core

    def start_span(self, name, context=None, kind=SpanKind.INTERNAL, attributes=None, links=None,
                   start_time=None, record_exception=True, set_status_on_exception=True):
        """A new span, child of ``context`` or of the active span; not made active."""
        if self._provider._shut_down:
            self._provider._check_open()
        if context is None:
            active = _current.get()
            parent = active.get_span_context() if active is not None else None
        else:
            parent = _parent_of(context)
        if parent is not None and not parent.is_valid:
            parent = None
        if attributes or links or start_time:
            link_contexts = [getattr(link, "context", link) for link in links] if links else []
            core = self._core.start_span(name, kind.value, parent, attributes, link_contexts, start_time or 0)
        else:
            core = self._core.start_simple(name, kind.value, parent)
        span = Span(core, name, kind)
        span._blocking_end = self._provider._synchronous
        return span

    def start_as_current_span(self, name, context=None, kind=SpanKind.INTERNAL, attributes=None, links=None,
                              start_time=None, record_exception=True, set_status_on_exception=True,
                              end_on_exit=True):
        """Starts a span and makes it active: a context manager and a decorator."""
        return _ActiveSpan(self, (name, context, kind, attributes, links, start_time), record_exception,
                           set_status_on_exception, end_on_exit)


class _ActiveSpan:
    """What start_as_current_span returns. A class, not a generator-based
    context manager: it is on every request's path, and this costs less."""

    __slots__ = ("_tracer", "_args", "_record", "_set_status", "_end", "_span", "_token")

    def __init__(self, tracer, args, record_exception, set_status_on_exception, end_on_exit):
        self._tracer = tracer
        self._args = args
        self._record = record_exception
        self._set_status = set_status_on_exception
        self._end = end_on_exit

    def __enter__(self):
        self._span = span = self._tracer.start_span(*self._args)
        self._token = _current.set(span)
        return span

    def __exit__(self, typ, value, tb):
        span = self._span
        _current.reset(self._token)
        if value is not None and isinstance(value, Exception) and span.is_recording():
            if self._record:
                span.record_exception(value)
            if self._set_status:
                span.set_status(Status(StatusCode.ERROR, "{}: {}".format(typ.__name__, value)))
        if self._end:
            span.end()
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def traced(*args, **kwargs):
            with _ActiveSpan(self._tracer, self._args, self._record, self._set_status, self._end):
                return function(*args, **kwargs)

        return traced


@contextlib.contextmanager
def use_span(span, end_on_exit=False, record_exception=True, set_status_on_exception=True):
    """Makes ``span`` the active span within the block."""
    token = _current.set(span)
    try:
        yield span
    except BaseException as error:
        if isinstance(error, Exception) and span.is_recording():
            if record_exception:
                span.record_exception(error)
            if set_status_on_exception:
                span.set_status(Status(StatusCode.ERROR, "{}: {}".format(type(error).__name__, error)))
        raise
    finally:
        _current.reset(token)
        if end_on_exit:
            span.end()


def get_current_span(context=None):
    if context is not None:
        return _NonRecordingSpan(context.span_context) if context.span_context else INVALID_SPAN
    span = _current.get()
    return span if span is not None else INVALID_SPAN


def set_span_in_context(span, context=None):
    return Context(span.get_span_context())


# ---- the global provider --------------------------------------------------
_provider = None


def set_tracer_provider(tracer_provider):
    global _provider
    _provider = tracer_provider


def get_tracer_provider():
    global _provider
    if _provider is None:
        _provider = TracerProvider()
    return _provider


def get_tracer(instrumenting_module_name, instrumenting_library_version=None, tracer_provider=None,
               schema_url=None):
    provider = tracer_provider if tracer_provider is not None else get_tracer_provider()
    return provider.get_tracer(instrumenting_module_name, instrumenting_library_version)


# ---- W3C Trace Context on dict carriers -----------------------------------
def inject(carrier, context=None):
    """Writes ``traceparent`` (and ``tracestate``) of the active span into ``carrier``."""
    span_context = context.span_context if context is not None else get_current_span().get_span_context()
    if span_context is None or not span_context.is_valid:
        return
    carrier["traceparent"] = _vigil.format_traceparent(span_context)
    if span_context.trace_state:
        carrier["tracestate"] = span_context.trace_state


def extract(carrier, context=None):
    """The remote parent in ``carrier``'s headers (any case), as a Context.

    A missing or malformed traceparent gives an empty Context: the next span
    starts a new trace, as the W3C specification asks.
    """
    headers = {str(k).lower(): v for k, v in carrier.items()}
    value = headers.get("traceparent")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if not value:
        return Context()
    state = headers.get("tracestate") or ""
    if isinstance(state, (list, tuple)):
        state = ",".join(state)
    return Context(_vigil.parse_traceparent(value, state))

