"""Samplers, span exporters and span processors for vigil.trace (re-exported
there, under OpenTelemetry's names). Each only describes what the C++ SDK
builds: the provider turns them into C++ samplers, exporters and processors."""

import json

from . import _vigil
from ._trace_types import SpanKind, Status, StatusCode

class _Sampler:
    def __init__(self, spec, ratio=1.0):
        self._spec = spec
        self._ratio = ratio


ALWAYS_ON = _Sampler("always_on")
ALWAYS_OFF = _Sampler("always_off")


def TraceIdRatioBased(rate):  # noqa: N802 (OpenTelemetry's name)
    if not 0.0 <= rate <= 1.0:
        raise ValueError("Probability must be in range [0.0, 1.0].")
    return _Sampler("ratio", rate)


def ParentBased(root):  # noqa: N802
    if root._spec.startswith("parent_"):
        raise ValueError("ParentBased takes a root sampler, not another ParentBased")
    return _Sampler("parent_" + root._spec, root._ratio)


# ---- exporters and processors -------------------------------------------
class OTLPSpanExporter:
    """OTLP/HTTP (protobuf) to ``endpoint``, e.g. http://127.0.0.1:4318/v1/traces."""

    def __init__(self, endpoint="http://127.0.0.1:4318/v1/traces", headers=None, timeout=10, compression=None):
        if compression not in (None, "gzip", "none"):
            raise ValueError("compression must be None or 'gzip'")
        self._spec = _vigil.ExporterSpec("otlp", endpoint, False, dict(headers or {}), compression == "gzip",
                                         float(timeout))


class ConsoleSpanExporter:
    """Writes each batch to stdout as one line of OTLP/JSON."""

    def __init__(self):
        self._spec = _vigil.ExporterSpec("console")


class FinishedSpan:
    """A span as an in-memory exporter received it (OTLP/JSON fields)."""

    def __init__(self, span, resource, scope):
        self.name = span["name"]
        self.trace_id = span["traceId"]
        self.span_id = span["spanId"]
        self.parent_span_id = span.get("parentSpanId", "")
        self.kind = SpanKind(span.get("kind", 1))
        self.attributes = _attribute_dict(span.get("attributes", []))
        self.events = [{"name": e["name"], "attributes": _attribute_dict(e.get("attributes", []))}
                       for e in span.get("events", [])]
        self.links = span.get("links", [])
        status = span.get("status", {})
        self.status = Status(StatusCode(status.get("code", 0)), status.get("message"))
        self.resource = _attribute_dict(resource.get("attributes", []))
        self.scope = scope.get("name", "")
        self.start_time = int(span["startTimeUnixNano"])
        self.end_time = int(span["endTimeUnixNano"])


def _attribute_dict(attributes):
    def value(v):
        if "arrayValue" in v:
            return [value(x) for x in v["arrayValue"].get("values", [])]
        if "intValue" in v:
            return int(v["intValue"])
        for key in ("stringValue", "boolValue", "doubleValue"):
            if key in v:
                return v[key]
        return None

    return {a["key"]: value(a["value"]) for a in attributes}


class InMemorySpanExporter:
    """Keeps finished spans in memory: for tests."""

    def __init__(self):
        self._spec = _vigil.ExporterSpec("memory")
        self._finished = []

    def get_finished_spans(self):
        for batch in self._spec.take_batches():
            for rs in json.loads(batch).get("resourceSpans", []):
                for ss in rs.get("scopeSpans", []):
                    for span in ss.get("spans", []):
                        self._finished.append(FinishedSpan(span, rs.get("resource", {}), ss.get("scope", {})))
        return tuple(self._finished)

    def clear(self):
        self.get_finished_spans()
        self._finished = []


class BatchSpanProcessor:
    """Queues ended spans (bounded; drops are counted) and exports batches from a C++ thread."""

    def __init__(self, span_exporter, max_queue_size=2048, schedule_delay_millis=5000, max_export_batch_size=512,
                 export_timeout_millis=30000):
        if max_export_batch_size > max_queue_size:
            raise ValueError("max_export_batch_size must be less than or equal to max_queue_size.")
        self._exporter = span_exporter
        self._options = (int(max_queue_size), int(max_export_batch_size), schedule_delay_millis / 1000.0)

    def _attach(self, core, registry):
        core.add_batch_processor(self._exporter._spec, *self._options, registry)
        return False


class SimpleSpanProcessor:
    """Exports every span as it ends, synchronously: for tests and debugging."""

    def __init__(self, span_exporter):
        self._exporter = span_exporter

    def _attach(self, core, registry):
        core.add_simple_processor(self._exporter._spec)
        return True


# ---- provider, tracers, spans ---------------------------------------------
