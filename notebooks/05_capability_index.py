# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 05 · The composite capability index, its uncertainty, and what "ahead" can mean
#
# **Question.** How do the partner regions (and the stakeholder types within them) compare on one
# composite capability index, and how far does that ranking depend on how the index is built and on
# which organisations happened to answer? Which claims that one region is "ahead" of another survive?
#
# **Inputs.** The partner survey exports (by default the illustrative exports in `data/raw/illustrative`),
# read with the INNOCAP v1 codebook; the four capability dimension scores of each organisation
# (digital solutions, procurement of innovation, delivery models, skills; 0-100, from
# `scoring.score_dimensions`).
#
# **Method.** The index of an organisation is the equal-weight arithmetic mean of its four dimension
# scores (`capability.capability_index`). For the comparison of groups, the units are the partner regions
# (then region x stakeholder type) and the indicators are the group means of the four dimensions
# (`capability.group_indicator_matrix`, only groups of at least `min_cell_size` organisations). A Monte Carlo
# uncertainty analysis rebuilds the index with other normalisations, aggregations and perturbed weights
# (`composite.uncertainty_analysis`, Saisana, Saltelli & Tarantola 2005), and a second one also resamples
# the organisations of each group (`capability.group_rank_uncertainty`). `composite.sensitivity_analysis`
# splits the rank variance by choice (first-order indices).
#
# **Caveat.** Unless this notebook is run on the partners' real exports, every number below comes from
# *illustrative, synthetic* survey data and says nothing about the real regions.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None: the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None: INNOCAP v1
region_selection = None  # partner-region keys to report, e.g. ['donegal']; None: all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
import pandas as pd

from innocap_analysis import composite
from innocap_analysis.evidence import data_note, load_evidence_survey, save_figure, save_table, sentences
from innocap_analysis.indicators import capability, resolve_cluster
from innocap_analysis.plots import use_style
from innocap_analysis.plots.composite_charts import rank_interval_comparison_plot, unit_display_labels
from innocap_analysis.survey.scoring import score_dimensions

use_style()
NOTE = data_note(illustrative)
survey = load_evidence_survey(survey_paths, codebook_path, region_selection)
scores = score_dimensions(survey)
cluster = resolve_cluster(scores)  # resample whole organisations where the exports identify them
print(sentences.clustering_sentence(scores, cluster))

# The modelling choices the uncertainty analysis samples (the nominal index is the first of each).
N_DRAWS = 2000
CHOICES = dict(
    normalisations=("none", "minmax", "rank"),
    aggregations=("arithmetic", "geometric"),
    weight_noise=0.25,
    n_weight_sets=100,
    nominal=("none", "arithmetic"),
)

# %% [markdown]
# ## The index per organisation, region and stakeholder type
#
# Each organisation's index is the mean of its four capability dimension scores (0-100). The table gives
# its mean and standard deviation per partner region and per stakeholder type; groups below the minimum
# cell size are withheld.

# %%
index = capability.capability_index(scores, min_cell_size=min_cell_size)
by_group = index.by_group  # sizes and means of groups below min_cell_size masked, with secondary suppression
save_table(
    by_group,
    "05_capability_index_by_group",
    counts=["n"],
    caption=(
        "Capability index (0-100; equal-weight mean of an organisation's four capability dimension scores): "
        "number of organisations, mean and standard deviation per partner region and per stakeholder type; "
        f"groups of fewer than {min_cell_size} organisations withheld. " + NOTE
    ),
)
by_group

# %% [markdown]
# ## Units and indicators of the uncertainty analysis
#
# The units are the partner regions; their four indicators are the regional means of the dimension scores.
# `n` is the smallest number of organisations behind any of a region's four means.

# %%
regions = capability.group_indicator_matrix(scores, "region", min_cell_size=min_cell_size)
save_table(
    regions.groups,
    "05_region_dimension_means",
    counts=["n"],
    caption=(
        "Mean capability dimension score (0-100) per partner region: the indicators of the uncertainty "
        "analysis; n = smallest number of organisations scored on a dimension; groups of fewer than "
        f"{min_cell_size} withheld. " + NOTE
    ),
)
regions.groups

