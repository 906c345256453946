"""Profiles and drift of Dask DataFrames: past one machine's memory.

    import dask.dataframe as dd, vigil.dask
    reference = vigil.dask.profile(dd.read_parquet("training/"))
    report = vigil.dask.drift(reference, dd.read_csv("today-*.csv"), target="label")

Each partition is profiled on a worker with vigil.profile (the C++ core,
without the GIL) and the profiles are merged in a tree. One cheap first pass
finds each numeric column's range so that every partition bins alike: the
merged profile then equals the single-process profile of the same data
exactly in counts, missing values, min/max, bin counts and the quantile
sketch, and up to rounding in the moments. Only the reservoir samples (used
by KS and Wasserstein on profiles) differ, as two uniform samples do.
"""

import numpy as np

from . import _vigil
from .drift import DatasetProfile, drift as _drift

__all__ = ["drift", "profile"]


def _numeric_columns(ddf):
    return [c for c, t in ddf.dtypes.items() if t.kind in "iuf"]


def _ranges(frame, columns):
    """Per numeric column of one partition: finite min, max and count."""
    rows = {}
    for c in columns:
        values = frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        finite = values[np.isfinite(values)]
        rows[c] = (finite.min(), finite.max(), finite.size) if finite.size else (np.inf, -np.inf, 0)
    return _range_frame(rows)


def _range_frame(rows):
    import pandas as pd

    return pd.DataFrame(rows, index=["lo", "hi", "n"], dtype=np.float64)


def _binning(ddf, bins):
    """Edges per numeric column from the whole data's finite range and count
    (the edges the single-process profile would choose), in one pass."""
    columns = _numeric_columns(ddf)
    if not columns:
        return _vigil.binning_profile({})
    per_partition = ddf.map_partitions(_ranges, columns, meta=_range_frame({c: (0.0, 0.0, 0.0) for c in columns})).compute()
    edges = {}
    for c in columns:
        lo, hi = per_partition[c]["lo"].min(), per_partition[c]["hi"].max()
        n = int(per_partition[c]["n"].sum())
        edges[str(c)] = _vigil.reference_bin_edges(float(lo), float(hi), n, bins) if n else []
    return _vigil.binning_profile(edges)


def _profile_partition(frame, binning_json):
    from .drift import profile as profile_frame

    return profile_frame(frame, reference=DatasetProfile.from_json(binning_json)).to_json()


def _merge(*profiles_json):
    merged = DatasetProfile.from_json(profiles_json[0])
    for other in profiles_json[1:]:
        merged.merge(DatasetProfile.from_json(other))
    return merged.to_json()


def _tree_merge(parts, split_every):
    import dask

    while len(parts) > 1:
        parts = [dask.delayed(_merge)(*parts[i:i + split_every]) for i in range(0, len(parts), split_every)]
    return parts[0]


def profile(ddf, reference=None, bins=0, split_every=8):
    """The profile of a Dask DataFrame, computed on the current scheduler.

    reference: a DatasetProfile whose bins to use (profile current data with
    its reference's bins, so they compare bin for bin); without one, a first
    pass over the data finds each numeric column's range. split_every: how
    many profiles each merge task combines.
    """
    import dask

    if split_every < 2:
        raise ValueError("split_every must be at least 2")
    # The reference's bin edges alone: its samples and sketches no partition needs.
    binning = _vigil.bins_of(reference._core) if reference is not None else _binning(ddf, bins)
    binning_json = binning.to_json()
    parts = [dask.delayed(_profile_partition)(part, binning_json) for part in ddf.to_delayed()]
    if not parts:
        raise ValueError("the Dask DataFrame has no partitions")
    (merged,) = dask.compute(_tree_merge(parts, split_every))
    return DatasetProfile.from_json(merged)


def drift(reference, current, **options):
    """Drift of ``current`` against ``reference``, each a Dask DataFrame or a
    DatasetProfile: profiled on the cluster (the current one with the
    reference's bins), compared as profiles. ``options`` are vigil.drift's
    (target, prediction, method, threshold, per_feature, dataset_drift_share)."""
    if not isinstance(reference, DatasetProfile):
        reference = profile(reference)
    if not isinstance(current, DatasetProfile):
        current = profile(current, reference=reference)
    return _drift(reference, current, **options)
