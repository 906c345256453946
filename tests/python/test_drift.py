"""vigil.profile / vigil.drift: equal to `vigil drift` on the same data as
CSV, SciPy's figures on fixed data, and the errors a user expects."""
import json
import math
import subprocess

import numpy as np
import pandas as pd
import pytest

import vigil


def frames(seed=11, n_ref=3000, n_cur=2500, shift=0.3):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({
        "age": rng.normal(40, 10, n_ref).round(3),
        "income": rng.lognormal(10, 0.6, n_ref).round(2),
        "visits": rng.integers(0, 30, n_ref),
        "city": rng.choice(["oslo", "paris", "rome", "lima"], n_ref),
        "plan": rng.choice(["free", "pro"], n_ref, p=[0.7, 0.3]),
        "label": rng.integers(0, 2, n_ref),
    })
    cur = pd.DataFrame({
        "age": rng.normal(40 + 10 * shift, 10, n_cur).round(3),
        "income": rng.lognormal(10, 0.6, n_cur).round(2),
        "visits": rng.integers(0, 30, n_cur),
        "city": rng.choice(["oslo", "paris", "rome", "lima"], n_cur, p=[0.1, 0.3, 0.3, 0.3]),
        "plan": rng.choice(["free", "pro"], n_cur, p=[0.7, 0.3]),
        "label": rng.integers(0, 2, n_cur),
    })
    ref.loc[5, "age"] = np.nan
    cur.loc[[3, 9], "city"] = None
    return ref, cur


def features_of(report_dict):
    return {f["name"]: (f["method"], f["score"], f["statistic"], f["drifted"]) for f in report_dict["features"]}


@pytest.mark.parametrize("method", ["auto", "ks", "psi", "jensenshannon"])
def test_numbers_equal_the_cli_on_the_same_csv(tmp_path, vigil_bin, method):
    ref, cur = frames()
    ref.to_csv(tmp_path / "ref.csv", index=False)
    cur.to_csv(tmp_path / "cur.csv", index=False)
    cli = subprocess.run([vigil_bin, "drift", str(tmp_path / "ref.csv"), str(tmp_path / "cur.csv"), "--target", "label",
                          "--method", method, "--json", "-", "--no-progress"], capture_output=True, text=True, check=True)
    expected = json.loads(cli.stdout)
    report = vigil.drift(ref, cur, target="label", method=method)
    got = report.to_dict()
    assert features_of(got) == features_of(expected)
    assert got["dataset_drift"] == expected["dataset_drift"]
    assert got["data_quality"] == expected["data_quality"]


def test_saved_profile_is_the_cli_format(tmp_path, vigil_bin):
    ref, cur = frames()
    ref.to_csv(tmp_path / "ref.csv", index=False)
    cur.to_csv(tmp_path / "cur.csv", index=False)
    subprocess.run([vigil_bin, "drift", str(tmp_path / "ref.csv"), str(tmp_path / "cur.csv"), "--save-profile",
                    str(tmp_path / "cli-profile.json"), "--no-progress"], capture_output=True, check=True)
    vigil.profile(ref).save(tmp_path / "py-profile.json")
    cli_profile = vigil.DatasetProfile.load(tmp_path / "cli-profile.json")
    py_profile = vigil.DatasetProfile.load(tmp_path / "py-profile.json")
    assert cli_profile.to_dict() == py_profile.to_dict()
    # And the CLI reads the Python one as a reference.
    out = subprocess.run([vigil_bin, "drift", str(tmp_path / "py-profile.json"), str(tmp_path / "cur.csv"),
                          "--json", "-", "--no-progress"], capture_output=True, text=True, check=True)
    assert features_of(json.loads(out.stdout)) == features_of(vigil.drift(py_profile, cur).to_dict())


def test_sharded_profiles_merge_into_the_whole():
    ref, _ = frames(n_ref=4000)
    whole = vigil.profile(ref).to_dict()
    # Shards share the bins of one profile, so their bin counts add up.
    merged = vigil.profile(ref.iloc[:1000])
    for start in range(1000, 4000, 1000):
        merged.merge(vigil.profile(ref.iloc[start:start + 1000], reference=merged))
    got = merged.to_dict()
    assert got["rows"] == whole["rows"] == 4000
    for name in ("age", "income"):
        a, b = got["features"][name], whole["features"][name]
        assert a["count"] == b["count"] and a["missing"] == b["missing"]
        mean_a, mean_b = a["shift"] + a["sum"] / a["count"], b["shift"] + b["sum"] / b["count"]
        assert math.isclose(mean_a, mean_b, rel_tol=1e-12)
        assert a["min"] == b["min"] and a["max"] == b["max"]
    assert got["features"]["city"]["counts"] == whole["features"]["city"]["counts"]


