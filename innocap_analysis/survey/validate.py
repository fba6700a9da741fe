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

    Returns the exit code: 0 valid; 1 invalid, for every class of bad data, an export
    whose text encoding cannot be recognised included (problems listed with file, row,
    column and value); 2 usage errors: a missing file or a bad codebook.
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
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if as_json else report.format_text()
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `innocap validate ... | head`: not a data problem, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK if report.ok else EXIT_INVALID
