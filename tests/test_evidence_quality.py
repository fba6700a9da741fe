"""Survey quality tables, capability profiles and the notebook glue, on hand-made exports."""

import matplotlib

matplotlib.use("Agg")

import io  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from innocap_analysis import evidence  # noqa: E402
from innocap_analysis.evidence.publish import save_figure  # noqa: E402
from innocap_analysis.indicators import profiles  # noqa: E402
from innocap_analysis.plots.quality_charts import missingness_chart, response_counts_chart  # noqa: E402
from innocap_analysis.survey import load_codebook, load_survey  # noqa: E402
from innocap_analysis.survey.quality import (  # noqa: E402
    missingness_by_group,
    missingness_by_item,
    response_counts,
    validation_summary,
)
from innocap_analysis.survey.scoring import score_dimensions  # noqa: E402

CODEBOOK = load_codebook()
ITEMS = [item.id for item in CODEBOOK.items if item.role == "capability"]  # all on the agree5 scale


def _export(path, rows):
    """rows: list of (id, region, stakeholder, answer for every capability item); other items blank."""
    region_country = {"donegal": ("Donegal", "Ireland"), "south_savo": ("South Savo", "Finland")}
    stake = {"public_sector": "Public sector organisation", "sme": "SME"}
    records = []
    for rid, region, stakeholder, answer in rows:
        rec = {"respondent_id": rid, "region": region_country[region][0], "country": region_country[region][1],
               "stakeholder": stake[stakeholder], "size_band": "10-49", "role": "Senior management"}
        rec.update({item: answer for item in ITEMS})
        records.append(rec)
    frame = pd.DataFrame(records)
    frame.to_csv(path, index=False)
    return path


@pytest.fixture()
def survey(tmp_path):
    rows = [(f"A{i}", "donegal", "public_sector", "Agree") for i in range(6)]
    rows += [(f"B{i}", "donegal", "sme", "Disagree") for i in range(2)]
    rows += [(f"C{i}", "south_savo", "public_sector", "Don't know") for i in range(5)]
    rows += [("A0", "south_savo", "sme", "Agree")]  # duplicate id: rejected
    path = _export(tmp_path / "partner.csv", rows)
    return load_survey([path], errors="report")


def test_validation_summary_accounts_for_every_row(survey):
    table = validation_summary(survey)
    row = table.iloc[0]
    assert (row["rows_read"], row["rows_kept"], row["rows_rejected"]) == (14, 13, 1)


def test_response_counts_suppress_cells_below_min_n(survey):
    counts = response_counts(survey, "region", "stakeholder", min_n=5)
    assert counts.loc["donegal", "public_sector"] == 6
    assert pd.isna(counts.loc["donegal", "sme"])  # 2 respondents: suppressed
    assert counts.loc["south_savo", "public_sector"] == 5
    assert counts.loc["donegal", "total_published"] == 6  # totals from published cells only
    assert bool(counts.loc["donegal", "any_suppressed"]) is True


def test_missingness_by_item_shares(survey):
    table = missingness_by_item(survey, min_n=5).set_index("item")
    first = ITEMS[0]
    assert table.loc[first, "n_asked"] == 13
    assert table.loc[first, "share_dont_know"] == pytest.approx(5 / 13)
    assert table.loc[first, "share_answered"] == pytest.approx(8 / 13)


def test_missingness_by_group_suppresses_small_groups(survey):
    table = missingness_by_group(survey, "stakeholder", min_n=5).set_index("stakeholder")
    assert pd.isna(table.loc["sme", "share_dont_know"])  # 2 SMEs
    # 5 of 11 public-sector respondents said don't know to every capability item; every other
    # item asked of the public sector was left blank by all 11
    public = survey.responses["stakeholder"] == "public_sector"
    asked = int((survey.missing_reasons[public].iloc[0].fillna("answered") != "not_asked").sum())
    assert table.loc["public_sector", "answers_asked"] == 11 * asked
    assert table.loc["public_sector", "share_dont_know"] == pytest.approx(5 * len(ITEMS) / (11 * asked))


def test_capability_by_group_and_heatmap_layout(survey):
    scores = score_dimensions(survey)
    table = profiles.capability_by_group(scores, "stakeholder", min_n=5)
    public = table[(table["stakeholder"] == "public_sector")]
    # Agree = 4 on 1-5 everywhere, but reverse-keyed items become 2; the mean is known per dimension
    for dimension, block in public.groupby("dimension"):
        items = CODEBOOK.items_for(dimension=dimension, role="capability")
        n_rev = sum(item.reverse for item in items)
        expected = (4 * (len(items) - n_rev) + 2 * n_rev) / len(items)
        assert block["mean"].iloc[0] == pytest.approx(100 * (expected - 1) / 4)
        assert block["n"].iloc[0] == 6  # the 5 don't-know respondents have no score
    means, n = profiles.heatmap_layout(table, "stakeholder")
    assert np.isnan(means.loc["sme"]).all()  # suppressed
    assert list(means.columns) == list(dict.fromkeys(table["dimension"]))


