# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 02 · Capability profiles
#
# **Question.** How capable do organisations in each partner region, and of each stakeholder type, rate
# themselves on the four dimensions: digital solutions, procurement of innovative solutions, delivery models,
# and skills? Which differences are larger than chance?
#
# **Inputs.** The partner survey exports through `load_survey`; dimension scores from `score_dimensions`
# (reverse-keyed items recoded, mean of the answered items when at least half were answered, rescaled to 0-100).
#
# **Caveat.** Unless run with `innocap build --survey ...`, these are **illustrative, synthetic data**, not the
# partners' real answers: the differences below demonstrate the method, not findings about the regions.
# Groups smaller than `min_cell_size` are suppressed everywhere.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None: the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None: INNOCAP v1
region_selection = None  # partner-region keys to report, e.g. ['donegal']; None: all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
from IPython.display import display

from innocap_analysis import evidence
from innocap_analysis.evidence import save_figure, save_table, sentences
from innocap_analysis.indicators import measurement, profiles, resolve_cluster
from innocap_analysis.labels import display_label
from innocap_analysis.plots import use_style
from innocap_analysis.plots.survey_charts import likert_diverging, score_heatmap
from innocap_analysis.stats import compare
from innocap_analysis.survey.scoring import score_dimensions

use_style()
note = evidence.data_note(illustrative)
survey = evidence.load_evidence_survey(survey_paths, codebook_path, region_selection)
scores = score_dimensions(survey)
capability = scores[scores["role"] == "capability"]
print(sentences.clustering_sentence(scores, resolve_cluster(scores)))

# %% [markdown]
# ## Dimension scores by region and by stakeholder type
#
# Means on the 0-100 scale with 95% t intervals, cluster-robust by organisation where the exports identify
# organisations (respondents of one organisation are not independent). The heatmap greys out suppressed cells.

# %%
by_region = profiles.capability_by_group(scores, "region", min_n=min_cell_size)
save_table(by_region, "02_capability_by_region", counts=["n"],
           caption=f"Mean capability score (0-100) by partner region and dimension, with 95% CI and n. {note}")
means, n = profiles.heatmap_layout(by_region, "region")
fig = score_heatmap(means.rename(index=display_label, columns=display_label),
                    n=n.rename(index=display_label, columns=display_label),
                    title="Self-rated capability by partner region (mean, 0-100)")
save_figure(fig, "02_capability_heatmap_region", footnote=note,
            caption=f"Mean capability score (0-100) by partner region and dimension; n under each value. {note}")

# %%
by_stakeholder = profiles.capability_by_group(scores, "stakeholder", min_n=min_cell_size)
save_table(by_stakeholder, "02_capability_by_stakeholder", counts=["n"],
           caption=f"Mean capability score (0-100) by stakeholder type and dimension, with 95% CI and n. {note}")
means, n = profiles.heatmap_layout(by_stakeholder, "stakeholder")
fig = score_heatmap(means.rename(index=display_label, columns=display_label),
                    n=n.rename(index=display_label, columns=display_label),
                    title="Self-rated capability by stakeholder type (mean, 0-100)")
save_figure(fig, "02_capability_heatmap_stakeholder", footnote=note,
            caption=f"Mean capability score (0-100) by stakeholder type and dimension; n under each value. {note}")

# %% [markdown]
# ## The answers behind the scores
#
# Diverging stacked bars centred on the neutral answer, one chart per dimension; *don't know* is shown apart
# on the right. Reverse-keyed items are shown as asked, so their bars lean the other way by design.

# %%
levels = profiles.scale_labels(survey, "agree5")
for dimension in survey.codebook.dimensions:
    fig = likert_diverging(profiles.likert_counts(survey, dimension, min_n=min_cell_size), levels,
                           title=f"{display_label(dimension)}: capability items")
    display(save_figure(fig, f"02_likert_{dimension}", footnote=note,
                        caption=f"Answers to the {display_label(dimension).lower()} capability items, centred on "
                                f"the neutral answer; don't know shown apart. {note}"))

# %% [markdown]
# ## Are the differences larger than chance?
#
# Kruskal-Wallis tests across regions and across stakeholder types, per dimension, with epsilon-squared and
# eta-squared(H) effect sizes and Holm / Benjamini-Hochberg adjusted p-values over the four dimensions.
# Ordinal data, so ranks rather than means.

