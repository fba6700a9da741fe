"""Do two groups read the items alike? Item-level differential item functioning (DIF) with ordinal logistic regression.

An item shows DIF when respondents of two groups with the same standing on the scale answer it
differently. For every item the answers are modelled with a proportional-odds model
(:class:`statsmodels.miscmodels.ordinal_model.OrderedModel`) in three nested steps (Zumbo 1999;
Swaminathan & Rogers 1990 for the binary case):

1. the matching criterion only: the respondent's rest score (mean of the scale's other items);
2. + group (uniform DIF: one group answers higher at every level of the criterion);
3. + group x criterion (non-uniform DIF: the difference depends on the level).

The likelihood-ratio test of 3 against 1 (2 df) tests any DIF; 2 against 1 and 3 against 2 tell
uniform from non-uniform. Statistical significance alone flags trivial DIF in large samples, so
the effect size is the change in Nagelkerke's R-squared from step 1 to step 3, classified as
negligible (< 0.035), moderate (0.035-0.070) or large (>= 0.070) (Jodoin & Gierl 2001); an item is
flagged when its Holm-adjusted p-value is below alpha *and* the effect is at least moderate.

Group differences in the criterion itself (impact) are not DIF: the model compares respondents
at the same criterion level.

References
----------
Zumbo, B. D. (1999). A Handbook on the Theory and Methods of Differential Item Functioning (DIF):
    Logistic Regression Modeling as a Unitary Framework for Binary and Likert-Type (Ordinal) Item
    Scores. Ottawa: Directorate of Human Resources Research and Evaluation, Department of National
    Defense.
Swaminathan, H. & Rogers, H. J. (1990). Detecting differential item functioning using logistic
    regression procedures. Journal of Educational Measurement 27(4), 361-370.
Jodoin, M. G. & Gierl, M. J. (2001). Evaluating type I error and power rates using an effect size
    measure with the logistic regression procedure for DIF detection. Applied Measurement in
    Education 14(4), 329-349.
Nagelkerke, N. J. D. (1991). A note on a general definition of the coefficient of determination.
    Biometrika 78(3), 691-692.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

#: Jodoin & Gierl (2001) bounds of the Nagelkerke R-squared change: moderate from, large from.
DIF_EFFECT_BOUNDS: tuple[float, float] = (0.035, 0.070)

DIF_COLUMNS = ["item", "n", "n_reference", "n_focal", "odds_ratio", "or_ci_low", "or_ci_high", "lr_dif",
               "p_dif", "p_uniform", "p_nonuniform", "delta_r2", "effect", "p_holm", "flagged"]


def _nagelkerke(ll_null: float, ll_model: float, n: int) -> float:
    """Nagelkerke (1991) R-squared from the log-likelihoods of the null and the fitted model."""
    cox_snell = 1 - np.exp(2 * (ll_null - ll_model) / n)
    return float(cox_snell / (1 - np.exp(2 * ll_null / n)))


def _fit(outcome: pd.Series, design: pd.DataFrame) -> tuple[float, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=HessianInversionWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        fit = OrderedModel(outcome, design, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
    return float(fit.llf), fit


def ordinal_dif(
    items: pd.DataFrame,
    group: pd.Series,
    *,
    reference: str,
    focal: str,
    alpha: float = 0.05,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Ordinal logistic-regression DIF of every item of one scale between two groups.

    Parameters
    ----------
    items
        The items of one scale: one column per item (integer codes, reverse-keyed items recoded),
        one row per respondent, NaN for no answer. At least two items.
    group
        Group of each respondent (aligned with ``items``); rows of other groups are left out.
    reference, focal
        The two groups compared; the odds ratio is focal against reference.
    alpha
        Level of the Holm-adjusted test that, with a moderate or large effect, flags an item.
    ci
        Confidence level of the odds-ratio interval.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item, n, n_reference, n_focal, odds_ratio`` (focal vs reference at the
        same rest score, step 2) ``or_ci_low, or_ci_high, lr_dif`` (likelihood-ratio chi-squared,
        step 3 vs 1, 2 df) ``p_dif, p_uniform, p_nonuniform, delta_r2`` (Nagelkerke R-squared
        change, step 3 vs 1) ``effect`` (negligible / moderate / large), ``p_holm`` (over the
        items) and ``flagged``. An item with fewer than three observed answer codes gets NaN.
    """
    if items.shape[1] < 2:
        raise ValueError(f"DIF needs a scale of at least two items, got {list(items.columns)}")
    keep = group.astype("string").isin([reference, focal]).fillna(False).to_numpy()
    data = items[keep].astype("float64")
    is_focal = (group[keep].astype("string") == focal).to_numpy(dtype="float64")
    rows = []
    for item in data.columns:
        others = data.drop(columns=item)
        rest = others.mean(axis=1)  # person mean of the other items (half of them answered at least)
        enough = others.notna().sum(axis=1) >= max(1, others.shape[1] / 2)
        used = data[item].notna() & rest.notna() & enough
        y = data.loc[used, item].astype("int64")
        codes = np.sort(y.unique())
        n_ref, n_foc = int((is_focal[used] == 0).sum()), int((is_focal[used] == 1).sum())
        if len(codes) < 3 or min(n_ref, n_foc) < 2:
            rows.append({"item": item, "n": int(used.sum()), "n_reference": n_ref, "n_focal": n_foc})
            continue
        outcome = pd.Series(pd.Categorical(y, categories=codes, ordered=True), index=y.index)
        criterion = rest[used]
        z = (criterion - criterion.mean()) / criterion.std(ddof=0)
        g = pd.Series(is_focal[used.to_numpy()], index=y.index)
        ll1, _ = _fit(outcome, pd.DataFrame({"criterion": z}))
        ll2, fit2 = _fit(outcome, pd.DataFrame({"criterion": z, "group": g}))
        ll3, _ = _fit(outcome, pd.DataFrame({"criterion": z, "group": g, "interaction": z * g}))
        counts = np.bincount(pd.Categorical(y, categories=codes).codes)
        n = len(y)
        ll0 = float((counts * np.log(counts / n)).sum())
        lr = 2 * (ll3 - ll1)
        bounds = fit2.conf_int(alpha=1 - ci).loc["group"]
        rows.append({
            "item": item, "n": n, "n_reference": n_ref, "n_focal": n_foc,
            "odds_ratio": float(np.exp(fit2.params["group"])),
            "or_ci_low": float(np.exp(bounds[0])), "or_ci_high": float(np.exp(bounds[1])),
            "lr_dif": lr, "p_dif": float(stats.chi2.sf(max(lr, 0.0), 2)),
            "p_uniform": float(stats.chi2.sf(max(2 * (ll2 - ll1), 0.0), 1)),
            "p_nonuniform": float(stats.chi2.sf(max(2 * (ll3 - ll2), 0.0), 1)),
            "delta_r2": _nagelkerke(ll0, ll3, n) - _nagelkerke(ll0, ll1, n),
        })
    table = pd.DataFrame(rows).reindex(columns=DIF_COLUMNS)
    tested = table["p_dif"].notna().to_numpy()
    table["p_holm"] = np.nan
    if tested.any():
        table.loc[tested, "p_holm"] = multipletests(table.loc[tested, "p_dif"], method="holm")[1]
    moderate, large = DIF_EFFECT_BOUNDS
    effect = np.select([table["delta_r2"] >= large, table["delta_r2"] >= moderate, table["delta_r2"].notna()],
                       ["large", "moderate", "negligible"], default="")
    table["effect"] = pd.array(np.where(effect == "", None, effect), dtype="string")
    table["flagged"] = ((table["p_holm"] < alpha) & (table["delta_r2"] >= moderate)).fillna(False).astype(bool)
    for column in ("n", "n_reference", "n_focal"):
        table[column] = table[column].astype("Int64")
    return table