def test_likert_counts_drop_items_with_too_few_answers(survey):
    counts = profiles.likert_counts(survey, "skills", min_n=5)
    assert set(counts["item"]) == {item.id for item in CODEBOOK.items_for(dimension="skills", role="capability")}
    assert profiles.likert_counts(survey, "skills", min_n=100).empty


def test_publishable_rejections_withhold_ids(survey):
    log = evidence.publishable_rejections(survey)
    assert log.loc[0, "column"] == "respondent_id"
    assert log.loc[0, "value"] == "(id withheld)"
    assert "A0" not in log.to_string()


def test_charts_draw_suppressed_cells_as_labels(survey, tmp_path):
    fig = response_counts_chart(response_counts(survey, min_n=5))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "suppressed" in texts and "6" in texts
    saved = save_figure(fig, "counts", directory=tmp_path, footnote="Illustrative data.")
    shown = Image.open(io.BytesIO(saved._repr_png_()))
    published = Image.open(tmp_path / "counts.png")
    assert shown.width == pytest.approx(published.width / 3, abs=1)  # the 300-dpi PNG shown at 100 dpi
    assert repr(saved) == "saved: counts.png, counts.svg, counts.pdf"
    fig = missingness_chart(missingness_by_item(survey, min_n=5))
    first_item_dont_know = fig.axes[0].patches[0]  # bars are drawn kind by kind, item by item
    assert first_item_dont_know.get_height() == pytest.approx(100 * 5 / 13)


def test_evidence_survey_defaults_to_the_illustrative_exports():
    survey = evidence.load_evidence_survey()
    assert survey.responses["source_file"].nunique() == 5
    assert evidence.data_note(True).startswith("Illustrative")
    assert "real" in evidence.data_note(False)


def test_barrier_shares_hand_case(tmp_path):
    rows = []
    for i in range(6):
        rows.append({"respondent_id": f"P{i}", "region": "Donegal", "country": "Ireland",
                     "stakeholder": "Public sector organisation", "size_band": "10-49", "role": "Senior management",
                     "BAR_cost": "x" if i < 3 else "", "BAR_time": "x" if i < 5 else ""})
    path = tmp_path / "barriers.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    survey = load_survey([path], errors="report")
    table = profiles.barrier_shares(survey, "region", min_n=5).set_index("option")
    # 5 respondents selected something (P5 selected nothing): denominators are 5
    assert table.loc["cost", "n"] == 5 and table.loc["cost", "n_selected"] == 3
    assert table.loc["cost", "share"] == pytest.approx(3 / 5)
    assert table.loc["time", "share"] == pytest.approx(1.0)
    assert table.loc["cost", "n_no_selection"] == 1
    assert pd.isna(profiles.barrier_shares(survey, "region", min_n=6).set_index("option").loc["cost", "share"])


def test_ipa_small_multiples_one_panel_per_group():
    from innocap_analysis.plots.survey_charts import ipa_small_multiples

    ipa = pd.DataFrame({
        "region": ["a", "a", "b", "b"], "dimension": ["skills", "procurement"] * 2,
        "importance_mean": [80.0, 60.0, np.nan, np.nan], "importance_ci_low": [70.0, 50.0, np.nan, np.nan],
        "importance_ci_high": [90.0, 70.0, np.nan, np.nan], "capability_mean": [40.0, 60.0, np.nan, np.nan],
        "capability_ci_low": [30.0, 50.0, np.nan, np.nan], "capability_ci_high": [50.0, 70.0, np.nan, np.nan],
        "importance_cut": [70.0, 70.0, np.nan, np.nan], "capability_cut": [50.0, 50.0, np.nan, np.nan],
    })
    fig = ipa_small_multiples(ipa, by="region", ncols=2)
    first, second = fig.axes[:2]
    assert [line.get_xdata()[0] for line in first.lines if line.get_linestyle() == "--"][0] == 50.0
    assert any("suppressed" in t.get_text() for t in second.texts)


def test_validation_summary_with_blank_rows_and_a_skipped_file(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        "respondent_id,region,country,stakeholder,size_band,role\n"
        "A1,Donegal,Ireland,SME,1-9,Other\n"
        ",,,,,\n"
        "A2,Donegal,Ireland,SME,1-9,Other\n", encoding="utf-8")
    skipped = tmp_path / "no_region.csv"
    skipped.write_text("respondent_id,country,stakeholder\nB1,Ireland,SME\nB2,Ireland,SME\n", encoding="utf-8")
    survey = load_survey([good, skipped], errors="report")
    table = validation_summary(survey).set_index("file")
    assert table.loc["good.csv", "rows_kept"] == 2 and table.loc["good.csv", "blank_rows"] == 1
    assert table.loc["no_region.csv", "rows_kept"] == 0
    assert table.loc["no_region.csv", "rows_rejected"] == table.loc["no_region.csv", "rows_read"] == 2