# %% [markdown]
# ## Rank uncertainty over the modelling choices, and over who answered
#
# Each draw of the first analysis rebuilds the index from the regional means with a normalisation, a mean
# and a perturbed weight set drawn at random. It treats the regional means as exact. The second analysis
# first draws a bootstrap sample of the organisations of each region (with replacement, each region's number
# of organisations kept; all respondents of a drawn organisation come with it, and where the exports carry no
# organisation key each respondent counts as one organisation) and recomputes the means, then makes the same
# modelling draws: its intervals add the uncertainty of estimating a region's mean from the organisations
# that answered.

# %%
modelling = composite.uncertainty_analysis(
    regions.matrix, regions.structure, n_draws=N_DRAWS, seed=seed, progress=False, **CHOICES
)
combined = capability.group_rank_uncertainty(
    scores, "region", n_draws=N_DRAWS, seed=seed, min_cell_size=min_cell_size, cluster=cluster, **CHOICES
)
print(sentences.monte_carlo_choices_sentence(N_DRAWS, CHOICES))

# %%
ANALYSES = {"modelling choices": modelling.rank_stats, "+ sampling of organisations": combined.rank_stats}
rank_table = pd.concat(ANALYSES, names=["analysis"]).reset_index(level=0)
save_table(
    rank_table,
    "05_region_rank_intervals",
    counts=(),
    caption=(
        f"Rank of each partner region on the capability index (1 = highest) over {N_DRAWS} Monte Carlo draws: "
        "nominal rank, median, mean and 5 % / 95 % quantiles; modelling choices alone, and with a bootstrap "
        "of the organisations within each region. " + NOTE
    ),
)
rank_table

# %%
labels = unit_display_labels(regions.matrix.index)
fig = rank_interval_comparison_plot(
    ANALYSES, labels=unit_display_labels(regions.matrix.index, counts=regions.groups.set_index("unit")["n"]),
    title="Rank of the partner regions on the capability index", caption=NOTE,
)
save_figure(
    fig,
    "05_region_rank_uncertainty",
    caption=(
        f"Median rank and 5-95 % rank interval of each partner region's mean capability index over {N_DRAWS} "
        f"draws of the modelling choices (normalisation, mean, weights +-{CHOICES['weight_noise']:.0%}), alone "
        "and with a bootstrap of the organisations within each region; diamonds: the index as built. " + NOTE
    ),
)

# %% [markdown]
# ## Which choice moves the ranks
#
# First-order indices: the share of each region's rank variance explained by one choice alone, averaged over
# the regions whose rank varies at all (`n_units`); `first_order_adjusted` removes the upward bias that a
# factor with many levels (the pool of perturbed weight sets) has. A blank index means no region's rank varies.

# %%
sensitivity_modelling = composite.sensitivity_analysis(modelling)
sensitivity_combined = composite.sensitivity_analysis(combined)
sensitivity = pd.concat(
    {"modelling choices": sensitivity_modelling, "+ sampling of organisations": sensitivity_combined},
    names=["analysis"],
).reset_index(level=0)
save_table(
    sensitivity,
    "05_sensitivity_indices",
    counts=(),  # n_levels and n_units count modelling choices and regions, not respondents
    caption=(
        "First-order sensitivity indices of the partner regions' ranks (share of rank variance, averaged "
        "over regions whose rank varies; adjusted = bias-corrected omega squared) for each modelling choice. "
        + NOTE
    ),
)
sensitivity

# %%
print(sentences.sensitivity_sentence(sensitivity_modelling, sensitivity_combined, len(regions.matrix),
                                    what="regions"))

# %% [markdown]
# ### Why the modelling choices barely move the ranks
#
# A region that is higher than another on every dimension stays ahead under every normalisation (each keeps
# the order within a dimension) and every mean with positive weights: the choices can only reorder pairs of
# regions that are not ordered by dominance. The table lists every pair and the region that dominates, if any.

