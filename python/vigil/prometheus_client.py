"""A drop-in for prometheus_client's core, on vigil's C++ metrics.

Change only the import line of a program written for prometheus_client::

    from vigil.prometheus_client import Counter, Histogram, start_http_server

Counter, Gauge, Histogram and Summary take the same arguments, raise the
same errors (ValueError for a bad name or a wrong label count) and expose
the same families. The per-call methods of a series (``inc``, ``observe``,
``set``...) are bound straight to the C++ series, so a call costs one
extension call and no lock.

Differences a user may notice: a family holds at most 10,000 series (then
further label sets share one ``__overflow__`` series, counted in
``vigil_metrics_series_dropped_total``), and ``Gauge.set_function`` and
``unregister`` are not provided.
"""

from . import _vigil
from ._metric_helpers import (INF, check_label_names, ExceptionCounter, full_name, histogram_bounds,
                              InProgressTracker, Timer)

__all__ = [
    "CONTENT_TYPE_LATEST", "REGISTRY", "CollectorRegistry", "Counter", "Gauge", "Histogram", "Summary",
    "generate_latest", "make_asgi_app", "make_wsgi_app", "start_http_server", "start_wsgi_server",
]

CONTENT_TYPE_LATEST = _vigil.CONTENT_TYPE_TEXT
_OPENMETRICS_CONTENT_TYPE = _vigil.CONTENT_TYPE_OPENMETRICS



class CollectorRegistry:
    """A set of metric families; ``generate_latest`` writes them.

    Registering a second metric with a name already taken raises
    ValueError, as in prometheus_client.
    """

    def __init__(self, auto_describe=False, target_info=None, _core=None):
        self._core = _core if _core is not None else _vigil.Registry()
        self._names = set()

    def _claim(self, names):
        taken = self._names.intersection(names)
        if taken:
            raise ValueError("Duplicated timeseries in CollectorRegistry: {}".format(taken))
        self._names.update(names)

    def expose(self, openmetrics=False):
        return self._core.expose(openmetrics)


REGISTRY = CollectorRegistry(_core=_vigil.default_registry())  # carries process_* metrics


class _CounterChild(_vigil.CounterSeries):
    """One counter series: inc() is a native call."""

    __slots__ = ()

    def count_exceptions(self, exception=Exception):
        return ExceptionCounter(self, exception)


class _GaugeChild(_vigil.GaugeSeries):
    __slots__ = ()

    def track_inprogress(self):
        return InProgressTracker(self)

    def time(self):
        return Timer(self.set)


class _HistogramChild(_vigil.HistogramSeries):
    __slots__ = ()

    def time(self):
        return Timer(self.observe)


class _SummaryChild(_vigil.SummarySeries):
    __slots__ = ()

    def time(self):
        return Timer(self.observe)


class _MetricBase:
    """A metric family. Without label names it is also its own (only)
    series: the series' native methods are bound onto the instance, so
    ``c.inc()`` does not pass through a Python frame."""

    _type = None
    _child_class = None
    _hot_methods = ()
    _helpers = ()

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, _labelvalues=None):
        self._name = full_name(self._type, name, namespace, subsystem, unit)
        self._documentation = documentation
        self._labelnames = check_label_names(self._type, labelnames)
        self._unit = unit
        self._children = {}
        core_registry = registry._core if registry is not None else _vigil.Registry()
        self._family = self._make_family(core_registry)
        if registry is not None:
            registry._claim(self._exposed_names())
        if not self._labelnames:
            self._series = self._family.labels((), self._child_class)
            for method in self._hot_methods + self._helpers:
                setattr(self, method, getattr(self._series, method))

    def labels(self, *labelvalues, **labelkwargs):
        """The series for these label values (positional, or by name)."""
        child = self._children.get(labelvalues)
        if child is not None and not labelkwargs:
            return child
        return self._labels_slow(labelvalues, labelkwargs)

    def _labels_slow(self, labelvalues, labelkwargs):
        if not self._labelnames:
            raise ValueError("No label names were set when constructing %s" % self)
        if labelvalues and labelkwargs:
            raise ValueError("Can't pass both *args and **kwargs")
        if labelkwargs:
            if sorted(labelkwargs) != sorted(self._labelnames):
                raise ValueError("Incorrect label names")
            values = tuple(str(labelkwargs[name]) for name in self._labelnames)
        else:
            if len(labelvalues) != len(self._labelnames):
                raise ValueError("Incorrect label count")
            values = tuple(str(v) for v in labelvalues)
        child = self._children.get(values)
        if child is None:
            child = self._children.setdefault(values, self._family.labels(values, self._child_class))
        # Cache the caller's own tuple too when it was all str: the next
        # labels() with it is one dict lookup. (Not other types: 1 == 1.0
        # == True, but their str() differ.)
        if labelvalues and all(type(v) is str for v in labelvalues):
            self._children[labelvalues] = child
        return child

    def remove(self, *labelvalues):
        if not self._labelnames:
            raise ValueError("No label names were set when constructing %s" % self)
        if len(labelvalues) != len(self._labelnames):
            raise ValueError("Incorrect label count (expected %d, got %s)" % (len(self._labelnames), labelvalues))
        values = tuple(str(v) for v in labelvalues)
        child = self._children.pop(values, None)
        if child is not None:
            for key in [k for k, c in self._children.items() if c is child]:
                del self._children[key]
        self._family.remove(values)

    def clear(self):
        for values in {tuple(str(v) for v in key) for key in self._children}:
            self.remove(*values)

    def _raise_if_not_observable(self):
        raise ValueError("%s metric is missing label values" % self._type)

    def describe(self):
        return [self._name]

    def __repr__(self):
        return "{}.{}({})".format(type(self).__module__, type(self).__name__, self._name)


