"""Which need comes first, and how sure is that? Priority ranks with their sampling uncertainty.

The priority of a capacity-building module in a region is the public sector's need for it. In
instrument v1 that is the one importance item per dimension: the same question and the same
5-point scale for every dimension, so two dimensions' needs compare like for like (unlike
importance against capability, :mod:`~innocap_analysis.indicators.demand_supply`). With the
matched items of instrument v2 the need can be the matched need gap
(:func:`~innocap_analysis.indicators.matched.matched_need_gap_scores`).

With 15-30 public bodies per region, two needs a few points apart cannot be told apart. So each
rank comes with its uncertainty, from one bootstrap that resamples whole organisations (clusters;
respondents when there is no organisation key) within each region, keeping every respondent's
answers to all dimensions together (a paired, within-respondent comparison):

* ``p_rank1``: the share of resamples in which the dimension has the highest mean need. The
  ranking is redone inside every resample, over the whole selection of dimensions, so the
  probability does not condition on the dimension that happened to come first in the data (no
  choose-then-test);
* ``diff_from_top``: the observed top dimension's mean minus each other dimension's mean, with a
  percentile interval and a two-sided bootstrap p-value, Holm-adjusted over the other dimensions
  of the region (Holm 1979). These intervals describe how far ahead the observed top is; they are
  conditional on its selection and are read together with ``p_rank1``.

A region has a *clear* top need only when ``p_rank1`` of its top dimension reaches
:data:`PRIORITY_RANK1_THRESHOLD`; otherwise its top needs are *tied*, and the dimensions whose
difference from the top is not significant after Holm adjustment are tied with it.

References
----------
Davison, A. C. & Hinkley, D. V. (1997). Bootstrap Methods and their Application. Cambridge
    (sec. 3.8, clustered data; sec. 5.3, percentile intervals).
Hall, P. & Miller, H. (2009). Using the bootstrap to quantify the authority of an empirical
    ranking. Annals of Statistics 37(6B), 3929-3959 (rank probabilities from the bootstrap).
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal
    of Statistics 6(2), 65-70.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from .. import config
from ..disclosure import attach_records, disclosure_records, protect_groups, protect_rows
from ..stats.clustered import cluster_bootstrap_counts, clustered_means
from .demand_supply import resolve_cluster

#: A region's top need is named only when it ranks first in at least this share of resamples.
PRIORITY_RANK1_THRESHOLD: float = 0.8
#: Bootstrap resamples of organisations behind P(rank 1) and the paired intervals.
PRIORITY_RESAMPLES: int = 2000

PRIORITY_RULE = (
    "Priorities per region: dimensions ranked by the public sector's mean need (instrument v1: the importance "
    "item, the same question and scale for every dimension), highest first; equal means in codebook order. "
    "P(rank 1) is the share of 2,000 bootstrap resamples of the region's organisations (respondents when the "
    "exports carry no organisation key) in which the dimension has the highest mean; the ranking is redone in "
    "every resample. A region has a clear top need when P(rank 1) is at least 0.8; otherwise its top needs are "
    "tied, and every dimension whose paired difference from the top is not significant at 5% after Holm "
    "adjustment over the region's dimensions is tied with it. Dimensions with fewer answers than the minimum "
    "cell size are not ranked."
)

PRIORITY_COLUMNS = [
    "rank", "dimension", "n", "n_clusters", "mean", "ci_low", "ci_high", "p_rank1", "rank_q05", "rank_q95",
    "top_dimension", "diff_from_top", "diff_ci_low", "diff_ci_high", "p_diff", "p_diff_holm", "status",
    "clear_top",
]


def _group_seed(seed: int, key: object) -> np.random.Generator:
    """A generator per group, from the seed and the group's name: a region's result does not depend on the others."""
    return np.random.default_rng([int(seed), zlib.crc32(str(key).encode("utf-8"))])


def _rank_draws(means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(rank 1) (ties share the first place) and the competition rank of each column, per resample row."""
    filled = np.where(np.isfinite(means), means, -np.inf)
    top = filled == filled.max(axis=1, keepdims=True)
    p_rank1 = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
    ranks = 1 + (filled[:, :, None] < filled[:, None, :]).sum(axis=2)
    return p_rank1, ranks


