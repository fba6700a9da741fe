# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 07 · Programme evaluation: did the capacity-building raise capability?
#
# **Question.** How will the INNOCAP programme show that training public-sector users raised their
# capability in digital solutions, innovation procurement, service-delivery models and skills? How large an
# effect can the planned survey detect, and what do the estimators return on a two-wave dataset?
#
# **Design context.** The programme trains at least 120 public-sector users and pilots four services:
# flood-monitoring IoT in Donegal, digital innovation coaches in Västernorrland, GIS decision support in
# South Savo and a waste-data hub in South Iceland. Participants answer the capability survey before
# training (baseline) and after (follow-up), as do comparison respondents who are not trained; a
# pseudonymous panel key links each person's two answers.
#
# **Inputs.**
# - two survey waves (baseline and follow-up) with `wave`, `participant`, a panel key and the organisation,
#   loaded by the same loader as the partners' exports (`load_survey`, pseudonymised) and scored by
#   `score_dimensions`; for the illustrative build the two waves are simulated with a known effect
#   (`synthetic_panel.illustrative_waves`), written as a CSV export to a temporary directory (deleted
#   afterwards, nothing is written into the repository) and loaded from there;
# - the planned sample for the power calculation (`synthetic_panel.PanelDesign`), and the organisations of the
#   baseline respondents (pseudonymised keys), whose intraclass correlation gives the design effect.
#
# **Caveat.** The survey data here are *illustrative, synthetic* unless the build is run on the partners'
# real two-wave exports (which also need the pseudonymisation key in the environment variable
# `INNOCAP_PSEUDONYMISE_KEY`). No follow-up wave exists yet: every estimate below shows what the analysis
# will report, not a finding. Real exports without a follow-up wave are replaced by the illustrative waves,
# and the outputs say so.

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
from innocap_analysis.evaluation import (
      PARALLEL_TRENDS,
      PLANNING_ICC_RULE,
      baseline_icc,
      evaluate_programme,
      evaluation_input,
      power_plan,
      required_participants,
      truth_comparison,
)
from innocap_analysis.evidence import (
      achieved_power_sentence,
      clustered_power_sentence,
      required_participants_sentence,
      save_figure,
      save_interim,
      save_table,
      truth_sentence,
)
from innocap_analysis.plots import use_style
from innocap_analysis.plots.evaluation_charts import effect_forest_plot, paired_change_distributions
from innocap_analysis.synthetic.panel import PanelDesign

use_style()
plan = PanelDesign()  # the planned sample: participants, comparison respondents, follow-up and linking rates

# %% [markdown]
# ## The design
#
# Four estimators, each reported per capability dimension:
#
# - **difference-in-differences on linked respondents** (the primary estimate): participants' mean change
#   minus the comparison respondents' mean change, OLS with standard errors clustered by organisation;
# - **difference-in-differences on all responses**, treating the waves as repeated cross-sections;
# - **paired change** of linked respondents in each group (mean change with a bootstrap BCa interval,
#   Wilcoxon signed-rank test, rank-biserial correlation);
# - **unpaired wave comparison** of all baseline with all follow-up respondents, which selective drop-out
#   biases; it is shown for contrast, not as evidence.
#
# The difference-in-differences rests on one untestable assumption:

# %%
print(PARALLEL_TRENDS)

# %% [markdown]
# ## The two waves
#
# The table of dimension scores comes from the loader chain (exports → `load_survey` → `score_dimensions`
# → `scores_for_evaluation`). For the illustrative build the true effect is known:

# %%
data = evaluation_input(survey_paths, codebook_path, region_selection=region_selection, seed=seed)
note = evidence.data_note(illustrative or data.illustrative)  # real exports without a follow-up wave fall back
print(data.source, f"Rows rejected by the loader: {data.n_rejected}.")
print(truth_sentence(data.truth) if data.truth is not None else "Real exports: the true effect is unknown.")

# %% [markdown]
# ## Clustering at baseline
#
# Several respondents work in the same organisation, and colleagues answer more alike than strangers. The
# intraclass correlation (ICC) of the baseline scores within organisations measures how much: ICC(1) from a
# one-way analysis of variance (Shrout & Fleiss 1979; average cluster size n0 for unequal organisations),
# with its F-based 95% interval (Searle 1971) and, as a check, the variance ratio of a random-intercept model
# fitted by REML (statsmodels MixedLM). The design effect 1 + ((cv² + 1) m − 1) × ICC (Kish 1965; Eldridge et
# al. 2006, with m the mean respondents per organisation and cv the coefficient of variation of that number)
# says how many times larger the variance of a mean is than with independent respondents.

