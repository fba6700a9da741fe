"""The evaluation's input and the linking of respondents across survey waves.

Every estimator takes a TIDY table of dimension scores with the columns of
:data:`EVALUATION_SCORE_COLUMNS` (``panel_key, organisation_key, wave, participant, region,
stakeholder, dimension, score``; one row per respondent x wave x dimension), so that it does not
depend on the survey loader's internals. :func:`link_waves` pairs the waves: a key used by more
than one respondent in a wave, or whose participant flag differs between the waves, is never
paired: it is excluded and counted. No output contains panel keys: pairs carry an anonymous
``pair_id`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

EVALUATION_SCORE_COLUMNS: tuple[str, ...] = (
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
    missing = [c for c in EVALUATION_SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ValueError(f"score table lacks columns {missing}; it needs {list(EVALUATION_SCORE_COLUMNS)}")
    out = scores.loc[:, list(EVALUATION_SCORE_COLUMNS)].copy()
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
        :data:`EVALUATION_SCORE_COLUMNS`, one row per respondent x dimension (NA scores kept).

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
        Tidy score table (:data:`EVALUATION_SCORE_COLUMNS`).
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