def priority_uncertainty(
    scores: pd.DataFrame,
    by: Sequence[str] = ("region",),
    *,
    role: str | None = "importance",
    stakeholders: Sequence[str] | None = ("public_sector",),
    value: str = "score_0_100",
    unit: str = "respondent_id",
    cluster: str | None = "auto",
    n_resamples: int = PRIORITY_RESAMPLES,
    ci: float = 0.95,
    threshold: float = PRIORITY_RANK1_THRESHOLD,
    min_n: int = config.MIN_CELL_SIZE,
    seed: int = 0,
    codebook_order: Sequence[str] = (),
) -> pd.DataFrame:
    """Priority ranks of the dimensions per group with P(rank 1) and paired differences from the top.

    The rule is :data:`PRIORITY_RULE`; the method is in the module docstring.

    Parameters
    ----------
    scores
        Tidy scores (:func:`~innocap_analysis.survey.scoring.score_dimensions`), one row per
        respondent x dimension (x role); or any tidy table with ``unit``, ``dimension``, ``value``
        and the ``by`` columns (``role=None``, ``stakeholders=None``).
    by
        Groups ranked separately (default each partner region).
    role, stakeholders
        The rows that measure need: by default the public sector's importance scores.
    value
        The need, in points (0-100).
    unit
        The respondent column: a respondent's values on all dimensions are resampled together.
    cluster
        ``"auto"``: ``organisation_key`` when present (whole organisations are resampled), else
        the respondents; a column name; or None.
    n_resamples
        Bootstrap resamples per group.
    ci
        Level of the mean and difference intervals; the Holm-adjusted tests use ``1 - ci``.
    threshold
        P(rank 1) a top dimension needs for a clear top (:data:`PRIORITY_RANK1_THRESHOLD`).
    min_n
        Dimensions with fewer answers in a group are masked and not ranked, with secondary
        suppression across the groups (:func:`~innocap_analysis.disclosure.protect_groups`); a mean
        from fewer organisations (``n_clusters``) is masked too.
    seed
        Each group's generator is seeded with ``seed`` and the group's name.
    codebook_order
        Order that breaks ties of the observed means (default alphabetical).

    Returns
    -------
    pandas.DataFrame
        One row per group and dimension, in rank order: ``*by, rank, dimension, n, n_clusters,
        mean, ci_low, ci_high`` (cluster-robust t interval, the same as
        :func:`~innocap_analysis.indicators.demand_supply.role_means`), ``p_rank1`` (0-1),
        ``rank_q05, rank_q95`` (5% and 95% quantiles of the rank over the resamples),
        ``top_dimension``, ``diff_from_top, diff_ci_low, diff_ci_high`` (points; bootstrap
        percentile interval), ``p_diff, p_diff_holm``, ``status`` (``clear top``, ``tied top``,
        ``not separated from top`` (Holm-adjusted p at least ``1 - ci``), ``below top``,
        ``suppressed``) and ``clear_top`` (the group's top
        dimension reaches ``threshold``). Suppressed dimensions have ``<NA>`` rank and statistics.
    """
    by = list(by)
    needed = [unit, "dimension", value, *by, *(["role"] if role is not None else []),
              *(["stakeholder"] if stakeholders is not None else [])]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise KeyError(f"priority_uncertainty: scores lack columns {missing}")
    data = scores
    if role is not None:
        data = data[data["role"] == role]
    if stakeholders is not None:
        data = data[data["stakeholder"].isin(list(stakeholders))]
    data = data[np.isfinite(pd.to_numeric(data[value]).astype("float64").to_numpy())]
    if data.empty:
        raise ValueError(f"priority_uncertainty: no {value} values for role={role!r}, stakeholders={stakeholders}")
    cluster = resolve_cluster(data, cluster)
    data = data.assign(dimension=data["dimension"].astype(str))
    order = {d: i for i, d in enumerate(codebook_order)}
    means = clustered_means(data, value, [*by, "dimension"], cluster=cluster, ci=ci).drop(columns="se")
    # which group means may be published: the threshold rule with secondary suppression across the groups
    # (margins are published elsewhere), so that a masked mean's n cannot be recovered
    sizes = means[[*by, "dimension", "n"]].assign(**{k: means[k].astype(str) for k in [*by, "dimension"]})
    sizes = protect_groups(sizes, by or ["dimension"], within=["dimension"] if by else [], counts=["n"], values=[],
                           min_n=min_n)
    masked_means = {tuple(row) for row in sizes.loc[sizes["n"].isna(), [*by, "dimension"]].itertuples(index=False)}
    frames = []
    for key, part in (data.groupby(by, observed=True, sort=True) if by else [((), data)]):
        key = key if isinstance(key, tuple) else (key,)
        group_means = means
        for column, level in zip(by, key, strict=True):
            group_means = group_means[group_means[column].astype(str) == str(level)]
        group_means = group_means.set_index("dimension")
        published = [d for d in group_means.index if (*map(str, key), str(d)) not in masked_means]
        ranked = sorted(published, key=lambda d: (-group_means.loc[d, "mean"], order.get(d, len(order)), d))
        table = group_means.reindex(ranked + sorted(set(group_means.index) - set(published)))
        table = table.reset_index().drop(columns=by, errors="ignore")
        table["rank"] = pd.array(list(range(1, len(ranked) + 1)) + [pd.NA] * (len(table) - len(ranked)),
                                 dtype="Int64")
        if ranked:
            table = _resampled_ranks(table, part, ranked, value, unit, cluster, n_resamples, ci, threshold,
                                     _group_seed(seed, "/".join(map(str, key))))
        for column, level in zip(by, key, strict=True):
            table.insert(0, column, level)
        frames.append(table)
    out = pd.concat(frames, ignore_index=True).reindex(columns=[*by, *PRIORITY_COLUMNS])
    small = out["rank"].isna()
    for column in ["n", "n_clusters", "mean", "ci_low", "ci_high"]:
        out[column] = out[column].astype("Float64" if column not in ("n", "n_clusters") else "Int64").mask(small)
    for column in ["p_rank1", "rank_q05", "rank_q95", "diff_from_top", "diff_ci_low", "diff_ci_high", "p_diff",
                   "p_diff_holm"]:
        out[column] = pd.to_numeric(out[column]).astype("float64")
    out["top_dimension"] = out["top_dimension"].astype("string")
    out["status"] = out["status"].astype("string").mask(small, "suppressed")
    out["clear_top"] = out["clear_top"].astype("boolean")
    out["suppressed"] = small.to_numpy(dtype=bool)
    out = attach_records(out, disclosure_records(sizes), ["n"], [*by, "dimension"])
    # the organisations behind a mean are counted like respondents (a mean of 3 organisations is masked)
    statistics = ["rank", "mean", "ci_low", "ci_high", "p_rank1", "rank_q05", "rank_q95", "diff_from_top",
                  "diff_ci_low", "diff_ci_high", "p_diff", "p_diff_holm"]
    return protect_rows(out, keys=[*by, "dimension"], total=None, other_counts=["n_clusters"],
                        derived={column: ["n_clusters"] for column in statistics}, min_n=min_n)


