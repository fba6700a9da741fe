"""Text normalisation shared by header matching, label mapping and layout detection."""

from __future__ import annotations

import unicodedata

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u00b4`"), "'")


def normalise_text(value: str) -> str:
    """Case-, whitespace- and Unicode-normalisation-insensitive form of a header or label.

    NFKC normalisation, dash and apostrophe variants unified, case folded, runs of
    whitespace collapsed, surrounding whitespace and quotes removed.
    """
    text = unicodedata.normalize("NFKC", str(value)).translate(_DASHES).translate(_QUOTES)
    return " ".join(text.casefold().split()).strip("\"'").strip()
