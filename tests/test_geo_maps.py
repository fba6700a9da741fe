"""Maps: equal-area projections, mapclassify classes in the legend, attribution on every map."""

from __future__ import annotations

import geopandas as gpd
import mapclassify
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from innocap_analysis.geography.regions import load_regions
from innocap_analysis.geography.settlements import load_settlements
from innocap_analysis.plots.maps import (
    class_labels,
    classify_values,
    europe_map,
    newfoundland_labrador_map,
)
from innocap_analysis.provenance import ATTRIBUTION_GEO

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def regions() -> gpd.GeoDataFrame:
    return load_regions(3)


def _texts(fig: Figure) -> str:
    # wrap=True breaks the caption into lines when drawn; compare with whitespace normalised.
    return " ".join(" ".join(t.get_text().split()) for t in fig.findobj(matplotlib.text.Text))


def _legend_labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_class_labels_by_hand():
    assert class_labels(0.0, np.array([2.0, 5.5, 10.0]), "{:.1f}") == ["[0.0 – 2.0]", "(2.0 – 5.5]", "(5.5 – 10.0]"]


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_classify_values_matches_mapclassify_and_keeps_missing():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan])
    classes, bounds = classify_values(values, "quantiles", 5)
    np.testing.assert_allclose(bounds, mapclassify.Quantiles(np.arange(1, 11), k=5).bins)
    assert classes[-1] == -1 and list(classes[:4]) == [0, 0, 1, 1]
    _, jenks = classify_values(values, "fisher_jenks", 3)
    np.testing.assert_allclose(jenks, mapclassify.FisherJenks(np.arange(1, 11), k=3).bins)
    with pytest.raises(ValueError, match="scheme"):
        classify_values(values, "unknown")


def test_europe_map_legend_projection_and_attribution(regions):
    data = regions.assign(value=regions["density"].astype(float))
    fig = europe_map(data, "value", scheme="quantiles", k=4, legend_title="people per km²", fmt="{:.1f}")
    assert isinstance(fig, Figure)
    expected = class_labels(float(data.loc[data["region_id"] != "CA-NL", "value"].min()),
                            mapclassify.Quantiles(data.loc[data["region_id"] != "CA-NL", "value"].dropna(), k=4).bins,
                            "{:.1f}")
    assert _legend_labels(fig) == expected + ["no data"]
    assert ATTRIBUTION_GEO in _texts(fig)
    # EPSG:3035 metres: Europe's false origin puts x and y in the millions.
    x0, x1 = fig.axes[0].get_xlim()
    assert 5e5 < x0 < x1 < 8e6
    matplotlib.pyplot.close(fig)


def test_newfoundland_map(regions):
    settlements = load_settlements(regions=regions)
    fig = newfoundland_labrador_map(settlements, "population_geonames", regions, scheme="fisher_jenks", k=3)
    assert isinstance(fig, Figure) and ATTRIBUTION_GEO in _texts(fig)
    assert len(_legend_labels(fig)) == 3
    # NL-centred Albers: the province straddles the central meridian (60 W), so x is near zero.
    x0, x1 = fig.axes[0].get_xlim()
    assert -1.5e6 < x0 < 0 < x1 < 1.5e6
    matplotlib.pyplot.close(fig)


def test_scale_bar_is_matplotlib_scalebar_of_a_round_length():
    import matplotlib.pyplot as plt
    from matplotlib_scalebar.scalebar import ScaleBar

    from innocap_analysis.plots.maps import _scale_bar

    fig, ax = plt.subplots()
    ax.set_xlim(0, 600_000)
    ax.set_ylim(0, 400_000)
    ax.set_aspect("equal")
    _scale_bar(ax)
    (bar,) = [a for a in ax.artists if isinstance(a, ScaleBar)]
    assert (bar.fixed_value, bar.fixed_units, bar.dx, bar.units) == (100, "km", 1.0, "m")  # <= a quarter of 600 km
    assert ax.get_ylim()[0] < 0  # drawn in a strip below the map, not over the data
    plt.close(fig)
