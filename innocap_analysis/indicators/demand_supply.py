"""Need versus supply: importance-performance analysis, need-supply gaps, awareness, priorities.

All functions work on the tidy scores of :func:`innocap_analysis.scoring.score_dimensions`
(0-100 scale, so that importance, capability and supply items with different response
scales are comparable) or on a :class:`~innocap_analysis.survey.Survey`. Group tables carry
their respondent counts and pass through :mod:`innocap_analysis.disclosure` (threshold rule,
attribute rule on shares, secondary suppression).

References
----------
Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing 41(1), 77-79 (quadrants; here cut at the grand means, the "data-centred" variant
    of Bacon 2003, Int. J. Market Research 45(1), 55-71).
Welch, B. L. (1947). Biometrika 34, 28-35 (interval for a difference of means, unequal variances).
Wilson, E. B. (1927). JASA 22(158), 209-212 (interval for a proportion).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from .. import config
from ..disclosure import protect_groups, protect_rows
from ..survey import Codebook, Survey

#: Quadrant labels of Martilla & James (1977), keyed by (importance high?, capability high?).
IPA_QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}

IPA_RULE = (
    "Quadrants cut at the grand means (unweighted mean over the dimensions shown in the panel, suppressed "
    "cells excluded) of mean importance and mean capability, both on 0-100; a value equal to the grand "
    "mean counts as high (Martilla & James 1977)."
)

PRIORITY_RULE = (
    "Priority modules per region: dimensions ranked by the need gap, mean importance minus mean "
    "capability (0-100 points), largest gap first; ties broken by higher importance, then dimension "
    "order of the codebook. Dimensions with a suppressed group (n below the minimum cell size) are not ranked."
)


def _require(scores: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in scores.columns]
    if missing:
        raise KeyError(f"scores lack columns {missing} (have {list(scores.columns)})")


def _mean_ci(values: pd.Series, ci: float) -> pd.Series:
    """n, mean and t-interval of the mean (``DescrStatsW.tconfint_mean``)."""
    values = values.dropna().to_numpy(dtype="float64")
    if len(values) < 2:
        return pd.Series({"n": len(values), "mean": values.mean() if len(values) else np.nan,
                          "ci_low": np.nan, "ci_high": np.nan})
    low, high = DescrStatsW(values).tconfint_mean(alpha=1 - ci)
    return pd.Series({"n": len(values), "mean": values.mean(), "ci_low": low, "ci_high": high})


def role_means(
    scores: pd.DataFrame,
    role: str,
    by: Sequence[str] = ("region",),
    *,
    value: str = "score_0_100",
    ci: float = 0.95,
    stakeholders: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean score of one item role per dimension and ``by`` group with a t confidence interval.

    ``stakeholders`` restricts the respondents (for example demand as seen by ``public_sector``).
    Returns ``*by, dimension, n, mean, ci_low, ci_high`` (``value`` units); not yet suppressed.
    """
    by = list(by)
    _require(scores, ["role", "dimension", value, *by])
    subset = scores[scores["role"] == role]
    if stakeholders is not None:
        subset = subset[subset["stakeholder"].isin(list(stakeholders))]
    if subset.empty:
        raise ValueError(f"no scores with role {role!r} (stakeholders={stakeholders})")
    keys = [*by, "dimension"]
    groups = subset.groupby(keys, observed=True, sort=True)[value]
    table = pd.DataFrame({key: _mean_ci(values, ci) for key, values in groups}).T
    table.index = table.index.set_names(keys)
    table["n"] = table["n"].astype("int64")
    return table.reset_index()


