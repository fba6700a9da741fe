"""The findings for the application: every number in the table of the figure it cites, no top need without
P(rank 1) >= 0.8, and no gap between different questions.

The checks run on hand-made findings (so that a finding-17 style mix-up is caught), on findings generated from
the illustrative survey by the package functions, and on the built evidence base in ``figures/`` (those fail
until the evidence is rebuilt after a change of the findings; ``innocap build`` rebuilds it).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innocap_analysis import config
from innocap_analysis.evidence import synthesis
from innocap_analysis.indicators import awareness_shares, need_and_supply, priority_uncertainty
from innocap_analysis.indicators.priorities import PRIORITY_RANK1_THRESHOLD
from innocap_analysis.labels import display_label
from innocap_analysis.plots.geo_checks import sensitivity_figure
from innocap_analysis.survey import load_illustrative_survey
from innocap_analysis.survey.scoring import score_dimensions

TABLES = config.FIGURES_DIR / "tables"
#: Phrases whose numbers are fixed by the method, not results: the interval level, the scale, the threshold.
FIXED_PHRASES = ("95% CI", "on 0-100", "(0-100)", f"{PRIORITY_RANK1_THRESHOLD:.0%} or more")
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")


def numbers_in(statement: str) -> list[str]:
    """The numbers a sentence quotes, as printed (thousands separators dropped, ``%`` kept for percentages;
    the first number of a range ``25-100%`` is a percentage too), fixed phrases left out."""
    for phrase in FIXED_PHRASES:
        statement = statement.replace(phrase, " ")
    tokens = []
    for match in NUMBER.finditer(statement):
        rest = statement[match.end():]
        percent = rest.startswith("%") or re.match(r"(?:-| to )\d[\d,]*(?:\.\d+)?%", rest) is not None
        tokens.append(match.group().replace(",", "") + ("%" if percent else ""))
    return tokens


def missing_numbers(statement: str, table: pd.DataFrame) -> list[str]:
    """Numbers of the statement that no cell of the table gives when printed the same way (a percentage:
    a share printed as a percentage, or a value already in percent)."""
    values = table.select_dtypes("number").to_numpy(dtype="float64", na_value=np.nan).ravel()
    values = np.abs(values[np.isfinite(values)])
    missing = []
    for token in numbers_in(statement):
        number = token.rstrip("%")
        decimals = len(number.split(".")[1]) if "." in number else 0
        printed = {f"{v:.{decimals}f}" for v in values}
        if token.endswith("%"):
            printed = {f"{100 * v:.{decimals}f}" for v in values} | {f"{v:.{decimals}f}" for v in values if v > 1}
        if number not in printed:
            missing.append(token)
    return missing


def test_the_check_catches_a_finding_17_mixup():
    aw1 = pd.DataFrame({"item": "AW1", "region": ["a", "b", "c"], "share": [0.05, 0.11, 0.17], "n": [30, 31, 32]})
    aw2 = aw1.assign(item="AW2", share=[0.0, 0.09, 0.21])
    right = 'Only 5% to 17% of public-sector respondents per partner agree that "..." (AW1).'
    mixed = 'Only 7% to 15% of public-sector respondents per partner agree that "..." (AW1).'  # means of AW1, AW2
    assert missing_numbers(right, aw1) == []
    assert missing_numbers(mixed, aw1) == ["7%", "15%"]
    assert missing_numbers("Only 0% to 21% agree (AW2).", aw1) == ["0%", "21%"]
    assert missing_numbers("Only 0% to 21% agree (AW2).", aw2) == []
    # fixed phrases, thousands separators, ranges of percentages
    assert numbers_in("importance 77 (95% CI 68-85) on 0-100, 89,150 people, 53% (range 25-100%), first in 80% "
                      "or more") == ["77", "68", "85", "89150", "53%", "25%", "100%"]


def _check_findings(findings: pd.DataFrame, tables: dict[str, pd.DataFrame], ranks: pd.DataFrame) -> None:
    for row in findings.itertuples():
        assert row.evidence in tables, f"finding {row.finding} cites {row.evidence}, which has no table"
        assert missing_numbers(row.statement, tables[row.evidence]) == [], (row.finding, row.statement)
        # no finding rests on a difference between different questions
        assert not re.search(r"\bgap\b|exceeds|falls short", row.statement), row.statement
        # a region's top (or largest) need is named only at P(rank 1) >= the threshold
        named = re.search(r"top need is ([a-z ]+?):|largest", row.statement)
        if named:
            assert "largest" not in row.statement, row.statement
            region = ranks[ranks["region"].map(display_label) == row.region]
            top = region[region["rank"] == 1].iloc[0]
            assert display_label(top["dimension"]).lower() == named.group(1)
            assert top["p_rank1"] >= PRIORITY_RANK1_THRESHOLD, row.statement


def test_findings_from_the_illustrative_survey_quote_only_their_figures_tables():
    survey = load_illustrative_survey()
    scores = score_dimensions(survey)
    ranks = priority_uncertainty(scores, n_resamples=1000, seed=20261129, codebook_order=list(survey.codebook.dimensions))
    supply = need_and_supply(scores)
    awareness = awareness_shares(survey, stakeholders=["public_sector"])
    regions = list(config.PARTNER_AREAS)
    distance = pd.DataFrame({"partner_key": regions, "tier": "regional_centre", "mean_km": 20.0,
                             "share_beyond_25km": np.linspace(0.2, 0.6, 5),
                             "population_beyond_25km": np.linspace(10000.0, 50000.0, 5), "share_nearest_abroad": 0.0})
    sensitivity = pd.DataFrame({"partner_key": regions, "central_share": distance["share_beyond_25km"],
                                "range_low": distance["share_beyond_25km"] - 0.1,
                                "range_high": distance["share_beyond_25km"] + 0.1})
    per_region = synthesis.region_synthesis(ranks, supply, awareness, distance, sensitivity)
    figures = {"priority": "03_need_priority", "supply": "03_need_and_supply", "awareness": "03_awareness_{item}",
               "distance": "04_partner_area_sensitivity"}
    findings = synthesis.findings_table(per_region, ranks, figures, need_supply=supply, awareness=awareness,
                                        item_texts={"AW1": "x", "AW2": "y"})
    sensitivity_table = pd.concat([sensitivity, distance[["population_beyond_25km"]],
                                   pd.DataFrame({"regional_threshold": [15000, 20000, 25000, np.nan, np.nan],
                                                 "detour_factor": [1.0, 1.3, 1.5, np.nan, np.nan],
                                                 "cut_km": [15, 25, 40, np.nan, np.nan]})], axis=1)
    tables = {"03_need_priority": ranks, "03_need_and_supply": supply,
              "03_awareness_aw1": awareness[awareness["item"] == "AW1"],
              "03_awareness_aw2": awareness[awareness["item"] == "AW2"],
              "04_partner_area_sensitivity": sensitivity_table}
    _check_findings(findings, tables, ranks)
    assert findings["evidence"].str.startswith("03_need_priority").sum() == 1 + len(regions)


# --- the built evidence base (fails until `innocap build` has run on the current code) ----------------------


def _built(name: str) -> pd.DataFrame:
    path = TABLES / f"{name}.csv"
    if not path.is_file():
        pytest.fail(f"{path} is missing: rebuild the evidence (`make evidence`)")
    return pd.read_csv(path)


def test_built_findings_quote_only_the_tables_of_their_figures():
    findings = _built("06_findings_for_application")
    ranks = _built("03_need_priority")
    tables = {name: _built(name) for name in findings["evidence"].unique()}
    for name in tables:
        assert Path(config.FIGURES_DIR / f"{name}.png").is_file(), f"finding cites {name}, which is not a figure"
    _check_findings(findings, tables, ranks)


def test_the_distance_figure_shows_the_people_its_finding_quotes():
    summary = pd.DataFrame({"label": ["County Donegal", "Suðurland"], "central_share": [0.53, 1.0],
                            "central_population": [89149.6, 28399.0], "range_low": [0.25, 0.82],
                            "range_high": [1.0, 1.0], **{f"{p}_{e}": [0.3, 0.9] for p in
                                                         ("regional_threshold", "detour_factor", "cut_km")
                                                         for e in ("low", "high")}})
    labels = [t.get_text() for t in sensitivity_figure(summary).axes[0].get_yticklabels()]
    assert labels == ["County Donegal\n89,150 people beyond", "Suðurland\n28,399 people beyond"]
