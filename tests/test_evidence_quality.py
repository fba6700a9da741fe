"""Survey quality tables, capability profiles and the notebook glue, on hand-made exports."""

import matplotlib

matplotlib.use("Agg")

import io  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from innocap_analysis import evidence  # noqa: E402
from innocap_analysis.disclosure import disclosure_records  # noqa: E402
from innocap_analysis.evidence.publish import save_figure  # noqa: E402
from innocap_analysis.indicators import profiles  # noqa: E402
from innocap_analysis.plots.quality_charts import missingness_chart, response_counts_chart  # noqa: E402
from innocap_analysis.plots.style import MASKED_GID  # noqa: E402
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


def test_response_counts_mask_small_cells_and_what_would_give_them_back(survey):
    # donegal: 6 public, 2 SME; south_savo: 5 public, 0 SME. The SME total (2) is masked in the
    # one-way tables, and with it the public total (13 - 2 would give it back), so only the row
    # totals are known: masking the 2 needs a partner in its row, donegal public (secondary).
    counts = response_counts(survey, "region", "stakeholder", min_n=5)
    assert pd.isna(counts.loc["donegal", "sme"]) and pd.isna(counts.loc["donegal", "public_sector"])
    assert counts.loc["south_savo", "public_sector"] == 5 and counts.loc["south_savo", "sme"] == 0
    assert counts.loc["donegal", "total"] == 8  # the true total, published elsewhere anyway
    assert counts["suppressed"].tolist() == [True, False]
    records = disclosure_records(counts).set_index("column")
    assert records.loc["sme", "rule"] == "threshold" and records.loc["public_sector", "rule"] == "secondary"
    # what the published cells tell about the masked 2: anything from 0 to 8
    assert (records.loc["sme", "audit_low"], records.loc["sme", "audit_high"]) == (0, 8)


def test_missingness_by_item_shares(survey):
    table = missingness_by_item(survey, min_n=5).set_index("item")
    first = ITEMS[0]
    assert table.loc[first, "n_asked"] == 13
    assert table.loc[first, "share_dont_know"] == pytest.approx(5 / 13)
    assert table.loc[first, "share_answered"] == pytest.approx(8 / 13)


def test_missingness_by_group_suppresses_small_groups(survey):
    masked = missingness_by_group(survey, "stakeholder", min_n=5).set_index("stakeholder")
    # 2 SMEs are masked, and the 11 public-sector respondents with them: 13 in all is published
    assert masked["suppressed"].all() and masked["share_dont_know"].isna().all()
    table = missingness_by_group(survey, "stakeholder", min_n=2).set_index("stakeholder")
    # 5 of 11 public-sector respondents said don't know to every capability item; every other
    # item asked of the public sector was left blank by all 11
    public = survey.responses["stakeholder"] == "public_sector"
    asked = int((survey.missing_reasons[public].iloc[0].fillna("answered") != "not_asked").sum())
    assert table.loc["public_sector", "answers_asked"] == 11 * asked
    assert table.loc["public_sector", "share_dont_know"] == pytest.approx(5 * len(ITEMS) / (11 * asked))


def test_capability_by_group_and_heatmap_layout(survey):
    scores = score_dimensions(survey)
    masked = profiles.capability_by_group(scores, "stakeholder", min_n=5)
    # 6 public-sector and 2 SME scores per dimension: the 2 is masked, and the 6 with it (8 in all is known)
    assert masked["mean"].isna().all() and masked["suppressed"].all()
    table = profiles.capability_by_group(scores, "stakeholder", min_n=2)
    public = table[(table["stakeholder"] == "public_sector")]
    # Agree = 4 on 1-5 everywhere, but reverse-keyed items become 2; the mean is known per dimension
    for dimension, block in public.groupby("dimension"):
        items = CODEBOOK.items_for(dimension=dimension, role="capability")
        n_rev = sum(item.reverse for item in items)
        expected = (4 * (len(items) - n_rev) + 2 * n_rev) / len(items)
        assert block["mean"].iloc[0] == pytest.approx(100 * (expected - 1) / 4)
        assert block["n"].iloc[0] == 6  # the 5 don't-know respondents have no score
    means, n = profiles.heatmap_layout(masked, "stakeholder")
    assert np.isnan(means.loc["sme"]).all()  # masked
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


def test_charts_draw_masked_cells_hatched(survey, tmp_path):
    fig = response_counts_chart(response_counts(survey, min_n=5))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("n < 5") == 2 and "5" in texts and "6" not in texts and "2" not in texts
    hatched = [p for p in fig.axes[0].patches if p.get_gid() == MASKED_GID]
    assert len(hatched) == 2 and all(p.get_hatch() for p in hatched)
    assert max(p.get_width() for p in fig.axes[0].patches if p.get_gid() != MASKED_GID) == 5  # no bar of 6 or 2
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
    table = profiles.barrier_shares(survey, "region", min_n=1, min_group_for_extremes=1).set_index("option")
    # 5 respondents selected something (P5 selected nothing): denominators are 5
    assert table.loc["cost", "n"] == 5 and table.loc["cost", "n_selected"] == 3
    assert table.loc["cost", "share"] == pytest.approx(3 / 5)
    assert table.loc["time", "share"] == pytest.approx(1.0)
    assert table.loc["cost", "n_no_selection"] == 1
    # at the defaults: 3 named cost and 2 did not (threshold), all 5 named time (100% of fewer than 10),
    # one named nothing (threshold); n (5) is published
    masked = profiles.barrier_shares(survey, "region").set_index("option")
    assert (masked["n"] == 5).all() and masked["suppressed"].all()
    assert masked[["n_selected", "share", "n_no_selection"]].isna().all().all()
    rules = disclosure_records(masked).set_index(["row", "column"])["rule"]
    assert rules[("region=donegal, option=time", "n_selected")] == "extreme share"
    assert rules[("region=donegal, option=cost", "n_selected")] == "threshold"
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
    assert any(p.get_gid() == MASKED_GID for p in second.patches) and not second.lines  # hatched, no points
    assert any(t.get_text() == "n < 5" for t in second.texts)


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
    assert validation_summary(survey).set_index("file").loc["good.csv", ["rows_read", "rows_kept"]].isna().all()
    table = validation_summary(survey, min_n=1).set_index("file")
    assert table.loc["good.csv", "rows_kept"] == 2 and table.loc["good.csv", "blank_rows"] == 1
    assert table.loc["no_region.csv", "rows_kept"] == 0
    assert table.loc["no_region.csv", "rows_rejected"] == table.loc["no_region.csv", "rows_read"] == 2
