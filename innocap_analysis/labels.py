"""Reader-facing names for the keys used in data (regions, stakeholder types, dimensions).

One table serves figures, tables and sentences, so that a region is called the same everywhere.
"""

from __future__ import annotations

import math
import re

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
