"""Model monitoring in a Python service, on the C++ ModelMonitor.

    monitor = vigil.ModelMonitor(window_seconds=300)
    monitor.set_reference("fraud", vigil.profile(training_df), target="label")
    monitor.record(model="fraud", features={"amount": 120.5, "country": "NO"},
                   prediction="legit", confidence=0.97, latency_seconds=0.004, request_id=rid)
    monitor.record_label("fraud", rid, "fraud")          # when the truth is known
    monitor.record_batch("fraud", batch_df, prediction=preds, confidence=probs)

Metrics (vigil_model_*) go to the registry given (the default registry of
vigil.prometheus_client unless told otherwise); drift and data quality are
evaluated, against the reference, each time a window closes.
"""

import json

import numpy as np

from . import _vigil
from ._columns import NUMERIC, column_specs
from .drift import DatasetProfile, profile

__all__ = ["ModelMonitor"]


class ModelMonitor:
    def __init__(self, registry=None, window_seconds=300, label_window=1000, max_pending=100000,
                 label_ttl_seconds=3600, sample_size=2000, max_models=100, max_features=200, export_endpoint=None,
                 export_headers=None, export_queue_size=20000, min_window_rows=0):
        """min_window_rows: a closed window with fewer rows is profiled but
        neither judged nor made the baseline (a partial first window after a
        start can cross a drift threshold by sampling noise alone); counted in
        vigil_model_windows_unjudged_total. 0 judges every window.

        export_endpoint: the base URL of a `vigil serve` (http://127.0.0.1:4318)
        that also receives every prediction and label, from a background
        thread with a bounded queue, so the daemon keeps drift windows, SLOs
        and their history across restarts of this process."""
        if registry is None:
            from .prometheus_client import REGISTRY as registry
        core_registry = registry._core if registry is not False else None
        self._core = _vigil.ModelMonitor(core_registry, float(window_seconds), int(label_window), int(max_pending),
                                         float(label_ttl_seconds), int(sample_size), int(max_models),
                                         int(max_features), _count(min_window_rows, "min_window_rows"))
        self._exporter = None
        if export_endpoint:
            self._exporter = _vigil.PredictionExporter(export_endpoint.rstrip("/"), dict(export_headers or {}),
                                                       int(export_queue_size), 1.0, core_registry)
        self._kinds = {}

    def set_reference(self, model, reference, task="classification", target=""):
        """The profile (or DataFrame) this model's windows are compared with."""
        if not isinstance(reference, DatasetProfile):
            reference = profile(reference)
        self._kinds[model] = reference.columns
        self._core.set_reference(model, reference._core, task, target or "")

    def use_last_window_as_reference(self, model):
        return self._core.use_last_window_as_reference(model)

    def record(self, model, features, prediction=None, confidence=None, latency_seconds=None, request_id="",
               version="", error="", timestamp=None):
        """One prediction; False when refused (the model is past max_models).

        features: {name: number | str | None}; timestamp: unix seconds (now when None).
        """
        if not isinstance(features, dict):
            raise TypeError("features must be a dict of name -> value, not {}".format(type(features).__name__))
        return self._core.record(model, features, prediction, _or(confidence, -1.0), _or(latency_seconds, -1.0),
                                 str(request_id or ""), str(version or ""), str(error or ""), _nanos(timestamp),
                                 self._exporter)

    def record_label(self, model, request_id, label):
        """The ground truth of an earlier prediction; False if the request is unknown or expired."""
        return self._core.record_label(model, str(request_id), label, self._exporter)

    def record_batch(self, model, features, prediction=None, confidence=None, latency_seconds=None,
                     request_ids=None, timestamps=None, version=""):
        """Many predictions at once: ``features`` a DataFrame or dict of arrays,
        the rest arrays of the same length (or a column name of ``features``).

        Columns go to C++ as buffers and rows are recorded without the GIL.
        Returns how many rows were recorded.
        """
        kinds = self._kinds.get(model, {})
        prediction, features = _take_column(prediction, features)
        confidence, features = _take_column(confidence, features)
        latency_seconds, features = _take_column(latency_seconds, features)
        request_ids, features = _take_column(request_ids, features)
        specs, rows = column_specs(features, kinds, strict=True)
        columns = [spec[:4] if spec[1] != NUMERIC else spec[:3] for spec in specs]
        prediction_spec = None
        if prediction is not None:
            (spec,), _ = column_specs({"prediction": np.asarray(prediction)}, strict=True)
            prediction_spec = spec[:4] if spec[1] != NUMERIC else spec[:3]
        ids = None if request_ids is None else [str(r) for r in request_ids]
        times = None if timestamps is None else (np.asarray(timestamps, dtype=np.float64) * 1e9).astype(np.uint64)
        return self._core.record_batch(model, columns, prediction_spec, _array(confidence), _array(latency_seconds),
                                       ids, times, rows, str(version or ""), self._exporter)

    def flush(self, timeout=30.0):
        """Waits until every prediction and label so far reached the daemon; False on timeout."""
        return self._exporter.flush(float(timeout)) if self._exporter is not None else True

    def evaluate(self, now=None):
        """Closes and evaluates every window that has ended; returns the evaluations."""
        return [_evaluation(e) for e in self._core.evaluate(_nanos(now))]

    def close_windows(self, now=None):
        """Closes every open window now, ended or not (for shutdown)."""
        return [_evaluation(e) for e in self._core.close_windows(_nanos(now))]

    def history(self, model=""):
        return [_evaluation(e) for e in self._core.history(model)]

    def quality(self, model):
        """Accuracy, precision, recall, F1 (classification) or MAE, RMSE over the labelled window."""
        return self._core.quality(model)

    def models(self):
        return self._core.models()


def _count(value, name):
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError("{} must be a whole number of at least 0, not {!r}".format(name, value))
    return int(value)


def _or(value, default):
    return default if value is None else float(value)


def _nanos(seconds):
    return 0 if seconds is None else int(float(seconds) * 1e9)


def _array(values):
    return None if values is None else np.ascontiguousarray(values, dtype=np.float64)


def _take_column(value, features):
    """A column named by string is taken out of the features."""
    if isinstance(value, str):
        column = features[value]
        if hasattr(features, "drop"):
            return np.asarray(column), features.drop(columns=[value])
        rest = dict(features)
        del rest[value]
        return np.asarray(column), rest
    return value, features


def _evaluation(e):
    e = dict(e)
    e["report"] = json.loads(e.pop("report_json"))
    return e



