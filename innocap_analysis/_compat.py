"""Old import paths of the 0.1 layout, kept for one release with a :class:`DeprecationWarning`.

A module that moved keeps a stub at its old path whose module ``__getattr__`` (PEP 562) is made
by :func:`moved`: an attribute is looked up, in order, in the modules that now hold the old
module's contents, and the caller is told where it lives now.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def moved(
    old: str, new_modules: Sequence[str], renamed: Mapping[str, str] | None = None
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that forwards ``old.<name>`` to the first of ``new_modules`` that has it.

    ``renamed`` maps an old name to its new name where the name changed too.
    """

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        new_name = (renamed or {}).get(name, name)
        for new in new_modules:
            module = importlib.import_module(new)
            if hasattr(module, new_name):
                warnings.warn(
                    f"{old}.{name} has moved to {new}.{new_name}; the old path will be removed in the next release",
                    DeprecationWarning,
                    stacklevel=2,
                )
                return getattr(module, new_name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return __getattr__
