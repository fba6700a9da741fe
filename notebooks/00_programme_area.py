# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 00 · The programme area and the partner regions
#
# **Question.** Where are the INNOCAP partner regions within the Interreg Northern Periphery and Arctic (NPA)
# 2021-2027 programme area, and how many people live in how much space there?
#
# **Inputs** (all real, published data; see `data/manifest.csv` for checksums and licences):
# - NUTS 2021 level-3 regions of FI, SE, NO, IE, IS and UK (GISCO 1:10M, © EuroGeographics for the administrative boundaries);
# - Natural Earth outlines of Newfoundland and Labrador, the Faroe Islands and Greenland;
# - the NPA 2021-2027 eligible-region list;
# - Eurostat NUTS 3 population (1 January 2021, or 2019-2020 where 2021 was missing), area and density; Statistics Canada 2021 census for Newfoundland and Labrador.
#
# **Caveat.** This notebook uses no survey data. The survey results in the later notebooks come from
# *illustrative, synthetic* exports unless the build is pointed at the partners' real exports.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None: the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None: INNOCAP v1
region_selection = None  # partner-region keys to report, e.g. ['donegal']; None: all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
from innocap_analysis.evidence import save_figure, save_interim, save_table, sentences
from innocap_analysis.geography import (
    load_regions,
    partner_area_summary,
    partner_areas,
    partner_remoteness,
    programme_area_summary,
)
from innocap_analysis.plots import use_style
from innocap_analysis.plots.programme_area import partner_region_table, programme_area_map

use_style()
regions = load_regions(level=3)

# %% [markdown]
# ## The programme area
#
# NUTS 3 regions listed as eligible for NPA 2021-2027, with the three territories outside NUTS. Counted by
# country, with the partner regions among them.

# %%
programme_area_summary(regions)

# %% [markdown]
# Europe, the Faroe Islands and Greenland are drawn in the ETRS89 equal-area projection (EPSG:3035).
# Newfoundland and Labrador gets a panel of its own, in a Lambert azimuthal equal-area projection centred
# on the province.

# %%
fig = programme_area_map(regions)
save_figure(
    fig,
    "00_programme_area_map",
    caption=(
        "Interreg NPA 2021-2027 programme area (NUTS 2021 level 3 and territories) with the NUTS 3 regions of "
        "the five INNOCAP partners highlighted (Border, IE041, contains County Donegal; Landsbyggð, IS002, "
        "contains Suðurland). Newfoundland and Labrador is a partner outside the NPA programme area. "
        "Boundaries © EuroGeographics (GISCO); Made with Natural Earth."
    ),
)

# %% [markdown]
# ## Population, area and density of the partner areas
#
# The partners' own areas: County Donegal (Donegal County Council), Västernorrland, Etelä-Savo (Mikkeli is in it),
# Suðurland (SASS) and Newfoundland and Labrador. County Donegal and Suðurland are smaller than their NUTS 3
# regions (Border, IE041, five counties; Landsbyggð, IS002, all of Iceland outside the capital region), so their
# population comes from the national statistics offices and their boundary from notebook 04's method. Newfoundland
# and Labrador is a partner outside the NPA 2021-2027 programme area.

# %%
partners = partner_area_summary(partner_areas(regions), regions, keys=region_selection)
save_table(
    partners,
    "00_partner_areas",
    counts=(),  # geography: no respondents
    caption=(
        "Partner areas: NUTS 3 parent, population (persons; CSO Census 2022 for County Donegal, Statistics Iceland "
        "1 January 2020 for Suðurland, Eurostat 1 January 2021 for FI1D1 and SE321, Statistics Canada 2021 census "
        "for Newfoundland and Labrador), area (km²), density (persons per km²) and whether the area lies in the "
        "NPA 2021-2027 programme area."
    ),
)
partners[["partner_area", "nuts3_parent", "population", "population_year", "area_km2", "density_per_km2",
          "in_npa_2021_27"]]

# %%
print(sentences.density_range_sentence(partners))

# %% [markdown]
# The same figures for the partners' NUTS 3 regions, the finest level with Eurostat statistics (Border and
# Landsbyggð are much larger than the partner areas inside them). The area is Eurostat's total area (including
# inland water); for Newfoundland and Labrador it is the area of the boundary polygon in an equal-area projection.

# %%
nuts3 = partner_region_table(regions, keys=region_selection)
save_table(
    nuts3,
    "00_partner_nuts3_regions",
    counts=(),  # geography: no respondents
    caption=(
        "NUTS 3 regions of the partners (Border, IE041, contains County Donegal; Landsbyggð, IS002, contains "
        "Suðurland): population (persons; Eurostat 1 January 2021, or 2019-2020 where 2021 was missing; "
        "Statistics Canada 2021 census for CA-NL), area (km²) and density (persons per km²)."
    ),
)
nuts3[["partner_region", "region_id", "population", "population_year", "area_km2", "density_per_km2"]]

# %% [markdown]
# Eurostat's urban-rural remoteness typology classifies NUTS 3 regions, not the partners' own areas: each partner
# area carries the class of the NUTS 3 region that is or contains it (Newfoundland and Labrador is outside the
# typology).

# %%
remoteness = partner_remoteness(regions, keys=region_selection)
save_table(
    remoteness,
    "00_partner_remoteness",
    counts=(),  # geography: no respondents
    caption=(
        "Official remoteness class of the partners' NUTS 3 regions: Eurostat's urban-rural remoteness typology "
        "(NUTS 2021 level 3; Border, IE041, contains County Donegal; Landsbyggð, IS002, contains Suðurland). "
        "Newfoundland and Labrador is outside the typology. Source: Eurostat."
    ),
)
# Notebook 08 (the application's partner profiles) reads both partner tables.
save_interim(partners, "00_partner_areas")
save_interim(remoteness, "00_partner_remoteness")
remoteness[["classified_region", "urban_rural_label", "remoteness_label"]]

# %% [markdown]
# For comparison, the EU-27 average is about 109 persons per km² (Eurostat, 2021). The next notebooks ask what
# sparse settlement means for the distance to services (04) and for the capability of the organisations
# that deliver them (01-03, 05).
