"""A fraud-scoring service: FastAPI + uvicorn around a scikit-learn model,
instrumented end to end with vigil and exporting to `vigil serve`.

- metrics: request count and latency (vigil.prometheus_client) on /metrics;
- traces: a span per request (the caller's traceparent honoured) with
  preprocess, inference and postprocess children, over OTLP/HTTP;
- logs: structlog with the active span's ids, over OTLP/HTTP and stdout;
- model monitoring: every prediction (and later label) into a ModelMonitor
  with the training data as reference, shipped to the daemon as well;
- SLO: availability and latency in an SLOMonitor, on GET /slo.

    vigil serve &                       # OTLP and the prediction API on 127.0.0.1:4318
    python3 service.py --port 8000 --vigil http://127.0.0.1:4318
    curl -XPOST 127.0.0.1:8000/predict -H 'content-type: application/json' \
         -d '{"amount": 120.5, "age": 31, "country": "NO"}'
"""
import argparse
import time
import uuid

import numpy as np
import pandas as pd
import structlog
import uvicorn
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression

import vigil
import vigil.logs
from vigil import trace
from vigil.prometheus_client import Counter, Histogram, make_asgi_app
from vigil.trace import BatchSpanProcessor, OTLPSpanExporter, Resource, SpanKind, TracerProvider

MODEL, VERSION, SERVICE = "fraud", "1", "fraud-api"
COUNTRIES = ["NO", "SE", "DK", "FI"]


class Transaction(BaseModel):
    amount: float
    age: float
    country: str


def training_data(rows=5000, seed=1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"amount": rng.lognormal(4, 1, rows), "age": rng.normal(40, 12, rows),
                       "country": rng.choice(COUNTRIES, rows)})
    label = (df["amount"] > 150) & (df["age"] < 35)
    return df, label.astype(int)


def encode(df):
    onehot = np.stack([(df["country"] == c).to_numpy(dtype=float) for c in COUNTRIES], axis=1)
    return np.column_stack([np.log1p(df["amount"]), df["age"] / 100, onehot])


def build_app(vigil_url, slo_latency_ms=50):
    resource = Resource.create({"service.name": SERVICE, "service.version": VERSION})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=vigil_url + "/v1/traces"),
                                                   schedule_delay_millis=500))
    trace.set_tracer_provider(provider)
    tracer = trace.get_tracer("fraud.api", VERSION)

    vigil.logs.configure(output="stdout", otlp_endpoint=vigil_url + "/v1/logs", resource=resource.attributes)
    structlog.configure(processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                                    vigil.logs.add_trace_context, vigil.logs.ShipToVigil()])
    log = structlog.get_logger().bind(logger="fraud.api", model=MODEL)

    features, labels = training_data()
    model = LogisticRegression(max_iter=500).fit(encode(features), labels)
    monitor = vigil.ModelMonitor(window_seconds=60, export_endpoint=vigil_url)
    monitor.set_reference(MODEL, vigil.profile(features))
    slo = vigil.SLOMonitor(target_availability=0.99, latency_threshold_ms=slo_latency_ms, name="fraud-predict")
    requests = Counter("inference_requests_total", "Predictions served.", ["model", "version", "status"])
    latency = Histogram("inference_latency_seconds", "Prediction latency.", ["model", "version"])

    app = FastAPI(title="fraud scoring")
    app.mount("/metrics", make_asgi_app())

    @app.post("/predict")
    def predict(tx: Transaction, request: Request):
        start = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        with tracer.start_as_current_span("predict", context=trace.extract(dict(request.headers)),
                                          kind=SpanKind.SERVER, attributes={"model.name": MODEL}) as span:
            span.set_attribute("request.id", request_id)
            try:
                with tracer.start_as_current_span("preprocess"):
                    if tx.country not in COUNTRIES:
                        raise ValueError(f"unknown country {tx.country!r}")
                    row = pd.DataFrame([tx.dict()])
                    x = encode(row)
                with tracer.start_as_current_span("inference"):
                    probability = float(model.predict_proba(x)[0, 1])
                with tracer.start_as_current_span("postprocess"):
                    prediction = "fraud" if probability >= 0.5 else "legit"
                    confidence = max(probability, 1 - probability)
            except ValueError as error:
                seconds = time.perf_counter() - start
                requests.labels(MODEL, VERSION, "error").inc()
                slo.record_request(False, seconds * 1000)
                monitor.record(model=MODEL, version=VERSION, features=tx.dict(), error="bad_input",
                               request_id=request_id)
                log.exception("prediction refused", request_id=request_id)
                raise HTTPException(status_code=422, detail=str(error))
            seconds = time.perf_counter() - start
            requests.labels(MODEL, VERSION, "ok").inc()
            latency.labels(MODEL, VERSION).observe(seconds)
            slo.record_request(True, seconds * 1000)
            monitor.record(model=MODEL, version=VERSION, features=tx.dict(), prediction=prediction,
                           confidence=confidence, latency_seconds=seconds, request_id=request_id)
            log.info("prediction served", request_id=request_id, prediction=prediction,
                     latency_ms=round(seconds * 1000, 3))
            return {"request_id": request_id, "prediction": prediction, "confidence": confidence,
                    "trace_id": span.get_span_context().trace_id_hex}

    @app.post("/label")
    def label(body: dict):
        joined = monitor.record_label(MODEL, str(body["request_id"]), str(body["label"]))
        return {"joined": joined}

    @app.get("/slo")
    def slo_status():
        return slo.check_slo_compliance()

    @app.post("/flush")
    def flush():
        """Sends everything buffered (spans, logs, predictions) now: for tests and shutdown."""
        provider.force_flush()
        vigil.logs.flush()
        return {"predictions": monitor.flush()}

    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--vigil", default="http://127.0.0.1:4318", help="base URL of vigil serve")
    args = ap.parse_args()
    uvicorn.run(build_app(args.vigil.rstrip("/")), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
