"""Capability profiles: group means, their heatmap layout, Likert counts and pairwise tests per dimension.

Thin compositions of :mod:`innocap_analysis.indicators.demand_supply`, :mod:`innocap_analysis.stats.compare`
and :mod:`innocap_analysis.survey.scoring` that the notebooks call, so that the notebooks
hold no analysis logic. Every table of respondents goes through :mod:`innocap_analysis.disclosure`.
"""

from __future__ import annotations

import pandas as pd

from .. import config
from ..disclosure import protect_groups, protect_pairs, protect_rows
from ..stats.compare import pairwise_comparisons
from ..survey import Survey
from ..survey.scoring import item_response_counts
from .demand_supply import role_means


def capability_by_group(
    scores: pd.DataFrame,
    by: str = "region",
    *,
    role: str = "capability",
    stakeholders: list[str] | None = None,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Mean 0-100 score per group and dimension with a t 95% interval, small groups suppressed.

    Parameters
    ----------
    scores
        Output of :func:`innocap_analysis.scoring.score_dimensions`.
    by
        Profile column to group by (``region``, ``stakeholder``, ...).

    Returns
    -------
    pandas.DataFrame
        ``<by>, dimension, n, mean, ci_low, ci_high, suppressed``; groups below ``min_n`` are masked,
        with secondary suppression across the groups of each dimension
        (:func:`~innocap_analysis.disclosure.protect_groups`).
    """
    means = role_means(scores, role, by=(by,), stakeholders=stakeholders)
    return protect_groups(means, [by], within=["dimension"], min_n=min_n)


def heatmap_layout(
    table: pd.DataFrame, by: str = "region", *, columns: str = "dimension", value: str = "mean", n: str = "n"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pivot a tidy group table into (values, n) wide tables: rows ``by``, columns ``columns``.

    Row and column order follow their first appearance in the tidy table.
    """
    tidy = table.assign(**{by: table[by].astype(str), columns: table[columns].astype(str)})
    rows = list(dict.fromkeys(tidy[by]))
    cols = list(dict.fromkeys(tidy[columns]))
    values = tidy.pivot(index=by, columns=columns, values=value).reindex(index=rows, columns=cols)
    counts = tidy.pivot(index=by, columns=columns, values=n).reindex(index=rows, columns=cols)
    return values.astype("Float64").astype(float), counts


def dimension_items(survey: Survey, dimension: str, role: str = "capability") -> list[str]:
    """Ids of a dimension's items of one role, in codebook order."""
    return [item.id for item in survey.codebook.items_for(dimension=dimension, role=role)]


def scale_labels(survey: Survey, scale: str, language: str = "en") -> dict[int, str]:
    """Ordered ``code -> label`` of a codebook scale in one language."""
    levels = survey.codebook.scales[scale].levels
    return {int(code): labels[language] for code, labels in sorted(levels.items())}


def likert_counts(survey: Survey, dimension: str, role: str = "capability", by: list[str] | None = None,
                  min_n: int = config.MIN_CELL_SIZE,
                  min_group_for_extremes: int = config.MIN_GROUP_FOR_EXTREMES) -> pd.DataFrame:
    """Answer counts of a dimension's items for a Likert chart (see :func:`item_response_counts`).

    Items answered by fewer than ``min_n`` respondents (all categories together) are removed
    rather than drawn from a handful of answers. The counts of each answer category then go through
    :func:`~innocap_analysis.disclosure.protect_rows`: a category of 1 to ``min_n - 1`` respondents (or
    0%/100% of fewer than ``min_group_for_extremes``) is masked (``count`` is ``<NA>``, ``masked`` is
    True), with a second category where needed so that it cannot be recovered from ``n``, the number of
    substantive answers the chart prints. ``reverse_keyed`` marks the items worded negatively (agreeing
    means *less* capability), which the chart labels as such.
    """
    counts = item_response_counts(survey, dimension_items(survey, dimension, role), by=by)
    keys = ["item", *(by or [])]
    totals = counts.groupby(keys, observed=True)["count"].transform("sum")
    reverse = {item.id: bool(item.reverse) for item in survey.codebook.items}
    counts = counts.assign(reverse_keyed=counts["item"].astype(str).map(reverse).fillna(False).astype(bool))
    counts = counts[totals >= min_n].reset_index(drop=True)
    if counts.empty:
        return counts.assign(n=pd.Series(dtype="Int64"), masked=pd.Series(dtype=bool))
    category = counts["category"].astype(str)
    wide = counts.assign(category=category).pivot_table(index=keys, columns="category", values="count",
                                                          aggfunc="sum", observed=True).reset_index()
    levels = [c for c in pd.unique(category) if c != "dont_know"]
    wide["n"] = wide[levels].sum(axis=1)
    others = ["dont_know"] if "dont_know" in wide else []
    protected = protect_rows(wide, keys=keys, total="n", parts=levels, other_counts=others, extremes=levels,
                             min_n=min_n, min_group_for_extremes=min_group_for_extremes)
    long = protected.melt(id_vars=[*keys, "n"], value_vars=[*levels, *others], var_name="category",
                          value_name="_count")
    out = counts.assign(category=category).merge(long, on=[*keys, "category"], how="left", validate="1:1")
    out["count"] = out["_count"].astype("Int64")
    out["masked"] = out["count"].isna().to_numpy()
    out["n"] = out["n"].astype("Int64")
    return out.drop(columns="_count")


def pairwise_by_dimension(
    scores: pd.DataFrame,
    group: str = "region",
    *,
    role: str = "capability",
    method: str = "mannwhitney",
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Pairwise group comparisons (Mann-Whitney or Dunn, Cliff's delta, Holm/BH) within each dimension.

    The p-value adjustment is done within each dimension's family of pairs, as in
    :func:`innocap_analysis.compare.pairwise_comparisons`.
    """
    selected = scores[(scores["role"] == role) & scores["score_0_100"].notna()]
    tables = [  # protected once below, across the dimensions (min_n=1 masks nothing here)
        pairwise_comparisons(part, "score_0_100", group, method=method, min_n=1).assign(dimension=dim)
        for dim, part in selected.groupby("dimension", sort=False)
    ]
    out = pd.concat(tables, ignore_index=True).drop(columns="suppressed")
    out = out[["dimension", *[c for c in out.columns if c != "dimension"]]]
    return protect_pairs(out, within=["dimension"], min_n=min_n)


def barrier_shares(
    survey: Survey,
    by: str = "region",
    *,
    question: str = "BAR",
    stakeholders: list[str] | None = None,
    min_n: int = config.MIN_CELL_SIZE,
    min_group_for_extremes: int = config.MIN_GROUP_FOR_EXTREMES,
) -> pd.DataFrame:
    """Share of respondents naming each option of a multi-select question, per group.

    The denominator is the group's respondents who answered the question at all (selected
    at least one option); respondents with no option selected cannot be told apart from
    skipping it, so they are counted in ``n_no_selection`` instead.

    Returns
    -------
    pandas.DataFrame
        ``<by>, option, n, n_selected, share, n_no_selection, suppressed``. Disclosure control
        (:func:`~innocap_analysis.disclosure.protect_rows`): the counts of respondents who named an
        option, who did not (implied) and who named none get the threshold rule, shares of 0% or 100%
        from small groups the attribute rule, and ``n`` (shown once per option) secondary suppression.
    """
    spec = survey.codebook.multi_select[question]
    responses = survey.responses
    if stakeholders is not None:
        responses = responses[responses["stakeholder"].isin(stakeholders)]
    chosen = responses[spec.columns].astype("boolean").fillna(False)
    answered = chosen.any(axis=1)
    groups = responses[by].astype(str)
    n = answered.groupby(groups).sum()
    no_selection = (~answered).groupby(groups).sum()
    selected = chosen[answered].groupby(groups[answered]).sum().reindex(n.index, fill_value=0)
    selected.columns = list(spec.options)
    long = selected.reset_index(names=by).melt(id_vars=by, var_name="option", value_name="n_selected")
    long["n"] = long[by].map(n).astype("int64")
    long["share"] = long["n_selected"] / long["n"].where(long["n"] > 0)
    long["n_no_selection"] = long[by].map(no_selection).astype("int64")
    long = long[[by, "option", "n", "n_selected", "share", "n_no_selection"]]
    return protect_rows(long, keys=[by, "option"], total="n", parts=["n_selected"], complement="n_not_selected",
                        other_counts=["n_no_selection"], extremes=["n_selected"], derived={"share": ["n_selected", "n"]},
                        shared_by=[by], min_n=min_n, min_group_for_extremes=min_group_for_extremes)
