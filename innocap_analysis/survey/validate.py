"""``innocap validate PATH... [--codebook FILE] [--json]``: check exports, never a traceback for data problems."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

from .codebook import CodebookError, load_codebook
from .loaders import load_survey

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def cli_validate(
    paths: Sequence[str | os.PathLike[str]], codebook: str | os.PathLike[str] | None = None,
    as_json: bool = False,
) -> int:
    """Validate survey exports against a codebook and print the report.

    Returns the exit code: 0 valid, 1 invalid (problems listed with file, row, column
    and value), 2 usage error or unreadable input (missing file, unreadable encoding,
    bad codebook).
    """
    try:
        cb = load_codebook(codebook)
    except CodebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    missing = [str(p) for p in paths if not os.path.isfile(p)]
    if missing:
        for path in missing:
            print(f"error: {path}: no such file", file=sys.stderr)
        return EXIT_USAGE
    survey = load_survey(list(paths), codebook=cb, errors="report")
    report = survey.report
    unreadable = bool(report.rejected["reason"].str.startswith("unreadable").any())
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if as_json else report.format_text()
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `innocap validate ... | head`: not a data problem, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if unreadable:
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_INVALID
