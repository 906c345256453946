"""Batch drift and data quality from DataFrames: the engine of `vigil drift`.

    ref = vigil.profile(training_df)          # mergeable, saveable
    report = vigil.drift(ref, todays_df, target="label")
    report.dataset_drift, report.features["age"].score
    report.save_html("drift.html")

The numbers equal `vigil drift` on the same data written as CSV: both run
the same C++ comparison.
"""

import json
import os

from . import _vigil
from ._columns import table_of

__all__ = ["DatasetProfile", "DriftReport", "FeatureDrift", "drift", "profile"]


class DatasetProfile:
    """Per-column summaries of a dataset: counts, moments, quantile sketch,
    category counts and a sample. Profiles of shards merge into the profile
    of the whole; saved, they are the file `vigil drift --save-profile` writes."""

    def __init__(self, _core=None):
        self._core = _core if _core is not None else _vigil.DatasetProfile()

    @property
    def rows(self):
        return self._core.rows

    @property
    def columns(self):
        """{name: "numeric" | "categorical"}"""
        return self._core.kinds

    def merge(self, other):
        """Adds ``other`` (a profile of more rows of the same columns) into this one; returns self."""
        if not isinstance(other, DatasetProfile):
            raise TypeError("can only merge a DatasetProfile, not {}".format(type(other).__name__))
        self._core.merge(other._core)
        return self

    def save(self, path):
        self._core.save(os.fspath(path))

    @classmethod
    def load(cls, path):
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(2, "No such profile", path)
        return cls(_vigil.DatasetProfile.load(path))

    def to_json(self):
        return self._core.to_json()

    def to_dict(self):
        return json.loads(self._core.to_json())

    @classmethod
    def from_dict(cls, d):
        return cls(_vigil.DatasetProfile.from_json(json.dumps(d)))

    @classmethod
    def from_json(cls, text):
        return cls(_vigil.DatasetProfile.from_json(text))

    def __reduce__(self):  # pickling, for multiprocessing and Dask workers
        return DatasetProfile.from_json, (self._core.to_json(),)

    def __repr__(self):
        return "DatasetProfile(rows={}, columns={})".format(self.rows, list(self.columns))


def profile(data, reference=None, bins=0):
    """The profile of a DataFrame (or dict of NumPy arrays).

    reference: a DatasetProfile whose column kinds and bins to follow, so
    this profile compares with it bin for bin.
    """
    kinds = reference.columns if reference is not None else None
    table = table_of(data, kinds)
    return DatasetProfile(_vigil.profile_table(table, reference._core if reference is not None else None, bins))


class FeatureDrift:
    """One column's verdict: the test that ran, its score and threshold."""

    def __init__(self, d):
        self.name = d["name"]
        self.kind = d["kind"]
        self.role = d["role"]
        self.method = d["method"]
        self.score = d["score"]
        self.statistic = d["statistic"]
        self.threshold = d["threshold"]
        self.score_is_p_value = d["score_is_p_value"]
        self.drifted = d["drifted"]
        self.reference_stats = d.get("reference_stats", {})
        self.current_stats = d.get("current_stats", {})

    def __repr__(self):
        return "FeatureDrift({!r}, method={!r}, score={:.4g}, drifted={})".format(
            self.name, self.method, self.score, self.drifted)


class DriftReport:
    """Per-feature drift, dataset drift and data-quality checks."""

    def __init__(self, core):
        self._core = core
        self._dict = json.loads(core.to_json())
        self.features = {f["name"]: FeatureDrift(f) for f in self._dict["features"]}

    @property
    def dataset_drift(self):
        return self._core.dataset_drift

    @property
    def drift_share(self):
        return self._core.drift_share

    @property
    def number_of_drifted_features(self):
        return self._core.features_drifted

    @property
    def drifted_features(self):
        return [f.name for f in self.features.values() if f.drifted and f.role == "feature"]

    @property
    def quality(self):
        return self._dict.get("data_quality", [])

    def to_dict(self):
        return json.loads(self._core.to_json())

    def to_json(self):
        return self._core.to_json()

    def save_json(self, path):
        with open(path, "w", encoding="utf-8") as out:
            out.write(self._core.to_json())

    def save_html(self, path):
        """One self-contained page: tables and inline SVG plots, no scripts."""
        self._core.save_html(os.fspath(path))

    def __repr__(self):
        return "DriftReport(dataset_drift={}, drifted={}/{})".format(
            self.dataset_drift, self._core.features_drifted, self._core.features_checked)


def _per_feature(per_feature):
    out = {}
    for name, spec in (per_feature or {}).items():
        if isinstance(spec, str):
            out[name] = (spec, None)
        else:
            method, threshold = spec
            out[name] = (method, None if threshold is None else float(threshold))
    return out


def drift(reference, current, target=None, prediction=None, method="auto", threshold=None, per_feature=None,
          dataset_drift_share=0.5, bins=0):
    """Compares ``current`` with ``reference`` (DataFrames, dicts of arrays or profiles).

    method: auto (Evidently's defaults), ks, chisquare, z, wasserstein,
    jensenshannon, psi, kl_div or hellinger; threshold: a p-value for tests,
    a distance otherwise (the method's default when None). per_feature:
    {column: method or (method, threshold)}. target / prediction: columns
    reported apart from the features. With DataFrames, KS and Wasserstein
    use every row; with profiles, their samples.
    """
    ref_table = cur_table = None
    if isinstance(reference, DatasetProfile):
        ref_profile = reference
    else:
        ref_table = table_of(reference)
        ref_profile = DatasetProfile(_vigil.profile_table(ref_table, None, bins))
    if isinstance(current, DatasetProfile):
        cur_profile = current
    else:
        cur_table = table_of(current, ref_profile.columns)
        cur_profile = DatasetProfile(_vigil.profile_table(cur_table, ref_profile._core, bins))
    core = _vigil.compare(ref_profile._core, cur_profile._core, ref_table, cur_table, method,
                          None if threshold is None else float(threshold), int(bins), _per_feature(per_feature),
                          float(dataset_drift_share), target or "", prediction or "", "reference", "current")
    return DriftReport(core)
