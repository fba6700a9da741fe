"""Each pipeline step of innocap_analysis.composite against small hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innocap_analysis import composite as C


def _structure(rows):
    return pd.DataFrame(rows, columns=["code", "parent", "weight", "direction"])


# A small uneven tree: two pillars (a, b) and one indicator (x5) straight under the index.
TREE = _structure(
    [
        ("x1", "A", 1.0, 1),
        ("x2", "A", 3.0, -1),
        ("x3", "B", 1.0, 1),
        ("x4", "B", 1.0, 1),
        ("x5", "Index", 1.0, 1),
        ("A", "Index", 2.0, None),
        ("B", "Index", 1.0, None),
        ("Index", None, 1.0, None),
    ]
)


def _moments_g1_g2(x):
    """Skewness G1 and kurtosis G2 written out from their definitions (Joanes & Gill 1998)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    d = x - x.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3
    return g1 * np.sqrt(n * (n - 1)) / (n - 2), ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))


# ---------------------------------------------------------------- structure


def test_parse_structure_heights_and_order():
    h = C.parse_structure(TREE)
    assert h.indicators == ["x1", "x2", "x3", "x4", "x5"]
    assert h.aggregates == ["A", "B", "Index"]
    assert h.aggregation_order == ["A", "B", "Index"]
    assert h.children["Index"] == ["x5", "A", "B"]
    assert h.height == {"x1": 0, "x2": 0, "x3": 0, "x4": 0, "x5": 0, "A": 1, "B": 1, "Index": 2}
    assert h.direction["x2"] == -1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("x1", "A", 1, 1), ("x1", "A", 1, 1), ("A", None, 1, None)], "duplicates"),
        ([("x1", "Z", 1, 1), ("A", None, 1, None)], "parent 'Z'"),
        ([("x1", "A", 1, 0), ("A", None, 1, None)], "direction"),
        ([("x1", "A", -1, 1), ("A", None, 1, None)], "weight"),
        ([("x1", "A", 1, 1), ("A", "B", 1, None), ("B", "A", 1, None)], "cycle"),
    ],
)
def test_parse_structure_rejects_bad_rows(rows, message):
    with pytest.raises(ValueError, match=message):
        C.parse_structure(_structure(rows))


def test_parse_structure_needs_columns():
    with pytest.raises(ValueError, match="lacks column"):
        C.parse_structure(pd.DataFrame({"code": ["x"], "parent": [None]}))


# ---------------------------------------------------------------- denominate, impute


def test_denominate_by_hand():
    data = pd.DataFrame({"gdp": [10.0, 20.0, np.nan], "pop": [2.0, 4.0, 5.0], "area": [1.0, 2.0, 3.0]},
                        index=["u1", "u2", "u3"])
    out = C.denominate(data, {"gdp": "pop"}, scale=1000)
    np.testing.assert_allclose(out["gdp"], [5000.0, 5000.0, np.nan])
    np.testing.assert_array_equal(out["area"], data["area"])  # untouched
    with pytest.raises(ValueError, match="denominator 'pop' is 0 for unit"):
        C.denominate(data.assign(pop=[0.0, 1.0, 1.0]), {"gdp": "pop"})
    with pytest.raises(ValueError, match="'nope'"):
        C.denominate(data, {"gdp": "nope"})


def test_impute_group_mean_by_hand():
    data = pd.DataFrame({"a": [1.0, np.nan, 3.0, 10.0, np.nan], "b": [1.0, 2.0, 3.0, 4.0, 5.0]},
                        index=list("pqrst"))
    groups = pd.Series(["g", "g", "g", "h", "h"], index=data.index)
    out = C.impute_group_mean(data, groups)
    assert out.loc["q", "a"] == 2.0  # mean of 1 and 3
    assert out.loc["t", "a"] == 10.0  # only observed value of group h
    np.testing.assert_array_equal(out["b"], data["b"])
    assert C.impute_group_mean(data).loc["q", "a"] == pytest.approx(14 / 3)
    with pytest.raises(ValueError, match="no observed value in group 'h'"):
        C.impute_group_mean(data.assign(a=[1.0, np.nan, 3.0, np.nan, np.nan]), groups)


# ---------------------------------------------------------------- treatment


def test_skewness_and_kurtosis_match_definitions():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0])
    g1, g2 = _moments_g1_g2(x)
    assert C.skewness(x) == pytest.approx(g1, rel=1e-12)
    assert C.kurtosis(x) == pytest.approx(g2, rel=1e-12)
    assert C.skewness(np.append(x, np.nan)) == pytest.approx(g1, rel=1e-12)
    assert g1 == pytest.approx(3.0632410342394985)  # worked once by hand with the formulas above


