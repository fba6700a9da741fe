# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 08 · The application's own sections: partner profiles, intervention logic, transnational needs, methods
#
# **Question.** What do the Interreg NPA application's own sections say, generated from the evidence rather than
# typed: a one-page profile per partner area, the intervention logic from needs to results with the Interreg
# common indicators and their targets, which needs the partners share, and how the survey was run?
#
# **Inputs.** The intermediate tables of earlier notebooks of the same build (`data/interim/`, not recomputed):
# the partner areas and their official remoteness class (00), the public sector's ranked needs with P(rank 1),
# capability beside them and SME and university supply beside the need, with intervals (03), the partner-area distance
# burden with its sensitivity range (04) and the power of the planned follow-up with the design effect of the
# baseline's clustering (07). The survey itself (respondents, response rates, the export facts) through the same
# loader as every notebook, and the project design `data/raw/application/design.yaml` (objectives, work packages,
# pilots, where each indicator's target comes from).
#
# **Caveat.** Unless run with `innocap build --survey ...`, every survey number below is **illustrative,
# synthetic data**, and each section says which of its numbers are. The project design is partly a placeholder
# for the consortium (the file says which parts); targets are derived from the power analysis or counted from the
# design, never typed. Geography and population are real published data.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None: the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None: INNOCAP v1
region_selection = None  # partner-region keys to report, e.g. ['donegal']; None: all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
from innocap_analysis import config, evidence
from innocap_analysis.evidence import (
    application,
    load_interim,
    save_figure,
    save_section,
    save_table,
    sentences,
)
from innocap_analysis.indicators.baseline import result_baselines
from innocap_analysis.indicators.priorities import PRIORITY_RANK1_THRESHOLD
from innocap_analysis.plots import use_style
from innocap_analysis.plots.application_pages import partner_profile_page
from innocap_analysis.survey.quality import RESPONSE_RATE_RULE, response_counts, response_rates
from innocap_analysis.survey.scoring import DEFAULT_MIN_VALID, score_dimensions

use_style()
note = evidence.data_note(illustrative)
survey = evidence.load_evidence_survey(survey_paths, codebook_path, region_selection)
design = application.load_application_design(dimensions=list(survey.codebook.dimensions))
design_note = ("The project design (objectives, work packages, the needs each pilot addresses) is an illustrative "
               "placeholder for the consortium." if design.illustrative else "")
keys = region_selection or list(config.PARTNER_AREAS)

# %% [markdown]
# ## The survey frame and response rates
#
# Per partner: the tool and language of its export, the organisations invited (survey manifest), the
# respondents kept and the response rate of notebook 01.

# %%
print(RESPONSE_RATE_RULE)
rates = response_rates(survey, "region", min_n=min_cell_size)
frame = application.survey_frame(survey, rates, regions=keys)
save_table(frame, "08_survey_frame", counts=["rows_read", "rows_kept", "responses", "completes"],
           caption=("Survey frame per partner: export files, their layouts and languages, rows read and kept, "
                    "organisations invited (survey manifest), respondents kept and the response rate (AAPOR RR1, "
                    f"completes over invited; groups below {min_cell_size} respondents suppressed). " + note))
frame[["partner_area", "tools", "languages", "invited", "responses", "rr1"]]

# %% [markdown]
# ## A one-page profile per partner area
#
# Every number of a profile is one row of the profile table, with the published table it comes from; the page
# (PDF, A4) and the section (Markdown, for the HTML report) print only those rows.

# %%
profiles = application.partner_profiles(
    load_interim("00_partner_areas", written_by="00_programme_area"),
    load_interim("00_partner_remoteness", written_by="00_programme_area"),
    response_counts(survey, "region", "stakeholder", min_n=min_cell_size),
    rates,
    load_interim("03_priorities", written_by="03_demand_and_supply"),
    load_interim("03_ipa", written_by="03_demand_and_supply"),
    load_interim("03_need_and_supply", written_by="03_demand_and_supply"),
    load_interim("04_partner_area_indicators", written_by="04_service_distance"),
    load_interim("04_partner_area_sensitivity", written_by="04_service_distance"),
    design, regions=keys, illustrative=illustrative, min_cell_size=min_cell_size,
)
application.check_profile_counts(profiles, min_cell_size)
save_table(profiles, "08_partner_profiles", counts=["respondents"],
           caption=("Every number of the partner-area profiles: section, item, value with its interval or range, "
                    "unit, the text the profile prints, whether it is illustrative, and the published table or data "
                    f"file it comes from (respondent counts below {min_cell_size} masked). " + note))