def need_supply_gap(
    scores: pd.DataFrame,
    by: Sequence[str] = ("region",),
    *,
    need_role: str = "importance",
    supply_role: str = "supply",
    need_stakeholders: Sequence[str] | None = None,
    supply_stakeholders: Sequence[str] | None = None,
    ci: float = 0.95,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Need (importance) versus supply per dimension and group, with the gap and its CI.

    Need and supply are means of the 0-100 scores with t intervals; the gap ``need - supply``
    has a Welch (1947) interval (``CompareMeans.tconfint_diff(usevar="unequal")``), which treats
    the two sets of answers as independent samples (supply is answered by SMEs and universities,
    need by whoever ``need_stakeholders`` selects, default everyone).

    Returns
    -------
    pandas.DataFrame
        ``*by, dimension, need_n, need_mean, need_ci_low, need_ci_high, supply_n, supply_mean,
        supply_ci_low, supply_ci_high, gap, gap_ci_low, gap_ci_high, n, suppressed`` (0-100 points);
        groups where either side has fewer than ``min_n`` answers are masked, with secondary
        suppression across the groups (:func:`~innocap_analysis.disclosure.protect_groups`).
    """
    by = list(by)
    keys = [*by, "dimension"]
    need = role_means(scores, need_role, by, ci=ci, stakeholders=need_stakeholders).set_index(keys)
    supply = role_means(scores, supply_role, by, ci=ci, stakeholders=supply_stakeholders).set_index(keys)
    table = need.add_prefix("need_").join(supply.add_prefix("supply_"), how="outer")
    table["gap"] = table["need_mean"] - table["supply_mean"]

    need_values = _values_by_group(scores, need_role, keys, need_stakeholders)
    supply_values = _values_by_group(scores, supply_role, keys, supply_stakeholders)
    empty = np.array([], dtype="float64")

    def welch(key) -> tuple[float, float]:
        key = key if isinstance(key, tuple) else (key,)  # a one-level index yields scalars, groupby tuples
        a, b = need_values.get(key, empty), supply_values.get(key, empty)
        if len(a) < 2 or len(b) < 2:
            return np.nan, np.nan
        return CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(alpha=1 - ci, usevar="unequal")

    bounds = np.array([welch(key) for key in table.index], dtype="float64").reshape(-1, 2)
    table["gap_ci_low"], table["gap_ci_high"] = bounds[:, 0], bounds[:, 1]
    table = table.reset_index()
    for side in ("need_n", "supply_n"):
        table[side] = table[side].fillna(0).astype("int64")
    # n: respondents behind the weaker side; each side's group sizes are protected on their own
    table["n"] = table[["need_n", "supply_n"]].min(axis=1)
    return protect_groups(table, by, within=["dimension"], counts=["need_n", "supply_n"], min_n=min_n)


def _values_by_group(
    scores: pd.DataFrame, role: str, keys: list[str], stakeholders: Sequence[str] | None
) -> dict[object, np.ndarray]:
    """Valid 0-100 scores of one role per group key (same keys as ``role_means``' index)."""
    subset = scores[scores["role"] == role]
    if stakeholders is not None:
        subset = subset[subset["stakeholder"].isin(list(stakeholders))]
    subset = subset.dropna(subset=["score_0_100"])
    return {key: part.to_numpy(dtype="float64")
            for key, part in subset.groupby(keys, observed=True, sort=True)["score_0_100"]}


def ipa_table(
    scores: pd.DataFrame,
    by: Sequence[str] = (),
    *,
    importance_role: str = "importance",
    capability_role: str = "capability",
    ci: float = 0.95,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Importance-performance table: mean importance and capability per dimension, with quadrant.

    The quadrant rule is :data:`IPA_RULE`: cuts at the grand means over the dimensions within each
    ``by`` panel (data-centred IPA).

    Returns
    -------
    pandas.DataFrame
        ``*by, dimension, importance_n, importance_mean, importance_ci_low, importance_ci_high,
        capability_n, capability_mean, capability_ci_low, capability_ci_high, importance_cut,
        capability_cut, quadrant, n`` (0-100 points).
    """
    by = list(by)
    keys = [*by, "dimension"]
    scores = scores.assign(_all="all") if not by else scores
    group_by = by or ["_all"]
    importance = role_means(scores, importance_role, group_by, ci=ci).set_index([*group_by, "dimension"])
    capability = role_means(scores, capability_role, group_by, ci=ci).set_index([*group_by, "dimension"])
    table = importance.add_prefix("importance_").join(capability.add_prefix("capability_"), how="outer")
    table = table.reset_index()
    table["n"] = table[["importance_n", "capability_n"]].min(axis=1)
    table = protect_groups(table, group_by, within=["dimension"], counts=["importance_n", "capability_n"],
                           min_n=min_n)
    panel = table.groupby(group_by, observed=True, sort=False)
    table["importance_cut"] = panel["importance_mean"].transform("mean")
    table["capability_cut"] = panel["capability_mean"].transform("mean")
    high_importance = (table["importance_mean"] >= table["importance_cut"]).fillna(False).astype(bool)
    high_capability = (table["capability_mean"] >= table["capability_cut"]).fillna(False).astype(bool)
    known = (table["importance_mean"].notna() & table["capability_mean"].notna()).to_numpy(dtype=bool)
    quadrant = [IPA_QUADRANTS[(i, c)] for i, c in zip(high_importance, high_capability, strict=True)]
    table["quadrant"] = pd.array(np.where(known, quadrant, None), dtype="string")
    if not by:
        table = table.drop(columns="_all")
    columns = [*keys] + [c for c in table.columns if c not in keys]
    return table[columns]


def priority_modules(ipa: pd.DataFrame, by: Sequence[str] = ("region",), codebook_order: Sequence[str] = ()) -> pd.DataFrame:
    """Rank the dimensions (training / capability modules) per group by :data:`PRIORITY_RULE`.

    Parameters
    ----------
    ipa
        Output of :func:`ipa_table` with the same ``by``.
    codebook_order
        Dimension order used as the last tie-breaker (default alphabetical).

    Returns
    -------
    pandas.DataFrame
        ``*by, rank, dimension, need_gap, importance_mean, capability_mean, quadrant`` and ``n``
        (respondents behind the smaller of the two means), with ``rank`` 1 = highest priority.
    """
    by = list(by)
    _require(ipa, [*by, "dimension", "importance_mean", "capability_mean", "quadrant"])
    table = ipa.dropna(subset=["importance_mean", "capability_mean"]).copy()
    table["need_gap"] = table["importance_mean"] - table["capability_mean"]
    order = list(codebook_order) or sorted(table["dimension"].unique())
    table["_order"] = table["dimension"].map({d: i for i, d in enumerate(order)})
    table = table.sort_values([*by, "need_gap", "importance_mean", "_order"],
                              ascending=[True] * len(by) + [False, False, True], kind="stable")
    table["rank"] = table.groupby(by, observed=True).cumcount() + 1 if by else np.arange(1, len(table) + 1)
    columns = [*by, "rank", "dimension", "need_gap", "importance_mean", "capability_mean", "quadrant"]
    return table[columns + (["n"] if "n" in table else [])].reset_index(
        drop=True
    )


def awareness_shares(
    survey: Survey,
    by: Sequence[str] = ("region",),
    *,
    role: str = "awareness",
    aware_codes: Sequence[int] | None = None,
    stakeholders: Sequence[str] | None = None,
    ci: float = 0.95,
    pooled: str | None = None,
    min_n: int = config.MIN_CELL_SIZE,
    min_group_for_extremes: int = config.MIN_GROUP_FOR_EXTREMES,
) -> pd.DataFrame:
    """Share of respondents aware of each item, per group, with Wilson (1927) intervals.

    Parameters
    ----------
    aware_codes
        Answer codes that count as "aware". Default: the codes above the midpoint of each item's
        scale (for a no=0 / yes=1 item, code 1).
    by
        Profile columns to group by.
    stakeholders
        Restrict to these stakeholder types (e.g. ``["public_sector"]``: are public bodies aware of
        what SMEs and universities offer?); default everyone.

    pooled
        Label of an extra row per item that pools every group (e.g. ``"all"``; one ``by`` column only).
        Where the groups' counts are masked, the pooled share still shows the finding.
    min_n, min_group_for_extremes
        Disclosure rules (:func:`~innocap_analysis.disclosure.protect_rows`): the counts of aware,
        not aware (implied) and don't-know respondents get the threshold rule, a share of 0% or 100%
        from fewer than ``min_group_for_extremes`` answers is masked, and secondary suppression keeps
        the masked counts from being recovered from the pooled row.

    Returns
    -------
    pandas.DataFrame
        ``item, *by, n (substantive answers), n_aware, share, ci_low, ci_high, n_dont_know, suppressed``;
        shares are proportions 0-1 of substantive answers; don't-know answers are counted apart.
    """
    by = list(by)
    codebook = survey.codebook
    items = codebook.items_for(role=role)
    if not items:
        raise ValueError(f"codebook has no items with role {role!r}")
    responses = survey.responses
    reasons = survey.missing_reasons
    if stakeholders is not None:
        keep = responses["stakeholder"].isin(list(stakeholders)).to_numpy()
        responses, reasons = responses[keep], reasons[keep]
    frames = []
    for item in items:
        scale = codebook.scales[item.scale]
        codes = (
            list(aware_codes)
            if aware_codes is not None
            else [c for c in scale.levels if c > (scale.min_code + scale.max_code) / 2]
        )
        answer = responses[item.id]
        frame = responses[by].copy()
        frame["answered"] = answer.notna().to_numpy()
        frame["aware"] = answer.isin(codes).fillna(False).to_numpy(dtype=bool)
        frame["dont_know"] = (reasons[item.id] == "dont_know").fillna(False).to_numpy(dtype=bool)
        summed = frame.groupby(by, observed=False, sort=True)[["answered", "aware", "dont_know"]].sum()
        summed.insert(0, "item", item.id)
        frames.append(summed.reset_index())
    table = pd.concat(frames, ignore_index=True).rename(
        columns={"answered": "n", "aware": "n_aware", "dont_know": "n_dont_know"}
    )
    if pooled is not None:
        if len(by) != 1:
            raise ValueError("a pooled row needs exactly one `by` column")
        table[by[0]] = table[by[0]].astype(str)
        totals = table.groupby("item", sort=False)[["n", "n_aware", "n_dont_know"]].sum().reset_index()
        table = pd.concat([table, totals.assign(**{by[0]: pooled})], ignore_index=True)
    n = table["n"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = np.where(n > 0, table["n_aware"] / np.where(n > 0, n, 1), np.nan)
        low, high = proportion_confint(table["n_aware"], np.where(n > 0, n, 1), alpha=1 - ci, method="wilson")
    table["ci_low"] = np.where(n > 0, low, np.nan)
    table["ci_high"] = np.where(n > 0, high, np.nan)
    table = table[["item", *by, "n", "n_aware", "share", "ci_low", "ci_high", "n_dont_know"]]
    derived = {column: ["n_aware", "n"] for column in ("share", "ci_low", "ci_high")}
    return protect_rows(table, keys=["item", *by], total="n", parts=["n_aware"], complement="n_not_aware",
                        other_counts=["n_dont_know"], extremes=["n_aware"], derived=derived,
                        pooled=(by[0], pooled) if pooled is not None else None, min_n=min_n,
                        min_group_for_extremes=min_group_for_extremes)


def item_texts(codebook: Codebook, role: str, language: str = "en") -> pd.DataFrame:
    """The statements of a role's items (``item``, ``text``), as quoted in the findings."""
    items = codebook.items_for(role=role)
    return pd.DataFrame({"item": [i.id for i in items], "text": [i.text[language] for i in items]})