# %%
icc = baseline_icc(data.scores)
save_table(
    icc,
    "07_baseline_icc",
    counts=["n_respondents", "n_organisations"],
    caption=(
        "Intraclass correlation of the baseline capability scores within organisations, per dimension: ICC(1) "
        "(one-way ANOVA, F-based 95% interval), the REML variance ratio of a random-intercept model (check), "
        "respondents, organisations, mean respondents per organisation and the CV of that number, and the "
        "design effect 1 + ((cv² + 1) m − 1) × ICC. " + note
    ),
)
print(PLANNING_ICC_RULE)
icc[["dimension", "n_respondents", "n_organisations", "mean_cluster_size", "icc", "icc_ci_low", "icc_ci_high",
     "icc_reml", "design_effect"]].round(3)

# %% [markdown]
# ## Power for the application
#
# The minimum detectable effect (MDE) is the smallest standardised effect (Cohen's d, in standard deviations
# of individual change) that the design detects with 80% power at two-sided alpha = 0.05. Only respondents
# with a linked follow-up answer count, so the MDE depends on the follow-up response and on how many panel
# keys survive to the follow-up. The linked respondents sit in the baseline's organisations, so each group's
# linked n is divided by the design effect of the planning ICC (the effective n) before the power is solved.
# The ICC is that of baseline levels; the ICC of individual change is known only after the follow-up (a stable
# organisation effect cancels in change scores, so the design effect is then conservative).

# %%
linked_share = plan.response_rate * plan.link_rate
print(f"Planning assumption: {plan.response_rate:.0%} answer the follow-up and {plan.link_rate:.0%} of "
      f"their panel keys link, so {linked_share:.1%} of baseline respondents are linked.")
planned = power_plan(icc, n_participants=plan.n_participants, n_comparison=plan.n_comparison,
                     linked_share=linked_share)
print(clustered_power_sentence(planned.summary, icc))
target_d = planned.mde("no clustering")
print(required_participants_sentence(
    required_participants(target_d, planned, comparison_ratio=plan.n_comparison / plan.n_participants),
    target_d, plan.n_participants, planned.n_organisations))

# %%
save_table(
    planned.table,
    "07_power_table",
    counts=(),  # planned sample sizes, not respondents
    caption=(
        "Minimum detectable effect (Cohen's d, SDs of individual change; 80% power, two-sided alpha = 0.05) "
        "by planned participants (comparison respondents: half as many) and share of baseline respondents "
        "with a linked follow-up answer: between groups (difference-in-differences, linked respondents) and "
        "paired (participants' own change), without clustering and with the design effect of clustering by "
        f"organisation (planning ICC {planned.icc:.2f} from the baseline, {planned.n_organisations} organisations, "
        "m = linked respondents per organisation; t-test power, statsmodels). " + note
    ),
)
save_table(
    planned.summary,
    "07_power_plan",
    counts=(),  # planned sample sizes, not respondents
    caption=(
        f"The planned sample ({plan.n_participants} participants, {plan.n_comparison} comparison respondents, "
        f"{linked_share:.1%} linked at follow-up): minimum detectable effect without clustering, with the design "
        "effect of the planning ICC and with the ICC's upper 95% bound (Cohen's d; 80% power, two-sided "
        "alpha = 0.05). " + note
    ),
)
# Notebook 08 derives the application's follow-up targets from these two tables.
save_interim(planned.summary, "07_power_plan")
save_interim(icc.assign(illustrative=data.illustrative), "07_baseline_icc")

# %%
planned.table.pivot(index="n_participants_planned", columns="response_rate",
                    values="mde_d_between_groups_clustered").round(2)

# %% [markdown]
# ## Running the evaluation
#
# Every estimator runs on the two waves in one call; the sections below publish its tables.

# %%
result = evaluate_programme(data.scores, seed=seed, min_cell_size=min_cell_size)

# %% [markdown]
# ## Linking the waves
#
# A key is paired only when it answered once in each wave with the same participant flag; duplicated keys
# (two responses under one key) and conflicting participant flags are excluded, never guessed.

# %%
linking = result.linking
save_table(
    linking,
    "07_linking",
    counts=["n_keys", "n_baseline_responses", "n_follow_up_responses"],
    caption=(
        "Linking of baseline and follow-up responses by panel key: keys and responses per category "
        f"(counts below {min_cell_size} masked, with secondary suppression; no keys are shown). " + note
    ),
)
linking.set_index("category")[["n_keys", "n_baseline_responses", "n_follow_up_responses"]]

# %% [markdown]
# ## Who answered the follow-up
#
# Attrition matters because the paired and difference-in-differences estimates only use linked respondents.
# The second table compares the baseline scores of those who were not linked with those who were.

