# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 03 · Demand and supply
#
# **Question.** Which capacity-building modules does the public sector need most in each region, and how sure
# is that ranking? How does the need sit beside its current capability and beside what regional SMEs and
# universities say they can offer? Do public bodies know what is on offer?
#
# **Inputs.** The partner survey exports through `load_survey`; dimension scores (0-100) from
# `score_dimensions`: capability and importance items answered by public-sector organisations, supply items
# ("we can offer this") answered by SMEs and universities/research bodies.
#
# **Comparable ground.** In instrument v1, importance (one item), capability (a six-item agreement scale)
# and supply (one "we can offer this" item) are different questions. They are shown side by side and never
# subtracted; like-for-like gaps need the matched items of instrument v2 (last section). Intervals are
# cluster-robust by organisation where the exports identify organisations.
#
# **Caveat.** Unless run with `innocap build --survey ...`, these are **illustrative, synthetic data**, not the
# partners' real answers. Groups smaller than `min_cell_size` are suppressed everywhere.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None: the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None: INNOCAP v1
region_selection = None  # partner-region keys to report, e.g. ['donegal']; None: all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
import tempfile

from IPython.display import display

from innocap_analysis import evidence
from innocap_analysis.evidence import save_figure, save_interim, save_table, sentences
from innocap_analysis.indicators import demand_supply, matched, priorities, profiles
from innocap_analysis.labels import display_label
from innocap_analysis.plots import use_style
from innocap_analysis.plots.quality_charts import share_interval_chart
from innocap_analysis.plots.survey_charts import (
    ipa_small_multiples,
    need_supply_panels,
    priority_chart,
    score_heatmap,
)
from innocap_analysis.survey import load_survey
from innocap_analysis.survey.scoring import score_dimensions
from innocap_analysis.synthetic import matched as synthetic_matched

use_style()
note = evidence.data_note(illustrative)
survey = evidence.load_evidence_survey(survey_paths, codebook_path, region_selection)
scores = score_dimensions(survey)
public_sector = scores[scores["stakeholder"] == "public_sector"]
cluster = demand_supply.resolve_cluster(scores)
print(sentences.clustering_sentence(scores, cluster))

# %% [markdown]
# ## Which need comes first? Priority ranks with their uncertainty
#
# The need for a capacity-building module is the public sector's answer to its importance item: the same
# question on the same 5-point scale for every dimension, so two dimensions' needs compare like for like
# (importance against capability would not: they are different questions, see below). With 15-30 public
# bodies per region, needs a few points apart cannot be told apart, so each rank comes with P(rank 1), the
# share of bootstrap resamples of the region's organisations in which the dimension comes first. The
# ranking is redone in every resample, over all four dimensions, so the probability does not favour the
# dimension that happened to come first in the data (no choose-then-test). The paired differences from the
# observed top are Holm-adjusted within each region.

# %%
print(priorities.PRIORITY_RULE)
ranks = priorities.priority_uncertainty(scores, by=("region",), seed=seed, min_n=min_cell_size,
                                        codebook_order=list(survey.codebook.dimensions))
save_table(ranks, "03_need_priority", counts=["n", "n_clusters"],
           caption=("Public-sector need (importance, 0-100) per region and dimension in rank order: mean with 95% CI, "
                    f"P(rank 1) over {priorities.PRIORITY_RESAMPLES:,} resamples of organisations, and the paired "
                    f"difference from the top (bootstrap 95% CI, Holm-adjusted p). {note}"))
fig = priority_chart(ranks, by="region", threshold=priorities.PRIORITY_RANK1_THRESHOLD,
                     title="Public-sector need per module, and how often it ranks first")
save_figure(fig, "03_need_priority", footnote=note,
            caption=("Left: public-sector importance of each module (0-100, 95% CI), in rank order per region. Right: "
                     "share of resamples of the region's organisations in which it ranks first; a top need is named "
                     f"only at {priorities.PRIORITY_RANK1_THRESHOLD:.0%} or more. {note}"))
for region, part in ranks.groupby("region", observed=True, sort=False):
    print(sentences.priority_sentence(display_label(region), part))

# %% [markdown]
# ## Importance beside capability (IPA)
#
# Importance-performance analysis of the public sector's answers, per region. Importance (one item) and
# capability (a six-item agreement scale) are different constructs in instrument v1: they are set side by
# side, never subtracted. Every panel has the same cut lines, so a quadrant means the same in every region,
# and a dimension above the importance cut always ranks above one below it (the numbers are the priority
# ranks of the table above).

# %%
print(demand_supply.IPA_RULE)
ipa = demand_supply.ipa_table(public_sector, by=("region",), min_n=min_cell_size, cut="grand_mean")
save_table(ipa, "03_ipa_public_sector", counts=["importance_n", "capability_n", "n"],
           caption=("Public sector: mean importance (one item) and capability (six-item agreement scale), 0-100 with "
                    f"95% CI, and the IPA quadrant (cuts at the grand means over all regions). {note}"))
fig = ipa_small_multiples(ipa, by="region", ranks=ranks, title="Public sector: importance beside capability",
                          xlabel="Capability: 6-item agreement scale (0-100)",
                          ylabel="Importance: one item (0-100)")
