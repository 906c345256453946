"""vigil.dask on a real dask.distributed LocalCluster with two worker
processes: the distributed profile equals the single-process one on the
same data (exactly in counts, bins and the quantile sketch, up to rounding
in the moments), and drift verdicts agree away from the threshold."""
import math

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import vigil  # noqa: E402
import vigil.dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, silence_logs=50)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def frame(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "amount": rng.lognormal(4 + shift, 1, n),
        "age": rng.normal(40, 12, n).round(1),
        "visits": rng.integers(0, 50, n),
        "country": rng.choice(["NO", "SE", "DK", "FI"], n, p=[0.4, 0.3, 0.2, 0.1] if not shift else [0.1, 0.2, 0.3, 0.4]),
    })
    df.loc[df.index % 97 == 0, "age"] = np.nan
    df.loc[df.index % 89 == 0, "country"] = None
    return df


def without_samples(feature):
    """A feature's summary less what depends on the order of addition: the
    reservoir sample and the floating-point sums (compared apart)."""
    out = {k: v for k, v in feature.items() if k not in ("sample", "seen_for_sample", "shift", "sum", "sumsq")}
    if "sketch" in out:
        out["sketch"] = {k: v for k, v in out["sketch"].items() if k != "sum"}
    return out


def test_distributed_profile_equals_single_process(client):
    df = frame(60_000, seed=1)
    single = vigil.profile(df).to_dict()
    ddf = dd.from_pandas(df, npartitions=7)
    merged = vigil.dask.profile(ddf, split_every=3).to_dict()
    assert merged["rows"] == single["rows"] == 60_000
    for name, expected in single["features"].items():
        got = merged["features"][name]
        assert without_samples(got) == without_samples(expected), name
        if expected["kind"] == "numeric":
            mean = lambda f: f["shift"] + f["sum"] / f["finite"]  # noqa: E731
            assert math.isclose(mean(got), mean(expected), rel_tol=1e-12), name
            var = lambda f: f["sumsq"] / f["finite"] - (f["sum"] / f["finite"]) ** 2  # noqa: E731
            assert math.isclose(var(got), var(expected), rel_tol=1e-9), name
            assert len(got["sample"]) == len(expected["sample"])
            assert math.isclose(got["sketch"]["sum"], expected["sketch"]["sum"], rel_tol=1e-12)


def test_distributed_drift_agrees_with_single_process(client):
    ref, cur = frame(40_000, seed=2), frame(30_000, seed=3, shift=0.5)
    single = vigil.drift(vigil.profile(ref), vigil.profile(cur, reference=vigil.profile(ref)))
    distributed_report = vigil.dask.drift(dd.from_pandas(ref, npartitions=4), dd.from_pandas(cur, npartitions=5))
    assert distributed_report.dataset_drift == single.dataset_drift
    for name, feature in single.features.items():
        other = distributed_report.features[name]
        assert other.method == feature.method
        assert other.drifted == feature.drifted, name
        if feature.method in ("jensenshannon", "psi", "chisquare"):  # from bin or category counts: exact
            assert other.score == pytest.approx(feature.score, rel=1e-12)
        if feature.method in ("wasserstein", "ks"):  # from grids, which merge exactly (normed by the moments' sd)
            assert other.score == pytest.approx(feature.score, rel=1e-9), name


def test_profiles_cross_process_boundaries_by_pickle():
    import pickle

    p = vigil.profile(frame(1000, seed=4))
    assert pickle.loads(pickle.dumps(p)).to_dict() == p.to_dict()


def test_bad_input():
    with pytest.raises(ValueError, match="split_every"):
        vigil.dask.profile(dd.from_pandas(frame(10, seed=5), npartitions=1), split_every=1)
