"""The loaded survey: :class:`Survey`, its :class:`LoadReport` and :class:`SurveyValidationError`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .codebook import Codebook

#: Columns of :attr:`LoadReport.rejected`.
REJECTED_COLUMNS = ["file", "row", "column", "value", "reason", "action"]


@dataclass(frozen=True)
class Issue:
    """One problem found while loading: file, 1-based data row (None: whole file/column), column, value."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    action: str = "row dropped"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{', '.join(where)}: {self.reason}{value}"


class SurveyValidationError(ValueError):
    """Raised by ``load_survey(..., errors="raise")``; ``.issues`` lists every problem, not only the first."""

    def __init__(self, issues: list[Issue], report: LoadReport | None = None):
        self.issues = list(issues)
        self.report = report
        shown = "\n  ".join(str(issue) for issue in self.issues[:50])
        more = f"\n  ... and {len(self.issues) - 50} more" if len(self.issues) > 50 else ""
        super().__init__(f"{len(self.issues)} problem(s) in the survey exports:\n  {shown}{more}")


@dataclass
class LoadReport:
    """What happened to every input row and column.

    Attributes
    ----------
    rows_read, rows_kept
        Data rows read from all files, and rows kept in :attr:`Survey.responses`.
    rejected
        One row per problem: ``file, row, column, value, reason, action``. ``action`` is
        ``row dropped`` (the row is not in ``responses``), ``cell set to NA`` (the row is
        kept, the value became ``<NA>`` with missing reason ``invalid``), or ``file
        skipped``/``column ignored`` for whole-file and header problems.
    dropped_columns
        ``file, column, reason`` of every input column not carried into ``responses``
        (PII, unknown columns).
    labels_mapped
        Number of item answer cells given as labels, per language (``code``: given as a
        numeric code). A label spelled the same in several languages counts for the first
        language of the codebook.
    missing_columns
        ``file, column, reason``: codebook items/options absent from a file (their answers
        get the missing reason ``not_in_export``). ``reason`` is ``no matching column`` (for
        an item also listed in :attr:`rejected`), ``optional in the codebook`` or ``not
        carried (manifest)``.
    values_normalised
        Cells read after a documented clean-up: ``whitespace`` (stray spaces trimmed),
        ``float_code`` (``"4.0"`` read as code 4).
    files
        One row per file: ``file, format, encoding, separator, layout`` (the survey tool's
        export layout), ``layout_chosen`` (``detected`` from the headers or ``forced`` by
        ``tool=``/the manifest), ``header_rows, rows_read, rows_kept, rows_dropped,
        blank_rows, columns_matched, id_source`` (which column, or the row number, gave the
        respondent ids), ``language``, ``invited`` and ``manifest`` (the survey manifest the
        file's facts came from, if any). ``rows_dropped = rows_read -
        rows_kept``; each dropped row is listed in :attr:`rejected` (a file skipped for a
        missing required column once, as ``file skipped (N rows)``). ``blank_rows``
        counts rows with every cell empty: they are not respondents and are NOT counted
        in ``rows_read``.
    """

    rows_read: int = 0
    rows_kept: int = 0
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECTED_COLUMNS))
    dropped_columns: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["file", "column", "reason"]))
    labels_mapped: dict[str, int] = field(default_factory=dict)
    files: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing_columns: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["file", "column", "reason"]))
    values_normalised: dict[str, int] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        """Input rows not kept (each is listed in :attr:`rejected` with action ``row dropped``)."""
        return self.rows_read - self.rows_kept

    @property
    def rows_listed_as_dropped(self) -> int:
        """Input rows accounted for in :attr:`rejected`: distinct rows with action ``row dropped``
        plus the rows of files skipped for a missing required column.

        ``rows_read == rows_kept + rows_listed_as_dropped`` always holds: every input row is
        either kept or listed.
        """
        dropped = self.rejected[self.rejected["action"] == "row dropped"]
        skipped = pd.to_numeric(
            self.rejected["action"].str.extract(r"file skipped \((\d+) rows\)", expand=False)).fillna(0)
        # A file skipped for several missing columns lists each column; count its rows once.
        skipped_rows = skipped.groupby(self.rejected["file"]).max().sum() if len(skipped) else 0
        return int(len(dropped[["file", "row"]].drop_duplicates()) + skipped_rows)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return self.rejected.empty

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (used by ``innocap validate --json``)."""
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {k: (None if pd.isna(v) else (int(v) if isinstance(v, int | float) and k == "row" else v))
                 for k, v in row.items()}
                for row in frame.astype(object).to_dict(orient="records")
            ]

        return {
            "valid": self.ok,
            "rows_read": int(self.rows_read),
            "rows_kept": int(self.rows_kept),
            "rows_rejected": int(self.rows_rejected),
            "rejected": records(self.rejected),
            "dropped_columns": records(self.dropped_columns),
            "missing_columns": records(self.missing_columns),
            "labels_mapped": {k: int(v) for k, v in self.labels_mapped.items()},
            "values_normalised": {k: int(v) for k, v in self.values_normalised.items()},
            "files": records(self.files),
        }

    def format_text(self, max_issues: int = 200) -> str:
        """The report for people: per-file summary, then every problem with file, row, column and value."""
        lines = [f"rows read: {self.rows_read}, kept: {self.rows_kept}, dropped: {self.rows_rejected}; "
                 f"problems: {len(self.rejected)}"]
        for row in self.files.astype(object).to_dict(orient="records"):
            lines.append(
                f"  {row['file']}: {row['format']}"
                + (f", layout {row['layout']} ({row.get('layout_chosen', '')})" if row.get("layout") else "")
                + (f", encoding {row['encoding']}" if row.get("encoding") else "")
                + (f", separator {row['separator']!r}" if row.get("separator") else "")
                + f", {row['rows_read']} rows read, {row['rows_kept']} kept"
                + (f", {row['blank_rows']} empty rows skipped" if row.get("blank_rows") else "")
                + (f"; ids from {row['id_source']}" if row.get("id_source") else "")
                + (f"; facts from {row['manifest']}" if row.get("manifest") else "")
            )
        if self.labels_mapped:
            lines.append("answers given as labels, per language: "
                         + ", ".join(f"{k}={v}" for k, v in sorted(self.labels_mapped.items())))
        if self.values_normalised:
            lines.append("answers cleaned before mapping: "
                         + ", ".join(f"{k}={v}" for k, v in sorted(self.values_normalised.items())))
        if not self.dropped_columns.empty:
            lines.append("dropped columns:")
            lines += [f"  {r.file}: {r.column!r} ({r.reason})" for r in self.dropped_columns.itertuples()]
        if not self.missing_columns.empty:
            lines.append("codebook columns absent from a file (answers recorded as missing, reason not_in_export):")
            missing = self.missing_columns
            reasons = missing["reason"] if "reason" in missing else pd.Series("", index=missing.index)
            for (file, reason), group in missing.groupby([missing["file"], reasons], sort=False):
                lines.append(f"  {file}{f' ({reason})' if reason else ''}: {', '.join(group['column'])}")
        if self.rejected.empty:
            lines.append("no problems found")
        else:
            lines.append(f"problems ({len(self.rejected)}):")
            for r in self.rejected.head(max_issues).itertuples():
                issue = Issue(r.file, None if pd.isna(r.row) else int(r.row),
                              None if pd.isna(r.column) else r.column,
                              None if pd.isna(r.value) else r.value, r.reason, r.action)
                lines.append(f"  error: {issue} [{r.action}]")
            if len(self.rejected) > max_issues:
                lines.append(f"  ... and {len(self.rejected) - max_issues} more (use --json for all)")
        return "\n".join(lines)


@dataclass
class Survey:
    """A harmonised, validated survey.

    Attributes
    ----------
    responses
        One row per kept respondent: ``respondent_id``, ``source_file``, ``source_row``
        (1-based data row in its file), profile columns as pandas Categoricals of the
        codebook level keys, optional ``panel_key``/``organisation_key``, one ``Int64``
        column per item (codes; reverse keying NOT applied; ``<NA>`` for missing), and one
        ``boolean`` column per multi-select option.
    missing_reasons
        Same index; one string column per item: ``<NA>`` where answered, else the reason
        (``dont_know``, ``not_applicable``, ``blank``, ``not_asked``, ``not_in_export``,
        ``invalid``).
    report
        :class:`LoadReport`.
    codebook
        The :class:`~innocap_analysis.survey.codebook.Codebook` used.
    free_text
        Free-text answers (``respondent_id`` + text columns), only when explicitly
        requested with ``load_survey(..., include_free_text=True)``; otherwise None.
    """

    responses: pd.DataFrame
    missing_reasons: pd.DataFrame
    report: LoadReport
    codebook: Codebook
    free_text: pd.DataFrame | None = None

    def __repr__(self) -> str:
        # Short on purpose: a notebook echoing a Survey must not print answers or free text.
        files = len(self.report.files)
        return (f"Survey({self.codebook.instrument} {self.codebook.version}: {len(self.responses)} respondents "
                f"from {files} file(s), {len(self.report.rejected)} problem(s); "
                f"free text {'loaded' if self.free_text is not None else 'not loaded'})")

    @property
    def item_ids(self) -> list[str]:
        return self.codebook.item_ids