save_figure(fig, "03_ipa_scatter", footnote=note,
            caption=("Importance-performance analysis of public-sector answers; one pair of cut lines for every "
                     f"region (grand means over all regions); numbers are the priority ranks of the needs. {note}"))

# %% [markdown]
# ## Public-sector need beside SME and university supply
#
# Need is the public sector's mean importance score; supply the SMEs' and universities' mean agreement that
# they "can offer this". In instrument v1 these are different questions answered by different people, so
# they are shown side by side, each with its 95% interval, and no gap is formed.

# %%
print(demand_supply.NEED_SUPPLY_RULE)
need_supply = demand_supply.need_and_supply(scores, by=("region",), min_n=min_cell_size)
save_table(need_supply, "03_need_and_supply", counts=["need_n", "supply_n", "n"],
           caption=("Public-sector need (importance item) and SME and university supply (\"we can offer this\" item), "
                    f"0-100 with 95% CI, side by side: different questions, not subtracted. {note}"))
fig = need_supply_panels(need_supply, by="region", title="Public-sector need beside SME and university supply")
save_figure(fig, "03_need_and_supply", footnote=note,
            caption=("Left: public-sector importance; right: SMEs' and universities' agreement that they can offer "
                     f"the dimension; means with 95% CI, each on its own question. {note}"))

# %% [markdown]
# ## Do public bodies know what is on offer?
#
# Share of public-sector respondents who agree or strongly agree that they know the digital solutions regional
# SMEs (AW1) and universities and research organisations (AW2) offer, with Wilson 95% intervals. Lack of
# awareness is the known bottleneck between demand and supply. Each item has its own figure and table. Where fewer
# than `min_cell_size` respondents of a partner are aware (or not aware), the partner's share is masked; the share
# over all partner regions still shows.

# %%
awareness = demand_supply.awareness_shares(survey, by=("region",), stakeholders=["public_sector"],
                                           pooled="all_regions", min_n=min_cell_size)
save_table(awareness, "03_awareness_public_sector", counts=["n", "n_aware", "n_dont_know"], shares={"share": "n"},
           caption=f"Public-sector awareness of regional SME (AW1) and university (AW2) solutions: share agreeing, Wilson 95% CI. {note}")
for item, block in awareness.groupby("item", sort=True):
    name = f"03_awareness_{item.lower()}"
    save_table(block, name, counts=["n", "n_aware", "n_dont_know"], shares={"share": "n"}, caption=f"Share of public-sector respondents aware ({item}), Wilson 95% CI. {note}")
    fig = share_interval_chart(block, by="region", xlabel="public-sector respondents aware (%)",
                               title=f"{item}: {survey.codebook.item(item).text['en']}")
    display(save_figure(fig, name, footnote=note,
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
# ## Like-for-like gaps: instrument v2
#
# Instrument v2 (`innocap_analysis/instruments/innocap_v2.yaml`) asks each statement of a dimension three
# ways: how important it is, how able the organisation is today, and (SMEs and universities) how able they are
# to offer it. The need gap (importance minus ability on the same statement, within each respondent) and the
# suppliers' ability against the public sector's own (same statements, same scale) are then like for like,
# and each family of comparisons is Holm-adjusted over all regions and dimensions. The partners' wave-1
# exports use v1, so unless this build runs on v2 exports, the table below is computed on **illustrative,
# synthetic v2 answers** (`synthetic.matched`, written as an export and read back with `load_survey`) to
# show what wave 2 will report.

# %%
print(matched.MATCHED_RULE)
if survey.codebook.statements():
    v2_survey, v2_note = survey, note
else:
    v2_answers = synthetic_matched.simulate_matched_responses(seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        export = synthetic_matched.write_matched_export(v2_answers, folder)
        v2_survey = load_survey(export, codebook=synthetic_matched.MATCHED_CODEBOOK, errors="raise",
                                pseudonymise_key=synthetic_matched.ILLUSTRATIVE_KEY)
    v2_survey = evidence.select_regions(v2_survey, region_selection)
    v2_note = "Illustrative synthetic answers to instrument v2, not the partners' real answers."
v2_gaps = matched.matched_gaps(v2_survey, by=("region",), min_n=min_cell_size)
save_table(v2_gaps, "03_matched_gaps_v2", counts=["need_n", "supply_n", "n"],
           caption=("Instrument v2: public-sector need gap (importance minus ability on the same statements, 0-100 "
                    "points) and suppliers' ability minus the public sector's own (same statements and scale), with "
                    f"cluster-robust 95% CI and Holm-adjusted p over all regions and dimensions. {v2_note}"))
v2_gaps[["region", "dimension", "need_gap", "need_gap_p_holm", "supply_over_capability", "soc_p_holm", "verdict"]]

# %%
# Notebooks 06 and 08 set these beside the service-distance burden without recomputing them.
for name, table in {"03_priorities": ranks, "03_ipa": ipa, "03_need_and_supply": need_supply,
                    "03_awareness": awareness,
                    "03_awareness_items": demand_supply.item_texts(survey.codebook, role="awareness")}.items():
    save_interim(table, name)
ranks[ranks["rank"] == 1][["region", "dimension", "mean", "p_rank1", "status"]]
