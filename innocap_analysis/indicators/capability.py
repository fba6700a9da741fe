"""The capability index of the survey: the composite index of the four dimension scores.

:func:`capability_index` gives the index per organisation and its means per region and
stakeholder type; :func:`group_indicator_matrix` turns the same scores into the
groups-by-dimensions matrix that :func:`~innocap_analysis.composite.uncertainty_analysis` takes,
and :func:`group_rank_uncertainty` adds the sampling uncertainty of the group means (a bootstrap
of the organisations) to the modelling choices. The columns of the score table are named once,
in a :class:`ScoreSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import config
from ..composite.steps import AggregationMethod, NormalisationMethod, aggregate
from ..composite.uncertainty import UncertaintyResult, check_uncertainty_choices, resampled_rank_uncertainty
from ..disclosure import protect_groups

# --------------------------------------------------------------------------------------------
# Survey adapter
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSpec:
    """The names the capability index reads from a tidy score table, and the labels it writes.

    Attributes
    ----------
    unit
        Column identifying the organisation (the unit scored).
    dimension
        Column naming the dimension of each row.
    score
        Column of the 0-100 score.
    index_code
        Code of the root of the index structure (and column of the index).
    separator
        Joins several grouping values into one unit label (``"donegal / sme"``).
    """

    unit: str = "respondent_id"
    dimension: str = "dimension"
    score: str = "score_0_100"
    index_code: str = "capability_index"
    separator: str = " / "


#: The columns of :func:`~innocap_analysis.survey.scoring.score_dimensions`.
DEFAULT_SPEC = ScoreSpec()


@dataclass(frozen=True)
class CapabilityIndex:
    """Output of :func:`capability_index`.

    Attributes
    ----------
    by_organisation
        One row per organisation: its id, group columns, ``n_dimensions`` scored and
        ``capability_index`` (0-100).
    by_group
        Tidy: ``grouping`` (``region`` / ``stakeholder`` / ...), ``group``, ``n``,
        ``mean_index``, ``sd_index``, ``suppressed`` (n below the minimum cell size, mean withheld).
    """

    by_organisation: pd.DataFrame
    by_group: pd.DataFrame


def capability_index(
    scores: pd.DataFrame,
    *,
    spec: ScoreSpec = DEFAULT_SPEC,
    group_cols: Sequence[str] = ("region", "stakeholder"),
    role: str | None = "capability",
    weights: Mapping[str, float] | None = None,
    aggregation: AggregationMethod = "arithmetic",
    min_dimensions: int = 1,
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> CapabilityIndex:
    """Capability index per organisation from its dimension scores, and its group means.

    The dimension scores (already 0-100, so not re-normalised) are aggregated with
    :func:`aggregate` under a one-level structure ``dimensions -> capability_index``; a missing
    dimension is dropped and the weights of the others rescaled (COINr's rule), and
    ``n_dimensions`` records how many were scored.

    Parameters
    ----------
    scores
        Tidy table: one row per organisation and dimension with the columns named by ``spec`` and
        the ``group_cols``, as :func:`innocap_analysis.scoring.score_dimensions`
        returns it.
    spec
        Column names of ``scores`` and the code of the index (:class:`ScoreSpec`).
    role
        If ``scores`` has a ``role`` column (``score_dimensions`` scores each dimension per role),
        only the rows of this role are used; ``None`` uses every row (then each organisation must
        have one row per dimension).
    weights
        Dimension -> weight; default equal weights.
    aggregation
        Mean used across dimensions (see :func:`aggregate`).
    min_dimensions
        Organisations with fewer scored dimensions get a missing index (reported, not dropped).
    min_cell_size
        Group means (and sizes) of fewer organisations are withheld (``suppressed`` = True), with
        secondary suppression within each grouping (:func:`~innocap_analysis.disclosure.protect_groups`);
        default :data:`innocap_analysis.config.MIN_CELL_SIZE`.
    """
    if scores.columns.has_duplicates:
        raise ValueError(
            f"scores has duplicate column name(s) {sorted(set(scores.columns[scores.columns.duplicated()]))}; "
            "rename one (for example the profile 'role' and the scoring 'role')"
        )
    required = [spec.unit, spec.dimension, spec.score, *group_cols]
    missing = [c for c in required if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; it has {list(scores.columns)}")
    if role is not None and "role" in scores.columns:
        if not (scores["role"] == role).any():
            raise ValueError(f"scores has no rows with role {role!r}; roles present: {sorted(scores['role'].unique())}")
        scores = scores[scores["role"] == role]
    duplicated = scores.duplicated([spec.unit, spec.dimension])
    if duplicated.any():
        first = scores.loc[duplicated, [spec.unit, spec.dimension]].iloc[0].tolist()
        raise ValueError(f"scores has more than one row for ({spec.unit}, {spec.dimension}) = {first}")
    score = pd.to_numeric(scores[spec.score], errors="coerce")
    bad = score.isna() & scores[spec.score].notna() | (score < 0) | (score > 100)
    if bad.any():
        row = scores.index[bad][0]
        raise ValueError(f"scores row {row!r}: {spec.score} = {scores.loc[row, spec.score]!r} is not a number in [0, 100]")
    groups = scores[[spec.unit, *group_cols]].drop_duplicates()
    if groups[spec.unit].duplicated().any():
        unit = groups.loc[groups[spec.unit].duplicated(), spec.unit].iloc[0]
        raise ValueError(f"{spec.unit} {unit!r} has more than one value of {list(group_cols)} across its rows")
    wide = scores.assign(**{spec.score: score}).pivot(index=spec.unit, columns=spec.dimension, values=spec.score)
    dimensions = list(wide.columns)
    structure = pd.DataFrame(
        {
            "code": [*dimensions, spec.index_code],
            "parent": [spec.index_code] * len(dimensions) + [None],
            "weight": [float((weights or {}).get(d, 1.0)) for d in dimensions] + [1.0],
            "direction": [1] * len(dimensions) + [np.nan],
        }
    )
    if weights:
        unknown = [d for d in weights if d not in dimensions]
        if unknown:
            raise ValueError(f"weights name dimension(s) not in the scores: {unknown}")
    index = aggregate(wide, structure, aggregation)[spec.index_code]
    n_dimensions = wide.notna().sum(axis=1)
    index = index.where(n_dimensions >= min_dimensions)
    by_org = (
        groups.set_index(spec.unit)
        .loc[wide.index]
        .assign(n_dimensions=n_dimensions, capability_index=index)
        .reset_index()
    )
    parts = []
    for grouping in group_cols:
        summary = (
            by_org.groupby(grouping, dropna=False)["capability_index"]
            .agg(n="count", mean_index="mean", sd_index="std")
            .reset_index()
            .rename(columns={grouping: "group"})
        )
        summary.insert(0, "grouping", grouping)
        parts.append(summary)
    by_group = pd.concat(parts, ignore_index=True)
    by_group["group"] = by_group["group"].astype("string")
    by_group = protect_groups(by_group, ["group"], within=["grouping"], values=["mean_index", "sd_index"],
                              min_n=min_cell_size)
    by_group = by_group.astype({"mean_index": float, "sd_index": float})  # NaN, as the organisation table
    return CapabilityIndex(by_org, by_group)


@dataclass(frozen=True)
class GroupIndicators:
    """Output of :func:`group_indicator_matrix`.

    Attributes
    ----------
    matrix
        Published groups (index: the ``unit`` label) by dimensions: the mean 0-100 score of the
        group's organisations, the indicators of :func:`uncertainty_analysis`.
    structure
        One-level structure ``dimensions -> spec.index_code`` (equal weights, direction +1).
    groups
        Every group, after :func:`~innocap_analysis.disclosure.protect_groups`: ``unit``, the
        ``by`` columns, ``n`` and the dimension means (masked, with ``n``, when ``suppressed``).
    """

    matrix: pd.DataFrame
    structure: pd.DataFrame
    groups: pd.DataFrame


def _group_scores(scores: pd.DataFrame, by: list[str], spec: ScoreSpec, role: str | None) -> pd.DataFrame:
    """Checked rows of one role for :func:`group_indicator_matrix` and :func:`group_rank_uncertainty`."""
    missing = [c for c in [spec.unit, spec.dimension, spec.score, *by] if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; it has {list(scores.columns)}")
    if role is not None and "role" in scores.columns:
        if not (scores["role"] == role).any():
            raise ValueError(f"scores has no rows with role {role!r}")
        scores = scores[scores["role"] == role]
    if scores.duplicated([spec.unit, spec.dimension]).any():
        raise ValueError(f"scores has more than one row per ({spec.unit}, {spec.dimension})")
    if scores[by].isna().any().any():
        raise ValueError(f"scores has missing values in the grouping column(s) {by}")
    if scores[[spec.unit, *by]].drop_duplicates()[spec.unit].duplicated().any():
        raise ValueError(f"an organisation ({spec.unit}) has more than one value of {by} across its rows")
    return scores.assign(**{spec.score: pd.to_numeric(scores[spec.score], errors="coerce").astype(float)})


def group_indicator_matrix(
    scores: pd.DataFrame,
    by: str | Sequence[str] = "region",
    *,
    spec: ScoreSpec = DEFAULT_SPEC,
    role: str | None = "capability",
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> GroupIndicators:
    """Group means of the dimension scores as a units-by-indicators matrix with its structure.

    The units of the uncertainty analysis are groups of organisations (partner regions, or
    region x stakeholder type); their indicators are the group means of each dimension's 0-100
    score, over the organisations scored on that dimension. A group's ``n`` is the smallest of
    those per-dimension counts, so no published mean rests on fewer organisations than ``n``.
    Groups with ``n < min_cell_size`` are masked by
    :func:`~innocap_analysis.disclosure.protect_groups` (with secondary suppression) and left out of
    ``matrix``.

    With no missing scores the arithmetic mean of a group's dimension means is the mean of its
    organisations' :func:`capability_index` (equal weights), so the ``"none"`` normalisation with
    the arithmetic mean reproduces the ranking of ``capability_index(...).by_group``.

    Parameters
    ----------
    scores
        Tidy scores as :func:`innocap_analysis.scoring.score_dimensions` returns them.
    by
        Grouping column(s). With several, the unit label joins the values with ``spec.separator``.
    role
        If ``scores`` has a ``role`` column, only the rows of this role are used (``None``: all).
    min_cell_size
        Smallest publishable group.
    spec
        Column names of ``scores`` and the labels written (:class:`ScoreSpec`).

    Returns
    -------
    GroupIndicators
        Groups in the order of the grouping columns (category order for categoricals), dimensions
        in their order of first appearance in ``scores``.
    """
    by = [by] if isinstance(by, str) else list(by)
    scores = _group_scores(scores, by, spec, role)
    dimensions = list(pd.unique(scores[spec.dimension]))
    frame = scores[by].assign(_dimension=pd.Categorical(scores[spec.dimension], categories=dimensions),
                              _score=scores[spec.score].to_numpy())
    grouped = frame.groupby([*by, "_dimension"], observed=True, sort=True)["_score"]
    means = grouped.mean().unstack("_dimension").reindex(columns=dimensions)
    counts = grouped.count().unstack("_dimension").reindex(columns=dimensions).fillna(0)
    keys = means.index.to_frame(index=False)
    labels = keys.astype(str).agg(spec.separator.join, axis=1)
    groups = pd.concat([keys, means.reset_index(drop=True)], axis=1)
    groups.columns.name = None
    groups.insert(0, "unit", labels.to_numpy())
    groups.insert(len(by) + 1, "n", counts.min(axis=1).astype(int).to_numpy())
    if groups["unit"].duplicated().any():
        raise ValueError(f"unit labels are not unique with spec.separator {spec.separator!r}")
    groups = protect_groups(groups, by, values=dimensions, min_n=min_cell_size)
    kept = groups[~groups["suppressed"]]
    matrix = kept.set_index("unit")[dimensions].astype(float)
    matrix.index.name = "unit"
    structure = pd.DataFrame(
        {
            "code": [*dimensions, spec.index_code],
            "parent": [spec.index_code] * len(dimensions) + [None],
            "weight": [1.0] * (len(dimensions) + 1),
            "direction": [1] * len(dimensions) + [np.nan],
        }
    )
    return GroupIndicators(matrix, structure, groups.reset_index(drop=True))


def group_rank_uncertainty(
    scores: pd.DataFrame,
    by: str | Sequence[str] = "region",
    *,
    n_draws: int = 1000,
    resample: bool = True,
    normalisations: Sequence[NormalisationMethod] = ("none", "minmax", "rank"),
    aggregations: Sequence[AggregationMethod] = ("arithmetic", "geometric"),
    weight_noise: float = 0.25,
    n_weight_sets: int = 100,
    nominal: tuple[NormalisationMethod, AggregationMethod] | None = None,
    seed: int | np.random.Generator | None = 0,
    spec: ScoreSpec = DEFAULT_SPEC,
    role: str | None = "capability",
    min_cell_size: int = config.MIN_CELL_SIZE,
    cluster: str | None = None,
) -> UncertaintyResult:
    """Rank uncertainty of group capability indices over the organisations sampled *and* the modelling choices.

    :func:`uncertainty_analysis` of the :func:`group_indicator_matrix` treats the group means as
    exact. They are means over the organisations that answered, so a ranking of groups also
    varies with who answered. Each draw here first resamples the organisations of every published
    group with replacement (a stratified bootstrap, Efron & Tibshirani 1993, *An Introduction to
    the Bootstrap*, ch. 6; the group sizes are kept), recomputes the group means of each
    dimension (over the resampled organisations scored on it), and then rebuilds the index with
    a normalisation, an aggregation and a perturbed weight set drawn as in
    :func:`uncertainty_analysis` (same meaning of ``weight_noise`` and ``n_weight_sets``; min-max
    onto [1, 100]). ``resample=False`` leaves out the bootstrap, which gives the modelling
    uncertainty alone. A single published group gets rank 1 in every draw.

    The resampled organisations are not a factor with levels, so :func:`sensitivity_analysis` of
    the result gives the first-order indices of the three modelling choices; the rest of the rank
    variance is sampling and interactions.

    Parameters
    ----------
    scores
        Tidy scores as :func:`innocap_analysis.scoring.score_dimensions` returns them.
    by, spec, role, min_cell_size
        As in :func:`group_indicator_matrix`; only its published groups are ranked.
    n_draws
        Number of draws.
    normalisations, aggregations
        Alternatives sampled uniformly: ``none``, ``minmax`` and ``rank`` (``zscore`` only with
        ``arithmetic`` alone); ``arithmetic``, ``geometric``, ``harmonic``.
    nominal
        (normalisation, aggregation) of the nominal ranks, computed on the observed group means
        with the unperturbed weights; default the first of each list.
    seed
        Seed or :class:`numpy.random.Generator`.
    cluster
        Column of ``scores`` holding each respondent's organisation (``organisation_key``): whole
        organisations are then resampled within each group, so that respondents of one organisation
        are drawn together (a cluster bootstrap). None: each respondent is resampled on its own.

    Returns
    -------
    UncertaintyResult
        As from :func:`uncertainty_analysis`; ``settings["resample"]`` records the bootstrap,
        ``settings["clustered"]`` whether it resampled organisations.
    """
    by = [by] if isinstance(by, str) else list(by)
    check_uncertainty_choices("group_rank_uncertainty", normalisations, aggregations, n_draws, n_weight_sets,
                              weight_noise)
    groups = group_indicator_matrix(scores, by, spec=spec, role=role, min_cell_size=min_cell_size)
    if len(groups.matrix) == 0:
        raise ValueError(f"no group of {by} has at least {min_cell_size} organisations")
    rows = _group_scores(scores, by, spec, role)
    wide = rows.pivot(index=spec.unit, columns=spec.dimension, values=spec.score).reindex(
        columns=list(groups.matrix.columns))
    keys = rows[[spec.unit, *by]].drop_duplicates().set_index(spec.unit).loc[wide.index]
    members = keys.astype(str).agg(spec.separator.join, axis=1)
    clusters = None
    if cluster is not None:
        if cluster not in scores.columns:
            raise KeyError(f"group_rank_uncertainty: no cluster column {cluster!r} in the scores")
        clusters = scores.drop_duplicates(spec.unit).set_index(spec.unit)[cluster].reindex(wide.index)
    return resampled_rank_uncertainty(
        groups.matrix, wide, members, n_draws=n_draws, resample=resample, normalisations=normalisations,
        aggregations=aggregations, weight_noise=weight_noise, n_weight_sets=n_weight_sets, nominal=nominal,
        seed=seed, index_code=spec.index_code, member_cluster=clusters,
    )
