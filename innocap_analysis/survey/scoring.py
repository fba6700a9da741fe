"""Dimension scores from item codes: reverse keying and means of valid items.

A respondent's score for a (dimension, role) block is the mean of the items they
answered, reverse-keyed items first mapped to ``min + max - code`` on their scale.
If fewer than ``min_valid`` of the block's items were answered the score is NA and
the reason is recorded (never silently dropped). Scores are reported on the scale's
own range and rescaled to 0-100, ``100 (score - min) / (max - min)``.

Reference: the "person-mean imputation with a half-of-items rule" of Schafer & Graham
(2002), Psychological Methods 7(2), 147-177, sec. "Averaging the available items".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model import Survey

#: Share of a block's items a respondent must answer for a score (the half-of-items rule).
DEFAULT_MIN_VALID: float = 0.5

#: Profile columns carried into tidy outputs when the survey has them.
PROFILE_COLUMNS: tuple[str, ...] = ("region", "stakeholder", "country", "size_band", "role")
#: Keys carried beside the profile when the survey has them: the pseudonymised organisation (the cluster
#: of respondents who share one organisation, for cluster-robust intervals).
KEY_COLUMNS: tuple[str, ...] = ("organisation_key",)

DIMENSION_SCORE_COLUMNS: tuple[str, ...] = (
    "respondent_id",
    "dimension",
    "role",
    "n_items",
    "n_valid",
    "score",
    "scale_min",
    "scale_max",
    "score_0_100",
    "na_reason",
)


def reverse_keyed_items(survey: Survey) -> pd.DataFrame:
    """Item codes with reverse-keyed items mapped to ``min_code + max_code - code``.

    Returns
    -------
    pandas.DataFrame
        Same index as ``survey.responses``, one float column per codebook item (NaN = no
        substantive answer), in codebook order.
    """
    items = survey.codebook.items
    missing = [item.id for item in items if item.id not in survey.responses.columns]
    if missing:
        raise KeyError(f"survey responses lack codebook item columns {missing}")
    codes = survey.responses[[item.id for item in items]].astype("Float64").astype("float64")
    reverse = [item for item in items if item.reverse]
    if reverse:
        scales = [survey.codebook.scales[item.scale] for item in reverse]
        offset = np.array([s.min_code + s.max_code for s in scales], dtype="float64")
        ids = [item.id for item in reverse]
        codes[ids] = offset - codes[ids].to_numpy()
    return codes


def _profile(survey: Survey) -> pd.DataFrame:
    responses = survey.responses
    columns = ["respondent_id", *[c for c in (*PROFILE_COLUMNS, *KEY_COLUMNS) if c in responses.columns]]
    # the profile field "role" (the respondent's job) would clash with the item role of the scores
    return responses[columns].rename(columns={"role": "respondent_role"})


def score_dimensions(survey: Survey, min_valid: float = DEFAULT_MIN_VALID) -> pd.DataFrame:
    """Mean of the valid (reverse-keyed) items of each dimension and role, per respondent.

    Parameters
    ----------
    survey
        A loaded :class:`~innocap_analysis.survey.Survey`.
    min_valid
        Minimum share (0-1] of a block's items that must be answered for a score; below it the score
        is NA with ``na_reason`` ``"not_asked"`` (the respondent was not routed to any item of the
        block, e.g. supply for public bodies), ``"no_valid_items"`` (nothing answered) or
        ``"too_few_valid_items (<min_valid of n_items)"``.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per respondent x dimension x role: profile columns (region, stakeholder, ...;
        the profile field ``role``, the respondent's job, is renamed ``respondent_role``;
        ``organisation_key`` when the survey has it), ``role``
        (the item role: capability, importance, supply),
        ``n_items``, ``n_valid``, ``score`` (scale units), ``scale_min``, ``scale_max``,
        ``score_0_100`` (percent of the scale range) and ``na_reason`` (NA when scored).
    """
    if not 0 < min_valid <= 1:
        raise ValueError(f"min_valid must be a share in (0, 1], got {min_valid}")
    codes = reverse_keyed_items(survey)
    codebook = survey.codebook
    profile = _profile(survey)
    reasons = survey.missing_reasons
    blocks = []
    for dimension in codebook.dimensions:
        for role in dict.fromkeys(item.role for item in codebook.items_for(dimension=dimension)):
            items = codebook.items_for(dimension=dimension, role=role)
            lows = {codebook.scales[item.scale].min_code for item in items}
            highs = {codebook.scales[item.scale].max_code for item in items}
            if len(lows) != 1 or len(highs) != 1:
                raise ValueError(
                    f"items of {dimension}/{role} use scales with different ranges "
                    f"({sorted(lows)}-{sorted(highs)}); their mean would not be on one scale"
                )
            block = codes[[item.id for item in items]]
            n_valid = block.notna().sum(axis=1).to_numpy()
            n_items = len(items)
            enough = n_valid / n_items >= min_valid
            score = np.where(enough, block.mean(axis=1).to_numpy(), np.nan)
            low, high = float(lows.pop()), float(highs.pop())
            # a block nobody asked the respondent (supply for public bodies) is labelled as such
            not_asked = (reasons[block.columns] == "not_asked").fillna(False).all(axis=1).to_numpy()
            reason = np.select(
                [enough, not_asked, n_valid == 0],
                [None, "not_asked", "no_valid_items"],
                default=f"too_few_valid_items (<{min_valid:g} of {n_items})",
            )
            frame = profile.copy()
            frame["dimension"] = dimension
            frame["role"] = role
            frame["n_items"] = n_items
            frame["n_valid"] = n_valid
            frame["score"] = score
            frame["scale_min"] = low
            frame["scale_max"] = high
            frame["score_0_100"] = 100 * (score - low) / (high - low)
            frame["na_reason"] = pd.array(reason, dtype="string")
            blocks.append(frame)
    out = pd.concat(blocks, ignore_index=True)
    return out[[c for c in profile.columns] + [c for c in DIMENSION_SCORE_COLUMNS if c != "respondent_id"]]


def scores_wide(scores: pd.DataFrame, role: str = "capability", value: str = "score") -> pd.DataFrame:
    """Pivot tidy scores of one role to respondents x dimensions (for correlations, composites)."""
    subset = scores[scores["role"] == role]
    if subset.empty:
        raise ValueError(f"no scores with role {role!r}; roles present: {sorted(scores['role'].unique())}")
    return subset.pivot(index="respondent_id", columns="dimension", values=value)


def item_response_counts(
    survey: Survey, item_ids: list[str], by: list[str] | None = None, *, label: str = "text"
) -> pd.DataFrame:
    """Answer counts per item (codes as answered, not reverse-keyed) plus don't-know counts.

    The tidy input of :func:`innocap_analysis.plots.survey_charts.likert_diverging`.

    Parameters
    ----------
    item_ids
        Items sharing one scale.
    by
        Optional profile columns; the ``label`` then reads ``"<item label> | <group>"``.
    label
        ``"text"`` (English item text) or ``"id"``.

    Returns
    -------
    pandas.DataFrame
        ``item, label, *by, category (code as string, or "dont_know"), count``; every code of the
        scale appears, with count 0 if nobody chose it.
    """
    by = list(by or [])
    items = {item.id: item for item in survey.codebook.items}
    unknown = [i for i in item_ids if i not in items]
    if unknown:
        raise KeyError(f"items {unknown} not in the codebook")
    scales = {items[i].scale for i in item_ids}
    if len(scales) != 1:
        raise ValueError(f"items {item_ids} use different scales {sorted(scales)}; one chart needs one scale")
    levels = [str(code) for code in survey.codebook.scales[scales.pop()].levels]
    responses = survey.responses
    codes = responses[item_ids].astype("string")
    dont_know = survey.missing_reasons[item_ids] == "dont_know"
    answers = codes.mask(dont_know.fillna(False), "dont_know")
    long = pd.concat([responses[by], answers], axis=1).melt(id_vars=by, var_name="item", value_name="category")
    long = long.dropna(subset=["category"])
    categories = pd.CategoricalDtype([*levels, "dont_know"])
    long["category"] = long["category"].astype(categories)
    long["item"] = pd.Categorical(long["item"], categories=item_ids)
    counts = long.groupby(["item", *by, "category"], observed=False).size().rename("count").reset_index()
    names = {i: (items[i].text.get("en", i) if label == "text" else i) for i in item_ids}
    counts["label"] = counts["item"].astype(str).map(names)
    if by:
        counts["label"] = counts["label"] + " | " + counts[by].astype(str).agg(" / ".join, axis=1)
    counts["category"] = counts["category"].astype(str)
    return counts[["item", "label", *by, "category", "count"]]
