"""DataFrames and dicts of NumPy arrays as vigil columns.

Numeric columns go to C++ as float64 buffers; every other column as integer
codes beside its distinct values (pandas.factorize): either way C++ gets
whole buffers and Python creates no object per value.
"""

import numpy as np

NUMERIC = "numeric"
CATEGORICAL = "categorical"


def _is_numeric_dtype(dtype):
    return dtype.kind in "iuf"


def _factorize(values):
    try:
        import pandas as pd

        codes, uniques = pd.factorize(values, sort=False)
        return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]
    except ImportError:
        array = np.asarray(values, dtype=object)
        missing = np.array([v is None or (isinstance(v, float) and v != v) for v in array])
        uniques, codes = np.unique(array[~missing].astype(str), return_inverse=True)
        out = np.full(len(array), -1, dtype=np.int64)
        out[~missing] = codes
        return out, [str(u) for u in uniques]


def _coerce_numeric(name, values, strict):
    """float64 values of a column meant to be numeric, and how many were not numbers.

    strict: the first value that is not a number raises ValueError naming
    the column and row (monitoring batches); otherwise it becomes missing
    and is counted as a type error (batch drift, as `vigil drift` does).
    """
    import pandas as pd

    series = pd.Series(values, copy=False)
    numbers = pd.to_numeric(series, errors="coerce")
    bad = numbers.isna() & series.notna() & (series.astype(str) != "")
    count = int(bad.sum())
    if count and strict:
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError("column '{}' is numeric but row {} holds {!r}, which is not a number".format(
            name, row, series.iloc[row]))
    return numbers.to_numpy(dtype=np.float64, na_value=np.nan), count


def _items(data):
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):  # a pandas DataFrame
        return [(str(name), data[name].to_numpy()) for name in data.columns], len(data)
    if isinstance(data, dict):
        items = [(str(name), np.asarray(values)) for name, values in data.items()]
        lengths = {len(v) for _, v in items}
        if len(lengths) > 1:
            raise ValueError("columns have different lengths: {}".format(sorted(lengths)))
        return items, lengths.pop() if lengths else 0
    raise TypeError("expected a pandas DataFrame or a dict of NumPy arrays, not {}".format(type(data).__name__))


def column_specs(data, kinds=None, strict=False):
    """[(name, kind, buffer[, dictionary], type_errors)] and the row count.

    kinds: {name: "numeric"|"categorical"} to follow (a reference's);
    columns not named there are numeric when their dtype is.
    """
    kinds = kinds or {}
    items, rows = _items(data)
    specs = []
    for name, values in items:
        values = np.asarray(values)
        if values.ndim != 1:
            raise ValueError("column '{}' must be one-dimensional, not of shape {}".format(name, values.shape))
        kind = kinds.get(name) or (NUMERIC if _is_numeric_dtype(values.dtype) else CATEGORICAL)
        if kind == NUMERIC:
            if _is_numeric_dtype(values.dtype):
                specs.append((name, NUMERIC, np.ascontiguousarray(values, dtype=np.float64), 0))
            else:
                numbers, errors = _coerce_numeric(name, values, strict)
                specs.append((name, NUMERIC, numbers, errors))
        else:
            codes, dictionary = _factorize(values)
            specs.append((name, CATEGORICAL, codes, dictionary, 0))
    return specs, rows


def table_of(data, kinds=None):
    """A C++ table of the columns (copied once into C++ vectors)."""
    from . import _vigil

    table = _vigil.Table()
    specs, rows = column_specs(data, kinds)
    for spec in specs:
        if spec[1] == NUMERIC:
            table.add_numeric(spec[0], spec[2], spec[3])
        else:
            table.add_categorical(spec[0], spec[2], spec[3])
    return table
