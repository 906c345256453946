"""prometheus_client's naming rules and its timing helpers, for
vigil.prometheus_client: metric and label name validation, histogram
bucket rules, and what .time(), count_exceptions() and track_inprogress()
return (each a context manager and a decorator)."""

import functools
import re
from timeit import default_timer

INF = float("inf")
_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_RESERVED_LABELS = {"histogram": ("le",), "summary": ("quantile",)}


def full_name(kind, name, namespace, subsystem, unit):
    full = "_".join(part for part in (namespace, subsystem, name) if part)
    if kind == "counter" and full.endswith("_total"):
        full = full[: -len("_total")]
    if unit and not full.endswith("_" + unit):
        full += "_" + unit
    if not _METRIC_NAME.match(full):
        raise ValueError("Invalid metric name: " + full)
    return full


def check_label_names(kind, labelnames):
    labelnames = tuple(labelnames)
    for label in labelnames:
        if not isinstance(label, str) or not _LABEL_NAME.match(label):
            raise ValueError("Invalid label metric name: " + str(label))
        if label.startswith("__"):
            raise ValueError("Reserved label metric name: " + label)
        if label in _RESERVED_LABELS.get(kind, ()):
            raise ValueError("Reserved label metric name: " + label)
    if len(set(labelnames)) != len(labelnames):
        raise ValueError("Duplicate label names in: {}".format(labelnames))
    return labelnames


class Timer:
    """What ``.time()`` returns: a context manager and a decorator."""

    def __init__(self, observe):
        self._observe = observe

    def __enter__(self):
        self._start = default_timer()
        return self

    def __exit__(self, *exc):
        self._observe(max(default_timer() - self._start, 0))

    def __call__(self, f):
        @functools.wraps(f)
        def wrapped(*args, **kwargs):
            with Timer(self._observe):
                return f(*args, **kwargs)

        return wrapped


class ExceptionCounter:
    def __init__(self, counter, exception):
        self._counter = counter
        self._exception = exception

    def __enter__(self):
        return self

    def __exit__(self, typ, value, traceback):
        if isinstance(value, self._exception):
            self._counter.inc()

    def __call__(self, f):
        @functools.wraps(f)
        def wrapped(*args, **kwargs):
            with ExceptionCounter(self._counter, self._exception):
                return f(*args, **kwargs)

        return wrapped


class InProgressTracker:
    def __init__(self, gauge):
        self._gauge = gauge

    def __enter__(self):
        self._gauge.inc()

    def __exit__(self, *exc):
        self._gauge.dec()

    def __call__(self, f):
        @functools.wraps(f)
        def wrapped(*args, **kwargs):
            with InProgressTracker(self._gauge):
                return f(*args, **kwargs)

        return wrapped


def histogram_bounds(buckets):
    bounds = [float(b) for b in buckets]
    if bounds != sorted(bounds):
        raise ValueError("Buckets not in sorted order")
    if bounds and bounds[-1] != INF:
        bounds.append(INF)
    if len(bounds) < 2:
        raise ValueError("Must have at least two buckets")
    return bounds[:-1]  # the C++ family adds +Inf itself
