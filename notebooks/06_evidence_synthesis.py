# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 06 · Evidence synthesis
#
# **Question.** Per partner region, how do the public sector's needs sit beside the burden of distance to
# services, which capacity-building modules come first (and how sure is that), and what can the funding
# application state, figure by figure?
#
# **Inputs.** The survey chain of notebook 03 (needs with their rank uncertainty, need beside supply,
# awareness) and the
# partner-area distance indicators of notebook 04 (the partners' own areas; GEOSTAT grid demand calibrated to
# official totals; straight-line distances to own-country service centres, with sensitivity ranges over
# thresholds, road detour factors and the cut), read from the intermediate tables those notebooks
# leave in `data/interim/` (not recomputed here).
#
# **Caveat.** Unless run with `innocap build --survey ...`, the survey side is **illustrative, synthetic
# data**: the sentences below demonstrate the wording the real data will produce, not findings about the
# regions. The distance side is real, published geography; distances are straight lines, and the ranges show
# what road detours of 1.3-1.5 times the straight line would change.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None: the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None: INNOCAP v1
region_selection = None  # partner-region keys to report, e.g. ['donegal']; None: all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
from innocap_analysis import evidence
from innocap_analysis.evidence import load_interim, save_figure, save_table, sentences, synthesis
from innocap_analysis.indicators.priorities import PRIORITY_RANK1_THRESHOLD
from innocap_analysis.plots import use_style
from innocap_analysis.plots.synthesis_charts import need_burden_chart

use_style()
note = evidence.data_note(illustrative)

# %% [markdown]
# ## The survey side: needs with their rank uncertainty, need beside supply, awareness (from notebook 03)

# %%
priorities = load_interim("03_priorities", written_by="03_demand_and_supply")
ipa = load_interim("03_ipa", written_by="03_demand_and_supply")
need_supply = load_interim("03_need_and_supply", written_by="03_demand_and_supply")
awareness = load_interim("03_awareness", written_by="03_demand_and_supply")
awareness_items = load_interim("03_awareness_items", written_by="03_demand_and_supply")

# %% [markdown]
# ## The geography side: distance to a regional service centre (from notebook 04)

# %%
partner_distance = load_interim("04_partner_area_indicators", written_by="04_service_distance")
sensitivity = load_interim("04_partner_area_sensitivity", written_by="04_service_distance")

# %% [markdown]
# ## Needs beside the distance burden, per partner region
#
# The top need of a region is named only where it ranks first in at least 80% of the resamples of the
# region's organisations; elsewhere the top needs are tied (`tied_modules`). Capability and supply are set
# beside the need, not subtracted from it: in instrument v1 they are different questions.

# %%
per_region = synthesis.region_synthesis(priorities, need_supply, awareness, partner_distance, sensitivity, ipa=ipa,
                                        tier="regional_centre", regions=region_selection)
save_table(per_region, "06_region_synthesis", counts=(),  # shares and means from notebooks 03 and 04
           caption=("Per partner: the public sector's top need (importance, 0-100, 95% CI) with P(rank 1) and the "
                    "modules tied with it, its capability and the suppliers' \"we can offer this\" beside it (not "
                    "subtracted), awareness, and the share and number of the partner area's people beyond 25 km of an "
                    "own-country regional centre, with its sensitivity range. " + note))
fig = need_burden_chart(per_region, priorities[priorities["region"].astype(str).isin(per_region["region"])],
                        title="Public-sector needs beside the distance burden")
save_figure(fig, "06_need_and_distance_burden", footnote=note,
            caption=("Left: public-sector need (importance item, 0-100) per capacity-building module; ringed: a clear "
                     f"top need (ranked first in at least {PRIORITY_RANK1_THRESHOLD:.0%} of resamples). Right: share "
                     "of the partner area's "
                     "population more than 25 km (straight line) from an own-country regional centre, with its range "
                     "over thresholds, detour factors and cuts. " + note))

# %% [markdown]
# ## Ranked capacity-building priorities

# %%
print(synthesis.OVERALL_PRIORITY_RULE)
overall = synthesis.overall_priorities(priorities)
save_table(overall, "06_overall_priorities", counts=(),  # counts of regions, not respondents
           caption="Capacity-building modules ranked across the partner regions. " + note)
overall

# %% [markdown]
# ## One page for the application
#
# Each sentence is generated from the numbers above and names the figure it rests on; the table of the same
# name in `figures/tables/` holds every number the sentence quotes (`figures/MANIFEST.csv` traces the figure to
# its notebook and input checksums). No sentence subtracts different questions, and none names a region's top
# need unless it ranks first in at least 80% of the resamples.

# %%
print(synthesis.EVIDENCE_RULE)
findings = synthesis.findings_table(per_region, priorities, figures={
    "priority": "03_need_priority", "supply": "03_need_and_supply",
    "awareness": "03_awareness_{item}", "distance": "04_partner_area_sensitivity",
}, need_supply=need_supply, awareness=awareness,
    item_texts=dict(zip(awareness_items["item"], awareness_items["text"], strict=True)))
save_table(findings, "06_findings_for_application", counts=(),
           caption="Findings for the funding application, one sentence each, with the figure it rests on. " + note)
print(sentences.numbered_findings(findings))
