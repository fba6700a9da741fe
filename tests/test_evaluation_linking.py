"""Linking of survey waves: linked, unlinked and duplicate keys are reported; no two people are paired."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innocap_analysis.evaluation import evaluate_programme, link_waves, validate_scores
from innocap_analysis.synthetic.panel import PanelDesign, simulate_panel


def _row(key, wave, participant, score, dimension="skills", org="ORG1"):
    return {
        "panel_key": key,
        "organisation_key": org,
        "wave": wave,
        "participant": participant,
        "region": "donegal",
        "stakeholder": "public_sector",
        "dimension": dimension,
        "score": score,
    }


@pytest.fixture
def small_waves() -> pd.DataFrame:
    rows = [
        _row("A", "baseline", "yes", 2.0),
        _row("A", "follow_up", "yes", 3.5),  # linked: change +1.5
        _row("B", "baseline", "no", 4.0),  # baseline only
        _row("C", "follow_up", "no", 1.0),  # follow-up only
        _row("D", "baseline", "yes", 1.0),  # duplicate key at baseline: two responses
        _row("D", "baseline", "no", 5.0),
        _row("D", "follow_up", "yes", 2.0),
        _row("E", "baseline", "yes", 3.0),  # participant flag changes: conflicting
        _row("E", "follow_up", "no", 3.0),
        _row(None, "follow_up", "yes", 2.5),  # no key
    ]
    return pd.DataFrame(rows)


def test_link_report_counts_every_category(small_waves):
    links = link_waves(small_waves)
    report = links.report.set_index("category")
    assert report.loc["linked", "n_keys"] == 1
    assert report.loc["baseline_only", "n_keys"] == 1
    assert report.loc["follow_up_only", "n_keys"] == 1
    assert report.loc["duplicate_key", "n_keys"] == 1
    assert report.loc["duplicate_key", "n_baseline_responses"] == 2
    assert report.loc["duplicate_key", "n_follow_up_responses"] == 1
    assert report.loc["conflicting_participant", "n_keys"] == 1
    assert report.loc["missing_key", "n_follow_up_responses"] == 1
    # every response is accounted for: 5 baseline and 5 follow-up rows of one dimension
    assert report["n_baseline_responses"].sum() == 5
    assert report["n_follow_up_responses"].sum() == 5


def test_only_clean_keys_are_paired(small_waves):
    pairs = link_waves(small_waves).pairs
    assert len(pairs) == 1
    assert pairs.loc[0, "baseline_score"] == 2.0
    assert pairs.loc[0, "follow_up_score"] == 3.5
    assert pairs.loc[0, "change"] == 1.5
    assert "panel_key" not in pairs.columns


def test_baseline_status_excludes_duplicates_and_conflicts(small_waves):
    status = link_waves(small_waves).baseline_status
    # A (linked) and B (baseline only); D and E are excluded
    assert sorted(status["baseline_score"]) == [2.0, 4.0]
    assert status.set_index("baseline_score").loc[2.0, "linked"]
    assert not status.set_index("baseline_score").loc[4.0, "linked"]


def test_synthetic_collisions_and_broken_links_are_never_paired():
    panel = simulate_panel(PanelDesign(duplicate_rate=0.1, link_rate=0.7), seed=5)
    links = link_waves(panel.scores)
    people = panel.people
    report = links.report.set_index("category")
    expected_linked = people["responded_follow_up"] & ~people["link_broken"] & ~people["key_collision"]
    assert report.loc["linked", "n_keys"] == expected_linked.sum()
    assert report.loc["duplicate_key", "n_keys"] > 0
    n_dim = len(panel.design.dimensions)
    assert len(links.pairs) == expected_linked.sum() * n_dim
    # every broken link shows up as a follow-up-only key, never as a pair
    assert report.loc["follow_up_only", "n_keys"] == people["link_broken"].sum()


def test_outputs_contain_no_panel_keys():
    panel = simulate_panel(seed=2)
    result = evaluate_programme(panel.scores, n_resamples=199, attrition_by=("region",))
    keys = set(panel.scores["panel_key"].dropna())
    for name in ("linking", "paired", "unpaired", "did", "attrition_response", "attrition_baseline", "pairs"):
        table = getattr(result, name)
        assert "panel_key" not in table.columns, name
        values = set(table.astype(str).to_numpy().ravel())
        assert not (values & keys), name


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("wave", "midline", "column 'wave' row 1"),
        ("participant", "maybe", "column 'participant' row 1"),
        ("score", "high", "column 'score' must be numeric"),
    ],
)
def test_bad_input_is_named(small_waves, column, value, message):
    bad = small_waves.astype({column: object})
    bad.loc[1, column] = value
    with pytest.raises(ValueError, match=message):
        validate_scores(bad)


def test_missing_column_is_named(small_waves):
    with pytest.raises(ValueError, match="organisation_key"):
        validate_scores(small_waves.drop(columns="organisation_key"))


def test_missing_score_is_counted_not_dropped(small_waves):
    waves = small_waves.copy()
    waves.loc[1, "score"] = np.nan
    pairs = link_waves(waves).pairs
    assert len(pairs) == 1 and np.isnan(pairs.loc[0, "change"])
