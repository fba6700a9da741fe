"""Privacy: keyed pseudonyms of identifiers.

Statistical disclosure control (suppression) lives in :mod:`innocap_analysis.disclosure`.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import numpy as np
import pandas as pd


def _normalise_key_text(value: str) -> str:
    # Organisation names are typed by hand: case, spacing and Unicode form must not split one organisation.
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def pseudonymise(
    values: pd.Series, key: str | bytes, *, length: int = 16, normalise: bool = False
) -> pd.Series:
    """Replace identifiers by a keyed hash (HMAC-SHA256, hex, truncated to ``length`` characters).

    The same key gives the same pseudonym for the same value in every file and wave,
    so panels and organisations can still be linked; without the key the mapping cannot
    be reversed or recomputed by guessing identifiers (Krawczyk et al., RFC 2104;
    cf. ENISA, *Pseudonymisation techniques and best practices*, 2019, section 5.2).

    Parameters
    ----------
    values
        Identifiers (any dtype; converted to str). Missing values stay ``<NA>``.
    key
        The secret key. Keep it out of the repository.
    length
        Hex characters kept (16 = 64 bits: collisions are negligible for survey sizes).
    normalise
        Case-fold, NFKC-normalise and collapse whitespace first (for organisation names).

    Returns
    -------
    pandas.Series of str (same index).
    """
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not key:
        raise ValueError("pseudonymise: the key must not be empty")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    if normalise:
        texts = [_normalise_key_text(t) for t in texts]
    hashed = np.array(
        [hmac.new(key, t.encode("utf-8"), hashlib.sha256).hexdigest()[:length] for t in texts] + [None],
        dtype=object,
    )
    return pd.Series(hashed[codes], index=values.index, name=values.name, dtype="string")

