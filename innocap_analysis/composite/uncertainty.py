"""Uncertainty and sensitivity of a composite index over its modelling choices.

:func:`uncertainty_analysis` runs a vectorised Monte Carlo over the modelling choices (weights,
normalisation, aggregation) and :func:`sensitivity_analysis` splits the rank variance into
first-order indices; :func:`rank_interval_pairs` says which pairs of units have separated rank
intervals (Saisana, Saltelli & Tarantola 2005, *JRSS A* 168(2), 307-323).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..progress import progress_bar
from .steps import _POWER, AggregationMethod, NormalisationMethod, _power_mean, normalise_matrix
from .structure import Hierarchy, _indicator_matrix, parse_structure

# --------------------------------------------------------------------------------------------
# Uncertainty and sensitivity analysis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UncertaintyResult:
    """Output of :func:`uncertainty_analysis`.

    Attributes
    ----------
    rank_stats
        One row per unit: ``unit, nominal_rank, median_rank, mean_rank, q05_rank, q95_rank``.
    ranks
        Ranks of the target in every draw, shape (draws, units), 1 = best.
    draws
        One row per draw: the level of each uncertain choice (``normalisation``, ``aggregation``,
        ``weights``: the index of the perturbed weight set).
    units
        Unit labels, the columns of ``ranks``.
    target
        The aggregate whose ranks were recorded.
    weight_sets
        The pool of perturbed weights, shape (n_weight_sets, nodes), columns in the order
        ``weight_codes``; row 0 is the nominal set.
    weight_codes
        Structure codes (indicators then aggregates) labelling the columns of ``weight_sets``.
    settings
        Noise level, nominal choices and normalisation range used.
    """

    rank_stats: pd.DataFrame
    ranks: np.ndarray
    draws: pd.DataFrame
    units: pd.Index
    target: str
    weight_sets: np.ndarray
    weight_codes: list[str]
    settings: dict[str, object] = field(default_factory=dict)


def _perturbed_weight_sets(
    base: np.ndarray, n_sets: int, noise: float, rng: np.random.Generator
) -> np.ndarray:
    """Weight sets with every weight multiplied by 1 + U(-noise, +noise); set 0 is the nominal set."""
    factors = 1.0 + rng.uniform(-noise, noise, size=(n_sets, base.size))
    factors[0] = 1.0
    return base[None, :] * factors


def _normalise_for_ranking(
    x: np.ndarray,
    direction: np.ndarray,
    method: str,
    names: Sequence[str] | None = None,
    units: Sequence[object] | None = None,
) -> np.ndarray:
    """Normalise onto [1, 100] for the uncertainty analyses; a single unit becomes all ones.

    With one unit min-max and z-scores are undefined (a constant column) and its rank is 1
    whatever the choices, so its indicators are set to 1 instead of raising.
    """
    if x.shape[0] == 1:
        return np.where(np.isnan(x), np.nan, 1.0)
    return normalise_matrix(x, direction, method, lower=1.0, upper=100.0, names=names, units=units)


def _rank_descending(scores: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest score, ties share the lowest rank (R ``ties='min'``)."""
    return stats.rankdata(-scores, axis=-1, method="min", nan_policy="omit")


def _rank_summary(units: pd.Index, ranks: np.ndarray, nominal_ranks: np.ndarray) -> pd.DataFrame:
    """Per unit: nominal, median and mean rank and the 5-95 % rank interval over the draws."""
    q05, median, q95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame(
        {
            "unit": units,
            "nominal_rank": nominal_ranks,
            "median_rank": median,
            "mean_rank": ranks.mean(axis=0, dtype=float),
            "q05_rank": q05,
            "q95_rank": q95,
        }
    )


def _label_draws(draws: pd.DataFrame, normalisations: Sequence[str], aggregations: Sequence[str]) -> pd.DataFrame:
    """Turn the integer choice codes of the draws into categoricals named by the choices."""
    return draws.assign(
        normalisation=pd.Categorical.from_codes(draws["normalisation"], categories=list(normalisations)),
        aggregation=pd.Categorical.from_codes(draws["aggregation"], categories=list(aggregations)),
    )


