"""Need and supply: importance-performance analysis, need beside supply, awareness.

All functions work on the tidy scores of :func:`innocap_analysis.survey.scoring.score_dimensions`
(0-100 scale) or on a :class:`~innocap_analysis.survey.Survey`. Group tables carry their respondent
counts and pass through :mod:`innocap_analysis.disclosure` (threshold rule, attribute rule on shares,
secondary suppression).

Gaps on comparable ground. In instrument v1 the need of a dimension is one 5-point importance
item, the capability a 6-item agreement scale, and the supply one "we can offer this" agreement
item answered by SMEs and universities. These are different constructs: rescaling each to 0-100
does not make their difference meaningful. This module therefore sets them *side by side*
(:func:`ipa_table`, :func:`need_and_supply`) and never subtracts them. Like-for-like gaps need the
matched items of instrument v2 (:mod:`innocap_analysis.indicators.matched`); priorities with their
uncertainty are in :mod:`innocap_analysis.indicators.priorities`.

Where respondents share organisations (the survey has ``organisation_key``), every interval is
cluster-robust by organisation (:mod:`innocap_analysis.stats.clustered`); without the key each
respondent is its own cluster and the intervals are the usual t and Wilson intervals.

References
----------
- Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. Journal of
  Marketing 41(1), 77-79 (quadrants).
- Bacon, D. R. (2003). A comparison of approaches to importance-performance analysis.
  International Journal of Market Research 45(1), 55-71 (data-centred cuts).
- Wilson, E. B. (1927). JASA 22(158), 209-212 (interval for a proportion).
- Korn, E. L. & Graubard, B. I. (1998). Survey Methodology 24(2), 193-201 (effective sample size).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from .. import config
from ..disclosure import protect_groups, protect_rows
from ..stats.clustered import clustered_means, clustered_shares
from ..survey import Codebook, Survey

#: The column that groups respondents of one organisation (pseudonymised by the loader).
ORGANISATION_KEY = "organisation_key"

#: Quadrant labels of Martilla & James (1977), keyed by (importance high?, capability high?).
IPA_QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}

#: The IPA cut rules :func:`ipa_table` knows.
IpaCut = Literal["grand_mean", "midpoint"]

IPA_RULE = (
    "Quadrants cut at one pair of lines for every panel: the grand means across all partner regions and "
    "dimensions shown (unweighted mean of the published region x dimension means; suppressed cells excluded) of "
    "mean importance and mean capability, each on 0-100; a value equal to the cut counts as high (Martilla & James "
    "1977; data-centred cuts, Bacon 2003). One cut for all regions, so that a quadrant means the same in every "
    "panel, and a dimension above the importance cut always ranks above one below it in the same region."
)

NEED_SUPPLY_RULE = (
    "Need and supply are different questions in instrument v1: need is the public sector's answer to one "
    "5-point importance item, supply the SMEs' and universities' agreement with one \"we can offer this\" "
    "statement. They are shown side by side, each with its 95% interval, and not subtracted."
)

#: What each v1 score measures, for labels.
V1_CONSTRUCTS: dict[str, str] = {
    "importance": "importance of developing it (one 5-point importance item)",
    "capability": "self-rated capability (6-item agreement scale)",
    "supply": "\"we can offer this\" (one 5-point agreement item; SMEs and universities)",
}


def _require(scores: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in scores.columns]
    if missing:
        raise KeyError(f"scores lack columns {missing} (have {list(scores.columns)})")


def resolve_cluster(frame: pd.DataFrame, cluster: str | None = "auto") -> str | None:
    """The column to cluster intervals by: ``organisation_key`` when the data have it (``"auto"``).

    Parameters
    ----------
    frame
        Scores or responses.
    cluster
        ``"auto"`` (the organisation key when present and given for every row, else None), a column
        name, or None (every respondent its own cluster).
    """
    if cluster != "auto":
        return cluster
    if ORGANISATION_KEY in frame.columns and frame[ORGANISATION_KEY].notna().all() and len(frame):
        return ORGANISATION_KEY
    return None


def role_means(
    scores: pd.DataFrame,
    role: str,
    by: Sequence[str] = ("region",),
    *,
    value: str = "score_0_100",
    ci: float = 0.95,
    stakeholders: Sequence[str] | None = None,
    cluster: str | None = "auto",
) -> pd.DataFrame:
    """Mean score of one item role per dimension and ``by`` group with a cluster-robust t interval.

    ``stakeholders`` restricts the respondents (for example demand as seen by ``public_sector``).
    The interval is :func:`~innocap_analysis.stats.clustered.clustered_means` (CR1 by organisation,
    t on clusters - 1 df); without organisation keys it is the t interval of the mean.

    Returns
    -------
    pandas.DataFrame
        ``*by, dimension, n, n_clusters, mean, ci_low, ci_high`` (``value`` units); not yet suppressed.
    """
    by = list(by)
    _require(scores, ["role", "dimension", value, *by])
    subset = scores[scores["role"] == role]
    if stakeholders is not None:
        subset = subset[subset["stakeholder"].isin(list(stakeholders))]
    if subset.empty:
        raise ValueError(f"no scores with role {role!r} (stakeholders={stakeholders})")
    table = clustered_means(subset, value, [*by, "dimension"], cluster=resolve_cluster(subset, cluster), ci=ci)
    return table.drop(columns="se")


def need_and_supply(
    scores: pd.DataFrame,
    by: Sequence[str] = ("region",),
    *,
    need_role: str = "importance",
    supply_role: str = "supply",
    need_stakeholders: Sequence[str] | None = ("public_sector",),
    supply_stakeholders: Sequence[str] | None = ("sme", "hei_research"),
    ci: float = 0.95,
    min_n: int = config.MIN_CELL_SIZE,
    cluster: str | None = "auto",
) -> pd.DataFrame:
    """Need and supply per dimension and group, side by side (:data:`NEED_SUPPLY_RULE`), not subtracted.

    Need is the mean ``need_role`` score of ``need_stakeholders``; supply the mean ``supply_role``
    score of ``supply_stakeholders``; each with its cluster-robust t interval (:func:`role_means`).
    In instrument v1 the two are different questions, so no difference is formed; for the matched
    items of instrument v2 use :func:`innocap_analysis.indicators.matched.matched_gaps`.

    Returns
    -------
    pandas.DataFrame
        ``*by, dimension, need_n, need_mean, need_ci_low, need_ci_high, supply_n, supply_mean,
        supply_ci_low, supply_ci_high, n, suppressed`` (0-100 points); ``n`` is the smaller of the
        two sides, and a group where either side has fewer than ``min_n`` answers is masked, with
        secondary suppression across the groups (:func:`~innocap_analysis.disclosure.protect_groups`).
    """
    by = list(by)
    keys = [*by, "dimension"]
    columns = ["n", "mean", "ci_low", "ci_high"]
    need = role_means(scores, need_role, by, ci=ci, stakeholders=need_stakeholders, cluster=cluster)
    supply = role_means(scores, supply_role, by, ci=ci, stakeholders=supply_stakeholders, cluster=cluster)
    table = (need.set_index(keys)[columns].add_prefix("need_")
             .join(supply.set_index(keys)[columns].add_prefix("supply_"), how="outer").reset_index())
    for side in ("need_n", "supply_n"):
        table[side] = table[side].fillna(0).astype("int64")
    table["n"] = table[["need_n", "supply_n"]].min(axis=1)
    # each side's group sizes are protected on their own
    return protect_groups(table, by, within=["dimension"], counts=["need_n", "supply_n"], min_n=min_n)


def ipa_table(
    scores: pd.DataFrame,
    by: Sequence[str] = (),
    *,
    importance_role: str = "importance",
    capability_role: str = "capability",
    ci: float = 0.95,
    min_n: int = config.MIN_CELL_SIZE,
    cut: IpaCut = "grand_mean",
    cluster: str | None = "auto",
) -> pd.DataFrame:
    """Importance-performance table: mean importance and capability per dimension, with quadrant.

    Parameters
    ----------
    cut
        ``"grand_mean"`` (:data:`IPA_RULE`: one pair of cuts, the grand means across every ``by``
        group and dimension published) or ``"midpoint"`` (50 on the 0-100 scale, the scale midpoint).
        Either way every panel has the same cuts.

    Returns
    -------
    pandas.DataFrame
        ``*by, dimension, importance_n, importance_mean, importance_ci_low, importance_ci_high,
        capability_n, capability_mean, capability_ci_low, capability_ci_high, n, suppressed,
        importance_cut, capability_cut, quadrant`` (0-100 points).
    """
    if cut not in ("grand_mean", "midpoint"):
        raise ValueError(f"cut must be 'grand_mean' or 'midpoint', not {cut!r}")
    by = list(by)
    keys = [*by, "dimension"]
    scores = scores.assign(_all="all") if not by else scores
    group_by = by or ["_all"]
    columns = ["n", "mean", "ci_low", "ci_high"]
    importance = role_means(scores, importance_role, group_by, ci=ci, cluster=cluster).set_index(
        [*group_by, "dimension"])[columns]
    capability = role_means(scores, capability_role, group_by, ci=ci, cluster=cluster).set_index(
        [*group_by, "dimension"])[columns]
    table = importance.add_prefix("importance_").join(capability.add_prefix("capability_"), how="outer")
    table = table.reset_index()
    table["n"] = table[["importance_n", "capability_n"]].min(axis=1)
    table = protect_groups(table, group_by, within=["dimension"], counts=["importance_n", "capability_n"],
                           min_n=min_n)
    if cut == "grand_mean":
        table["importance_cut"] = float(table["importance_mean"].astype(float).mean())
        table["capability_cut"] = float(table["capability_mean"].astype(float).mean())
    else:
        table["importance_cut"] = table["capability_cut"] = 50.0
    high_importance = (table["importance_mean"] >= table["importance_cut"]).fillna(False).astype(bool)
    high_capability = (table["capability_mean"] >= table["capability_cut"]).fillna(False).astype(bool)
    known = (table["importance_mean"].notna() & table["capability_mean"].notna()).to_numpy(dtype=bool)
    quadrant = [IPA_QUADRANTS[(i, c)] for i, c in zip(high_importance, high_capability, strict=True)]
    table["quadrant"] = pd.array(np.where(known, quadrant, None), dtype="string")
    if not by:
        table = table.drop(columns="_all")
    columns = [*keys] + [c for c in table.columns if c not in keys]
    return table[columns]


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
    cluster: str | None = "auto",
) -> pd.DataFrame:
    """Share of respondents aware of each item, per group, with Wilson (1927) intervals.

    Where respondents share organisations (``cluster``, by default the organisation key when the
    survey has one), the Wilson interval is computed on the effective sample size n / deff
    (:func:`~innocap_analysis.stats.clustered.clustered_shares`, Korn & Graubard 1998); without it
    ``design_effect`` is 1 and the interval is Wilson's.

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
        Label of an extra row per item that pools every group (e.g. ``"all_regions"``; one ``by``
        column only). Where the groups' counts are masked, the pooled share still shows the finding.
    min_n, min_group_for_extremes
        Disclosure rules (:func:`~innocap_analysis.disclosure.protect_rows`): the counts of aware,
        not aware (implied) and don't-know respondents get the threshold rule, a share of 0% or 100%
        from fewer than ``min_group_for_extremes`` answers is masked, and secondary suppression keeps
        the masked counts from being recovered from the pooled row.

    Returns
    -------
    pandas.DataFrame
        ``item, *by, n (substantive answers), n_aware, share, ci_low, ci_high, n_dont_know,
        design_effect, suppressed``; shares are proportions 0-1 of substantive answers; don't-know
        answers are counted apart.
    """
    if pooled is not None and len(list(by)) != 1:
        raise ValueError("a pooled row needs exactly one `by` column")
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
    cluster = resolve_cluster(responses, cluster)
    frames, effects = [], []
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
        if cluster is not None:
            flags = frame.assign(aware=frame["aware"].where(frame["answered"]).astype("boolean"),
                                 **{cluster: responses[cluster].to_numpy()})
            shares = clustered_shares(flags[frame["answered"].to_numpy()], "aware", by, cluster=cluster, ci=ci)
            effects.append(shares[[*by, "design_effect"]].assign(item=item.id))
            if pooled is not None:
                overall = clustered_shares(flags[frame["answered"].to_numpy()], "aware", [], cluster=cluster, ci=ci)
                effects.append(overall[["design_effect"]].assign(item=item.id, **{by[0]: pooled}))
    table = pd.concat(frames, ignore_index=True).rename(
        columns={"answered": "n", "aware": "n_aware", "dont_know": "n_dont_know"}
    )
    if pooled is not None:
        table[by[0]] = table[by[0]].astype(str)
        totals = table.groupby("item", sort=False)[["n", "n_aware", "n_dont_know"]].sum().reset_index()
        table = pd.concat([table, totals.assign(**{by[0]: pooled})], ignore_index=True)
    if effects:
        deff = pd.concat(effects, ignore_index=True).astype({k: str for k in by})
        table = table.astype({k: str for k in by}).merge(deff, on=["item", *by], how="left")
        for key in by:  # back to the categories of the survey (a pooled row keeps the labels as text)
            table[key] = pd.Categorical(table[key], categories=responses[key].cat.categories) if isinstance(
                responses[key].dtype, pd.CategoricalDtype) and pooled is None else table[key]
    table["design_effect"] = table["design_effect"].fillna(1.0) if "design_effect" in table else 1.0
    n = table["n"].to_numpy()
    n_eff = n / table["design_effect"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = np.where(n > 0, table["n_aware"] / np.where(n > 0, n, 1), np.nan)
        low, high = proportion_confint(table["share"].fillna(0) * n_eff, np.where(n > 0, n_eff, 1), alpha=1 - ci,
                                       method="wilson")
    table["ci_low"] = np.where(n > 0, low, np.nan)
    table["ci_high"] = np.where(n > 0, high, np.nan)
    table = table[["item", *by, "n", "n_aware", "share", "ci_low", "ci_high", "n_dont_know", "design_effect"]]
    derived = {column: ["n_aware", "n"] for column in ("share", "ci_low", "ci_high")}
    return protect_rows(table, keys=["item", *by], total="n", parts=["n_aware"], complement="n_not_aware",
                        other_counts=["n_dont_know"], extremes=["n_aware"], derived=derived,
                        pooled=(by[0], pooled) if pooled is not None else None, min_n=min_n,
                        min_group_for_extremes=min_group_for_extremes)


def item_texts(codebook: Codebook, role: str, language: str = "en") -> pd.DataFrame:
    """The statements of a role's items (``item``, ``text``), as quoted in the findings."""
    items = codebook.items_for(role=role)
    return pd.DataFrame({"item": [i.id for i in items], "text": [i.text[language] for i in items]})
