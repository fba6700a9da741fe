"""Reader-facing names for the keys used in data (regions, stakeholder types, dimensions).

One table serves figures, tables and sentences, so that a region is called the same everywhere.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from . import config

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"):
#: a text starting with one of them is written with a ``'`` in front by every spreadsheet writer
#: (:func:`innocap_analysis.evidence.publish.neutralise_formulas`), and a codebook label starting
#: with one is warned about when the codebook is loaded.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: A number written as text (``-3``, ``+1.5e-2``): a spreadsheet reads it as that number, not as a formula.
PLAIN_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def formula_like(value: object) -> bool:
    """True for a text a spreadsheet would run as a formula: it starts with one of
    :data:`FORMULA_TRIGGERS` and is not a plain number.

    References
    ----------
    OWASP Foundation, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection.
    """
    return (isinstance(value, str) and value[:1] in FORMULA_TRIGGERS
            and re.fullmatch(PLAIN_NUMBER, value) is None)

#: Display names for the keys used in data (regions, stakeholder types, dimensions).
DISPLAY_LABELS: dict[str, str] = {
    **config.PARTNER_AREAS,
    "public_sector": "Public sector",
    "sme": "SME",
    "hei_research": "University / research",
    "digital_solutions": "Digital solutions",
    "procurement": "Procurement of innovation",
    "delivery_models": "Delivery models",
    "skills": "Skills",
    "all_regions": "All partner regions",
}


def display_label(key: object) -> str:
    """A reader-facing name for a data key (``south_savo`` -> ``South Savo``)."""
    text = str(key)
    return DISPLAY_LABELS.get(text, text.replace("_", " "))


def with_n(label: str, n: object, *, min_n: int = config.MIN_CELL_SIZE) -> str:
    """``label`` followed by its respondent count: ``"Donegal (n = 27)"``.

    A count masked by the disclosure rules (``<NA>``) reads ``n < min_n``; a count that is not
    known at all (``None``) leaves the label as it is. ``n`` may be a range ``(low, high)``.
    """
    if n is None:
        return label
    if isinstance(n, tuple):
        low, high = (_count_text(v, min_n) for v in n)
        return f"{label} (n = {low})" if low == high else f"{label} (n = {low}-{high})"
    text = _count_text(n, min_n)
    return f"{label} ({text})" if text.startswith("n") else f"{label} (n = {text})"


def _count_text(n: object, min_n: int) -> str:
    try:
        missing = n is None or (isinstance(n, float) and math.isnan(n)) or str(n) == "<NA>"
    except TypeError:
        missing = False
    return f"n < {min_n}" if missing else f"{int(n):,}"


def share_with_range(central: float, low: float, high: float) -> str:
    """A share with its sensitivity range, in percent: ``"53% (range 25-100%)"``."""
    return f"{100 * central:.0f}% (range {100 * low:.0f}-{100 * high:.0f}%)"


#: Reader-facing headers for table columns whose generic label (:func:`column_label`) would read badly.
COLUMN_LABELS: dict[str, str] = {
    "n": "n",
    "k": "k",
    "df": "df",
    "region": "Region",
    "region_id": "Region code",
    "stakeholder": "Stakeholder type",
    "p_value": "p-value",
    "p_bh": "p (Benjamini-Hochberg)",
    "p_holm": "p (Holm)",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "hedges_g": "Hedges' g",
    "cliffs_delta": "Cliff's delta",
    "eta_squared_h": "Eta squared (H)",
    "epsilon_squared": "Epsilon squared",
    "rank_biserial": "Rank-biserial r",
    "geonameid": "GeoNames id",
    "countrycode": "Country code",
    "mean_km": "Mean distance (km)",
    "median_km": "Median distance (km)",
    "p90_km": "90th percentile distance (km)",
    "q05_rank": "5th percentile rank",
    "q95_rank": "95th percentile rank",
    "sd_index": "SD of the index",
    "mde_d_between_groups": "MDE (d, between groups)",
    "mde_d_paired": "MDE (d, paired)",
    "in_npa_2021_27": "In NPA 2021-2027",
    "npa_2021_27": "NPA 2021-2027",
    "suppressed": "Suppressed",
    "mean_km_hospital": "Mean distance to a hospital (km)",
    "mean_km_regional_centre": "Mean distance to a regional centre (km)",
    "share_beyond_25km_hospital": "Share beyond 25 km of a hospital",
    "share_beyond_25km_regional_centre": "Share beyond 25 km of a regional centre",
}

#: Words spelled out or capitalised in generic column labels (``nuts3_parent`` -> ``NUTS 3 parent``).
_TOKENS: dict[str, str] = {
    "n": "n", "ci": "CI", "sd": "SD", "id": "id", "nuts3": "NUTS 3", "npa": "NPA", "hei": "HEI", "sme": "SME",
    "pii": "PII", "mde": "MDE", "aw1": "AW1", "aw2": "AW2", "geonames": "GeoNames", "bh": "BH", "km2": "km²",
}
_UNITS: dict[str, str] = {"km": "km", "km2": "km²"}


def column_label(name: object) -> str:
    """A reader-facing header for a table column: ``share_beyond_25km`` -> ``Share beyond 25 km``.

    Looks in :data:`COLUMN_LABELS`, then :data:`DISPLAY_LABELS` (a column named after a region,
    stakeholder type or dimension), then builds a sentence-case label from the words of the name,
    with a trailing unit in brackets (``area_km2`` -> ``Area (km²)``, ``mean_km_hospital`` keeps its
    words: ``Mean km hospital``). A name that is not snake_case is returned as it is.
    """
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if text in DISPLAY_LABELS:
        return DISPLAY_LABELS[text]
    if not text or text != text.lower() or " " in text:
        return text
    words = [w for w in text.split("_") if w]
    unit = ""
    if len(words) > 1 and words[-1] in _UNITS and words[-2] != "per":
        unit = f" ({_UNITS[words.pop()]})"
    shown = []
    for word in words:
        if word in _TOKENS:
            shown.append(_TOKENS[word])
        elif word[:-2].isdigit() and word.endswith("km") and word[:-2]:
            shown.append(f"{word[:-2]} km")
        else:
            shown.append(word)
    label = " ".join(shown) + unit
    return label[:1].upper() + label[1:] if shown and shown[0] not in {"n", "k", "df"} else label


_FLAG_TEXT = {"True": True, "False": False, "true": True, "false": False}


def _is_flag_column(values: object) -> bool:
    """A column of ``True``/``False`` (booleans, or their text as read from a CSV), blanks allowed."""
    if str(values.dtype) in {"bool", "boolean"}:
        return True
    if pd.api.types.is_numeric_dtype(values):
        return False
    present = [v for v in values.tolist() if not (isinstance(v, str) and v == "") and not _missing(v)]
    return bool(present) and all(isinstance(v, bool) or (isinstance(v, str) and v in _FLAG_TEXT) for v in present)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return _FLAG_TEXT.get(value, False)
    return not _missing(value) and bool(value)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as readers see it: display names for data keys, labelled headers, no wall of flags.

    Parameters
    ----------
    table : pandas.DataFrame
        A published table (a named index is kept as leading columns).

    Returns
    -------
    pandas.DataFrame
        Text cells that are data keys (``vasternorrland``, ``public_sector``) read as their display
        names (:func:`display_label`); ``True``/``False`` columns read ``yes``/blank, except that a
        ``suppressed`` flag column reads ``suppressed``/blank and is left out when no cell is
        suppressed; headers are :func:`column_label`. Values and row order are otherwise unchanged.
    """
    frame = table.reset_index() if any(n is not None for n in table.index.names) else table.copy()
    keep = []
    for column in frame.columns:
        values = frame[column]
        is_suppression_flag = str(column) in {"suppressed", "any_suppressed"}
        if _is_flag_column(values):
            flags = [_flag(v) for v in values.tolist()]
            if is_suppression_flag and not any(flags):
                continue
            word = "suppressed" if is_suppression_flag else "yes"
            frame[column] = pd.Series([word if f else "" for f in flags], index=frame.index, dtype=object)
        elif values.dtype == object or str(values.dtype).startswith(("string", "str")):
            frame[column] = values.map(lambda v: DISPLAY_LABELS.get(v, v) if isinstance(v, str) else v)
        keep.append(column)
    frame = frame[keep]
    labels = [column_label(c) for c in frame.columns]
    seen: set[str] = set()
    unique = []
    for original, label in zip(frame.columns, labels, strict=True):
        unique.append(label if label not in seen else str(original))
        seen.add(label)
    frame.columns = unique
    return frame
