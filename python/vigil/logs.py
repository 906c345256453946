"""Structured logs with trace context, through vigil's C++ log pipeline.

structlog::

    import structlog, vigil.logs
    vigil.logs.configure(otlp_endpoint="http://127.0.0.1:4318/v1/logs", resource={"service.name": "ranker"})
    structlog.configure(processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        vigil.logs.add_trace_context,     # trace_id / span_id of the active span
        vigil.logs.ShipToVigil(),         # JSON lines and/or OTLP, from a C++ thread
    ])

The standard library::

    logging.getLogger().addHandler(vigil.logs.Handler())

Records go through one bounded async queue (drops are counted in
``vigil_log_dropped_total``); an exception logged inside a span carries the
Python traceback in ``exception.stacktrace``.
"""

import logging
import sys
import traceback

from . import _vigil
from .trace import get_current_span

__all__ = ["Handler", "ShipToVigil", "add_trace_context", "configure", "get_pipeline"]

_LEVEL_NAMES = {
    "trace": _vigil.LEVEL_TRACE, "debug": _vigil.LEVEL_DEBUG, "info": _vigil.LEVEL_INFO,
    "warn": _vigil.LEVEL_WARN, "warning": _vigil.LEVEL_WARN, "error": _vigil.LEVEL_ERROR,
    "exception": _vigil.LEVEL_ERROR, "critical": _vigil.LEVEL_FATAL, "fatal": _vigil.LEVEL_FATAL,
    "msg": _vigil.LEVEL_INFO, "log": _vigil.LEVEL_INFO,
}

_pipeline = None


def configure(output="stdout", otlp_endpoint=None, resource=None, headers=None, level="info", registry=None,
              queue_capacity=8192, block_when_full=False):
    """Makes the pipeline every vigil log handler writes to, and returns it.

    ``output``: "stdout", "stderr", a file path, or None; ``otlp_endpoint``:
    an OTLP/HTTP logs URL such as http://127.0.0.1:4318/v1/logs. At least
    one of the two. ``registry``: a CollectorRegistry for the pipeline's
    own counters. Replaces (and flushes) an earlier pipeline.

    Records wait in a queue of ``queue_capacity`` for the pipeline's thread.
    When it is full, a record is dropped and counted (``dropped``,
    ``vigil_log_dropped_total``) so a slow output never slows the service;
    with ``block_when_full=True`` the logging call waits for room instead
    (with the GIL released), so nothing is lost but a slow output slows the
    service. Waits are counted in ``queue_waits``.
    """
    global _pipeline
    core_registry = registry._core if registry is not None else None
    new = _vigil.LogPipeline(output or "", otlp_endpoint or "", dict(headers or {}), resource, level, core_registry,
                             queue_capacity, bool(block_when_full))
    old, _pipeline = _pipeline, new
    if old is not None:
        old.flush()
    return new


def get_pipeline():
    """The configured pipeline; a JSON-lines-to-stdout one if none was configured."""
    global _pipeline
    if _pipeline is None:
        configure()
    return _pipeline


def flush():
    if _pipeline is not None:
        _pipeline.flush()


def _active_context():
    context = get_current_span().get_span_context()
    return context if context is not None and context.is_valid else None


def _exception_triple(exc_info):
    """(type, message, traceback text) from an exc_info tuple or exception."""
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not exc_info or exc_info[0] is None:
        return None
    typ, value, tb = exc_info
    return [typ.__name__, str(value), "".join(traceback.format_exception(typ, value, tb))]


def add_trace_context(logger, method_name, event_dict):
    """structlog processor: the active span's trace_id and span_id."""
    context = _active_context()
    if context is not None:
        event_dict.setdefault("trace_id", context.trace_id_hex)
        event_dict.setdefault("span_id", context.span_id_hex)
    return event_dict


class ShipToVigil:
    """structlog's last processor: hands the event to the C++ pipeline.

    It raises structlog.DropEvent afterwards, since the pipeline's sinks
    write the record (so nothing is printed twice).
    """

    def __init__(self, pipeline=None):
        self._pipeline = pipeline

    def __call__(self, logger, method_name, event_dict):
        import structlog

        pipeline = self._pipeline or get_pipeline()
        level = _LEVEL_NAMES.get(str(event_dict.pop("level", method_name)).lower(), _vigil.LEVEL_INFO)
        message = str(event_dict.pop("event", ""))
        name = event_dict.pop("logger", None) or getattr(logger, "name", None) or ""
        exception = _exception_triple(event_dict.pop("exc_info", None))
        if exception is None and method_name == "exception":
            exception = _exception_triple(True)
        text = event_dict.pop("exception", None)  # format_exc_info's rendering
        if exception is None and text:
            exception = ["Exception", str(text).strip().splitlines()[-1], str(text)]
        # The pipeline writes the ids of the span it is given; fields with
        # the same names would be written twice.
        event_dict.pop("trace_id", None)
        event_dict.pop("span_id", None)
        pipeline.emit(level, str(name), message, event_dict, _active_context(), exception)
        raise structlog.DropEvent


_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _level_of(levelno):
    if levelno >= logging.CRITICAL:
        return _vigil.LEVEL_FATAL
    if levelno >= logging.ERROR:
        return _vigil.LEVEL_ERROR
    if levelno >= logging.WARNING:
        return _vigil.LEVEL_WARN
    if levelno >= logging.INFO:
        return _vigil.LEVEL_INFO
    if levelno >= logging.DEBUG:
        return _vigil.LEVEL_DEBUG
    return _vigil.LEVEL_TRACE


class Handler(logging.Handler):
    """A logging.Handler for the C++ pipeline: ``extra=`` fields become
    record fields; the code location is kept as OpenTelemetry's code.*."""

    def __init__(self, pipeline=None, level=logging.NOTSET):
        super().__init__(level)
        self._pipeline = pipeline

    def emit(self, record):
        try:
            fields = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRIBUTES}
            fields["code.function"] = record.funcName
            fields["code.lineno"] = record.lineno
            fields["code.filepath"] = record.pathname
            pipeline = self._pipeline or get_pipeline()
            pipeline.emit(_level_of(record.levelno), record.name, record.getMessage(), fields, _active_context(),
                          _exception_triple(record.exc_info))
        except Exception:
            self.handleError(record)

    def flush(self):
        (self._pipeline or get_pipeline()).flush()