# %%
save_table(
    result.attrition_response,
    "07_follow_up_response",
    counts=["n_baseline", "n_linked_follow_up"],
    shares={"follow_up_rate": "n_baseline"},
    caption=(
        "Baseline respondents with a linked follow-up answer, by group: counts and follow-up rate "
        f"(groups below {min_cell_size} respondents suppressed). " + note
    ),
)
result.attrition_response

# %%
save_table(
    result.attrition_baseline,
    "07_attrition_baseline_difference",
    counts=["n_linked", "n_not_linked"],
    caption=(
        "Baseline capability of respondents without a linked follow-up answer minus those with one, per "
        "dimension and group (scale points, Welch 95% interval, Cohen's d; "
        f"groups below {min_cell_size} suppressed). " + note
    ),
)
result.attrition_baseline.query("group == 'all'")[["dimension", "n_linked", "n_not_linked", "difference", "ci_low", "ci_high"]].round(2)

# %% [markdown]
# ## Effect estimates
#
# All estimates are in scale points of the dimension scores (mean of the capability items, 1-5 scale).
# Each table is saved with its counts; estimates from groups smaller than the minimum cell size are blanked.

# %%
save_table(
    result.paired,
    "07_paired_change",
    counts=["n", "n_missing_score", "n_zero_change"],
    caption=(
        "Paired change (follow-up minus baseline, scale points) of linked respondents per dimension and "
        "group: mean with bootstrap BCa 95% interval, median, Wilcoxon signed-rank test, rank-biserial "
        f"correlation (groups below {min_cell_size} masked; where fewer than {min_cell_size} respondents did "
        "not change, their count is masked with the Wilcoxon statistic and the rank-biserial correlation, "
        "which would give it back). " + note
    ),
)
save_table(
    result.unpaired,
    "07_unpaired_wave_comparison",
    counts=["n_baseline", "n_follow_up"],
    caption=(
        "Unpaired comparison of all follow-up with all baseline respondents (scale points, Welch 95% "
        "interval, Hedges' g); biased by selective attrition, shown for contrast "
        f"(groups below {min_cell_size} suppressed). " + note
    ),
)
save_table(
    result.did.drop(columns="assumption"),
    "07_difference_in_differences",
    counts=["n_participants", "n_comparison", "n_without_organisation"],
    caption=(
        "Difference-in-differences (participants' change minus comparison change, scale points) on linked "
        "respondents and on all responses, OLS with 95% intervals clustered by organisation. Assumption: "
        f"{PARALLEL_TRENDS} (groups below {min_cell_size} suppressed). " + note
    ),
)

# %%
fig = effect_forest_plot(result.estimates, unit="scale points")
save_figure(
    fig,
    "07_effect_forest",
    footnote=note,
    caption=(
        "Programme evaluation estimates per capability dimension with 95% intervals (scale points of the "
        "dimension score, mean of 1-5 items): difference-in-differences (linked respondents; all responses), "
        "paired change of linked respondents and unpaired wave comparison, per group. " + note
    ),
)

# %%
fig = paired_change_distributions(result.pairs, min_cell_size=min_cell_size, unit="scale points")
save_figure(
    fig,
    "07_paired_change_distributions",
    footnote=note,
    caption=(
        "Distribution of individual change (follow-up minus baseline, scale points of the dimension score) "
        "of linked participants and comparison respondents per dimension, in 0.5-point bins (width proportional "
        f"to the number of respondents); the outer bins hold everyone beyond them and at least {min_cell_size}, "
        f"so that no individual's change shows; bins of fewer than {min_cell_size} are masked (hatched); line: "
        f"median, point: mean; groups below {min_cell_size} respondents not drawn. " + note
    ),
)

# %% [markdown]
# ## Estimates against the truth (illustrative data only)
#
# For the illustrative build the true programme effect on the item scale is known, so the
# difference-in-differences estimates can be checked against it. One dataset shows one draw; the full
# recovery study (500 simulated panels per scenario: bias, coverage of the 95% intervals, false-positive
# rate at zero effect, against peer estimators) is `benchmarks/bench_evaluation_simulation.py`, with results
# in `benchmarks/results/bench_evaluation_simulation.md`.

# %%
truth_comparison(result.did, data.truth).drop(columns="error").round(3) if data.truth is not None else None

# %% [markdown]
# ## What the achieved sample can detect
#
# The same power calculation on the linked sample actually obtained:

# %%
n_linked = int(result.attrition_response.set_index("group").loc["all", "n_linked_follow_up"])
print(achieved_power_sentence(result.attrition_response, design_effect=planned.design_effect_at(n_linked)))
