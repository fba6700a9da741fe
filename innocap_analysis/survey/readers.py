"""Read one raw export (CSV, XLSX or SPSS .sav) into a table of strings.

The file type is recognised from its first bytes, not its extension. CSV text
encoding and separator are detected and reported (never guessed silently): a byte
order mark decides UTF-8/UTF-16; UTF-16 without a BOM is recognised by its NUL
bytes; otherwise strict UTF-8 is tried, then cp1252, then latin-1. Every cell comes
back as ``str`` with ``""`` for an empty cell; the interpretation of values is the
loader's job.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

CSV_SEPARATORS = (",", ";", "\t")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls


class ExportReadError(Exception):
    """The file cannot be read as a survey export (reason in the message).

    ``kind`` is ``"unreadable"`` (cannot be opened or decoded) or ``"empty"`` (no header
    or no data).
    """

    def __init__(self, message: str, kind: str = "unreadable"):
        super().__init__(message)
        self.kind = kind


@dataclass
class RawTable:
    """A raw export: header aliases per column, string cells, and how it was read."""

    headers: list[list[str]]
    cells: pd.DataFrame  # columns 0..k-1, dtype object of str
    row_numbers: np.ndarray  # row number of each data row as a spreadsheet shows it (header = 1)
    format: str
    encoding: str = ""
    separator: str = ""
    notes: list[str] = field(default_factory=list)
    blank_rows: int = 0  # rows with every cell empty: not respondents, counted in the file summary


def _drop_blank_rows(cells: pd.DataFrame, row_numbers: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Remove rows whose every cell is empty, keeping the true row numbers of the others."""
    if cells.shape[1] == 0:
        return cells, row_numbers, 0
    # Exactly empty cells only: a row of spaces is not silently skipped, it is reported (no respondent id).
    # Column by column over the rows still blank, so a file without blank rows is checked in one column.
    candidates = np.arange(len(cells))
    for column in cells.columns:
        candidates = candidates[cells[column].to_numpy(dtype=object)[candidates] == ""]
        if not len(candidates):
            return cells.reset_index(drop=True), row_numbers, 0
    blank = np.zeros(len(cells), dtype=bool)
    blank[candidates] = True
    return cells[~blank].reset_index(drop=True), row_numbers[~blank], int(blank.sum())


def sniff_format(data: bytes) -> str:
    """``xlsx`` (zip), ``sav`` (SPSS system file), ``xls`` (old binary Excel) or ``csv``."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data[:4] in (b"$FL2", b"$FL3"):
        return "sav"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode CSV bytes; return ``(text, encoding_used)``; raise :class:`ExportReadError`."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise ExportReadError(f"cannot decode as {encoding}: {exc}") from exc
    candidates: list[str]
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data[:4096]:
        # UTF-16 without a BOM: ASCII characters leave every other byte NUL.
        head = data[:4096]
        even_nul, odd_nul = head[0::2].count(0), head[1::2].count(0)
        if odd_nul > 0.4 * len(head[1::2]) and even_nul < odd_nul / 4:
            candidates = ["utf-16-le"]
        elif even_nul > 0.4 * len(head[0::2]) and odd_nul < even_nul / 4:
            candidates = ["utf-16-be"]
        else:
            raise ExportReadError("binary data (NUL bytes) in what should be a text export")
    else:
        candidates = ["utf-8", "cp1252", "latin-1"]
    last_error: Exception | None = None
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            last_error = exc
            continue
        if _CONTROL_CHARS.search(text[:100_000]):
            raise ExportReadError(f"control characters after decoding as {name}: not a text export")
        return text, name
    raise ExportReadError(f"text encoding not recognised (tried {', '.join(candidates)}): {last_error}")


def _count_outside_quotes(line: str, sep: str) -> int:
    # Separators inside quoted fields ("a, b") are part of the text, not field breaks.
    return sum(part.count(sep) for part in line.split('"')[0::2])


def sniff_separator(text: str) -> str:
    """The separator (comma, semicolon or tab) most frequent, outside quotes, in the header line."""
    header = text.split("\n", 1)[0]
    counts = {sep: _count_outside_quotes(header, sep) for sep in CSV_SEPARATORS}
    best = max(CSV_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def _object_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as str, empty cells as "" (integral floats keep their "4.0" form for the loader)."""
    out = {}
    for column in frame.columns:
        values = frame[column].astype(object).to_numpy(copy=True)
        values[pd.isna(values)] = ""
        out[column] = np.array([v if type(v) is str else str(v) for v in values], dtype=object)
    return pd.DataFrame(out, index=frame.index, dtype=object)