class Counter(_MetricBase):
    """A value that only goes up: ``c.inc()``, ``c.labels("GET").inc(2)``."""

    _type = "counter"
    _child_class = _CounterChild
    _hot_methods = ("inc",)
    _helpers = ("count_exceptions",)

    def _make_family(self, registry):
        return registry.counter(self._name, self._documentation, list(self._labelnames), self._unit)

    def _exposed_names(self):
        return {self._name, self._name + "_total", self._name + "_created"}

    def inc(self, amount=1, exemplar=None):
        self._raise_if_not_observable()

    def count_exceptions(self, exception=Exception):
        self._raise_if_not_observable()


class Gauge(_MetricBase):
    """A value that goes up and down."""

    _type = "gauge"
    _child_class = _GaugeChild
    _hot_methods = ("inc", "dec", "set", "set_to_current_time")
    _helpers = ("track_inprogress", "time")

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, _labelvalues=None, multiprocess_mode="all"):
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry, _labelvalues)

    def _make_family(self, registry):
        return registry.gauge(self._name, self._documentation, list(self._labelnames), self._unit)

    def _exposed_names(self):
        return {self._name}

    def inc(self, amount=1):
        self._raise_if_not_observable()

    def dec(self, amount=1):
        self._raise_if_not_observable()

    def set(self, value):
        self._raise_if_not_observable()

    def set_to_current_time(self):
        self._raise_if_not_observable()

    def track_inprogress(self):
        self._raise_if_not_observable()

    def time(self):
        self._raise_if_not_observable()


class Histogram(_MetricBase):
    """Observations counted in cumulative buckets (default: latency in seconds)."""

    _type = "histogram"
    _child_class = _HistogramChild
    _hot_methods = ("observe",)
    _helpers = ("time",)
    DEFAULT_BUCKETS = (.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0, INF)

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, _labelvalues=None, buckets=DEFAULT_BUCKETS):
        self._bounds = histogram_bounds(buckets)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry, _labelvalues)

    def _make_family(self, registry):
        return registry.histogram(self._name, self._documentation, list(self._labelnames), self._unit, self._bounds)

    def _exposed_names(self):
        return {self._name, self._name + "_bucket", self._name + "_count", self._name + "_sum",
                self._name + "_created"}

    def observe(self, amount, exemplar=None):
        self._raise_if_not_observable()

    def time(self):
        self._raise_if_not_observable()


class Summary(_MetricBase):
    """The count and sum of observations (no quantiles, as in prometheus_client)."""

    _type = "summary"
    _child_class = _SummaryChild
    _hot_methods = ("observe",)
    _helpers = ("time",)

    def _make_family(self, registry):
        return registry.summary(self._name, self._documentation, list(self._labelnames), self._unit, [])

    def _exposed_names(self):
        return {self._name, self._name + "_count", self._name + "_sum", self._name + "_created"}

    def observe(self, amount):
        self._raise_if_not_observable()

    def time(self):
        self._raise_if_not_observable()


def generate_latest(registry=REGISTRY):
    """The registry in the Prometheus text format 0.0.4, as bytes."""
    return registry.expose(False)


def _choose(accept_header, registry):
    if accept_header and "application/openmetrics-text" in accept_header:
        return _OPENMETRICS_CONTENT_TYPE, registry.expose(True)
    return CONTENT_TYPE_LATEST, registry.expose(False)


def start_http_server(port, addr="0.0.0.0", registry=REGISTRY):
    """Serves ``registry`` on http://addr:port/metrics from a C++ thread.

    As in prometheus_client, ``addr`` defaults to every interface so that
    Prometheus can scrape a pod; pass "127.0.0.1" to keep it local. Returns
    the server; ``server.stop()`` ends it.
    """
    server = _vigil.MetricsServer(registry._core, addr, int(port))
    _servers.append(server)
    return server


start_wsgi_server = start_http_server
_servers = []


def make_wsgi_app(registry=REGISTRY):
    """A WSGI app answering every request with the scrape."""

    def app(environ, start_response):
        content_type, body = _choose(environ.get("HTTP_ACCEPT"), registry)
        start_response("200 OK", [("Content-Type", content_type)])
        return [body]

    return app


def make_asgi_app(registry=REGISTRY):
    """An ASGI app (FastAPI: ``app.mount("/metrics", make_asgi_app())``)."""

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        headers = dict(scope.get("headers") or [])
        content_type, body = _choose(headers.get(b"accept", b"").decode("latin-1"), registry)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type.encode())]})
        await send({"type": "http.response.body", "body": body})

    return app

