"""vigil.logs: structlog and logging records through the C++ pipeline, as
strict JSON lines with the active span's ids and Python tracebacks."""
import json
import logging

import pytest
import structlog

import vigil.logs
from vigil.trace import InMemorySpanExporter, SimpleSpanProcessor, TracerProvider


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "app.log"
    pipeline = vigil.logs.configure(output=str(path), level="debug")
    yield path, pipeline
    vigil.logs.configure(output="stdout")


def lines(path, pipeline):
    pipeline.flush()
    return [json.loads(line) for line in path.read_text().splitlines()]


def structlog_logger():
    structlog.configure(processors=[structlog.processors.add_log_level, vigil.logs.add_trace_context,
                                    vigil.logs.ShipToVigil()], cache_logger_on_first_use=False)
    return structlog.get_logger().bind(logger="svc", model="ranker")


def test_structlog_event_carries_fields_and_span_ids(log_file):
    path, pipeline = log_file
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    log = structlog_logger()
    with provider.get_tracer("t").start_as_current_span("predict") as span:
        log.info("served", latency_ms=12.5, rows=3, cached=False, note=None)
        ctx = span.get_span_context()
    log.warning("outside")
    first, second = lines(path, pipeline)
    assert first["msg"] == "served" and first["level"] == "info" and first["logger"] == "svc"
    assert first["latency_ms"] == 12.5 and first["rows"] == 3 and first["cached"] is False
    assert first["note"] is None and first["model"] == "ranker"
    assert first["trace_id"] == ctx.trace_id_hex and first["span_id"] == ctx.span_id_hex
    assert second["level"] == "warn" and "trace_id" not in second


def test_exception_carries_the_python_traceback(log_file):
    path, pipeline = log_file
    log = structlog_logger()

    def load_model():
        raise FileNotFoundError("model.onnx")

    try:
        load_model()
    except FileNotFoundError:
        log.exception("load failed")
    (record,) = lines(path, pipeline)
    assert record["level"] == "error"
    assert record["exception.type"] == "FileNotFoundError"
    assert record["exception.message"] == "model.onnx"
    assert "load_model" in record["exception.stacktrace"]


def test_logging_handler_fields_levels_and_exceptions(log_file):
    path, pipeline = log_file
    logger = logging.getLogger("vigil.test.handler")
    logger.handlers = [vigil.logs.Handler()]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.debug("starting %s", "up", extra={"worker": 3})
    try:
        {}["missing"]
    except KeyError:
        logger.exception("lookup failed")
    logger.critical("down")
    debug, error, critical = lines(path, pipeline)
    assert debug["msg"] == "starting up" and debug["level"] == "debug" and debug["worker"] == 3
    assert debug["logger"] == "vigil.test.handler" and debug["code.function"] == (
        "test_logging_handler_fields_levels_and_exceptions")
    assert error["exception.type"] == "KeyError" and "Traceback" in error["exception.stacktrace"]
    assert critical["level"] == "fatal"


def test_hostile_strings_stay_valid_json(log_file):
    path, pipeline = log_file
    log = structlog_logger()
    hostile = 'quote " backslash \\ newline \n nul \x00 emoji \U0001F600 lone \udc80'
    log.info(hostile, field=hostile, big=2**70)
    (record,) = lines(path, pipeline)
    assert record["msg"].startswith('quote " backslash \\ newline \n nul \x00 emoji \U0001F600')
    assert record["big"] == str(2**70)


def test_bad_configuration_is_a_value_error():
    with pytest.raises(ValueError, match="level"):
        vigil.logs.configure(output="stdout", level="loud")
    with pytest.raises(ValueError):
        vigil.logs.configure(output=None, otlp_endpoint=None)
    with pytest.raises(ValueError, match="endpoint"):
        vigil.logs.configure(output=None, otlp_endpoint="not a url")
    vigil.logs.configure(output="stdout")
