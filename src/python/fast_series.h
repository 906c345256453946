// Native series objects for vigil.prometheus_client (see fast_series.cc).
#pragma once

#include <pybind11/pybind11.h>

namespace vigil::python {

// Adds CounterSeries, GaugeSeries, HistogramSeries and SummarySeries to `m`.
// Python subclasses of them (adding time(), count_exceptions(), ...) are
// what labels() returns.
void add_series_types(pybind11::module_& m);

// A new instance of `type` (one of the four, or a subclass of it: checked)
// viewing `series`; it holds a reference to `owner` so the family outlives it.
template <typename T>
pybind11::object wrap_series(const pybind11::handle& type, T& series, const pybind11::handle& owner);

}  // namespace vigil::python