def check_uncertainty_choices(
    caller: str,
    normalisations: Sequence[str],
    aggregations: Sequence[str],
    n_draws: int,
    n_weight_sets: int,
    weight_noise: float,
) -> None:
    """Reject Monte Carlo choices the vectorised draws cannot sample (shared by both analyses)."""
    for m in normalisations:
        if m not in ("minmax", "zscore", "rank", "none"):
            raise ValueError(f"{caller} cannot sample normalisation {m!r}")
    for a in aggregations:
        if a not in ("arithmetic", "geometric", "harmonic"):
            raise ValueError(f"{caller} samples arithmetic, geometric or harmonic means, not {a!r}")
    if "zscore" in normalisations and any(a != "arithmetic" for a in aggregations):
        raise ValueError("z-scores are negative for half the units: combine 'zscore' only with 'arithmetic'")
    if n_draws < 2 or n_weight_sets < 1 or not 0 <= weight_noise < 1:
        raise ValueError("need n_draws >= 2, n_weight_sets >= 1 and 0 <= weight_noise < 1")


def uncertainty_analysis(
    normalised_inputs: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    *,
    n_draws: int = 1000,
    normalisations: Sequence[NormalisationMethod] = ("minmax", "rank"),
    aggregations: Sequence[AggregationMethod] = ("arithmetic", "geometric"),
    weight_noise: float = 0.25,
    n_weight_sets: int = 100,
    target: str | None = None,
    nominal: tuple[NormalisationMethod, AggregationMethod] | None = None,
    seed: int | np.random.Generator | None = 0,
    batch_size: int = 500,
    progress: bool | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of unit ranks over the modelling choices (Handbook step 7).

    Each draw picks, uniformly and independently, a normalisation method, an aggregation method and
    one of ``n_weight_sets`` perturbed weight sets, rebuilds the composite from the (already
    treated) indicators and records every unit's rank on ``target`` (Saisana, Saltelli & Tarantola
    2005, J. R. Stat. Soc. A 168:307; COINr ``get_sensitivity`` with ``SA_type = "UA"``).

    Weight noise: every weight of the structure (indicators and aggregates) is multiplied by
    ``1 + u`` with ``u ~ Uniform(-weight_noise, +weight_noise)`` independently, then rescaled within
    its group at aggregation. Weight set 0 is the nominal (unperturbed) set. Drawing the weights
    from a finite pool makes the weight choice a discrete factor, so :func:`sensitivity_analysis`
    can estimate its first-order index from the same draws.

    Min-max is taken onto [1, 100] so that geometric and harmonic means are defined; this is an
    affine change of the [0, 100] scale and leaves arithmetic-mean ranks unchanged. z-scores can
    only be combined with the arithmetic mean (a ``ValueError`` says so otherwise). A single unit
    gets rank 1 in every draw (every normalisation of one unit is degenerate).

    The computation is vectorised over draws: draws with the same normalisation and aggregation
    are aggregated together as batched matrix products, ``batch_size`` draws at a time to bound
    memory: the node values of a batch take ``batch_size x units x nodes x 8`` bytes and the peak is
    about three times that (158 MiB measured for 500 draws x 500 units x 25 nodes; see
    ``benchmarks/bench_composite.py``), plus the float32 rank matrix of ``n_draws x units``.

    Parameters
    ----------
    normalised_inputs
        Units by indicators after imputation and treatment (the input of normalisation).
    structure
        Structure table or :class:`Hierarchy`.
    n_draws
        Number of Monte Carlo draws.
    normalisations, aggregations
        Alternatives sampled uniformly (``goalposts`` and ``distance_to_reference`` need extra
        inputs and are not sampled).
    weight_noise
        Half-width of the multiplicative uniform noise on the weights (0.25 = +-25 %).
    n_weight_sets
        Size of the pool of perturbed weight sets.
    target
        Aggregate whose ranks are analysed; default the first root.
    nominal
        (normalisation, aggregation) of the nominal ranks; default the first of each list.
    seed
        Seed or :class:`numpy.random.Generator`.
    batch_size
        Draws aggregated at once.
    progress
        Show a tqdm progress bar; default only when ``n_draws >= 5000``.

    Returns
    -------
    UncertaintyResult
        Ranks per draw and each unit's median rank and 5-95 % interval (quantiles of R type 7,
        :func:`numpy.quantile` ``method="linear"``).
    """
    hierarchy = parse_structure(structure)
    target = target or hierarchy.roots[0]
    if target not in hierarchy.aggregates:
        raise ValueError(f"target {target!r} is not an aggregate of the structure {hierarchy.aggregates}")
    check_uncertainty_choices("uncertainty_analysis", normalisations, aggregations, n_draws, n_weight_sets,
                               weight_noise)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    values = _indicator_matrix(normalised_inputs, hierarchy.indicators)
    units = values.index
    direction = np.array([hierarchy.direction[c] for c in hierarchy.indicators], dtype=float)
    normalised = {
        m: _normalise_for_ranking(values.to_numpy(), direction, m)
        for m in normalisations
    }
    codes = hierarchy.indicators + hierarchy.aggregates
    position = {c: i for i, c in enumerate(codes)}
    base = np.array([hierarchy.weight[c] for c in codes])
    weight_sets = _perturbed_weight_sets(base, n_weight_sets, weight_noise, rng)

    draws = pd.DataFrame(
        {
            "normalisation": rng.integers(len(normalisations), size=n_draws),
            "aggregation": rng.integers(len(aggregations), size=n_draws),
            "weights": rng.integers(n_weight_sets, size=n_draws),
        }
    )
    n_indicators = len(hierarchy.indicators)
    plan = [(node, np.array([position[k] for k in hierarchy.children[node]])) for node in hierarchy.aggregation_order]
    ranks = np.empty((n_draws, len(units)), dtype=np.float32)

    def run(batch_norm: np.ndarray, power: float, wsets: np.ndarray) -> np.ndarray:
        # Node values for the batch: (draws, units, nodes); indicators are shared across draws.
        nodes = np.empty((wsets.shape[0], len(units), len(codes)))
        nodes[:, :, :n_indicators] = batch_norm[None]
        for node, kids in plan:
            nodes[:, :, position[node]] = _power_mean(nodes[:, :, kids], wsets[:, kids], power)
        return nodes[:, :, position[target]]

    if progress is None:
        progress = n_draws >= 5000
    with progress_bar(total=n_draws, enabled=progress, desc="uncertainty draws") as bar:
        for (ni, ai), rows in draws.groupby(["normalisation", "aggregation"]).indices.items():
            x = normalised[normalisations[ni]]
            power = _POWER[aggregations[ai]]
            if power <= 0 and np.nanmin(x) <= 0:
                raise ValueError(f"{aggregations[ai]} mean needs positive values; {normalisations[ni]!r} gives <= 0")
            for start in range(0, rows.size, batch_size):
                chunk = rows[start:start + batch_size]
                scores = run(x, power, weight_sets[draws["weights"].to_numpy()[chunk]])
                ranks[chunk] = _rank_descending(scores)
                bar.update(chunk.size)

    nominal = nominal or (normalisations[0], aggregations[0])
    nominal_scores = run(
        _normalise_for_ranking(values.to_numpy(), direction, nominal[0]),
        _POWER[nominal[1]], base[None, :],
    )
    rank_stats = _rank_summary(units, ranks, _rank_descending(nominal_scores)[0])
    draws = _label_draws(draws, normalisations, aggregations)
    settings = {"weight_noise": weight_noise, "n_weight_sets": n_weight_sets, "nominal": nominal,
                "normalisation_range": (1.0, 100.0)}
    return UncertaintyResult(rank_stats, ranks, draws, units, target, weight_sets, codes, settings)


def sensitivity_analysis(result: UncertaintyResult, factors: Iterable[str] | None = None) -> pd.DataFrame:
    """First-order sensitivity index of each uncertain choice on the units' ranks.

    For a unit with rank Y and a choice X with levels l (drawn independently of the other
    choices), the first-order index is ``S = Var_X(E[Y | X]) / Var(Y)`` (Saltelli et al. 2008,
    *Global Sensitivity Analysis: The Primer*, Wiley, ch. 1 and 4). It is estimated from the
    Monte Carlo draws of :func:`uncertainty_analysis` by the correlation ratio
    ``eta^2 = sum_l n_l (mean_l - mean)^2 / sum_i (y_i - mean)^2`` (the between-level share of the
    sum of squares), computed for every unit with non-zero rank variance and averaged over those units.

    With L levels and N draws, eta^2 is biased upwards by about ``(L - 1)/(N - 1) (1 - S)``;
    ``first_order_adjusted`` removes that bias (the omega^2 estimator,
    ``(SS_between - (L - 1) MS_within) / (SS_total + MS_within)``), which matters for the weight
    factor with its many levels.

    Parameters
    ----------
    result
        Output of :func:`uncertainty_analysis`.
    factors
        Columns of ``result.draws`` to analyse; default all.

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor, n_levels, first_order, first_order_adjusted, n_units``.
        The sum over factors is at most 1 for an additive model; the rest is interaction.
    """
    ranks = result.ranks.astype(float)
    n = ranks.shape[0]
    total_ss = ((ranks - ranks.mean(axis=0)) ** 2).sum(axis=0)
    varying = total_ss > 0
    rows = []
    for factor in factors or list(result.draws.columns):
        codes = pd.factorize(result.draws[factor])[0]
        n_levels = int(codes.max()) + 1
        counts = np.bincount(codes, minlength=n_levels).astype(float)
        # Level means via one scatter-add per level code, for all units at once.
        sums = np.zeros((n_levels, ranks.shape[1]))
        np.add.at(sums, codes, ranks)
        level_means = sums / counts[:, None]
        between = (counts[:, None] * (level_means - ranks.mean(axis=0)) ** 2).sum(axis=0)
        within_ms = (total_ss - between) / max(n - n_levels, 1)
        eta2 = between[varying] / total_ss[varying]
        omega2 = (between[varying] - (n_levels - 1) * within_ms[varying]) / (total_ss[varying] + within_ms[varying])
        rows.append(
            {
                "factor": factor,
                "n_levels": n_levels,
                "first_order": float(eta2.mean()) if eta2.size else np.nan,
                "first_order_adjusted": float(np.clip(omega2, 0, None).mean()) if omega2.size else np.nan,
                "n_units": int(varying.sum()),
            }
        )
    return pd.DataFrame(rows)


def dominance_pairs(matrix: pd.DataFrame, direction: pd.Series | None = None) -> pd.DataFrame:
    """Every pair of units, and whether one dominates the other on every indicator (Pareto order).

    If unit A is at least as good as B on every indicator and better on one, every normalisation
    that keeps the order within an indicator (none, min-max, rank, z-score) and every weighted power
    mean with positive weights (arithmetic, geometric, harmonic) puts A ahead of B: no modelling
    choice of :func:`uncertainty_analysis` can swap them. Only pairs that are not ordered by
    dominance can change places, which is why a composite whose units are nearly dominance-ordered
    has ranks that barely move (Saisana, Saltelli & Tarantola 2005 discuss the same point for
    the weights).

    Parameters
    ----------
    matrix
        Units by indicators (missing values make a pair not comparable).
    direction
        +1 (higher is better, the default) or -1 per indicator.

    Returns
    -------
    pandas.DataFrame
        ``unit_a, unit_b, dominates`` (the dominating unit, or missing when neither dominates),
        one row per unordered pair in table order.
    """
    values = matrix.to_numpy(dtype="float64")
    if direction is not None:
        values = values * direction.reindex(matrix.columns).fillna(1).to_numpy(dtype="float64")
    i, j = np.triu_indices(len(matrix), k=1)
    a, b = values[i], values[j]
    known = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    a_over_b = known & (a >= b).all(axis=1) & (a > b).any(axis=1)
    b_over_a = known & (b >= a).all(axis=1) & (b > a).any(axis=1)
    units = matrix.index.to_numpy()
    winner = np.where(a_over_b, units[i], np.where(b_over_a, units[j], None))
    return pd.DataFrame({"unit_a": units[i], "unit_b": units[j], "dominates": pd.array(winner, dtype="object")})


def rank_interval_pairs(
    rank_stats: pd.DataFrame, *, lower: str = "q05_rank", upper: str = "q95_rank"
) -> pd.DataFrame:
    """Every pair of units, and whether their rank intervals are separated.

    Two intervals ``[lower, upper]`` overlap when each starts no later than the other ends;
    intervals that only touch (a shared end rank) count as overlapping. Only a pair whose
    intervals do not overlap supports a claim that one unit ranks ahead of the other, and only
    with respect to the uncertainty the intervals describe.

    Parameters
    ----------
    rank_stats
        :attr:`UncertaintyResult.rank_stats`: ``unit``, ``median_rank`` and the interval columns.

    Returns
    -------
    pandas.DataFrame
        One row per pair, ``unit_a`` the one with the better (smaller) median rank (ties broken by
        table order): ``unit_a, unit_b, a_lower, a_upper, b_lower, b_upper, overlap`` and
        ``ahead`` (``unit_a`` when separated, else missing). Pairs in the order of ``unit_a``'s,
        then ``unit_b``'s, median rank.
    """
    missing = [c for c in ("unit", "median_rank", lower, upper) if c not in rank_stats.columns]
    if missing:
        raise ValueError(f"rank_stats lacks column(s) {missing}")
    ordered = rank_stats.sort_values("median_rank", kind="stable").reset_index(drop=True)
    i, j = np.triu_indices(len(ordered), k=1)
    a, b = ordered.iloc[i].reset_index(drop=True), ordered.iloc[j].reset_index(drop=True)
    pairs = pd.DataFrame(
        {
            "unit_a": a["unit"],
            "unit_b": b["unit"],
            "a_lower": a[lower].astype(float),
            "a_upper": a[upper].astype(float),
            "b_lower": b[lower].astype(float),
            "b_upper": b[upper].astype(float),
        }
    )
    pairs["overlap"] = (pairs["a_lower"] <= pairs["b_upper"]) & (pairs["b_lower"] <= pairs["a_upper"])
    pairs["ahead"] = pairs["unit_a"].astype(object).where(~pairs["overlap"], None)
    return pairs


def resampled_rank_uncertainty(
    observed: pd.DataFrame,
    members: pd.DataFrame,
    member_unit: pd.Series,
    *,
    n_draws: int = 1000,
    resample: bool = True,
    normalisations: Sequence[NormalisationMethod] = ("none", "minmax", "rank"),
    aggregations: Sequence[AggregationMethod] = ("arithmetic", "geometric"),
    weight_noise: float = 0.25,
    n_weight_sets: int = 100,
    nominal: tuple[NormalisationMethod, AggregationMethod] | None = None,
    seed: int | np.random.Generator | None = 0,
    index_code: str = "index",
    member_cluster: pd.Series | None = None,
) -> UncertaintyResult:
    """Rank uncertainty of units that are means over members: the sampled members *and* the modelling choices.

    Each draw first resamples the members of every unit with replacement (a stratified
    bootstrap, Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 6; unit sizes
    kept), recomputes each unit's indicator means over its resampled members (a member missing
    an indicator does not count for it), and then rebuilds a one-level index with a
    normalisation, an aggregation and a perturbed weight set drawn as in
    :func:`uncertainty_analysis` (min-max onto [1, 100]). ``resample=False`` gives the modelling
    uncertainty alone. A single unit gets rank 1 in every draw.

    Parameters
    ----------
    observed
        Units by indicators: the observed unit means (the units ranked).
    members
        Members by indicators: the values the unit means are taken over.
    member_unit
        The unit (an ``observed`` index label) of each member, aligned with ``members``.
    n_draws, normalisations, aggregations, weight_noise, n_weight_sets, nominal, seed
        As in :func:`uncertainty_analysis`.
    index_code
        Code of the index (the root of the one-level structure).
    member_cluster
        Cluster of each member (aligned with ``members``; e.g. the organisation of a respondent):
        whole clusters are then resampled within each unit (a cluster bootstrap, Davison & Hinkley
        1997, sec. 3.8; the number of clusters kept), so that members of one organisation are drawn
        together. None: every member its own cluster.

    Returns
    -------
    UncertaintyResult
        ``settings["resample"]`` records the bootstrap, ``settings["clustered"]`` whether it
        resampled clusters.
    """
    check_uncertainty_choices("resampled_rank_uncertainty", normalisations, aggregations, n_draws, n_weight_sets,
                              weight_noise)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    dimensions = list(observed.columns)
    units = observed.index
    means = np.broadcast_to(observed.to_numpy(), (n_draws, *observed.shape)).copy()
    if resample:
        for u, unit in enumerate(units):
            in_unit = (member_unit == unit).to_numpy()
            x = members[in_unit].to_numpy(dtype=float)
            if member_cluster is None:
                counts = rng.multinomial(x.shape[0], np.full(x.shape[0], 1.0 / x.shape[0]), size=n_draws)
            else:
                labels, index = np.unique(member_cluster[in_unit].astype(str).to_numpy(), return_inverse=True)
                counts = rng.multinomial(len(labels), np.full(len(labels), 1.0 / len(labels)), size=n_draws)[:, index]
            present = ~np.isnan(x)
            with np.errstate(invalid="ignore", divide="ignore"):
                means[:, u, :] = (counts @ np.where(present, x, 0.0)) / (counts @ present.astype(float))

    codes = [*dimensions, index_code]
    base = np.ones(len(codes))
    weight_sets = _perturbed_weight_sets(base, n_weight_sets, weight_noise, rng)
    draws = pd.DataFrame(
        {
            "normalisation": rng.integers(len(normalisations), size=n_draws),
            "aggregation": rng.integers(len(aggregations), size=n_draws),
            "weights": rng.integers(n_weight_sets, size=n_draws),
        }
    )
    direction = np.ones(len(dimensions))
    k = len(dimensions)

    def index_of(x: np.ndarray, normalisation: str, aggregation: str, weights: np.ndarray) -> np.ndarray:
        z = _normalise_for_ranking(x, direction, normalisation, names=dimensions, units=list(units))
        power = _POWER[aggregation]
        if power <= 0 and np.nanmin(z) <= 0:
            raise ValueError(f"{aggregation} mean needs positive values; {normalisation!r} gives <= 0")
        return _power_mean(z, weights[:k], power)

    ranks = np.empty((n_draws, len(units)), dtype=np.float32)
    norm_idx, agg_idx, w_idx = (draws[c].to_numpy() for c in ("normalisation", "aggregation", "weights"))
    for d in range(n_draws):
        score = index_of(means[d], normalisations[norm_idx[d]], aggregations[agg_idx[d]], weight_sets[w_idx[d]])
        ranks[d] = _rank_descending(score)
    nominal = nominal or (normalisations[0], aggregations[0])
    nominal_scores = index_of(observed.to_numpy(dtype=float), nominal[0], nominal[1], base)
    rank_stats = _rank_summary(units, ranks, _rank_descending(nominal_scores))
    draws = _label_draws(draws, normalisations, aggregations)
    settings = {"weight_noise": weight_noise, "n_weight_sets": n_weight_sets, "nominal": nominal,
                "normalisation_range": (1.0, 100.0), "resample": resample, "clustered": member_cluster is not None}
    return UncertaintyResult(rank_stats, ranks, draws, units, index_code, weight_sets, codes, settings)
