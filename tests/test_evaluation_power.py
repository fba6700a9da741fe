"""Power and minimum detectable effects against Cohen's tables, statsmodels and the noncentral t."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import TTestIndPower, TTestPower

from innocap_analysis.evidence.sentences import power_sentence
from innocap_analysis.stats.power import achieved_power, minimum_detectable_effect, power_table


def _power_two_sample(d: float, n1: int, n2: int, alpha: float = 0.05) -> float:
    """Two-sided two-sample t-test power from the noncentral t (Cohen 1988, ch. 2), written out."""
    df = n1 + n2 - 2
    noncentrality = d * np.sqrt(n1 * n2 / (n1 + n2))
    critical = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality)


def _power_paired(d: float, n: int, alpha: float = 0.05) -> float:
    df = n - 1
    noncentrality = d * np.sqrt(n)
    critical = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality)


@pytest.mark.parametrize(("d", "n_per_group"), [(0.2, 393), (0.5, 64), (0.8, 26)])
def test_cohen_table_sample_sizes(d, n_per_group):
    # Cohen (1988) Table 2.4.1, alpha = .05 two-sided, power = .80. The table uses a normal
    # approximation with a correction, so the exact noncentral-t n may differ by one (393.4 -> 394 at d = .2).
    n = TTestIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, ratio=1.0)
    assert abs(int(np.ceil(n)) - n_per_group) <= 1
    if d == 0.5:
        assert int(np.ceil(n)) == 64 and n == pytest.approx(63.77, abs=0.01)
    mde = minimum_detectable_effect(n_per_group, n_per_group)
    assert mde == pytest.approx(d, abs=0.01)


def test_mde_has_the_target_power_by_noncentral_t():
    mde = minimum_detectable_effect(120, 60)
    assert _power_two_sample(mde, 120, 60) == pytest.approx(0.8, abs=1e-6)
    paired = minimum_detectable_effect(90)
    assert _power_paired(paired, 90) == pytest.approx(0.8, abs=1e-6)
    assert achieved_power(mde, 120, 60) == pytest.approx(0.8, abs=1e-6)


def test_power_table_reproduces_statsmodels():
    table = power_table(n_participants=(120,), response_rates=(0.75, 1.0), sd_change=10.0)
    row = table[table["response_rate"] == 0.75].iloc[0]
    assert (row["n_participants_linked"], row["n_comparison_linked"]) == (90, 45)
    direct = TTestIndPower().solve_power(effect_size=None, nobs1=90, ratio=0.5, alpha=0.05, power=0.8)
    assert row["mde_d_between_groups"] == pytest.approx(float(np.squeeze(direct)), rel=1e-12)
    direct_paired = TTestPower().solve_power(effect_size=None, nobs=90, alpha=0.05, power=0.8)
    assert row["mde_d_paired"] == pytest.approx(float(np.squeeze(direct_paired)), rel=1e-12)
    assert row["mde_between_groups_points"] == pytest.approx(10 * row["mde_d_between_groups"])
    # more answers, smaller detectable effect
    assert table["mde_d_between_groups"].is_monotonic_decreasing


def test_power_sentence_for_the_application():
    sentence = power_sentence(120, 60)
    mde = minimum_detectable_effect(120, 60)
    assert sentence.startswith("With 120 participants and 60 comparison respondents")
    assert f"d = {mde:.2f}" in sentence and "80% power" in sentence
    assert round(mde, 2) == 0.45


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="alpha"):
        minimum_detectable_effect(10, 10, alpha=1.5)
    with pytest.raises(ValueError, match="at least 2"):
        minimum_detectable_effect(1, 10)