# %%
kw_region = compare.kruskal_by(capability, "score_0_100", "region", min_n=min_cell_size)
kw_stakeholder = compare.kruskal_by(capability, "score_0_100", "stakeholder", min_n=min_cell_size)
save_table(kw_region, "02_kruskal_region", counts=["n", "n_missing", "min_group_n"],
           caption=f"Kruskal-Wallis test of capability scores across partner regions, per dimension. {note}")
save_table(kw_stakeholder, "02_kruskal_stakeholder", counts=["n", "n_missing", "min_group_n"],
           caption=f"Kruskal-Wallis test of capability scores across stakeholder types, per dimension. {note}")
kw_region[["dimension", "n", "H", "p_holm", "epsilon_squared", "eta_squared_h"]]

# %% [markdown]
# Pairwise Mann-Whitney tests between stakeholder types and between regions, with Cliff's delta (the
# probability that a score in one group exceeds one in the other, minus the reverse) and Holm-adjusted p-values
# within each dimension.

# %%
pairs_stakeholder = profiles.pairwise_by_dimension(scores, "stakeholder", min_n=min_cell_size)
pairs_region = profiles.pairwise_by_dimension(scores, "region", min_n=min_cell_size)
save_table(pairs_stakeholder, "02_pairwise_stakeholder", counts=["n_a", "n_b", "n"],
           caption=f"Pairwise Mann-Whitney tests between stakeholder types: Cliff's delta, Holm and BH p-values. {note}")
save_table(pairs_region, "02_pairwise_region", counts=["n_a", "n_b", "n"],
           caption=f"Pairwise Mann-Whitney tests between partner regions: Cliff's delta, Holm and BH p-values. {note}")
pairs_stakeholder[["dimension", "group_a", "group_b", "n_a", "n_b", "cliffs_delta", "p_holm"]]

# %% [markdown]
# ## Ordinal models per item
#
# A proportional-odds model for each capability item (reverse-keyed items recoded), with region and
# stakeholder type as covariates: odds ratios against the reference level, 95% intervals, Holm and BH
# adjustment over all items. An odds ratio above 1 means higher answers than the reference.

# %%
odds = measurement.ordinal_odds_ratios_by_item(survey, min_n=min_cell_size)
save_table(odds, "02_ordinal_odds_ratios", counts=["n", "n_missing", "n_level"],
           caption=f"Proportional-odds models per capability item: odds ratios (95% CI) for region and stakeholder type. {note}")
print(sentences.odds_ratio_sentence(odds))

# %% [markdown]
# ## Are the four dimensions distinct?
#
# Each capability scale is internally consistent (notebook 01: alpha about 0.9), but that does not show that
# the four scales measure different things. Per pair of dimensions: the correlation of the scale scores (Fisher
# 95% interval), the correlation corrected for attenuation by both alphas, the heterotrait-monotrait ratio
# (HTMT; Henseler, Ringle & Sarstedt 2015: below 0.85 the two scales are distinct), and the Fornell-Larcker
# criterion (each scale's square root of the average variance extracted exceeds the correlation of the two).

# %%
validity = measurement.dimension_validity(survey, min_n=min_cell_size)
save_table(validity, "02_dimension_validity", counts=["n"],
           caption=("Capability dimensions, per pair: Pearson correlation of the scale scores (Fisher 95% CI), Spearman's "
                    "rho, correlation corrected for attenuation, HTMT (below 0.85: distinct; Henseler et al. 2015), AVE and "
                    f"the Fornell-Larcker criterion. {note}"))
print(sentences.discriminant_validity_sentence(validity))

# %% [markdown]
# ## Do SMEs and public bodies read the items alike?
#
# A group comparison of scale scores assumes that both groups understand the items the same way. For every
# capability item, an ordinal logistic regression of the answer on the respondent's standing on the rest of the
# scale, then + stakeholder type, then + their interaction (Zumbo 1999) tests for differential item functioning
# (DIF) between SMEs and public-sector bodies: an item is flagged when the Holm-adjusted likelihood-ratio test is
# significant and the change in Nagelkerke's R-squared is at least 0.035 (Jodoin & Gierl 2001).

# %%
dif = measurement.item_dif(survey, reference="public_sector", focal="sme", min_n=min_cell_size)
save_table(dif, "02_item_dif_sme_public", counts=["n", "n_reference", "n_focal"],
           caption=("Differential item functioning of the capability items, SMEs against public-sector bodies: ordinal "
                    "logistic regression on the rest score, odds ratio (SMEs at the same rest score), likelihood-ratio "
                    f"test (Holm over all items) and Nagelkerke R-squared change. {note}"))
print(sentences.dif_sentence(dif, reference="public_sector", focal="sme"))
