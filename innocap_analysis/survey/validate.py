"""``innocap validate [PATH...] [--manifest survey.yaml] [--codebook FILE] [--tool T] [--json]``.

Checks exports (and the manifest that describes them) and never prints a traceback for a
data problem.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

from .codebook import CodebookError, load_codebook
from .layouts import LayoutError, resolve_tool
from .loaders import load_survey
from .manifest import ManifestError, load_manifest

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def cli_validate(
    paths: Sequence[str | os.PathLike[str]], codebook: str | os.PathLike[str] | None = None,
    as_json: bool = False, manifest: str | os.PathLike[str] | None = None, tool: str | None = None,
) -> int:
    """Validate survey exports against a codebook and print the report.

    ``manifest`` (``survey.yaml``) lists exports with the facts about each (tool, region,
    country, wave, ...); ``paths`` may add more exports. Returns the exit code: 0 valid;
    1 invalid, for every class of bad data, an export whose text encoding cannot be
    recognised and a codebook item an export lacks included (problems listed with file,
    row, column and value); 2 usage errors: a missing file, a bad codebook, a malformed
    manifest or an unknown tool.
    """
    if not paths and manifest is None:
        print("error: give export paths or --manifest survey.yaml", file=sys.stderr)
        return EXIT_USAGE
    try:
        resolve_tool(tool)
    except LayoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    missing = [str(p) for p in [*paths, *([manifest] if manifest is not None else [])] if not os.path.isfile(p)]
    if missing:
        for path in missing:
            print(f"error: {path}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        parsed = load_manifest(manifest) if manifest is not None else None
        cb = load_codebook(codebook if codebook is not None or parsed is None else parsed.codebook)
        if parsed is not None and codebook is not None:
            parsed = load_manifest(manifest, cb)  # check the manifest against the codebook given
    except (CodebookError, ManifestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        survey = load_survey([*([parsed] if parsed is not None else []), *paths], codebook=cb, errors="report",
                             tool=tool)
    except ManifestError as exc:  # a survey.yaml next to an export that is malformed
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = survey.report
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if as_json else report.format_text()
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `innocap validate ... | head`: not a data problem, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK if report.ok else EXIT_INVALID
