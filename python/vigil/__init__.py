"""vigil: metrics, traces, logs, model monitoring and SLOs for ML services.

    import vigil
    from vigil.prometheus_client import Counter, Histogram   # prometheus_client's API
    from vigil import trace                                  # OpenTelemetry's API
    import vigil.logs                                        # structlog / logging
    vigil.ModelMonitor, vigil.profile, vigil.drift, vigil.SLOMonitor

Everything runs on vigil's C++ core (the vigil._vigil extension).
"""

from .drift import DatasetProfile, DriftReport, FeatureDrift, drift, profile
from .monitor import ModelMonitor
from .slo import SLOMonitor

__all__ = ["DatasetProfile", "DriftReport", "FeatureDrift", "ModelMonitor", "SLOMonitor", "drift", "profile"]
__version__ = "0.1.0"
