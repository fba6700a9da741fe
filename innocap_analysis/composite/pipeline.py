"""The composite index in one call: the steps of :mod:`innocap_analysis.composite.steps` in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from .steps import (
    AggregationMethod,
    NormalisationMethod,
    TreatmentResult,
    aggregate,
    denominate,
    impute_group_mean,
    normalise,
    treat_outliers,
)
from .structure import Hierarchy, _indicator_matrix, parse_structure

# --------------------------------------------------------------------------------------------
# The whole pipeline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompositeResult:
    """Every stage of :func:`build_composite` (COINr's ``coin$Data`` and ``coin$Analysis``).

    Attributes are units-by-columns DataFrames except ``treatment`` (a :class:`TreatmentResult`
    or ``None`` when treatment was switched off).
    """

    denominated: pd.DataFrame
    imputed: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    aggregated: pd.DataFrame
    treatment: TreatmentResult | None = None

    def ranks(self, code: str | None = None) -> pd.Series:
        """Rank of each unit on an aggregate (default: the first root), 1 = highest, ties share the minimum."""
        code = code or self.aggregated.columns[-1]
        return self.aggregated[code].rank(ascending=False, method="min")


def build_composite(
    data: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    *,
    denominators: Mapping[str, str] | None = None,
    denominator_data: pd.DataFrame | None = None,
    imputation: Literal["none", "group_mean"] = "none",
    groups: pd.Series | None = None,
    treatment: bool = True,
    treatment_options: Mapping[str, object] | None = None,
    normalisation: NormalisationMethod = "minmax",
    normalisation_options: Mapping[str, object] | None = None,
    aggregation: AggregationMethod = "arithmetic",
    weights: str | Mapping[str, float] | pd.Series | None = "structure",
    power: float | None = None,
) -> CompositeResult:
    """Run denominate -> impute -> treat -> normalise -> aggregate and keep every stage.

    See :func:`composite_index` for the parameters. With ``imputation="none"`` missing values
    go through to the aggregation, where they are dropped child by child with the weights rescaled.
    """
    hierarchy = parse_structure(structure)
    indicators = _indicator_matrix(data, hierarchy.indicators)
    denominated = indicators
    if denominators:
        source = data if denominator_data is None else denominator_data
        denominated = denominate(data, denominators, denominator_data=source)[hierarchy.indicators]
    if imputation == "group_mean":
        imputed = impute_group_mean(denominated, groups)
    elif imputation == "none":
        imputed = denominated
    else:
        raise ValueError(f"imputation must be 'none' or 'group_mean', got {imputation!r}")
    treated_result = treat_outliers(imputed, **dict(treatment_options or {})) if treatment else None
    treated = treated_result.data if treated_result is not None else imputed
    normalised = normalise(treated, hierarchy, normalisation, **dict(normalisation_options or {}))
    aggregated = aggregate(normalised, hierarchy, aggregation, weights=weights, power=power)
    return CompositeResult(denominated, imputed, treated, normalised, aggregated, treated_result)


def composite_index(
    data: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    normalisation: NormalisationMethod = "minmax",
    aggregation: AggregationMethod = "arithmetic",
    weights: str | Mapping[str, float] | pd.Series | None = "structure",
    **options: object,
) -> pd.DataFrame:
    """Composite indicator of any hierarchy: one column per aggregate node.

    Parameters
    ----------
    data
        Units (index) by indicators (plus any denominator columns).
    structure
        Rows ``code, parent, weight, direction`` of any depth (see :func:`parse_structure`).
    normalisation
        See :func:`normalise`; ``normalisation_options`` passes ``lower``, ``upper``,
        ``goalposts`` or ``reference_unit``.
    aggregation
        See :func:`aggregate`; ``power`` for the generalised mean.
    weights
        ``"structure"``, ``"equal"``, ``"pca"`` or a mapping code -> weight.
    **options
        ``denominators``, ``denominator_data``, ``imputation`` (``"none"`` or ``"group_mean"``),
        ``groups``, ``treatment`` (bool, default True), ``treatment_options``,
        ``normalisation_options``, ``power``; see :func:`build_composite`.

    Returns
    -------
    pandas.DataFrame
        Units by aggregate codes, in structure order.
    """
    return build_composite(
        data, structure, normalisation=normalisation, aggregation=aggregation, weights=weights, **options
    ).aggregated