def test_treat_winsorises_high_outlier_like_coinr_example():
    # COINr ``Treat`` help example: 1..10 plus two outliers. Skew 3.06 and kurtosis 9.74 fail; clipping
    # 100 down to 30 gives skew 1.71 < 2, which passes, so one point is winsorised.
    x = pd.DataFrame({"v": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0]})
    res = C.treat_outliers(x)
    expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 30.0]
    np.testing.assert_array_equal(res.data["v"], expected)
    row = res.details.iloc[0]
    assert not row["pass_before"] and row["n_winsorised"] == 1 and bool(row["pass_after_winsorise"])
    assert row["skew_after_winsorise"] == pytest.approx(_moments_g1_g2(expected)[0])
    assert res.treated_points.to_dict("records") == [{"unit": 11, "indicator": "v", "treatment": "winhi"}]


def test_treat_winsorises_low_side_and_counts_ties():
    x = -np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0])
    res = C.treat_outliers(pd.DataFrame({"v": x}))
    assert res.data["v"].min() == -30.0
    assert res.treated_points["treatment"].tolist() == ["winlo"]


def test_treat_falls_back_to_log_of_original_when_winmax_reached():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 500, 1000, 5000.0])
    assert not (abs(_moments_g1_g2(x)[0]) < 2 or _moments_g1_g2(x)[1] < 3.5)
    res = C.treat_outliers(pd.DataFrame({"v": x}), winmax=1)
    # After one clip (5000 -> 1000) it still fails, so log_CT of the *original* column.
    clipped = x.copy()
    clipped[-1] = 1000
    g1, g2 = _moments_g1_g2(clipped)
    assert not (abs(g1) < 2 or g2 < 3.5)
    expected = np.log(x - 1 + 0.01 * (5000 - 1))
    np.testing.assert_allclose(res.data["v"], expected, rtol=1e-14)
    row = res.details.iloc[0]
    assert row["log_transformed"] and row["n_winsorised"] == 1
    assert set(res.treated_points["treatment"]) == {"log_CT"}
    # Without the fallback the winsorised column is kept.
    kept = C.treat_outliers(pd.DataFrame({"v": x}), winmax=1, log_fallback=False)
    np.testing.assert_array_equal(kept.data["v"], clipped)


def test_treat_leaves_passing_columns_alone():
    x = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0, 5.0, 7.0]})
    res = C.treat_outliers(x)
    pd.testing.assert_frame_equal(res.data, x)
    assert res.treated_points.empty and res.details["n_winsorised"].tolist() == [0]


def test_treat_reports_constant_and_short_columns():
    res = C.treat_outliers(pd.DataFrame({"flat": [2.0] * 6, "ok": [1.0, 2.0, 3.0, 4.0, 5.0, 7.0]}))
    flat = res.details.set_index("indicator").loc["flat"]
    assert flat["pass_before"] and np.isnan(flat["skew_before"])
    np.testing.assert_array_equal(res.data["flat"], 2.0)
    with pytest.raises(ValueError, match="indicator 'short'.*at least 4"):
        C.treat_outliers(pd.DataFrame({"short": [1.0, 2.0, 3.0, np.nan, np.nan]}))


def test_treat_stops_before_making_a_column_constant():
    # Heavy tie at the top: clipping would leave only two distinct values, so it stops and logs.
    x = np.array([0.0] * 30 + [1.0, 50.0])
    res = C.treat_outliers(pd.DataFrame({"v": x}), winmax=None)
    row = res.details.iloc[0]
    # 50 -> 1 once; [0 x 30, 1, 1] still fails (skew 3.80) and has two distinct values left.
    assert row["n_winsorised"] == 1 and row["skew_after_winsorise"] == pytest.approx(
        _moments_g1_g2([0.0] * 30 + [1.0, 1.0])[0])
    assert row["log_transformed"] and not row["pass_after_log"]
    np.testing.assert_allclose(res.data["v"], np.log(x + 0.5))  # log(x - 0 + 0.01 * 50)


# ---------------------------------------------------------------- normalisation


DATA = pd.DataFrame(
    {"x1": [0.0, 5.0, 10.0], "x2": [2.0, 4.0, 8.0], "x3": [1.0, 1.0, 4.0], "x4": [3.0, 6.0, 9.0], "x5": [1.0, 2.0, 4.0]},
    index=["u1", "u2", "u3"],
)


