"""The application layer: ``innocap build``, the evidence report and the command line.
"""

from __future__ import annotations

from .build import (
    MANIFEST_COLUMNS,
    BuildError,
    NotebookResult,
    discover_notebooks,
    execute_notebook,
    git_commit,
    notebook_source_sha256,
    read_manifest,
    run_build,
    select_notebooks,
    write_manifest,
)
from .cli import (
    main,
    make_parser,
)
from .report import (
    REPORT_NAME,
    write_evidence_report,
)

__all__ = [
    "BuildError",
    "MANIFEST_COLUMNS",
    "NotebookResult",
    "REPORT_NAME",
    "discover_notebooks",
    "execute_notebook",
    "git_commit",
    "main",
    "make_parser",
    "notebook_source_sha256",
    "read_manifest",
    "run_build",
    "select_notebooks",
    "write_evidence_report",
    "write_manifest",
]