for key, rows in profiles.groupby("partner_key", sort=False):
    area = rows["partner_area"].iloc[0]
    save_section(f"08_profile_{key}",
                 sentences.partner_profile_markdown(rows, data_caveat=note, design_caveat=design_note),
                 caption=f"Partner profile of {area} for the application (one page). {note}")
    page = partner_profile_page(rows, subtitle=f"{note} {design_note}".strip())
    save_figure(page, f"08_profile_{key}", page=True, footnote=note,
                caption=f"Partner profile of {area} for the application, one A4 page. {note}")
profiles[profiles["partner_key"] == keys[0]][["section", "item", "text", "source"]]

# %% [markdown]
# ## The intervention logic
#
# Needs (wave 1) → objectives → work packages → outputs → results. The Interreg common indicators keep their
# official names (Regulation (EU) 2021/1058, Annex I; definitions as in the NPA Programme Manual, sections 6.1-6.2);
# they count the project's own achievements, so their baseline is 0. The programme's own result indicators are the
# public sector's capability scores, with their wave-1 baseline; their target is the baseline plus the smallest
# difference the follow-up detects with 80% power once the design effect of clustering is counted (notebook 07).

# %%
power = load_interim("07_power_plan", written_by="07_programme_evaluation")
icc = load_interim("07_baseline_icc", written_by="07_programme_evaluation")
power_illustrative = bool(icc["illustrative"].any())  # notebook 07's two-wave data
print(sentences.clustered_power_sentence(power, icc))
scores = score_dimensions(survey)
baselines = result_baselines(scores, min_n=min_cell_size)
targets = application.indicator_targets(design, power, baselines, illustrative=illustrative,
                                        power_illustrative=power_illustrative)
save_table(targets, "08_indicator_targets", counts=["baseline_n"],
           caption=("Indicators of the intervention logic: Interreg common indicators (official names, Regulation (EU) "
                    "2021/1058 Annex I) and the programme's survey result indicators, with baseline (wave 1; common "
                    "indicators count from project start), target and where the target comes from (the power analysis "
                    "with the design effect, notebook 07, or the project design). " + note))
priorities = load_interim("03_priorities", written_by="03_demand_and_supply")
logic = application.intervention_logic(design, priorities, targets)
save_table(logic, "08_intervention_logic", counts=(),
           caption=("Intervention logic: each wave-1 need, its objective, the work packages that serve it, their outputs "
                    "and results (Interreg common indicators with targets) and the survey result indicator with its "
                    "wave-1 baseline (95% CI) and target. " + " ".join(filter(None, [design_note, note]))))
targets[["code", "indicator", "baseline", "target", "target_basis"]]

# %% [markdown]
# ## Shared and area-specific needs

# %%
print(application.TRANSNATIONAL_RULE)
transnational = application.transnational_needs(priorities, regions=keys)
save_table(transnational, "08_transnational_needs", counts=(),  # counts of partner areas, not respondents
           caption=("Which public-sector needs the partners share and which are area-specific: class, the partner areas "
                    "where the need is a top need (first, or not separated from the first), where it ranks first (and "
                    f"clearly first: P(rank 1) at least {PRIORITY_RANK1_THRESHOLD:g}), and its rank, need (importance, "
                    "0-100) and P(rank 1) per partner. " + note))
transnational[["need", "class", "top_in", "clear_first_in", "mean_need"]]

# %% [markdown]
# ## Survey-methods annex

# %%
annex = sentences.survey_methods_annex(
    frame,
    **application.instrument_facts(survey.codebook),
    rejected=survey.report.rejected[["reason", "action"]],
    min_valid=DEFAULT_MIN_VALID,
    min_cell_size=min_cell_size,
    power_text=sentences.clustered_power_sentence(power, icc),
    disclosure_text=sentences.disclosure_methods_paragraph(min_n=min_cell_size) + " " + sentences.personal_data_sentence(),
    data_caveat=note,
    power_illustrative=power_illustrative,
)
save_section("08_survey_methods_annex", annex,
             caption=f"Survey-methods annex of the application: frame, fieldwork, translation, non-response, "
                     f"minimum cell size and disclosure control, the follow-up's power. {note}")
print(annex)