def _resampled_ranks(table: pd.DataFrame, part: pd.DataFrame, ranked: list[str], value: str, unit: str,
                     cluster: str | None, n_resamples: int, ci: float, threshold: float,
                     rng: np.random.Generator) -> pd.DataFrame:
    """Add the bootstrap columns of one group to its table (``ranked``: published dimensions in rank order)."""
    wide = part.pivot_table(index=unit, columns="dimension", values=value, aggfunc="first", observed=True)
    wide = wide.reindex(columns=ranked)
    clusters = None if cluster is None else part.groupby(unit, observed=True)[cluster].first().reindex(wide.index)
    x = wide.to_numpy(dtype="float64")
    present = np.isfinite(x)
    counts = cluster_bootstrap_counts(np.zeros(len(x)), None if clusters is None else clusters.to_numpy(),
                                      n_resamples, rng).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        draws = (counts @ np.where(present, x, 0.0)) / (counts @ present)
    p_rank1, ranks = _rank_draws(draws)
    observed = np.where(present, x, 0.0).sum(axis=0) / present.sum(axis=0)
    diffs = draws[:, :1] - draws  # the observed top minus each dimension, per resample
    alpha = 1 - ci
    with np.errstate(invalid="ignore"):
        low, high = np.nanquantile(diffs, [alpha / 2, 1 - alpha / 2], axis=0)
    valid = np.isfinite(diffs).sum(axis=0)
    below = (np.nan_to_num(diffs, nan=np.inf) <= 0).sum(axis=0)
    above = (np.nan_to_num(diffs, nan=-np.inf) >= 0).sum(axis=0)
    p = np.minimum(1.0, 2 * np.minimum(below + 1, above + 1) / (valid + 1))
    p_holm = np.full(len(ranked), np.nan)
    if len(ranked) > 1:
        p_holm[1:] = multipletests(p[1:], method="holm")[1]
    clear = bool(p_rank1[0] >= threshold)
    status = ["clear top" if clear else "tied top"] + [
        "not separated from top" if not (ph < alpha) else "below top" for ph in p_holm[1:]]
    n_ranked = len(ranked)
    extra = pd.DataFrame({
        "p_rank1": p_rank1,
        "rank_q05": np.quantile(ranks, 0.05, axis=0),
        "rank_q95": np.quantile(ranks, 0.95, axis=0),
        "top_dimension": ranked[0],
        "diff_from_top": observed[0] - observed,
        "diff_ci_low": np.where(np.arange(n_ranked) > 0, low, np.nan),
        "diff_ci_high": np.where(np.arange(n_ranked) > 0, high, np.nan),
        "p_diff": np.where(np.arange(n_ranked) > 0, p, np.nan),
        "p_diff_holm": p_holm,
        "status": status,
        "clear_top": clear,
    })
    rest = pd.DataFrame(index=range(len(table) - n_ranked), columns=extra.columns)
    return pd.concat([table.reset_index(drop=True), pd.concat([extra, rest], ignore_index=True)], axis=1)