def test_minmax_with_direction_by_hand():
    out = C.normalise(DATA, TREE, "minmax")
    np.testing.assert_allclose(out["x1"], [0, 50, 100])
    np.testing.assert_allclose(out["x2"], [100, 200 / 3, 0])  # direction -1: (8 - x) / 6 * 100
    np.testing.assert_allclose(C.normalise(DATA, TREE, "minmax", lower=1, upper=100)["x1"], [1, 50.5, 100])
    with pytest.raises(ValueError, match="indicator 'x1' is constant"):
        C.normalise(DATA.assign(x1=1.0), TREE, "minmax")


def test_zscore_rank_goalposts_reference_by_hand():
    z = C.normalise(DATA, TREE, "zscore")
    np.testing.assert_allclose(z["x1"], [-1, 0, 1])  # mean 5, sd 5
    sd2 = np.std([2, 4, 8], ddof=1)
    np.testing.assert_allclose(z["x2"], -(np.array([2, 4, 8]) - 14 / 3) / sd2)
    r = C.normalise(DATA, TREE, "rank")
    np.testing.assert_array_equal(r["x2"], [3, 2, 1])
    np.testing.assert_array_equal(r["x3"], [1, 1, 3])  # ties share the lowest rank, as R ties.method="min"
    goalposts = pd.DataFrame({"low": [0, 0, 0, 0, 0], "high": [8, 8, 2, 6, 2]}, index=["x1", "x2", "x3", "x4", "x5"])
    g = C.normalise(DATA, TREE, "goalposts", goalposts=goalposts)
    np.testing.assert_allclose(g["x1"], [0, 62.5, 100])  # capped at the high goalpost
    np.testing.assert_allclose(g["x2"], [75, 50, 0])  # direction -1: (8 - x) / 8
    d = C.normalise(DATA.assign(x1=[1.0, 5.0, 10.0]), TREE.assign(direction=[1, -1, 1, 1, 1, None, None, None]), "distance_to_reference",
                    reference_unit="u2")
    np.testing.assert_allclose(d["x2"], [200, 100, 50])  # 100 * x_ref / x for direction -1
    np.testing.assert_allclose(d["x4"], [50, 100, 150])
    with pytest.raises(ValueError, match="indicator 'x1' is 0.0 for unit 'u1'"):
        C.normalise(DATA, TREE, "distance_to_reference", reference_unit="u2")


# ---------------------------------------------------------------- aggregation


NORM = pd.DataFrame(
    {"x1": [10.0, 40.0], "x2": [90.0, np.nan], "x3": [20.0, 50.0], "x4": [80.0, 50.0], "x5": [30.0, 60.0]},
    index=["u1", "u2"],
)


def test_arithmetic_aggregation_by_hand():
    out = C.aggregate(NORM, TREE, "arithmetic")
    # u1: A = (1*10 + 3*90)/4 = 70; B = 50; Index = (1*30 + 2*70 + 1*50)/4 = 55.
    # u2: x2 missing -> A = 40 (weight rescaled); B = 50; Index = (60 + 80 + 50)/4 = 47.5.
    np.testing.assert_allclose(out.loc["u1"], [70, 50, 55])
    np.testing.assert_allclose(out.loc["u2"], [40, 50, 47.5])
    assert list(out.columns) == ["A", "B", "Index"]


def test_geometric_harmonic_generalised_by_hand():
    g = C.aggregate(NORM, TREE, "geometric")
    a_u1 = 10 ** 0.25 * 90 ** 0.75
    b_u1 = np.sqrt(20 * 80)
    assert g.loc["u1", "A"] == pytest.approx(a_u1)
    assert g.loc["u1", "Index"] == pytest.approx(30 ** 0.25 * a_u1 ** 0.5 * b_u1 ** 0.25)
    h = C.aggregate(NORM, TREE, "harmonic")
    assert h.loc["u1", "A"] == pytest.approx(1 / (0.25 / 10 + 0.75 / 90))
    p2 = C.aggregate(NORM, TREE, "generalised", power=2)
    assert p2.loc["u1", "B"] == pytest.approx(np.sqrt((20**2 + 80**2) / 2))
    # p = 1 and p = -1 reproduce the arithmetic and harmonic means.
    pd.testing.assert_frame_equal(C.aggregate(NORM, TREE, "generalised", power=1), C.aggregate(NORM, TREE))
    np.testing.assert_allclose(C.aggregate(NORM, TREE, "generalised", power=-1), h, rtol=1e-12)


def test_geometric_mean_refuses_zero_and_names_it():
    with pytest.raises(ValueError, match="child 'x1' is 0.0 for unit 'u1'"):
        C.aggregate(NORM.assign(x1=[0.0, 40.0]), TREE, "geometric")


