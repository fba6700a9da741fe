"""The application's own sections (notebook 08): design file, partner profiles, intervention logic,
transnational needs, methods annex; and, on the built evidence, that every profile number is traceable."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis import config  # noqa: E402
from innocap_analysis.evidence import application, load_evidence_survey, sentences  # noqa: E402
from innocap_analysis.geography import load_regions, partner_remoteness  # noqa: E402
from innocap_analysis.indicators.baseline import points_per_sd, result_baselines  # noqa: E402
from innocap_analysis.plots.application_pages import partner_profile_page  # noqa: E402
from innocap_analysis.survey.quality import response_rates  # noqa: E402

NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?!\w)")


def numbers(text: str) -> set[str]:
    """Every number printed in a text, as written (codes such as IE041 or table names such as 00_partner_areas
    are not numbers)."""
    return {m.group(0).replace(",", "") for m in NUMBER.finditer(text)}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def design():
    return application.load_application_design()


def _inputs():
    keys = ["donegal", "south_iceland"]
    areas = pd.DataFrame({
        "partner_key": keys, "partner_area": ["County Donegal", "Suðurland"], "area_id": ["IE-DL", "IS-8"],
        "country": ["IE", "IS"], "nuts3_parent": ["Border (IE041)", "Landsbyggð (IS002)"],
        "population": [167084, 28399], "population_year": ["2022", "2020"], "area_km2": [4861.0, 24526.0],
        "density_per_km2": [34.37, 1.158], "in_npa_2021_27": [True, True]})
    remoteness = pd.DataFrame({
        "partner_key": keys, "classified_region": ["Border (IE041), which contains County Donegal",
                                                   "Landsbyggð (IS002), which contains Suðurland"],
        "region_id": ["IE041", "IS002"], "urban_rural_label": ["predominantly rural"] * 2,
        "remoteness_code": [32, 32], "remoteness_label": ["predominantly rural, remote"] * 2,
        "typology": ["Eurostat urban-rural remoteness typology (NUTS 2021 level 3)"] * 2})
    counts = pd.DataFrame({"public_sector": pd.array([27, 21], dtype="Int64"),
                           "sme": pd.array([31, pd.NA], dtype="Int64"),
                           "total": pd.array([58, 24], dtype="Int64"), "suppressed": [False, True]},
                          index=pd.Index(keys, name="region"))
    # as innocap_analysis.survey.quality.response_rates writes it
    rates = pd.DataFrame({"region": keys, "files": ["donegal_en.csv", "south_iceland.xlsx"],
                          "invited": pd.array([170, pd.NA], dtype="Int64"), "responses": [58, 21],
                          "responding_organisations": pd.array([pd.NA, pd.NA], dtype="Int64"), "completes": [58, 21],
                          "unit": ["respondents"] * 2, "rr1": pd.array([58 / 170, pd.NA], dtype="Float64"),
                          "rate_available": [True, False],
                          "note": ["", "not available: the manifest gives no invited count for south_iceland.xlsx"],
                          "suppressed": [False, False]})
    # as innocap_analysis.indicators.priorities.priority_uncertainty writes it
    priorities = pd.DataFrame({
        "region": ["donegal"] * 4 + ["south_iceland"] * 4, "rank": pd.array([1, 2, 3, 4] * 2, dtype="Int64"),
        "dimension": ["digital_solutions", "skills", "procurement", "delivery_models",
                      "digital_solutions", "skills", "delivery_models", "procurement"],
        "n": pd.array([27, 26, 24, 25, 18, 20, 19, 21], dtype="Int64"),
        "mean": [76.9, 75.0, 67.7, 64.0, 81.9, 78.8, 76.3, 72.6],
        "ci_low": [68.2, 66.9, 59.2, 52.8, 72.6, 69.9, 67.8, 61.9],
        "ci_high": [85.5, 83.1, 76.2, 75.2, 91.3, 87.7, 84.8, 83.4],
        "p_rank1": [0.55, 0.41, 0.03, 0.01, 0.62, 0.25, 0.1, 0.03],
        "status": ["tied top", "not separated from top", "below top", "below top",
                   "tied top", "not separated from top", "not separated from top", "below top"]})
    ipa = priorities[["region", "dimension"]].assign(
        capability_mean=[47.2, 40.0, 44.8, 47.9, 41.6, 38.3, 35.3, 28.0],
        capability_ci_low=lambda d: d["capability_mean"] - 9, capability_ci_high=lambda d: d["capability_mean"] + 9)
    need_supply = pd.DataFrame({"region": ["donegal", "south_iceland"], "dimension": ["digital_solutions"] * 2,
                                "need_mean": [76.9, 81.9], "supply_mean": [73.6, 57.2],
                                "supply_ci_low": [63.1, 47.3], "supply_ci_high": [84.2, 67.1]})
    distance = pd.DataFrame({"partner_key": keys, "tier": ["regional_centre"] * 2, "mean_km": [25.76, 70.29],
                             "share_beyond_25km": [0.5336, 1.0], "population_beyond_25km": [89149.6, 28399.0],
                             "share_nearest_abroad": [0.2649, 0.0]})
    sensitivity = pd.DataFrame({"partner_key": keys, "central_share": [0.5336, 1.0], "range_low": [0.2489, 0.8244],
                                "range_high": [1.0, 1.0]})
    return keys, areas, remoteness, counts, rates, priorities, ipa, need_supply, distance, sensitivity


@pytest.fixture()
def profiles(design):
    keys, *tables = _inputs()
    return application.partner_profiles(*tables, design, regions=keys)


# --------------------------------------------------------------------------- the design file


def test_design_file_loads_with_pilots_and_target_rules(design):
    assert design.illustrative is True
    assert set(design.objectives) == {"digital_solutions", "procurement", "delivery_models", "skills"}
    assert design.pilots["donegal"].title == "Flood-monitoring IoT network"
    assert design.pilots["newfoundland_labrador"] is None
    assert sum(p is not None for p in design.pilots.values()) == 4
    assert design.target_rule("RCO 85") == "planned_participants" and design.target_rule("RCO 83") == "count"
    for code in ("RCO 84", "RCO 87", "RCO 116", "RCR 79", "RCR 84", "RCR 104"):  # the indicators
        assert code in design.indicators


def test_design_problems_are_listed_with_file_and_key(tmp_path):
    bad = tmp_path / "design.yaml"
    bad.write_text(
        "objectives: {skills: S, procurement: P, delivery_models: D, digitl: X}\n"
        "work_packages:\n  - {id: WP1, title: T, needs: [skils], outputs: [RCO 99], results: [RCR 104]}\n"
        "pilots: {atlantis: {title: A, addresses: [skills]}}\n"
        "indicators: {RCO 84: guess}\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        application.load_application_design(bad)
    message = str(err.value)
    for expected in (str(bad), "objectives.digitl", "no objective for need 'digital_solutions'",
                     "work_packages[0].needs: unknown need 'skils'", "work_packages[0].outputs: unknown indicator "
                     "'RCO 99'", "pilots.atlantis: not a partner", "indicators.RCO 84: target must be one of",
                     "RCR 104 is used by a work package but has no target rule"):
        assert expected in message
    with pytest.raises(ValueError, match="cannot read"):
        application.load_application_design(tmp_path / "missing.yaml")


def test_common_indicators_carry_their_official_names():
    # Regulation (EU) 2021/1058 Annex I, as the NPA Programme Manual (6.1, 6.2) and Jems list them
    assert application.COMMON_INDICATORS["RCO 84"].name == "Pilot actions developed jointly and implemented in projects"
    assert application.COMMON_INDICATORS["RCO 87"].name == "Organisations cooperating across borders"
    assert application.COMMON_INDICATORS["RCO 116"].name == "Jointly developed solutions"
    assert application.COMMON_INDICATORS["RCR 79"].name == "Joint strategies and action plans taken up by organisations"
    assert application.COMMON_INDICATORS["RCR 84"].name == ("Organisations cooperating across borders after project "
                                                            "completion")
    assert application.COMMON_INDICATORS["RCR 104"].name == "Solutions taken up or up-scaled by organisations"


# --------------------------------------------------------------------------- partner profiles


def test_profile_rows_carry_values_sources_and_masks(profiles):
    assert list(profiles.columns) == list(application.PROFILE_COLUMNS)
    assert set(profiles["section"]) == set(application.PROFILE_SECTIONS)
    don = profiles[profiles["partner_key"] == "donegal"].set_index("item")
    assert don.loc["population", "value"] == 167084 and don.loc["population", "source"] == "00_partner_areas"
    assert "Border (IE041)" in don.loc["NUTS 3 parent", "text"] and "contains" in don.loc["NUTS 3 parent", "text"]
    assert don.loc["official remoteness class", "text"].startswith("predominantly rural, remote")
    # the need: importance with its interval and P(rank 1); capability and supply beside it, never subtracted
    assert don.loc["need 1: Digital solutions", "text"] == "ranks first in 55% of resamples (tied top)"
    assert don.loc["need 1: Digital solutions", "value"] == pytest.approx(0.55)
    assert don.loc["need 1: importance", "text"] == "77 (95% CI 68-86)"
    assert don.loc["need 1: importance", "source"] == "03_need_priority"
    assert don.loc["need 2: capability", "text"] == "40 (95% CI 31-49)"
    assert don.loc['need 1: SME and university supply ("we can offer this")', "text"].startswith("74 (95% CI 63-84")
    assert not profiles["text"].str.contains("gap").any()
    assert don.loc["share beyond 25 km of a regional centre", "text"] == "53% (range 25-100%)"
    assert don.loc["response rate", "value"] == pytest.approx(58 / 170)
    assert don.loc["response rate", "source"] == "01_response_rates"
    assert don.loc["pilot", "text"] == "Flood-monitoring IoT network"
    assert don.loc["addresses: Digital solutions", "text"] == "wave-1 need rank 1 of 4"
    # survey rows are illustrative, geography rows are not
    assert bool(don.loc["respondents", "illustrative"]) and not bool(don.loc["population", "illustrative"])
    ice = profiles[profiles["partner_key"] == "south_iceland"].set_index("item")
    assert pd.isna(ice.loc["respondents: SME", "respondents"]) and ice.loc["respondents: SME", "text"] == "fewer than 5"
    assert don.loc["respondents: SME", "respondents"] == 31 and pd.isna(don.loc["respondents: SME", "value"])
    assert profiles.loc[profiles["unit"] != "respondents", "respondents"].isna().all()
    assert ice.loc["response rate", "text"].startswith("not available")
    page = partner_profile_page(profiles[profiles["partner_key"] == "donegal"])
    assert [t.get_text() for t in page.axes[0].get_yticklabels()] == ["Skills", "Digital solutions"]


def test_profile_counts_below_the_cell_size_are_refused(profiles):
    application.check_profile_counts(profiles)
    broken = profiles.copy()
    broken.loc[broken["item"] == "respondents: Public sector", "respondents"] = 3
    with pytest.raises(ValueError, match="below 5"):
        application.check_profile_counts(broken)


def test_every_number_of_the_profile_section_and_page_is_in_its_table(profiles):
    for _key, rows in profiles.groupby("partner_key"):
        table_numbers = set().union(*(numbers(t) for t in rows["text"].astype(str) + " " + rows["item"].astype(str)))
        markdown = sentences.partner_profile_markdown(rows, data_caveat="Illustrative.", design_caveat="Design.")
        assert markdown.startswith(f"## {rows['partner_area'].iloc[0]}: partner profile")
        for section in ("The area", "The survey (wave 1)", "Top needs of the public sector (wave 1)",
                        "Distance to services", "The pilot it proposes"):
            assert f"### {section}" in markdown
        assert numbers(markdown) <= table_numbers, numbers(markdown) - table_numbers
        fig = partner_profile_page(rows, subtitle="Illustrative.")
        texts = [t.get_text() for t in fig.texts]  # figure-level texts: everything but the chart's axes
        assert numbers(" ".join(texts)) <= table_numbers
        assert fig.get_size_inches() == pytest.approx((8.27, 11.69))
    # the check can fail: a number typed into a section is caught
    assert not numbers(markdown + " 12345") <= table_numbers


# --------------------------------------------------------------------------- intervention logic and targets


def _power():
    return pd.DataFrame({"scenario": ["no clustering", "design effect", "design effect, ICC upper bound"],
                         "n_organisations": [30] * 3, "icc": [0.0, 0.13, 0.3], "design_effect": [1.0, 1.47, 2.07],
                         "n_participants_planned": [120] * 3, "n_comparison_planned": [60] * 3,
                         "n_participants_linked": [81] * 3, "n_comparison_linked": [40] * 3,
                         "n_participants_effective": [81, 55, 39], "n_comparison_effective": [40, 27, 19],
                         "mde_d_between_groups": [0.55, 0.67, 0.79], "mde_d_paired": [0.32, 0.38, 0.46]})


def _baselines():
    return pd.DataFrame({"dimension": ["digital_solutions", "procurement", "delivery_models", "skills"],
                         "n": [108] * 4, "mean": [49.0, 41.6, 46.4, 46.1], "sd": [23.7, 26.1, 25.8, 28.0],
                         "ci_low": [44.5, 36.6, 41.5, 40.8], "ci_high": [53.5, 46.6, 51.4, 51.5]})


def test_indicator_targets_follow_the_power_analysis(design):
    targets = application.indicator_targets(design, _power(), _baselines(), power_illustrative=False)
    common = targets[targets["code"] != "programme-specific"].set_index("code")
    assert common.loc["RCO 85", "target"] == 120 and common.loc["RCR 81", "target"] == 81
    assert common.loc["RCO 87", "target"] == 30
    assert common.loc["RCO 84", "target"] == 4 and common.loc["RCO 116", "target"] == 4  # four pilots named
    assert common.loc["RCO 83", "target"] == 1 and pd.isna(common.loc["RCR 84", "target"])
    assert (common["baseline"] == 0).all()
    assert common.loc["RCO 84", "indicator"] == application.COMMON_INDICATORS["RCO 84"].name
    assert "d = 0.67" in common.loc["RCO 85", "target_basis"] and "design effect of 1.47" in common.loc["RCO 85",
                                                                                                   "target_basis"]
    assert not common.loc["RCO 85", "illustrative"] and common.loc["RCO 84", "illustrative"]
    survey = targets[targets["code"] == "programme-specific"].set_index("need")
    # target = baseline + d x SD(change); SD(change) = SD(level) at a test-retest correlation of 0.5
    assert survey.loc["skills", "target"] == pytest.approx(46.1 + 0.67 * 28.0)
    assert points_per_sd(28.0, 0.5) == pytest.approx(28.0) and points_per_sd(28.0, 0.75) == pytest.approx(
        28.0 * np.sqrt(0.5))
    logic = application.intervention_logic(design, _inputs()[5], targets)
    assert list(logic["need"]) == ["Digital solutions", "Procurement of innovation", "Delivery models", "Skills"]
    row = logic.set_index("need").loc["Skills"]
    assert "RCO 85 Participations in joint training schemes: 120" in row["outputs"]
    assert "RCR 84 Organisations cooperating across borders after project completion: target not set" in row["results"]
    assert row["baseline"] == 46.1 and row["target"] == pytest.approx(46.1 + 0.67 * 28.0)
    assert "WP3" not in logic.set_index("need").loc["Procurement of innovation", "work_packages"]  # no pilot for it
    assert row["wave1_evidence"] == ("a top need in 2 of 2 partner areas (first or not separated from the first); "
                                     "mean need (importance) 77 points (0-100)")  # (75.0 + 78.8) / 2


def test_result_baselines_hand_case():
    scores = pd.DataFrame({"dimension": ["skills"] * 6, "role": ["capability"] * 5 + ["importance"],
                           "stakeholder": ["public_sector"] * 4 + ["sme", "public_sector"],
                           "score_0_100": [10.0, 20.0, 30.0, 40.0, 99.0, 99.0]})
    row = result_baselines(scores, min_n=3).iloc[0]
    assert (row["n"], row["mean"]) == (4, 25.0) and row["sd"] == pytest.approx(np.std([10, 20, 30, 40], ddof=1))
    assert pd.isna(result_baselines(scores, min_n=5).iloc[0]["mean"])  # 4 respondents: masked


# --------------------------------------------------------------------------- transnational needs


def _ranks_with_uncertainty():
    """A priority table as :func:`innocap_analysis.indicators.priorities.priority_uncertainty` writes it."""
    return pd.DataFrame({
        "region": ["donegal"] * 3 + ["south_savo"] * 3 + ["south_iceland"] * 3,
        "rank": pd.array([1, 2, 3] * 3, dtype="Int64"), "dimension": ["a", "b", "c", "c", "a", "b", "a", "b", "c"],
        "n": pd.array([26, 27, 24, 20, 20, 19, 21, 21, 21], dtype="Int64"),
        "mean": [77.0, 75.0, 60.0, 80.0, 70.0, 55.0, 85.0, 70.0, 60.0],
        "ci_low": [69.0, 67.0, 52.0, 72.0, 62.0, 47.0, 77.0, 62.0, 52.0],
        "ci_high": [85.0, 83.0, 68.0, 88.0, 78.0, 63.0, 93.0, 78.0, 68.0],
        "p_rank1": [0.55, 0.45, 0.0, 0.93, 0.07, 0.0, 0.97, 0.03, 0.0],
        "status": ["tied top", "not separated from top", "below top", "clear top", "below top", "below top",
                   "clear top", "below top", "below top"]})


def test_transnational_classes_count_ties_with_the_top():
    table = application.transnational_needs(_ranks_with_uncertainty()).set_index("need")
    # a: tied top in Donegal, clear top in Suðurland, below top in Etelä-Savo
    assert table.loc["a", "class"] == "shared by several partners" and table.loc["a", "partners_top"] == 2
    assert table.loc["a", "top_in"] == "County Donegal; Suðurland"
    assert table.loc["a", "clear_first_in"] == "Suðurland" and table.loc["a", "first_in"] == "County Donegal; Suðurland"
    assert table.loc["b", "class"] == "area-specific" and table.loc["b", "top_in"] == "County Donegal"
    assert table.loc["c", "class"] == "area-specific" and table.loc["c", "top_in"] == "Etelä-Savo"
    assert table.loc["a", "need_south_savo"] == 70.0 and table.loc["a", "p_rank1_donegal"] == 0.55
    assert table.loc["a", "mean_need"] == pytest.approx((77 + 70 + 85) / 3)
    assert table.index[0] == "a"  # shared needs first, then area-specific ones
    everywhere = _ranks_with_uncertainty().assign(status="tied top")
    assert set(application.transnational_needs(everywhere)["class"]) == {"shared by all partners"}
    with pytest.raises(KeyError, match="priority_uncertainty"):
        application.transnational_needs(_ranks_with_uncertainty().drop(columns="p_rank1"))


# --------------------------------------------------------------------------- survey frame and methods annex


def test_survey_frame_and_annex_on_the_illustrative_survey():
    survey = load_evidence_survey()
    rates = response_rates(survey, "region")
    frame = application.survey_frame(survey, rates).set_index("region")
    invited = {"south_savo": 138, "vasternorrland": 158, "donegal": 170, "newfoundland_labrador": 138,
               "south_iceland": 150}  # data/raw/illustrative/survey.yaml
    assert frame["invited"].to_dict() == invited
    responses = survey.responses["region"].astype(str).value_counts()
    assert frame.loc["donegal", "rr1"] == pytest.approx(responses["donegal"] / 170)
    assert frame.loc["donegal", "rows_read"] - frame.loc["donegal", "rows_kept"] == 1  # the duplicate submission
    assert frame.loc["south_savo", "tools"] == "webropol"
    annex = sentences.survey_methods_annex(
        frame.reset_index(), **application.instrument_facts(survey.codebook),
        rejected=survey.report.rejected[["reason", "action"]], min_valid=0.5, min_cell_size=5,
        power_text="With the design effect, the difference-in-differences detects d = 0.67.",
        disclosure_text=sentences.disclosure_methods_paragraph(min_n=5), data_caveat="Illustrative.")
    for heading in ("## Survey methods (annex)", "### Frame", "### Fieldwork", "### Translation", "### Non-response",
                    "### Minimum cell size and disclosure control", "### The follow-up (wave 2) and its power"):
        assert heading in annex
    assert "Minimum cell size: 5 respondents" in annex and "754 in all" in annex
    assert "1 duplicate respondent id" in annex and "d = 0.67" in annex
    assert "en, fi, sv, is" in annex


def test_partner_remoteness_labels_the_nuts3_parent():
    table = partner_remoteness(load_regions(3)).set_index("partner_key")
    assert table.loc["donegal", "remoteness_label"] == "predominantly rural, remote"
    assert table.loc["donegal", "classified_region"] == config.PARTNER_REGIONS["donegal"][0]
    assert table.loc["vasternorrland", "remoteness_label"] == "intermediate, remote"
    assert pd.isna(table.loc["newfoundland_labrador", "remoteness_label"])
    assert "outside" in table.loc["newfoundland_labrador", "typology"]


# --------------------------------------------------------------------------- the built evidence (make evidence)

SECTIONS = config.FIGURES_DIR / "sections"


def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(config.TABLES_DIR / f"{name}.csv")


def test_built_sections_exist_with_their_headings_and_rows():
    manifest = pd.read_csv(config.FIGURES_MANIFEST, dtype=str)
    built = set(manifest["file"])
    for key, area in config.PARTNER_AREAS.items():
        assert {f"sections/08_profile_{key}.md", f"08_profile_{key}.pdf"} <= built, key
        text = (SECTIONS / f"08_profile_{key}.md").read_text(encoding="utf-8")
        assert text.startswith(f"## {area}: partner profile")
        assert "### Top needs of the public sector (wave 1)" in text and "### The pilot it proposes" in text
        pdf = (config.FIGURES_DIR / f"08_profile_{key}.pdf").read_bytes()
        assert re.search(rb"/Type /Pages /Kids \[[^\]]*\] /Count 1 ", pdf) and b"/MediaBox [ 0 0 595.44 841.68 ]" in pdf
    annex = (SECTIONS / "08_survey_methods_annex.md").read_text(encoding="utf-8")
    for heading in ("### Frame", "### Fieldwork", "### Translation", "### Non-response",
                    "### Minimum cell size and disclosure control"):
        assert heading in annex
    logic = _table("08_intervention_logic")
    assert list(logic.columns[:6]) == ["need", "wave1_evidence", "objective", "work_packages", "outputs", "results"]
    assert len(logic) == 4 and logic["baseline"].notna().all() and (logic["target"] > logic["baseline"]).all()
    targets = _table("08_indicator_targets").set_index("code")
    for code in ("RCO 84", "RCO 87", "RCO 116", "RCR 79", "RCR 84", "RCR 104"):
        assert targets.loc[code, "indicator"] == application.COMMON_INDICATORS[code].name
    plan = _table("07_power_plan").set_index("scenario").loc["design effect"]
    assert targets.loc["RCO 85", "target"] == plan["n_participants_planned"]
    assert targets.loc["RCR 81", "target"] == plan["n_participants_linked"]
    transnational = _table("08_transnational_needs")
    assert len(transnational) == 4 and set(transnational["class"]) <= {
        "shared by all partners", "shared by several partners", "area-specific", "not a top need"}


def test_built_profile_numbers_are_traceable_to_tables():
    profiles = _table("08_partner_profiles")
    assert set(profiles["partner_key"]) == set(config.PARTNER_AREAS)
    for key, rows in profiles.groupby("partner_key"):
        text = (SECTIONS / f"08_profile_{key}.md").read_text(encoding="utf-8")
        allowed = set().union(*(numbers(t) for t in rows["text"].astype(str) + " " + rows["item"].astype(str)))
        assert numbers(text) <= allowed, (key, numbers(text) - allowed)
    # and every value of the profile table is a cell of the table it names
    checked = 0
    for source, rows in profiles[profiles[["value", "respondents"]].notna().any(axis=1)].groupby("source"):
        path = config.TABLES_DIR / f"{source}.csv"
        assert path.exists(), f"profile rows cite {source}, which is not a published table"
        cells = pd.read_csv(path).select_dtypes("number").to_numpy(dtype=float).ravel()
        cells = cells[np.isfinite(cells)]
        for column in ("value", "low", "high", "respondents"):
            values = rows[column].dropna().to_numpy(dtype=float)
            hit = np.isclose(values[:, None], cells[None, :], rtol=1e-9, atol=1e-12).any(axis=1)
            assert hit.all(), (source, column, values[~hit])
            checked += len(values)
    assert checked > 100
    counts = profiles["respondents"].dropna()
    assert len(counts) and (counts >= config.MIN_CELL_SIZE).all()
