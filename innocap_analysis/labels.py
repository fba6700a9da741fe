"""Reader-facing names for the keys used in data (regions, stakeholder types, dimensions).

One table serves figures, tables and sentences, so that a region is called the same everywhere.
"""

from __future__ import annotations

#: Display names for the keys used in data (regions, stakeholder types, dimensions).
DISPLAY_LABELS: dict[str, str] = {
    "donegal": "Donegal",
    "vasternorrland": "Västernorrland",
    "south_savo": "South Savo",
    "south_iceland": "South Iceland",
    "newfoundland_labrador": "Newfoundland & Labrador",
    "public_sector": "Public sector",
    "sme": "SME",
    "hei_research": "University / research",
    "digital_solutions": "Digital solutions",
    "procurement": "Procurement of innovation",
    "delivery_models": "Delivery models",
    "skills": "Skills",
}


def display_label(key: object) -> str:
    """A reader-facing name for a data key (``south_savo`` -> ``South Savo``)."""
    text = str(key)
    return DISPLAY_LABELS.get(text, text.replace("_", " "))
