# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Demand and supply
#
# **Question.** Where does the public sector's need (how important a capability is to it) outrun its current
# capability, and can regional SMEs and universities supply what is needed? Do public bodies know what is on
# offer, and which capacity-building modules should come first in each region?
#
# **Inputs.** The partner survey exports through `load_survey`; dimension scores (0-100) from
# `score_dimensions`: capability and importance items answered by public-sector organisations, supply items
# ("we can offer this") answered by SMEs and universities/research bodies.
#
# **Caveat.** Unless run with `innocap build --survey ...`, these are **illustrative, synthetic data**, not the
# partners' real answers. Groups smaller than `min_cell_size` are suppressed everywhere.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None = the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None = INNOCAP v1
region_selection = None  # partner-region keys to report (e.g. ['donegal']); None = all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
from IPython.display import display

from innocap_analysis import evidence
from innocap_analysis.evidence import save_figure, save_interim, save_table
from innocap_analysis.indicators import demand_supply, profiles
from innocap_analysis.labels import display_label
from innocap_analysis.plots import use_style
from innocap_analysis.plots.quality_charts import share_interval_chart
from innocap_analysis.plots.survey_charts import ipa_small_multiples, need_supply_dumbbell, score_heatmap
from innocap_analysis.survey.scoring import score_dimensions

use_style()
note = evidence.data_note(illustrative)
survey = evidence.load_evidence_survey(survey_paths, codebook_path, region_selection)
scores = score_dimensions(survey)
public_sector = scores[scores["stakeholder"] == "public_sector"]

# %% [markdown]
# ## Importance against capability (IPA)
#
# Importance-performance analysis of the public sector's answers, per region and dimension.

# %%
print(demand_supply.IPA_RULE)
ipa = demand_supply.ipa_table(public_sector, by=("region",), min_n=min_cell_size)
save_table(ipa, "03_ipa_public_sector", counts=["importance_n", "capability_n", "n"],
           caption=f"Public sector: mean importance and capability (0-100, 95% CI) and IPA quadrant per region and dimension. {note}")
fig = ipa_small_multiples(ipa, by="region", title="Public sector: importance against capability")
save_figure(fig, "03_ipa_scatter", footnote=note,
            caption=f"Importance-performance analysis of public-sector answers; quadrants cut at the grand means. {note}")

# %% [markdown]
# ## Public-sector need against SME and university supply
#
# Need is the public sector's mean importance score; supply is the mean of SMEs' and universities' "we can
# offer this" scores. The gap (need minus supply) has a Welch 95% interval.

# %%
gaps = demand_supply.need_supply_gap(scores, by=("region",), need_stakeholders=["public_sector"],
                                     supply_stakeholders=["sme", "hei_research"], min_n=min_cell_size)
save_table(gaps, "03_need_supply_gap", counts=["need_n", "supply_n", "n"],
           caption=f"Public-sector need against SME and university supply (0-100, 95% CI) and the gap (Welch CI). {note}")
fig = need_supply_dumbbell(gaps, by="region", title="Public-sector need against SME and university supply")
save_figure(fig, "03_need_supply_dumbbell", footnote=note,
            caption=f"Need (public-sector importance) and supply (SME and university offer), means with 95% CI. {note}")

# %% [markdown]
# ## Do public bodies know what is on offer?
#
# Share of public-sector respondents who agree or strongly agree that they know the digital solutions regional
# SMEs (AW1) and universities and research organisations (AW2) offer, with Wilson 95% intervals. Lack of
# awareness is the known bottleneck between demand and supply. Where fewer than `min_cell_size` respondents of a
# partner are aware (or not aware), the partner's share is masked; the share over all partner regions still shows.

# %%
awareness = demand_supply.awareness_shares(survey, by=("region",), stakeholders=["public_sector"],
                                           pooled="all_regions", min_n=min_cell_size)
save_table(awareness, "03_awareness_public_sector", counts=["n", "n_aware", "n_dont_know"],
           shares={"share": "n"},
           caption=f"Public-sector awareness of regional SME (AW1) and university (AW2) solutions: share agreeing, Wilson 95% CI. {note}")
for item, block in awareness.groupby("item", sort=True):
    fig = share_interval_chart(block, by="region", xlabel="public-sector respondents aware (%)",
                               title=f"{item}: {survey.codebook.item(item).text['en']}")
    display(save_figure(fig, f"03_awareness_{item.lower()}", footnote=note,
                        caption=f"Share of public-sector respondents aware ({item}), Wilson 95% CI. {note}"))

# %% [markdown]
# ## Willingness to pilot, and barriers
#
# Share of public-sector respondents willing to act as early adopters or test beds (AD1, AD2), and the barriers
# they name (multi-select; share of those who named at least one).

# %%
adoption = demand_supply.awareness_shares(survey, by=("region",), role="adoption", stakeholders=["public_sector"],
                                          pooled="all_regions", min_n=min_cell_size)
save_table(adoption, "03_adoption_public_sector", counts=["n", "n_aware", "n_dont_know"], shares={"share": "n"},
           caption=f"Public-sector willingness to be an early adopter or test bed: share agreeing, Wilson 95% CI. {note}")
barriers = profiles.barrier_shares(survey, "region", stakeholders=["public_sector"], min_n=min_cell_size)
save_table(barriers, "03_barriers_public_sector", counts=["n", "n_selected", "n_no_selection"],
           shares={"share": "n"},
           caption=f"Barriers named by public-sector respondents: share of those naming at least one barrier. {note}")
shares, n = profiles.heatmap_layout(barriers.assign(share=100 * barriers["share"]), "region",
                                    columns="option", value="share")
fig = score_heatmap(shares.rename(index=display_label), n=n.rename(index=display_label),
                    value_label="% naming the barrier", title="Barriers named by the public sector")
save_figure(fig, "03_barriers_heatmap", footnote=note,
            caption=f"Share of public-sector respondents naming each barrier, per region; n under each value. {note}")

# %% [markdown]
# ## Priority capacity-building modules per region

# %%
print(demand_supply.PRIORITY_RULE)
priorities = demand_supply.priority_modules(ipa, by=("region",), codebook_order=list(survey.codebook.dimensions))
save_table(priorities, "03_priority_modules", counts=["n"],
           caption=f"Capacity-building modules ranked per region by the public sector's need gap (importance minus capability). {note}")
# Notebook 06 sets these beside the service-distance burden without recomputing them.
for name, table in {"03_priorities": priorities, "03_need_supply_gap": gaps, "03_awareness": awareness,
                    "03_awareness_items": demand_supply.item_texts(survey.codebook, role="awareness")}.items():
    save_interim(table, name)
priorities[priorities["rank"] == 1][["region", "dimension", "need_gap", "quadrant"]]
