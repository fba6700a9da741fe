"""Programme evaluation across survey waves: did the capacity-building programme raise capability?

Every estimator takes a TIDY table of dimension scores with the columns of
:data:`SCORE_COLUMNS` (``panel_key, organisation_key, wave, participant, region,
stakeholder, dimension, score``; one row per respondent x wave x dimension), so that it
does not depend on the survey loader's internals. :func:`evaluate_programme` runs all of
them and returns tidy tables per dimension:

* **linking** (:func:`link_waves`): linked, unlinked and duplicate keys. A key used by
  more than one respondent in a wave, or whose participant flag differs between the
  waves, is never paired: it is excluded and counted.
* **paired change** (:func:`paired_change`) for linked respondents: Wilcoxon signed-rank
  test, matched-pairs rank-biserial correlation (Kerby 2014), and a bootstrap BCa
  interval for the mean change.
* **unpaired wave comparison** (:func:`unpaired_wave_comparison`): all baseline versus
  all follow-up respondents (Welch), labelled as such.
* **difference-in-differences** (:func:`difference_in_differences`): OLS with
  cluster-robust standard errors by organisation; the parallel-trends assumption is
  stated in the output.
* **attrition** (:func:`attrition_analysis`): who had no linked follow-up answer and how
  they differed at baseline.

Notebook 07 gets its table from :func:`evaluation_input` (real two-wave exports, or illustrative
waves with a known effect, both through ``load_survey``) and compares illustrative estimates with
the truth by :func:`truth_comparison` and :func:`truth_sentence`.

No output contains panel keys: pairs carry an anonymous ``pair_id`` only. Group tables
meant for publication suppress estimates from fewer than ``config.MIN_CELL_SIZE``
respondents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from . import config

SCORE_COLUMNS: tuple[str, ...] = (
    "panel_key",
    "organisation_key",
    "wave",
    "participant",
    "region",
    "stakeholder",
    "dimension",
    "score",
)
BASELINE = "baseline"
FOLLOW_UP = "follow_up"
GROUP_LABELS: dict[bool, str] = {True: "participants", False: "comparison"}

PARALLEL_TRENDS = (
    "parallel trends: without the programme, participants' mean score would have changed between the "
    "waves by the same amount as the comparison respondents' (untestable with two waves)"
)
ESTIMATOR_LABELS: dict[str, str] = {
    "paired": "paired change, linked respondents (follow-up minus baseline)",
    "unpaired": "unpaired wave comparison, all respondents (follow-up minus baseline; waves treated as independent)",
    "did_linked": "difference-in-differences, linked respondents (participants' change minus comparison change)",
    "did_all": "difference-in-differences, all respondents as repeated cross-sections",
}
LINK_MEANINGS: dict[str, str] = {
    "linked": "key answered once in each wave with the same participant flag; paired",
    "baseline_only": "key answered the baseline only (dropped out, or the link broke)",
    "follow_up_only": "key answered the follow-up only (new respondent, or the link broke)",
    "duplicate_key": "key used by more than one response in a wave; excluded from pairing",
    "conflicting_participant": "participant flag differs between the waves; excluded from pairing",
    "missing_key": "response without a panel key; cannot be linked",
}


# --------------------------------------------------------------------------- input


def validate_scores(
    scores: pd.DataFrame, *, baseline: str = BASELINE, follow_up: str = FOLLOW_UP
) -> pd.DataFrame:
    """Check a tidy score table and return a normalised copy.

    The copy has ``participant`` as a boolean column (``yes``/``no``, ``True``/``False``
    accepted), ``wave`` as a string, and ``score`` as float64 with NaN for missing scores.

    Raises
    ------
    ValueError
        Naming the column, row and value, when a column is missing, a wave other than
        ``baseline``/``follow_up`` appears, a participant flag is not yes/no, or a score is
        not numeric.
    """
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ValueError(f"score table lacks columns {missing}; it needs {list(SCORE_COLUMNS)}")
    out = scores.loc[:, list(SCORE_COLUMNS)].copy()
    wave = out["wave"].astype("string")
    bad_wave = ~wave.isin([baseline, follow_up]) | wave.isna()
    if bad_wave.any():
        row = bad_wave.idxmax()
        raise ValueError(
            f"column 'wave' row {row!r}: value {scores.at[row, 'wave']!r} is not {baseline!r} or {follow_up!r};"
            " select the two waves to compare first"
        )
    out["wave"] = wave.astype(object)
    participant = out["participant"]
    if pd.api.types.is_bool_dtype(participant.dtype):
        flags = participant.astype("boolean")
    else:
        text = participant.astype("string").str.strip().str.lower()
        flags = text.map({"yes": True, "no": False, "true": True, "false": False}, na_action="ignore")
    bad_flag = flags.isna()
    if bad_flag.any():
        row = bad_flag.idxmax()
        raise ValueError(
            f"column 'participant' row {row!r}: value {scores.at[row, 'participant']!r} is not yes/no"
        )
    out["participant"] = flags.astype(bool)
    if not isinstance(out["dimension"].dtype, pd.CategoricalDtype):
        # Keep dimensions in the order they first appear, not alphabetically.
        out["dimension"] = pd.Categorical(out["dimension"], categories=pd.unique(out["dimension"].dropna()))
    try:
        out["score"] = (
            pd.to_numeric(out["score"], errors="raise")
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
    except (ValueError, TypeError) as error:
        raise ValueError(f"column 'score' must be numeric: {error}") from error
    return out


def scores_for_evaluation(
    dimension_scores: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    role: str = "capability",
    value: str = "score",
) -> pd.DataFrame:
    """Build the tidy evaluation table from :func:`innocap_analysis.scoring.score_dimensions`.

    Parameters
    ----------
    dimension_scores
        Output of ``score_dimensions(survey)``: ``respondent_id``, ``dimension``, ``role``,
        ``score``, ``score_0_100``, ...
    responses
        ``survey.responses``: ``respondent_id``, ``wave``, ``participant``, ``panel_key``,
        ``organisation_key``, ``region``, ``stakeholder``.
    role
        Which item role's scores to evaluate (capability by default).
    value
        ``"score"`` (scale units) or ``"score_0_100"``.

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS`, one row per respondent x dimension (NA scores kept).

    Raises
    ------
    ValueError
        When a needed column is missing (naming it and where it comes from), or the role is absent.
    """
    need = ["respondent_id", "wave", "participant", "panel_key", "organisation_key", "region", "stakeholder"]
    missing = [c for c in need if c not in responses.columns]
    if missing:
        raise ValueError(
            f"survey responses lack {missing}: the exports need wave and participant columns, a panel key, "
            "and an organisation column loaded with a pseudonymisation key (organisation_key)"
        )
    for column in ("respondent_id", "dimension", "role", value):
        if column not in dimension_scores.columns:
            raise ValueError(f"dimension scores lack column {column!r}")
    chosen = dimension_scores[dimension_scores["role"] == role]
    if chosen.empty:
        raise ValueError(
            f"no dimension scores with role {role!r}; roles present: {sorted(set(dimension_scores['role']))}"
        )
    # respondent_id is unique within a wave, not across waves, so rows are matched by position (checked)
    profile = responses[need]
    if profile.duplicated(["respondent_id", "wave"]).any():
        row = profile.index[profile.duplicated(["respondent_id", "wave"])][0]
        raise ValueError(f"responses row {row!r}: respondent_id and wave are not unique")
    # score_dimensions returns one block per dimension, each in the order of survey.responses
    n_blocks = len(pd.unique(chosen["dimension"]))
    if len(chosen) != n_blocks * len(profile):
        raise ValueError(
            f"dimension scores have {len(chosen)} rows for role {role!r}, expected {n_blocks} dimensions x "
            f"{len(profile)} responses"
        )
    ids = chosen["respondent_id"].to_numpy(dtype=object)
    expected_ids = np.tile(profile["respondent_id"].to_numpy(dtype=object), n_blocks)
    if not (ids == expected_ids).all():
        raise ValueError(
            "dimension scores are not in the order of survey.responses (one block per dimension)"
        )
    out = pd.DataFrame(
        {
            "panel_key": np.tile(profile["panel_key"].to_numpy(dtype=object), n_blocks),
            "organisation_key": np.tile(profile["organisation_key"].to_numpy(dtype=object), n_blocks),
            "wave": np.tile(profile["wave"].astype(object).to_numpy(), n_blocks),
            "participant": np.tile(profile["participant"].astype(object).to_numpy(), n_blocks),
            "region": np.tile(profile["region"].astype(object).to_numpy(), n_blocks),
            "stakeholder": np.tile(profile["stakeholder"].astype(object).to_numpy(), n_blocks),
            "dimension": chosen["dimension"].to_numpy(dtype=object),
            "score": chosen[value].to_numpy(dtype=float, na_value=np.nan),
        }
    )
    return out


# --------------------------------------------------------------------------- linking


@dataclass(frozen=True)
class WaveLinks:
    """Result of :func:`link_waves`.

    Attributes
    ----------
    report
        One row per link category (``linked``, ``baseline_only``, ``follow_up_only``,
        ``duplicate_key``, ``conflicting_participant``, ``missing_key``) with ``n_keys``,
        ``n_baseline_responses``, ``n_follow_up_responses`` and ``meaning``. Contains no keys.
    pairs
        One row per linked respondent x dimension: ``pair_id`` (anonymous integer),
        ``dimension``, ``participant``, ``organisation_key`` (from the baseline),
        ``region``, ``stakeholder``, ``baseline_score``, ``follow_up_score``, ``change``.
        Individual-level: not for publication as is.
    baseline_status
        One row per baseline respondent x dimension with a usable key (not duplicated,
        not conflicting): ``respondent`` (anonymous integer), ``participant``, ``region``,
        ``stakeholder``, ``organisation_key``, ``dimension``, ``baseline_score`` and
        ``linked`` (has a linked follow-up answer). Used by :func:`attrition_analysis`.
    """

    report: pd.DataFrame
    pairs: pd.DataFrame
    baseline_status: pd.DataFrame


def link_waves(scores: pd.DataFrame, *, baseline: str = BASELINE, follow_up: str = FOLLOW_UP) -> WaveLinks:
    """Link baseline and follow-up responses by panel key, never pairing two people.

    A key is *duplicate* when it carries more than one score row for a dimension within a
    wave (two responses under one key: the same person twice or two people colliding —
    which cannot be told apart, so neither is paired). A key whose participant flag differs
    between the waves is *conflicting* and also excluded, since a broken link could
    otherwise pair two different people.

    Parameters
    ----------
    scores
        Tidy score table (:data:`SCORE_COLUMNS`).
    baseline, follow_up
        Wave labels.

    Returns
    -------
    WaveLinks
        Linking report, anonymous pairs and the baseline status used for attrition.
    """
    data = validate_scores(scores, baseline=baseline, follow_up=follow_up)
    has_key = data["panel_key"].notna()
    keyed = data[has_key]
    per_key = keyed.groupby(["panel_key", "wave", "dimension"], observed=True).size()
    responses = per_key.groupby(level=["panel_key", "wave"]).max().unstack("wave", fill_value=0)
    for wave in (baseline, follow_up):
        if wave not in responses.columns:
            responses[wave] = 0
    responses = responses[[baseline, follow_up]]
    duplicate = (responses > 1).any(axis=1)

    people = keyed.drop_duplicates(["panel_key", "wave"]).set_index(["panel_key", "wave"])
    flag = people["participant"].unstack("wave").reindex(columns=[baseline, follow_up])
    flag = flag.reindex(responses.index)
    in_both = (responses[baseline] > 0) & (responses[follow_up] > 0)
    conflicting = in_both & ~duplicate & (flag[baseline] != flag[follow_up])
    status = pd.Series(
        np.select(
            [duplicate, conflicting, in_both, responses[baseline] > 0],
            ["duplicate_key", "conflicting_participant", "linked", "baseline_only"],
            default="follow_up_only",
        ),
        index=responses.index,
        name="status",
    )

    unkeyed = data[~has_key].groupby(["wave", "dimension"], observed=True).size()
    unkeyed_per_wave = unkeyed.groupby(level="wave").max() if len(unkeyed) else pd.Series(dtype=int)
    counts = (
        pd.concat([status, responses], axis=1)
        .groupby("status")
        .agg(
            n_keys=("status", "size"),
            n_baseline_responses=(baseline, "sum"),
            n_follow_up_responses=(follow_up, "sum"),
        )
    )
    counts.loc["missing_key"] = [
        0,
        int(unkeyed_per_wave.get(baseline, 0)),
        int(unkeyed_per_wave.get(follow_up, 0)),
    ]
    report = counts.reindex(list(LINK_MEANINGS), fill_value=0).astype(int)
    report["meaning"] = [LINK_MEANINGS[c] for c in report.index]
    report = report.rename_axis("category").reset_index()

    usable = status[status.isin(["linked", "baseline_only"])]
    # Anonymous ids in a random-free but key-free order: position among usable keys.
    anonymous = pd.Series(np.arange(len(usable)), index=usable.index, name="respondent")
    base_rows = keyed[(keyed["wave"] == baseline) & keyed["panel_key"].isin(usable.index)]
    baseline_status = pd.DataFrame(
        {
            "respondent": anonymous.reindex(base_rows["panel_key"]).to_numpy(),
            "participant": base_rows["participant"].to_numpy(),
            "region": base_rows["region"].to_numpy(),
            "stakeholder": base_rows["stakeholder"].to_numpy(),
            "organisation_key": base_rows["organisation_key"].to_numpy(),
            "dimension": pd.Categorical(base_rows["dimension"], dtype=data["dimension"].dtype),
            "baseline_score": base_rows["score"].to_numpy(),
            "linked": (usable.reindex(base_rows["panel_key"]) == "linked").to_numpy(),
        }
    )

    linked_keys = status.index[status == "linked"]
    follow_rows = keyed[(keyed["wave"] == follow_up) & keyed["panel_key"].isin(linked_keys)]
    merged = base_rows[base_rows["panel_key"].isin(linked_keys)].merge(
        follow_rows[["panel_key", "dimension", "score"]],
        on=["panel_key", "dimension"],
        how="outer",
        suffixes=("_baseline", "_follow_up"),
        validate="one_to_one",
    )
    missing_side = merged["participant"].isna()
    if missing_side.any():
        # A dimension present in the follow-up only: kept, with a missing baseline score.
        fill = base_rows.drop_duplicates("panel_key").set_index("panel_key")
        for column in ("participant", "organisation_key", "region", "stakeholder"):
            merged.loc[missing_side, column] = (
                fill[column].reindex(merged.loc[missing_side, "panel_key"]).to_numpy()
            )
    pairs = pd.DataFrame(
        {
            "pair_id": anonymous.reindex(merged["panel_key"]).to_numpy(),
            "dimension": pd.Categorical(merged["dimension"], dtype=data["dimension"].dtype),
            "participant": merged["participant"].astype(bool).to_numpy(),
            "organisation_key": merged["organisation_key"].to_numpy(),
            "region": merged["region"].to_numpy(),
            "stakeholder": merged["stakeholder"].to_numpy(),
            "baseline_score": merged["score_baseline"].to_numpy(dtype=float),
            "follow_up_score": merged["score_follow_up"].to_numpy(dtype=float),
        }
    )
    pairs["change"] = pairs["follow_up_score"] - pairs["baseline_score"]
    pairs = pairs.sort_values(["dimension", "pair_id"], kind="stable").reset_index(drop=True)
    return WaveLinks(report=report, pairs=pairs, baseline_status=baseline_status)


# --------------------------------------------------------------------------- paired


def rank_biserial(differences: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation of paired differences.

    ``r = (R+ - R-) / (R+ + R-)``, where ``R+`` and ``R-`` are the sums of the ranks of the
    absolute non-zero differences that are positive and negative (zeros dropped, as in the
    Wilcoxon ``zero_method="wilcox"``). It lies in [-1, 1]: +1 when every non-zero change is
    an increase.

    Reference: Kerby, D. S. (2014). The simple difference formula: an approach to teaching
    nonparametric correlation. *Comprehensive Psychology*, 3, 11.IT.3.1.
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d) & (d != 0)]
    if d.size == 0:
        return float("nan")
    ranks = stats.rankdata(np.abs(d))
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


def _bca_interval(
    values: np.ndarray, confidence_level: float, n_resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    if values.size < 3 or np.ptp(values) == 0:
        return float("nan"), float("nan")
    result = stats.bootstrap(
        (values,),
        np.mean,
        vectorized=True,
        method="BCa",
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        rng=rng,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def paired_change(
    pairs: pd.DataFrame,
    *,
    confidence_level: float = 0.95,
    n_resamples: int = 9999,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Paired change (follow-up minus baseline) per dimension and group, linked respondents.

    Parameters
    ----------
    pairs
        :attr:`WaveLinks.pairs`.
    confidence_level
        Of the BCa interval for the mean change.
    n_resamples
        Bootstrap resamples (scipy default 9999).
    seed
        Seed or generator for the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per dimension x group (``participants``, ``comparison``): ``n``
        (pairs with both scores), ``n_missing_score``, ``mean_baseline``, ``mean_follow_up``,
        ``estimate`` (mean change, score points), ``ci_low``/``ci_high`` (bootstrap BCa),
        ``median_change``, ``n_zero_change``, ``wilcoxon_statistic`` and ``p_value``
        (scipy ``wilcoxon``, two-sided, zeros dropped), ``rank_biserial`` (Kerby 2014),
        ``estimator``.

    Notes
    -----
    BCa: Efron, B. (1987). Better bootstrap confidence intervals. *JASA*, 82(397), 171-185,
    via :func:`scipy.stats.bootstrap`. Wilcoxon, F. (1945). Individual comparisons by
    ranking methods. *Biometrics Bulletin*, 1(6), 80-83, via :func:`scipy.stats.wilcoxon`.
    The bootstrap resamples respondents as independent; when changes are correlated within
    organisations the interval is too narrow (see the difference-in-differences instead).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for (dimension, participant), group in pairs.groupby(
        ["dimension", "participant"], observed=True, sort=True
    ):
        change = group["change"].to_numpy(dtype=float)
        complete = np.isfinite(change)
        d = change[complete]
        low, high = _bca_interval(d, confidence_level, n_resamples, rng)
        nonzero = d[d != 0]
        if nonzero.size:
            test = stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
            statistic, p_value = float(test.statistic), float(test.pvalue)
        else:
            statistic, p_value = float("nan"), float("nan")
        rows.append(
            {
                "dimension": dimension,
                "group": GROUP_LABELS[bool(participant)],
                "n": int(d.size),
                "n_missing_score": int((~complete).sum()),
                "mean_baseline": float(group["baseline_score"].to_numpy(float)[complete].mean())
                if d.size
                else np.nan,
                "mean_follow_up": float(group["follow_up_score"].to_numpy(float)[complete].mean())
                if d.size
                else np.nan,
                "estimate": float(d.mean()) if d.size else np.nan,
                "ci_low": low,
                "ci_high": high,
                "median_change": float(np.median(d)) if d.size else np.nan,
                "n_zero_change": int((d == 0).sum()),
                "wilcoxon_statistic": statistic,
                "p_value": p_value,
                "rank_biserial": rank_biserial(d),
                "estimator": ESTIMATOR_LABELS["paired"],
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- unpaired


def unpaired_wave_comparison(
    scores: pd.DataFrame,
    *,
    confidence_level: float = 0.95,
    baseline: str = BASELINE,
    follow_up: str = FOLLOW_UP,
) -> pd.DataFrame:
    """Unpaired comparison of the waves: all follow-up minus all baseline respondents.

    Every response with a score counts, linked or not (so it uses the data that partial
    linking leaves unpaired). It is labelled as unpaired: respondents present in both waves
    make the samples dependent (with positive within-person correlation the Welch interval
    is conservative), and selective attrition biases it.

    Returns
    -------
    pandas.DataFrame
        One row per dimension x group: ``n_baseline``, ``n_follow_up``, ``mean_baseline``,
        ``mean_follow_up``, ``estimate`` (difference of means, score points), ``ci_low``,
        ``ci_high``, ``p_value`` (Welch t-test), ``hedges_g``, ``estimator``.

    Notes
    -----
    Welch, B. L. (1947). The generalization of 'Student's' problem when several different
    population variances are involved. *Biometrika*, 34, 28-35, via
    :func:`scipy.stats.ttest_ind` (``equal_var=False``); Hedges' g from Hedges & Olkin
    (1985), *Statistical Methods for Meta-Analysis*, eq. 5.4 (pooled SD, small-sample factor).
    """
    data = validate_scores(scores, baseline=baseline, follow_up=follow_up)
    data = data[np.isfinite(data["score"])]
    rows = []
    for (dimension, participant), group in data.groupby(
        ["dimension", "participant"], observed=True, sort=True
    ):
        before = group.loc[group["wave"] == baseline, "score"].to_numpy(float)
        after = group.loc[group["wave"] == follow_up, "score"].to_numpy(float)
        row = {
            "dimension": dimension,
            "group": GROUP_LABELS[bool(participant)],
            "n_baseline": before.size,
            "n_follow_up": after.size,
            "mean_baseline": before.mean() if before.size else np.nan,
            "mean_follow_up": after.mean() if after.size else np.nan,
            "estimate": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
            "hedges_g": np.nan,
        }
        if before.size >= 2 and after.size >= 2:
            test = stats.ttest_ind(after, before, equal_var=False)
            ci = test.confidence_interval(confidence_level)
            n1, n2 = after.size, before.size
            pooled = np.sqrt(((n1 - 1) * after.var(ddof=1) + (n2 - 1) * before.var(ddof=1)) / (n1 + n2 - 2))
            correction = 1 - 3 / (4 * (n1 + n2) - 9)
            row.update(
                estimate=after.mean() - before.mean(),
                ci_low=ci.low,
                ci_high=ci.high,
                p_value=test.pvalue,
                hedges_g=correction * (after.mean() - before.mean()) / pooled if pooled > 0 else np.nan,
            )
        row["estimator"] = ESTIMATOR_LABELS["unpaired"]
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- DiD


def _did_fit(long: pd.DataFrame, confidence_level: float) -> dict[str, float]:
    """OLS ``score ~ participant * follow_up`` with errors clustered by organisation."""
    model = smf.ols("score ~ treated * post", data=long)
    clusters = pd.factorize(long["cluster"])[0]
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence_level).loc["treated:post"]
    return {
        "estimate": float(fit.params["treated:post"]),
        "std_error": float(fit.bse["treated:post"]),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(fit.pvalues["treated:post"]),
        "n_clusters": int(clusters.max() + 1),
    }


def difference_in_differences(
    data: pd.DataFrame,
    *,
    sample: str = "linked",
    confidence_level: float = 0.95,
    baseline: str = BASELINE,
    follow_up: str = FOLLOW_UP,
) -> pd.DataFrame:
    """Difference-in-differences of participants versus comparison respondents, per dimension.

    Fits ``score ~ treated + post + treated:post`` by OLS (statsmodels) with cluster-robust
    standard errors by organisation (``cov_type="cluster"``, small-sample correction and
    t reference with G - 1 degrees of freedom). The coefficient of ``treated:post`` is the
    estimate: participants' mean change minus comparison respondents' mean change.

    Parameters
    ----------
    data
        ``sample="linked"``: :attr:`WaveLinks.pairs` (a balanced panel; the estimate equals
        the difference of mean changes, and clustering by organisation also covers the two
        answers of one person, since people are nested in organisations).
        ``sample="all"``: the tidy score table; every response counts, treating the waves
        as repeated cross-sections (it additionally assumes that the make-up of each group
        does not change between waves, which selective attrition breaks).
    sample
        ``"linked"`` or ``"all"``.
    confidence_level
        Of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per dimension: ``n_participants``, ``n_comparison`` (respondents, or
        responses for ``"all"``), ``n_clusters``, ``n_without_organisation`` (respondents
        without an organisation key, each made its own cluster), ``estimate`` (score
        points), ``std_error``, ``ci_low``, ``ci_high``, ``p_value``, ``estimator`` and
        ``assumption`` (parallel trends). The assumption is also in ``.attrs["assumption"]``.

    Notes
    -----
    Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*, ch. 5;
    cluster-robust variance: Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide
    to cluster-robust inference. *J. Human Resources*, 50(2), 317-372.
    """
    if sample == "linked":
        complete = data[np.isfinite(data["change"])]
        long = pd.concat(
            [
                complete.assign(score=complete["baseline_score"], post=0),
                complete.assign(score=complete["follow_up_score"], post=1),
            ],
            ignore_index=True,
        )
        long["person"] = long["pair_id"]
        label = ESTIMATOR_LABELS["did_linked"]
    elif sample == "all":
        scored = validate_scores(data, baseline=baseline, follow_up=follow_up)
        long = scored[np.isfinite(scored["score"])].copy()
        long["post"] = (long["wave"] == follow_up).astype(int)
        long["person"] = np.arange(len(long))
        label = ESTIMATOR_LABELS["did_all"]
    else:
        raise ValueError(f"sample must be 'linked' or 'all', got {sample!r}")
    long["treated"] = long["participant"].astype(bool).astype(int)
    no_org = long["organisation_key"].isna()
    # A respondent without an organisation is its own cluster (never merged with others).
    long["cluster"] = (
        long["organisation_key"].astype(object).where(~no_org, "__person_" + long["person"].astype(str))
    )
    rows = []
    for dimension, group in long.groupby("dimension", observed=True, sort=True):
        first_wave = group[group["post"] == 0]
        row: dict[str, object] = {
            "dimension": dimension,
            "n_participants": int(first_wave["treated"].sum()),
            "n_comparison": int((1 - first_wave["treated"]).sum()),
            "n_without_organisation": int(no_org[group.index].sum() // (2 if sample == "linked" else 1)),
        }
        cells = group.groupby(["treated", "post"]).size()
        if len(cells) == 4 and (cells >= 2).all() and group["cluster"].nunique() >= 2:
            row.update(_did_fit(group, confidence_level))
        else:
            row.update(
                estimate=np.nan, std_error=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan, n_clusters=0
            )
        row.update(estimator=label, assumption=PARALLEL_TRENDS)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["assumption"] = PARALLEL_TRENDS
    return table


# --------------------------------------------------------------------------- attrition


@dataclass(frozen=True)
class Attrition:
    """Result of :func:`attrition_analysis`.

    Attributes
    ----------
    response
        Follow-up response by group: ``group`` (participants/comparison/all) and each of
        ``by`` columns, ``n_baseline``, ``n_linked_follow_up``, ``follow_up_rate``.
    baseline_difference
        Per dimension x group: ``n_linked``, ``n_not_linked``, ``mean_linked``,
        ``mean_not_linked``, ``difference`` (not linked minus linked, score points),
        ``ci_low``, ``ci_high``, ``p_value`` (Welch), ``standardised_difference`` (Cohen's d,
        pooled SD).
    """

    response: pd.DataFrame
    baseline_difference: pd.DataFrame


def attrition_analysis(
    links: WaveLinks, *, by: Sequence[str] = (), confidence_level: float = 0.95
) -> Attrition:
    """Who had no linked follow-up answer, and how they differed at baseline.

    Respondents with a usable baseline key (not duplicated, not conflicting) are split into
    those with a linked follow-up answer and those without (dropped out, or their link
    broke: the two cannot be told apart).

    Parameters
    ----------
    links
        From :func:`link_waves`.
    by
        Extra grouping columns for the response table (``"region"``, ``"stakeholder"``).
    confidence_level
        Of the Welch interval for the baseline difference.

    Returns
    -------
    Attrition
        Response rates and baseline differences (see :class:`Attrition`).

    Notes
    -----
    Baseline comparison of completers and dropouts as in Little, R. J. A. & Rubin, D. B.
    (2019), *Statistical Analysis with Missing Data*, 3rd ed., ch. 1 and 3 (an MCAR check
    on observed baseline covariates); Welch t via :func:`scipy.stats.ttest_ind`.
    """
    status = links.baseline_status
    people = status.drop_duplicates("respondent").copy()
    people["group"] = people["participant"].map(GROUP_LABELS)
    keys = ["group", *by]
    response = people.groupby(keys, observed=True, sort=True).agg(
        n_baseline=("linked", "size"), n_linked_follow_up=("linked", "sum")
    )
    overall = people.groupby(list(by), observed=True, sort=True) if by else None
    total = (
        overall.agg(n_baseline=("linked", "size"), n_linked_follow_up=("linked", "sum")).assign(group="all")
        if overall is not None
        else pd.DataFrame(
            {
                "n_baseline": [len(people)],
                "n_linked_follow_up": [int(people["linked"].sum())],
                "group": ["all"],
            }
        )
    )
    response = pd.concat([response.reset_index(), total.reset_index(drop=not by)], ignore_index=True)
    response = response[[*keys, "n_baseline", "n_linked_follow_up"]]
    response["follow_up_rate"] = response["n_linked_follow_up"] / response["n_baseline"]

    rows = []
    scored = status[np.isfinite(status["baseline_score"].to_numpy(float))]
    groups = [(GROUP_LABELS[p], scored[scored["participant"] == p]) for p in (True, False)] + [
        ("all", scored)
    ]
    for group_label, subset in groups:
        for dimension, part in subset.groupby("dimension", observed=True, sort=True):
            stayed = part.loc[part["linked"], "baseline_score"].to_numpy(float)
            left = part.loc[~part["linked"], "baseline_score"].to_numpy(float)
            row = {
                "dimension": dimension,
                "group": group_label,
                "n_linked": stayed.size,
                "n_not_linked": left.size,
                "mean_linked": stayed.mean() if stayed.size else np.nan,
                "mean_not_linked": left.mean() if left.size else np.nan,
                "difference": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "standardised_difference": np.nan,
            }
            if stayed.size >= 2 and left.size >= 2:
                test = stats.ttest_ind(left, stayed, equal_var=False)
                ci = test.confidence_interval(confidence_level)
                pooled = np.sqrt(
                    ((left.size - 1) * left.var(ddof=1) + (stayed.size - 1) * stayed.var(ddof=1))
                    / (left.size + stayed.size - 2)
                )
                row.update(
                    difference=left.mean() - stayed.mean(),
                    ci_low=ci.low,
                    ci_high=ci.high,
                    p_value=test.pvalue,
                    standardised_difference=(left.mean() - stayed.mean()) / pooled if pooled > 0 else np.nan,
                )
            rows.append(row)
    return Attrition(response=response, baseline_difference=pd.DataFrame(rows))


# --------------------------------------------------------------------------- suppression


def suppress_small_estimates(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    *,
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Blank every statistic of a row whose smallest count is below ``min_cell_size``.

    The rule is :func:`innocap_analysis.survey.suppress_small_cells` (primary threshold
    suppression) applied to the smallest of ``count_columns``. Statistics stay float64 (NaN
    where blanked) and other counts become ``Int64`` (``<NA>`` where blanked); each count in
    ``count_columns`` is blanked where it is itself below the threshold but not zero, so a
    structurally empty cell stays visible. A ``suppressed`` column says which rows were
    blanked. Reference: Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley,
    ch. 4 (threshold rule).
    """
    from .disclosure import suppress_small_cells

    protected = {"dimension", "group", "estimator", "assumption", "meaning", "category", *count_columns}
    numeric = [c for c in table.columns if c not in protected and pd.api.types.is_numeric_dtype(table[c])]
    flagged = suppress_small_cells(
        table.assign(_smallest_count=table[list(count_columns)].min(axis=1)),
        min_cell_size,
        count_column="_smallest_count",
        value_columns=numeric,
        mask_count=False,
    ).drop(columns="_smallest_count")
    for column in numeric:
        if column == "n" or column.startswith("n_"):
            flagged[column] = flagged[column].astype("Int64")
        else:
            flagged[column] = flagged[column].astype(float)  # Float64 <NA> -> NaN, as every other estimate
    for column in count_columns:
        blank = (table[column] > 0) & (table[column] < min_cell_size)
        flagged[column] = table[column].astype("Int64").mask(blank)
    flagged["suppressed"] = flagged["suppressed"].astype(bool)
    return flagged


# --------------------------------------------------------------------------- evaluate


@dataclass(frozen=True)
class ProgrammeEvaluation:
    """All results of :func:`evaluate_programme` (tidy tables, no panel keys).

    ``pairs`` is individual-level (anonymous pair ids, for the change-distribution figure);
    every other table is ready to publish (small cells suppressed when ``suppress=True``).
    """

    linking: pd.DataFrame
    paired: pd.DataFrame
    unpaired: pd.DataFrame
    did: pd.DataFrame
    attrition_response: pd.DataFrame
    attrition_baseline: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def estimates(self) -> pd.DataFrame:
        """One tidy table of every estimate with its interval (for the forest plot)."""
        columns = ["dimension", "group", "estimator", "estimate", "ci_low", "ci_high", "p_value"]
        did = self.did.assign(group="participants vs comparison")
        return pd.concat([self.paired[columns], self.unpaired[columns], did[columns]], ignore_index=True)


def evaluate_programme(
    scores: pd.DataFrame,
    *,
    baseline: str = BASELINE,
    follow_up: str = FOLLOW_UP,
    confidence_level: float = 0.95,
    n_resamples: int = 9999,
    seed: int = 0,
    attrition_by: Sequence[str] = (),
    suppress: bool = True,
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> ProgrammeEvaluation:
    """Evaluate the programme on a tidy score table of two survey waves, per dimension.

    Parameters
    ----------
    scores
        Tidy dimension scores (:data:`SCORE_COLUMNS`; ``wave`` in {baseline, follow_up},
        ``participant`` yes/no). Scores in any unit (scale range or 0-100); estimates are
        in the same unit.
    baseline, follow_up
        Wave labels.
    confidence_level
        Of every interval.
    n_resamples, seed
        Of the BCa bootstrap.
    attrition_by
        Extra grouping of the attrition response table (for example ``("region",)``).
    suppress
        Blank estimates from groups smaller than ``min_cell_size`` (for publication).
    min_cell_size
        Threshold of the small-cell rule (``config.MIN_CELL_SIZE``).

    Returns
    -------
    ProgrammeEvaluation
        Linking report, paired change, unpaired wave comparison, difference-in-differences
        on linked respondents and on all responses, attrition tables, anonymous pairs.
    """
    links = link_waves(scores, baseline=baseline, follow_up=follow_up)
    paired = paired_change(links.pairs, confidence_level=confidence_level, n_resamples=n_resamples, seed=seed)
    unpaired = unpaired_wave_comparison(
        scores, confidence_level=confidence_level, baseline=baseline, follow_up=follow_up
    )
    did = pd.concat(
        [
            difference_in_differences(links.pairs, sample="linked", confidence_level=confidence_level),
            difference_in_differences(
                scores,
                sample="all",
                confidence_level=confidence_level,
                baseline=baseline,
                follow_up=follow_up,
            ),
        ],
        ignore_index=True,
    )
    did.attrs["assumption"] = PARALLEL_TRENDS
    attrition = attrition_analysis(links, by=attrition_by, confidence_level=confidence_level)
    response, baseline_difference = attrition.response, attrition.baseline_difference
    if suppress:
        paired = suppress_small_estimates(paired, ["n"], min_cell_size=min_cell_size)
        unpaired = suppress_small_estimates(
            unpaired, ["n_baseline", "n_follow_up"], min_cell_size=min_cell_size
        )
        did = suppress_small_estimates(did, ["n_participants", "n_comparison"], min_cell_size=min_cell_size)
        did.attrs["assumption"] = PARALLEL_TRENDS
        response = suppress_small_estimates(
            response, ["n_baseline", "n_linked_follow_up"], min_cell_size=min_cell_size
        )
        baseline_difference = suppress_small_estimates(
            baseline_difference, ["n_linked", "n_not_linked"], min_cell_size=min_cell_size
        )
    return ProgrammeEvaluation(
        linking=links.report,
        paired=paired,
        unpaired=unpaired,
        did=did,
        attrition_response=response,
        attrition_baseline=baseline_difference,
        pairs=links.pairs,
    )


# --------------------------------------------------------------------------- notebook input

#: Environment variable holding the pseudonymisation key for real two-wave exports.
PSEUDONYMISE_KEY_ENV = "INNOCAP_PSEUDONYMISE_KEY"


@dataclass(frozen=True)
class EvaluationInput:
    """What notebook 07 evaluates (from :func:`evaluation_input`).

    Attributes
    ----------
    scores
        Tidy score table (:data:`SCORE_COLUMNS`, capability scores in scale units).
    truth
        For illustrative data, the truth behind it (see
        :class:`~innocap_analysis.synthetic_panel.IllustrativeWaves`); ``None`` for real exports.
    design
        The :class:`~innocap_analysis.synthetic_panel.PanelDesign` of illustrative data; ``None`` for real.
    n_rejected
        Rows the loader rejected (``errors="report"`` for real exports; 0 for illustrative data).
    illustrative
        Whether the scores are the illustrative (synthetic) waves.
    source
        One sentence saying where the scores come from (and why, when real exports without a
        follow-up wave were replaced by illustrative waves).
    """

    scores: pd.DataFrame
    truth: pd.DataFrame | None
    design: object | None
    n_rejected: int
    illustrative: bool
    source: str


def evaluation_input(
    survey_paths: Sequence[str] | None = None,
    codebook_path: str | None = None,
    *,
    region_selection: Sequence[str] | None = None,
    seed: int = 0,
    design: object | None = None,
    pseudonymise_key: str | None = None,
) -> EvaluationInput:
    """The two-wave score table for the evaluation, from real exports or illustrative ones.

    Both routes use the same chain: exports -> :func:`~innocap_analysis.survey.load_survey`
    (pseudonymised) -> :func:`~innocap_analysis.scoring.score_dimensions` ->
    :func:`scores_for_evaluation`.

    Parameters
    ----------
    survey_paths
        Exports holding both waves (``wave``, ``participant`` and panel-key columns, and an
        organisation column). ``None``: illustrative waves from
        :func:`~innocap_analysis.synthetic_panel.illustrative_waves` (written to a temporary
        directory, never into the repository).
    codebook_path
        Instrument YAML; ``None`` is INNOCAP v1.
    region_selection
        Partner-region keys to keep; ``None`` keeps all.
    seed
        Seed of the illustrative data.
    design
        :class:`~innocap_analysis.synthetic_panel.PanelDesign` of the illustrative data (default: the plan).
    pseudonymise_key
        Key of the keyed hash for real exports; default the environment variable
        :data:`PSEUDONYMISE_KEY_ENV` (organisations can only be clustered when pseudonymised).

    Real exports that hold no follow-up wave yet (no ``wave`` column, or no ``follow_up``
    response) cannot be evaluated: the illustrative waves are used instead, and
    :attr:`EvaluationInput.illustrative` and :attr:`EvaluationInput.source` say so, so that a
    build on baseline-only exports still completes and labels these outputs as synthetic.

    Raises
    ------
    ValueError
        For real two-wave exports without a pseudonymisation key, or without the panel-key or
        participant columns (from :func:`scores_for_evaluation`).
    """
    import os

    from .scoring import score_dimensions
    from .survey import load_survey
    from .synthetic_panel import illustrative_waves

    def illustrative(reason: str) -> EvaluationInput:
        waves = illustrative_waves(design, seed=seed, codebook=codebook_path)
        return EvaluationInput(
            scores=scores_for_evaluation(score_dimensions(waves.survey), waves.survey.responses),
            truth=waves.truth,
            design=waves.panel.design,
            n_rejected=int(waves.survey.report.rows_rejected),
            illustrative=True,
            source=reason,
        )

    if survey_paths is None:
        data = illustrative(
            "Illustrative two-wave exports, simulated with a known programme effect "
            "(synthetic_panel.illustrative_waves) and loaded by load_survey."
        )
    else:
        key = pseudonymise_key or os.environ.get(PSEUDONYMISE_KEY_ENV) or None
        paths = list(survey_paths)
        survey = load_survey(paths, codebook=codebook_path, errors="report", pseudonymise_key=key)
        waves_present = (
            survey.responses["wave"] if "wave" in survey.responses.columns else pd.Series(dtype=object)
        )
        if not waves_present.astype("string").eq(FOLLOW_UP).any():
            data = illustrative(
                f"The {len(paths)} real export(s) hold no follow-up wave yet, so the evaluation below runs on "
                "illustrative (synthetic) two-wave exports instead; it shows the method, not a finding."
            )
        else:
            if key is None:
                raise ValueError(
                    "real two-wave exports need a pseudonymisation key (organisations are clustered by "
                    f"their keyed hash): set the environment variable {PSEUDONYMISE_KEY_ENV} "
                    "(keep it out of the repository)"
                )
            data = EvaluationInput(
                scores=scores_for_evaluation(score_dimensions(survey), survey.responses),
                truth=None,
                design=None,
                n_rejected=int(survey.report.rows_rejected),
                illustrative=False,
                source=f"The partners' real two-wave exports ({len(paths)} file(s)).",
            )
    scores = data.scores
    if region_selection is not None:
        scores = scores[scores["region"].astype(str).isin(list(region_selection))].reset_index(drop=True)
    return replace(data, scores=scores)


def truth_comparison(did: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Set the difference-in-differences estimates beside the known truth of illustrative data.

    Parameters
    ----------
    did
        :attr:`ProgrammeEvaluation.did` (both samples).
    truth
        :attr:`EvaluationInput.truth` (``dimension``, ``item_scale_effect``).

    Returns
    -------
    pandas.DataFrame
        One row per dimension x DiD sample: ``dimension``, ``estimator`` (short: ``linked``
        or ``all``), ``true_effect`` (item scale), ``estimate``, ``ci_low``, ``ci_high``,
        ``error`` (estimate minus truth) and ``covered`` (the interval contains the truth;
        ``<NA>`` when the estimate is suppressed).
    """
    short = {ESTIMATOR_LABELS["did_linked"]: "linked", ESTIMATOR_LABELS["did_all"]: "all"}
    table = did[["dimension", "estimator", "estimate", "ci_low", "ci_high"]].assign(
        dimension=did["dimension"].astype(str), estimator=did["estimator"].map(short)
    )
    true = truth.assign(dimension=truth["dimension"].astype(str)).set_index("dimension")["item_scale_effect"]
    table.insert(2, "true_effect", true.reindex(table["dimension"]).to_numpy(float))
    table["error"] = table["estimate"] - table["true_effect"]
    covered = (table["ci_low"] <= table["true_effect"]) & (table["true_effect"] <= table["ci_high"])
    table["covered"] = covered.astype("boolean").mask(table["estimate"].isna())
    return table.reset_index(drop=True)


def truth_sentence(truth: pd.DataFrame, *, digits: int = 2) -> str:
    """Say which true effect generated illustrative data, on both scales, for the reader to compare.

    Parameters
    ----------
    truth
        :attr:`EvaluationInput.truth` (``delta``, ``wave_shift``, ``item_scale_effect``,
        ``n_participant_follow_up`` per dimension).
    digits
        Decimals of the item-scale effect.
    """

    def span(values: pd.Series, fmt: str) -> str:
        low, high = format(values.min(), fmt), format(values.max(), fmt)
        return low if low == high else f"{low} to {high}"

    return (
        f"The illustrative waves were generated with a true programme effect of {span(truth['delta'], '.1f')} "
        f"points on the latent 0-100-like score scale in each of the {len(truth)} dimensions, on top of a change "
        f"of {span(truth['wave_shift'], '.1f')} points for everyone (participants and comparison alike). On the "
        f"scale of the dimension scores (mean of the capability items) that effect is "
        f"{span(truth['item_scale_effect'], f'.{digits}f')} scale points for participants (mean over "
        f"{span(truth['n_participant_follow_up'], 'd')} participants' follow-up responses): the "
        "difference-in-differences estimates below should recover it."
    )