def test_against_scipy_reference_values():
    # scipy.stats.ks_2samp (exact) and wasserstein_distance on this data:
    # D = 0.08, p = 0.9171153306730986; W = 0.4940000000000001, normed by the
    # reference's standard deviation (ddof 0) 0.16879442299889863.
    a = np.array([((i * 37) % 101) / 10.0 for i in range(100)])
    b = np.array([((i * 53) % 97) / 10.0 + 0.8 for i in range(80)])
    ks = vigil.drift({"x": a}, {"x": b}, method="ks").features["x"]
    assert ks.statistic == pytest.approx(0.08, abs=1e-12)
    assert ks.score == pytest.approx(0.9171153306730986, rel=1e-9)
    w = vigil.drift({"x": a}, {"x": b}, method="wasserstein").features["x"]
    assert w.score == pytest.approx(0.16879442299889863, rel=1e-9)
    # scipy.stats.chi2_contingency([[60, 30, 10], [40, 40, 20]]): 8.761904761904763, p 0.012513435386733792
    ref = {"c": np.array(["x"] * 60 + ["y"] * 30 + ["z"] * 10, dtype=object)}
    cur = {"c": np.array(["x"] * 40 + ["y"] * 40 + ["z"] * 20, dtype=object)}
    chi = vigil.drift(ref, cur, method="chisquare").features["c"]
    assert chi.statistic == pytest.approx(8.761904761904763, rel=1e-9)
    assert chi.score == pytest.approx(0.012513435386733792, rel=1e-9)


def test_report_outputs(tmp_path):
    ref, cur = frames(shift=2.0)
    report = vigil.drift(ref, cur, target="label")
    assert isinstance(report.dataset_drift, bool)
    assert "age" in report.drifted_features
    assert report.features["label"].role == "target"
    report.save_html(tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text()
    assert html.lower().startswith("<!doctype html>") and "<script" not in html
    assert json.loads(report.to_json())["dataset_drift"]["detected"] == report.dataset_drift


def test_per_feature_override_and_threshold():
    ref, cur = frames(shift=0.05)
    report = vigil.drift(ref, cur, per_feature={"age": ("psi", 0.0001), "city": "hellinger"})
    assert report.features["age"].method == "psi" and report.features["age"].threshold == 0.0001
    assert report.features["city"].method == "hellinger"


def test_bad_input_gets_the_expected_python_errors(tmp_path):
    ref, cur = frames()
    with pytest.raises(ValueError, match="unknown drift method 'kolmogorov'"):
        vigil.drift(ref, cur, method="kolmogorov")
    with pytest.raises(TypeError, match="DataFrame"):
        vigil.profile([1, 2, 3])
    with pytest.raises(ValueError, match="different lengths"):
        vigil.profile({"a": np.zeros(3), "b": np.zeros(4)})
    with pytest.raises(KeyError, match="nope"):
        vigil.drift(ref, cur, target="nope")
    with pytest.raises(FileNotFoundError):
        vigil.DatasetProfile.load(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError):
        vigil.DatasetProfile.load(tmp_path / "broken.json")
    with pytest.raises(ValueError):
        vigil.drift(ref, cur, dataset_drift_share=1.5)
    with pytest.raises(TypeError):
        vigil.profile(ref).merge(ref)


def test_non_numeric_text_in_a_numeric_column_is_counted_like_the_cli():
    ref, cur = frames()
    cur = cur.astype({"age": object})
    cur.loc[[1, 2], "age"] = "n/a?"
    report = vigil.drift(ref, cur).to_dict()
    checks = {(q["check"], q["feature"]): q for q in report["data_quality"]["checks"]}
    assert checks[("type_errors", "age")]["count"] == 2


def test_nan_is_missing():
    prof = vigil.profile({"x": np.array([1.0, np.nan, 3.0])}).to_dict()
    assert prof["features"]["x"]["count"] == 2 and prof["features"]["x"]["missing"] == 1