def read_csv_export(data: bytes, encoding: str | None = None) -> RawTable:
    text, used = decode_text(data, encoding)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ExportReadError("empty file", kind="empty")
    separator = sniff_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=separator, header=None, dtype=object, keep_default_na=False,
            na_filter=False, engine="c", skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        if isinstance(exc, pd.errors.EmptyDataError):
            raise ExportReadError("empty file", kind="empty") from exc
        raise ExportReadError(f"malformed CSV: {exc}") from exc
    # With na_filter=False only rows shorter than the header leave cells missing, and a short row
    # always leaves the last column missing: one check instead of one per column.
    if frame.shape[1] and frame.iloc[:, -1].isna().any():
        frame = frame.fillna("")
    headers = [[str(h)] for h in frame.iloc[0].tolist()]
    cells = frame.iloc[1:].reset_index(drop=True)
    cells.columns = range(cells.shape[1])
    cells, rows, blank = _drop_blank_rows(cells, np.arange(len(cells)) + 2)
    return RawTable(headers, cells, rows, "csv", used, {"\t": "tab"}.get(separator, separator), blank_rows=blank)


def read_xlsx_export(path: Path, sheet: str | int | None = None) -> RawTable:
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None, dtype=object,
                              engine="openpyxl")
    except (ValueError, KeyError, zipfile.BadZipFile, OSError) as exc:
        raise ExportReadError(f"cannot read workbook (sheet {sheet!r}): {exc}") from exc
    if frame.dropna(how="all").empty:
        raise ExportReadError("empty sheet", kind="empty")
    header_row = frame.iloc[0]
    headers = [["" if pd.isna(h) else str(h)] for h in header_row.tolist()]
    cells = frame.iloc[1:]
    rows = cells.index.to_numpy() + 1  # pandas row 0 is spreadsheet row 1
    cells = cells.reset_index(drop=True)
    cells.columns = range(cells.shape[1])
    cells, rows, blank = _drop_blank_rows(_object_strings(cells), rows)
    return RawTable(headers, cells, rows, "xlsx", notes=[] if sheet is None else [f"sheet {sheet!r}"],
                    blank_rows=blank)


def read_sav_export(path: Path) -> RawTable:
    try:
        frame, meta = pyreadstat.read_sav(path, user_missing=True, apply_value_formats=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError types
        raise ExportReadError(f"cannot read SPSS file: {exc}") from exc
    labels = meta.variable_value_labels or {}
    columns = {index: _sav_column_text(frame[name], labels.get(name, {})) for index, name in enumerate(frame.columns)}
    cells = pd.DataFrame(columns, index=frame.index, dtype=object)  # object: no Arrow round trip
    headers = [[str(name)] + ([str(label)] if label else [])
               for name, label in zip(frame.columns, meta.column_labels or [None] * len(frame.columns),
                                      strict=True)]
    return RawTable(headers, cells, np.arange(len(cells)) + 1, "sav", encoding=str(meta.file_encoding or ""))


def _code_text(values: np.ndarray) -> np.ndarray:
    """Numeric SPSS values as text: integral values without ``.0`` (they are codes), NaN as ""."""
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    filled = np.where(missing, 0.0, values)
    integral = filled == np.floor(filled)
    text = np.where(integral, np.abs(filled).astype(np.int64).astype(str), filled.astype(str)).astype(object)
    negative = integral & (filled < 0)
    text[negative] = "-" + text[negative]
    text[missing] = ""
    return text


def _sav_column_text(values: pd.Series, value_labels: dict) -> np.ndarray:
    """One SPSS variable as export text: its value label where one exists, else the value itself.

    Works on the distinct values only (a survey variable has a handful), then maps back.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # missing -> -1
    if pd.api.types.is_numeric_dtype(values.dtype):
        texts = list(_code_text(np.asarray(uniques, dtype=float)))
        keys = {_code_text(np.array([float(k)]))[0]: str(v) for k, v in value_labels.items()
                if isinstance(k, int | float)}
    else:
        texts = [str(u) for u in uniques]
        keys = {str(k): str(v) for k, v in value_labels.items()}
    # Value labels carry the meaning; a code without a label stays a code.
    texts = [keys.get(t, t) for t in texts]
    return np.array([*texts, ""], dtype=object)[codes]


def read_export(path: str | Path, sheet: str | int | None = None, encoding: str | None = None) -> RawTable:
    """Read one export; raise :class:`ExportReadError` with the reason when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportReadError(f"cannot open: {exc.strerror or exc}") from exc
    if not data:
        raise ExportReadError("empty file", kind="empty")
    kind = sniff_format(data)
    if kind == "xlsx":
        return read_xlsx_export(path, sheet)
    if kind == "sav":
        return read_sav_export(path)
    if kind == "xls":
        raise ExportReadError("old binary Excel (.xls) is not supported: save it as .xlsx or CSV")
    return read_csv_export(data, encoding)
