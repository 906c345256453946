"""vigil.logs: structlog and logging records through the C++ pipeline, as
strict JSON lines with the active span's ids and Python tracebacks."""
import faulthandler
import json
import logging
import os
import select
import threading
import time

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


# The pipeline's output is a pipe nobody reads yet: once its 64 KiB buffer
# is full the pipeline's thread is stuck in write(), as behind a slow disk.
@pytest.fixture
def stuck_pipe(tmp_path):
    path = tmp_path / "out.pipe"
    os.mkfifo(path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # lets the sink open it
    yield str(path), reader
    vigil.logs.configure(output="stdout")
    os.close(reader)


def start_reading(reader, count, timeout=30.0):
    """Reads the pipe in a thread until `count` lines came (the last ones
    arrive only when the pipeline is flushed); join it, then read the list."""
    received = []

    def read():
        data, deadline = b"", time.monotonic() + timeout
        while data.count(b"\n") < count and time.monotonic() < deadline:
            if select.select([reader], [], [], 0.1)[0]:
                try:
                    data += os.read(reader, 1 << 16)
                except BlockingIOError:
                    pass
        received.extend(json.loads(line) for line in data.splitlines())

    thread = threading.Thread(target=read)
    thread.start()
    return thread, received


def log_in_thread(pipeline, total):
    logger = logging.getLogger("vigil.test.queue")
    logger.handlers = [vigil.logs.Handler(pipeline)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    payload = "x" * 1000  # 400 lines of ~1.2 KB: several times the pipe's buffer
    thread = threading.Thread(target=lambda: [logger.info("row", extra={"n": n, "p": payload}) for n in range(total)])
    thread.start()
    return thread


def test_a_full_queue_drops_and_counts_without_waiting(stuck_pipe):
    path, reader = stuck_pipe
    pipeline = vigil.logs.configure(output=path, queue_capacity=8)
    writer = log_in_thread(pipeline, 400)
    writer.join(30)
    assert not writer.is_alive()  # the service never waited for the stuck output
    assert pipeline.dropped > 0 and pipeline.queue_waits == 0
    reading, received = start_reading(reader, 400 - pipeline.dropped)
    pipeline.flush()
    reading.join()
    assert len(received) + pipeline.dropped == 400


def test_block_when_full_waits_for_a_stuck_output_and_loses_nothing(stuck_pipe):
    path, reader = stuck_pipe
    pipeline = vigil.logs.configure(output=path, queue_capacity=8, block_when_full=True)
    # A caller waiting with the GIL held would freeze this thread for good:
    # end the process with every thread's stack instead of hanging.
    faulthandler.dump_traceback_later(60, exit=True)
    try:
        writer = log_in_thread(pipeline, 400)
        deadline = time.monotonic() + 30
        while pipeline.queue_waits == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # this thread runs: the waiting caller released the GIL
        assert pipeline.queue_waits > 0 and writer.is_alive()
        reading, received = start_reading(reader, 400)
        writer.join(30)
        pipeline.flush()
        reading.join()
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert not writer.is_alive()
    assert [r["n"] for r in received] == list(range(400)) and pipeline.dropped == 0


def test_queue_capacity_must_be_positive():
    with pytest.raises(ValueError, match="queue_capacity"):
        vigil.logs.configure(output="stdout", queue_capacity=0)
    vigil.logs.configure(output="stdout")
