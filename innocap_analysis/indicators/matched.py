"""Like-for-like gaps from the matched items of instrument v2.

Instrument v2 asks every statement of a dimension three ways (``statement`` key in the codebook):
how important it is (importance scale), how able the organisation is today (ability scale), and,
for SMEs and universities, how able they are to offer it to public bodies (the same ability
scale). Two comparisons are then like for like:

* the **need gap**, within each public-sector respondent: the importance of a statement minus the
  organisation's ability on the *same* statement, each on 0-100 of its own 5-point scale,
  averaged over the dimension's statements answered both ways (the discrepancy score of the Borich
  1980 needs-assessment model). Its mean per region has a cluster-robust t interval;
* **supply over capability**, between groups: the suppliers' mean ability to offer the
  dimension's statements minus the public sector's mean ability on the same statements, on the
  same ability scale: where it is positive, regional suppliers can do what public bodies cannot
  yet do themselves. Interval: Welch-Satterthwaite on cluster-robust variances
  (:func:`~innocap_analysis.stats.clustered.clustered_difference`).

Each comparison is one family over all groups and dimensions: p-values are Holm- (and BH-)
adjusted over the family (Holm 1979; Benjamini & Hochberg 1995), and a verdict is only given where
the Holm-adjusted p-value is below alpha.

References
----------
- Borich, G. D. (1980). A needs assessment model for conducting follow-up studies. Journal of
  Teacher Education 31(3), 39-42.
- Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. Journal of Marketing
  41(1), 77-79 (importance and performance of the same attributes).
- Holm, S. (1979). Scandinavian Journal of Statistics 6(2), 65-70.
- Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57(1), 289-300.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from .. import config
from ..disclosure import protect_groups
from ..stats.clustered import clustered_difference, clustered_means
from ..survey import Survey
from ..survey.scoring import KEY_COLUMNS, PROFILE_COLUMNS, reverse_keyed_items, score_dimensions
from .demand_supply import resolve_cluster

MATCHED_RULE = (
    "Instrument v2 (matched items): the need gap is importance minus ability on the same statement, within each "
    "public-sector respondent (0-100 points of each 5-point scale), averaged over the dimension's statements "
    "answered both ways; supply over capability is the suppliers' mean ability to offer the same statements minus "
    "the public sector's own mean ability, on the same ability scale. Intervals are cluster-robust by organisation; "
    "p-values are Holm-adjusted over all regions and dimensions of each comparison, and a verdict is given only "
    "where the adjusted p-value is below 0.05."
)


def _require_statements(survey: Survey) -> dict[str, dict[str, dict[str, object]]]:
    matched = {d: survey.codebook.statements(d) for d in survey.codebook.dimensions}
    if not any(matched.values()):
        raise ValueError(
            f"codebook {survey.codebook.instrument} {survey.codebook.version} has no matched statements "
            "(items with a `statement` key, instrument v2): like-for-like gaps cannot be computed; show need and "
            "capability side by side instead (indicators.demand_supply.need_and_supply, ipa_table)"
        )
    return matched


def matched_need_gap_scores(survey: Survey, *, min_valid: float = 0.5) -> pd.DataFrame:
    """Each respondent's need gap per dimension: importance minus ability on the same statements.

    Parameters
    ----------
    survey
        Loaded with a codebook whose items carry ``statement`` keys (instrument v2).
    min_valid
        Share of the dimension's statements that must be answered both ways; below it the gap is NA.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per respondent x dimension: ``respondent_id``, the profile columns (and
        ``organisation_key`` when present), ``dimension, n_statements, n_pairs, importance_0_100,
        capability_0_100`` (means over the paired statements) and ``need_gap`` (points; NaN below
        ``min_valid``).
    """
    matched = _require_statements(survey)
    codes = reverse_keyed_items(survey)
    scales = survey.codebook.scales
    responses = survey.responses
    keep = ["respondent_id", *[c for c in (*PROFILE_COLUMNS, *KEY_COLUMNS) if c in responses.columns]]
    profile = responses[keep].rename(columns={"role": "respondent_role"})
    frames = []
    for dimension, statements in matched.items():
        pairs = [(s["importance"], s["capability"]) for s in statements.values()
                 if "importance" in s and "capability" in s]
        if not pairs:
            continue

        def rescaled(item) -> np.ndarray:
            scale = scales[item.scale]
            return 100 * (codes[item.id].to_numpy() - scale.min_code) / (scale.max_code - scale.min_code)

        importance = np.column_stack([rescaled(i) for i, _ in pairs])
        capability = np.column_stack([rescaled(c) for _, c in pairs])
        both = np.isfinite(importance) & np.isfinite(capability)
        n_pairs = both.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            imp = np.where(both, importance, 0).sum(axis=1) / n_pairs
            cap = np.where(both, capability, 0).sum(axis=1) / n_pairs
        enough = n_pairs / len(pairs) >= min_valid
        frame = profile.copy()
        frame["dimension"] = dimension
        frame["n_statements"] = len(pairs)
        frame["n_pairs"] = n_pairs
        frame["importance_0_100"] = np.where(enough, imp, np.nan)
        frame["capability_0_100"] = np.where(enough, cap, np.nan)
        frame["need_gap"] = frame["importance_0_100"] - frame["capability_0_100"]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def matched_gaps(
    survey: Survey,
    by: Sequence[str] = ("region",),
    *,
    need_stakeholders: Sequence[str] = ("public_sector",),
    supply_stakeholders: Sequence[str] = ("sme", "hei_research"),
    ci: float = 0.95,
    alpha: float = 0.05,
    min_n: int = config.MIN_CELL_SIZE,
    cluster: str | None = "auto",
) -> pd.DataFrame:
    """Like-for-like need gaps and supply over capability per group and dimension (:data:`MATCHED_RULE`).

    Parameters
    ----------
    survey
        Loaded with instrument v2 (matched statements).
    by
        Groups (default each partner region).
    need_stakeholders, supply_stakeholders
        Who states the need (and the own ability), and who offers supply.
    ci, alpha
        Interval level, and the level of the Holm-adjusted tests behind the verdicts.
    min_n
        Groups where either side has fewer respondents are masked, with secondary suppression across
        the groups (:func:`~innocap_analysis.disclosure.protect_groups`).
    cluster
        ``"auto"``: the organisation key when present; a column; or None.

    Returns
    -------
    pandas.DataFrame
        ``*by, dimension, need_n, importance_mean, capability_mean, need_gap, need_gap_ci_low,
        need_gap_ci_high, need_gap_p, need_gap_p_holm, supply_n, supply_mean, supply_ci_low,
        supply_ci_high, public_capability_mean, supply_over_capability, soc_ci_low, soc_ci_high,
        soc_p, soc_p_holm, soc_p_bh, verdict, n, suppressed`` (0-100 points); ``verdict`` reads
        ``suppliers more able``, ``suppliers less able`` or ``not distinguishable`` (Holm at
        ``alpha``).
    """
    by = list(by)
    gaps = matched_need_gap_scores(survey)
    public = gaps[gaps["stakeholder"].isin(list(need_stakeholders))]
    public = public[np.isfinite(public["need_gap"].to_numpy(dtype="float64"))]
    cluster = resolve_cluster(public, cluster)
    need = clustered_means(public, "need_gap", [*by, "dimension"], cluster=cluster, ci=ci)
    means = public.groupby([*by, "dimension"], observed=True)[["importance_0_100", "capability_0_100"]].mean()
    scores = score_dimensions(survey)
    ability = scores[scores["score_0_100"].notna()]
    suppliers = ability[(ability["role"] == "supply") & ability["stakeholder"].isin(list(supply_stakeholders))]
    own = ability[(ability["role"] == "capability") & ability["stakeholder"].isin(list(need_stakeholders))]
    supply = clustered_means(suppliers, "score_0_100", [*by, "dimension"], cluster=cluster, ci=ci)
    keys = [*by, "dimension"]
    table = need.set_index(keys).rename(columns={"n": "need_n", "mean": "need_gap", "ci_low": "need_gap_ci_low",
                                                 "ci_high": "need_gap_ci_high"})
    table = table.join(means.rename(columns={"importance_0_100": "importance_mean",
                                             "capability_0_100": "capability_mean"}))
    table = table.join(supply.set_index(keys)[["n", "mean", "ci_low", "ci_high"]].rename(
        columns={"n": "supply_n", "mean": "supply_mean", "ci_low": "supply_ci_low", "ci_high": "supply_ci_high"}),
        how="outer")
    with np.errstate(invalid="ignore", divide="ignore"):
        t_need = table["need_gap"] / table["se"]
    dof = table["n_clusters"] - 1
    table["need_gap_p"] = _two_sided_t(t_need.to_numpy(dtype="float64"), dof.to_numpy(dtype="float64"))
    empty = pd.DataFrame(columns=["score_0_100", *([cluster] if cluster else [])])
    supplier_groups = dict(tuple(suppliers.groupby(keys, observed=True)))
    own_groups = dict(tuple(own.groupby(keys, observed=True)))
    soc = []
    for key in table.index:  # one Welch-type comparison per group and dimension
        a, b = supplier_groups.get(key, empty), own_groups.get(key, empty)
        result = clustered_difference(a["score_0_100"].to_numpy(dtype="float64"),
                                      b["score_0_100"].to_numpy(dtype="float64"),
                                      None if cluster is None else a[cluster].to_numpy(),
                                      None if cluster is None else b[cluster].to_numpy(), ci=ci)
        soc.append((float(b["score_0_100"].mean()) if len(b) else np.nan, *result[:1], *result[3:]))
    soc = np.array(soc, dtype="float64").reshape(-1, 5)
    table["public_capability_mean"] = soc[:, 0]
    table["supply_over_capability"], table["soc_ci_low"], table["soc_ci_high"], table["soc_p"] = soc[:, 1:].T
    table = table.reset_index()
    table["need_gap_p_holm"] = _adjust(table["need_gap_p"], "holm")
    table["soc_p_holm"] = _adjust(table["soc_p"], "holm")
    table["soc_p_bh"] = _adjust(table["soc_p"], "fdr_bh")
    significant = table["soc_p_holm"] < alpha
    table["verdict"] = pd.array(np.where(~significant.fillna(False), "not distinguishable",
                                         np.where(table["supply_over_capability"] > 0, "suppliers more able",
                                                  "suppliers less able")), dtype="string")
    table["verdict"] = table["verdict"].mask(table["soc_p_holm"].isna())
    for side in ("need_n", "supply_n"):
        table[side] = table[side].fillna(0).astype("int64")
    table["n"] = table[["need_n", "supply_n"]].min(axis=1)
    columns = [*keys, "need_n", "importance_mean", "capability_mean", "need_gap", "need_gap_ci_low",
               "need_gap_ci_high", "need_gap_p", "need_gap_p_holm", "supply_n", "supply_mean", "supply_ci_low",
               "supply_ci_high", "public_capability_mean", "supply_over_capability", "soc_ci_low", "soc_ci_high",
               "soc_p", "soc_p_holm", "soc_p_bh", "verdict", "n"]
    # each side's group sizes are protected on their own (threshold and secondary suppression)
    return protect_groups(table[columns], list(by), within=["dimension"], counts=["need_n", "supply_n"], min_n=min_n)


def _two_sided_t(t: np.ndarray, dof: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a t statistic (NaN where undefined)."""
    p = np.full(len(t), np.nan)
    ok = np.isfinite(t) & (dof > 0)
    p[ok] = 2 * stats.t.sf(np.abs(t[ok]), dof[ok])
    return p


def _adjust(p: pd.Series, method: str) -> np.ndarray:
    """Family-wise (Holm) or false-discovery (BH) adjustment over the non-missing p-values."""
    values = p.to_numpy(dtype="float64")
    out = np.full(len(values), np.nan)
    ok = np.isfinite(values)
    if ok.any():
        out[ok] = multipletests(values[ok], method=method)[1]
    return out
