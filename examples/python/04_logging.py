"""Exercise 4: structured logs with trace context, from structlog and from
the standard library, as JSON lines (and over OTLP when an endpoint is given).

    python3 04_logging.py [otlp-logs-endpoint]
"""
import logging
import sys

import structlog

import vigil.logs
from vigil import trace

vigil.logs.configure(output="stdout", otlp_endpoint=sys.argv[1] if len(sys.argv) > 1 else None,
                     resource={"service.name": "ranker"})
structlog.configure(processors=[
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    vigil.logs.add_trace_context,
    vigil.logs.ShipToVigil(),
])
logging.basicConfig(level=logging.INFO, handlers=[vigil.logs.Handler()])

log = structlog.get_logger().bind(logger="ranker", model_id="resnet-v2")
tracer = trace.get_tracer("ranker")

with tracer.start_as_current_span("predict"):
    log.info("prediction served", latency_ms=12.5, predicted_class="cat")
    try:
        raise TimeoutError("GPU worker did not answer in 2 s")
    except TimeoutError:
        log.exception("inference failed", attempt=2)
logging.getLogger("ranker.http").warning("slow client", extra={"client": "10.0.0.7", "seconds": 4.2})
vigil.logs.flush()
