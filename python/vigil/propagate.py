"""W3C Trace Context on dict carriers, under OpenTelemetry's module name."""

from .trace import extract, inject

__all__ = ["extract", "inject"]