# %%
dominance = composite.dominance_pairs(regions.matrix)
save_table(
    dominance,
    "05_region_dominance",
    counts=(),  # pairs of regions, no respondents
    caption=("Pairs of partner regions and the region whose mean capability is higher on all four dimensions "
             "(dominance), if any: only pairs without one can change places over the modelling choices. " + NOTE),
)
print(sentences.composite_sensitivity_sentence(dominance, sensitivity_modelling, labels=labels, what="regions"))

# %% [markdown]
# ## What the rank intervals mean for a claim that a region is "ahead"
#
# A claim that region A is ahead of region B needs A's whole 5-95 % rank interval to lie above B's. Where the
# intervals overlap, the data and the index construction admit either order, and no such claim is supported.
# The modelling-only intervals are not enough: they treat the regional means as exact, and a region that
# is ahead on all four dimensions keeps its rank under every normalisation, mean and weighting, however small
# its lead (the dominance table above shows which pairs that covers). The intervals with the sampling of
# organisations are the ones to use. Even they are a lower bound on the uncertainty: the bootstrap treats the
# responding organisations as a simple random sample of each region's organisations, and says nothing about
# who chose not to answer (notebook 01 gives the response rates).

# %%
pairs = composite.rank_interval_pairs(combined.rank_stats)
save_table(
    pairs,
    "05_region_rank_pairs",
    counts=(),
    caption=(
        "Pairs of partner regions: 5-95 % rank intervals (modelling choices and sampling of organisations), "
        "whether they overlap, and the region ahead where they do not. " + NOTE
    ),
)
print("Modelling choices alone: "
      + sentences.rank_separation_sentence(composite.rank_interval_pairs(modelling.rank_stats), labels=labels))
print()
print("With the sampling of organisations: " + sentences.rank_separation_sentence(pairs, labels=labels))

# %% [markdown]
# ## Region x stakeholder type
#
# The same two analyses with the region x stakeholder-type groups as units (groups below the minimum cell
# size left out). The groups are smaller than the regions, so the sampling part of their intervals is wider;
# a regional ranking says nothing about how a region's public bodies, SMEs and universities compare.

# %%
cells = capability.group_indicator_matrix(scores, ["region", "stakeholder"], min_cell_size=min_cell_size)
cells_modelling = composite.uncertainty_analysis(
    cells.matrix, cells.structure, n_draws=N_DRAWS, seed=seed, progress=False, **CHOICES
)
cells_combined = capability.group_rank_uncertainty(
    scores, ["region", "stakeholder"], n_draws=N_DRAWS, seed=seed, min_cell_size=min_cell_size, cluster=cluster,
    **CHOICES
)
save_table(
    cells.groups,
    "05_region_stakeholder_dimension_means",
    counts=["n"],
    caption=(
        "Mean capability dimension score (0-100) per partner region and stakeholder type; n = smallest number "
        f"of organisations scored on a dimension; groups of fewer than {min_cell_size} withheld. " + NOTE
    ),
)
fig = rank_interval_comparison_plot(
    {"modelling choices": cells_modelling.rank_stats, "+ sampling of organisations": cells_combined.rank_stats},
    labels=unit_display_labels(cells.matrix.index, counts=cells.groups.set_index("unit")["n"]),
    title="Rank of region x stakeholder groups on the capability index",
    caption=NOTE,
)
save_figure(
    fig,
    "05_region_stakeholder_rank_uncertainty",
    caption=(
        f"Median rank and 5-95 % rank interval of each region x stakeholder-type group's mean capability index "
        f"over {N_DRAWS} draws of the modelling choices, alone and with a bootstrap of the organisations within "
        f"each group; groups of fewer than {min_cell_size} organisations left out; diamonds: the index as "
        "built. " + NOTE
    ),
)

# %%
cell_pairs = composite.rank_interval_pairs(cells_combined.rank_stats)
print(
    f"{len(cells.matrix)} of {len(cells.groups)} region x stakeholder groups are published. With the sampling "
    "of organisations: "
    + sentences.rank_separation_sentence(cell_pairs, labels=unit_display_labels(cells.matrix.index), max_listed=5)
)