def test_weights_equal_and_user_given():
    eq = C.aggregate(NORM, TREE, weights="equal")
    assert eq.loc["u1", "A"] == pytest.approx(50)
    assert eq.loc["u1", "Index"] == pytest.approx((30 + 50 + 50) / 3)
    user = C.aggregate(NORM, TREE, weights={"x1": 1.0, "x2": 1.0, "A": 1.0})
    assert user.loc["u1", "Index"] == pytest.approx((30 + 50 + 50) / 3)
    with pytest.raises(ValueError, match="not in the structure"):
        C.aggregate(NORM, TREE, weights={"zz": 1.0})


def test_pca_weights_two_and_three_children():
    rng = np.random.default_rng(3)
    two = pd.DataFrame(rng.normal(size=(50, 2)), columns=["p", "q"])
    # Two standardised variables: PC1 is (1, 1)/sqrt(2) whatever their correlation.
    np.testing.assert_allclose(C.pca_weights(two), [0.5, 0.5], atol=1e-12)
    base = rng.normal(size=200)
    three = pd.DataFrame({"a": base + 0.1 * rng.normal(size=200), "b": base + 0.5 * rng.normal(size=200),
                          "c": rng.normal(size=200)})
    w = C.pca_weights(three)
    # Independent check: squared first right-singular vector of the standardised data.
    z = (three - three.mean()) / three.std()
    v = np.linalg.svd(z.to_numpy(), full_matrices=False)[2][0]
    np.testing.assert_allclose(w, v**2, atol=1e-10)
    assert w.sum() == pytest.approx(1) and w["c"] < min(w["a"], w["b"])


def test_pca_weights_in_aggregate_use_each_group():
    rng = np.random.default_rng(5)
    data = pd.DataFrame(rng.uniform(1, 100, size=(30, 5)), columns=["x1", "x2", "x3", "x4", "x5"])
    out = C.aggregate(data, TREE, weights="pca")
    # B has two children, so its PCA weights are 1/2 each.
    np.testing.assert_allclose(out["B"], data[["x3", "x4"]].mean(axis=1))
    wa = C.pca_weights(data[["x1", "x2"]])
    np.testing.assert_allclose(out["A"], data[["x1", "x2"]] @ wa.to_numpy())


# ---------------------------------------------------------------- whole pipeline


def test_composite_index_composes_the_steps():
    rng = np.random.default_rng(9)
    data = pd.DataFrame(rng.lognormal(size=(40, 5)), columns=["x1", "x2", "x3", "x4", "x5"])
    data.iloc[3, 2] = np.nan
    groups = pd.Series(np.where(np.arange(40) < 20, "g", "h"), index=data.index)
    index = C.composite_index(data, TREE, imputation="group_mean", groups=groups)
    by_hand = C.aggregate(
        C.normalise(C.treat_outliers(C.impute_group_mean(data, groups)).data, TREE, "minmax"), TREE, "arithmetic"
    )
    pd.testing.assert_frame_equal(index, by_hand)
    assert index.notna().all().all()


def test_structure_from_coinr_drops_group_rows():
    imeta = pd.DataFrame(
        {
            "iCode": ["x", "y", "P", "G1", "Pop"],
            "Parent": ["P", "P", None, None, None],
            "Weight": [1, 2, 1, None, None],
            "Direction": [1, -1, 1, None, None],
            "Type": ["Indicator", "Indicator", "Aggregate", "Group", "Denominator"],
            "Denominator": ["Pop", None, None, None, None],
        }
    )
    structure, denominators = C.structure_from_coinr(imeta)
    assert structure["code"].tolist() == ["x", "y", "P"]
    assert denominators == {"x": "Pop"}


# ---------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(positive, positive, positive, positive, positive), min_size=2, max_size=6),
       st.lists(st.floats(min_value=0.1, max_value=10), min_size=5, max_size=5))
def test_mean_inequality_and_weight_scale_invariance(rows, weights):
    data = pd.DataFrame(rows, columns=["x1", "x2", "x3", "x4", "x5"])
    w = dict(zip(["x1", "x2", "x3", "x4", "x5"], weights, strict=True))
    arith = C.aggregate(data, TREE, "arithmetic", weights=w)
    geo = C.aggregate(data, TREE, "geometric", weights=w)
    harm = C.aggregate(data, TREE, "harmonic", weights=w)
    assert (harm.to_numpy() <= geo.to_numpy() * (1 + 1e-9)).all()
    assert (geo.to_numpy() <= arith.to_numpy() * (1 + 1e-9)).all()
    # Weights only matter relative to their group: scaling one group's weights changes nothing.
    scaled = {**w, "x1": 7 * w["x1"], "x2": 7 * w["x2"]}
    np.testing.assert_allclose(C.aggregate(data, TREE, "arithmetic", weights=scaled), arith, rtol=1e-12)
