"""OpenTelemetry's small value types for vigil.trace: span kinds, status,
resources and id formatting (re-exported there)."""

import enum

class SpanKind(enum.Enum):
    INTERNAL = 1
    SERVER = 2
    CLIENT = 3
    PRODUCER = 4
    CONSUMER = 5


class StatusCode(enum.Enum):
    UNSET = 0
    OK = 1
    ERROR = 2


class Status:
    def __init__(self, status_code=StatusCode.UNSET, description=None):
        self.status_code = status_code
        self.description = description


def format_trace_id(trace_id):
    return format(trace_id, "032x")


def format_span_id(span_id):
    return format(span_id, "016x")


class Resource:
    """Who produces the spans: service.name and friends."""

    def __init__(self, attributes=None):
        self.attributes = dict(attributes or {})

    @staticmethod
    def create(attributes=None):
        return Resource(attributes)


# ---- samplers (OpenTelemetry's sampling module names) ---------------------
