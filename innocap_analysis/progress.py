"""One progress bar for long work in the package (Monte Carlo draws, distance chunks).

``progress_bar(..., enabled=True)`` is tqdm's notebook-aware bar; a disabled bar is the plain
one. Importing ``tqdm.auto`` in a kernel without ipywidgets warns "IProgress not found" with a
file path, which would end up in stored notebook outputs; that one warning is silenced and
tqdm falls back to a text bar.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from tqdm import tqdm as plain_tqdm

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="IProgress not found")
    from tqdm.auto import tqdm as auto_tqdm


def progress_bar(iterable: Iterable[Any] | None = None, *, enabled: bool = True, **kwargs: Any) -> Any:
    """A tqdm bar over ``iterable`` (or a manual one with ``total=``); silent when not ``enabled``."""
    if not enabled:
        return plain_tqdm(iterable, disable=True, **kwargs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        return auto_tqdm(iterable, **kwargs)
