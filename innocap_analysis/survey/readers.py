"""Read one raw export (CSV, XLSX or SPSS .sav) into a table of strings.

The file type is recognised from its first bytes, not its extension. CSV text
encoding and separator are detected and reported (never guessed silently): a byte
order mark decides UTF-8/UTF-16; UTF-16 without a BOM is recognised by its NUL
bytes; otherwise strict UTF-8 is tried, then cp1252, then latin-1. Every cell comes
back as ``str`` with ``""`` for an empty cell; the interpretation of values is the
loader's job.

Exports come from outside the project, so reading one is bounded (:class:`ReadLimits`):

* the binary formats are read in a child process (:func:`read_isolated`) with a memory limit
  (``RLIMIT_AS``) and a time limit, because their readers are C code (ReadStat behind
  pyreadstat segfaults on some corrupt ``.sav`` files) or can be made to allocate without
  bound (a zip of XML). A crash, a timeout or an exhausted limit becomes an
  :class:`ExportReadError` for that file ("the SPSS reader crashed (SIGSEGV)"), never a dead
  process;
* XLSX is read with calamine, its extent checked against the row and column caps before any
  cell is converted, so a lone value far down is refused at almost no cost;
* every format is refused beyond :attr:`ReadLimits.max_rows` rows or
  :attr:`ReadLimits.max_columns` columns, with the cell that lies beyond them named.
"""

from __future__ import annotations

import atexit
import codecs
import io
import os
import pickle
import re
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from openpyxl.utils import get_column_letter
from pandas.api.types import infer_dtype
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

try:
    import resource
except ImportError:  # Windows: no rlimits (and no fork: exports are read in the calling process there)
    resource = None

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


#: Environment variables that override the :class:`ReadLimits` defaults (a notebook kernel inherits them).
LIMIT_VARIABLES: dict[str, str] = {
    "max_rows": "INNOCAP_READ_MAX_ROWS",
    "max_columns": "INNOCAP_READ_MAX_COLUMNS",
    "memory_mb": "INNOCAP_READ_MEMORY_MB",
    "seconds": "INNOCAP_READ_SECONDS",
}


class ReadLimitError(ValueError):
    """A read limit that is not a positive number (from :class:`ReadLimits` or an ``INNOCAP_READ_*`` variable)."""


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on reading one export.

    Attributes
    ----------
    max_rows
        Rows of the file, header rows included; a file with a value beyond is refused.
    max_columns
        Columns of the file; a file with a value beyond is refused.
    memory_mb
        Memory (MiB of address space) the reader of a binary export (XLSX, SPSS) may use on top
        of what its process held when it started.
    seconds
        Wall-clock time the reader of a binary export may take.

    The defaults are far above any survey export (Excel itself stops at 1,048,576 rows and
    16,384 columns); each can be changed by its environment variable (:data:`LIMIT_VARIABLES`),
    for example ``INNOCAP_READ_MAX_ROWS=500000``, or per call (``load_survey(..., read_limits=...)``).
    """

    max_rows: int = 1_000_000
    max_columns: int = 2_000
    memory_mb: int = 2_048
    seconds: float = 120.0

    def __post_init__(self) -> None:
        for name in LIMIT_VARIABLES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ReadLimitError(f"read limit {name} must be a positive number, got {value!r}")

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> ReadLimits:
        """The defaults, overridden by any ``INNOCAP_READ_*`` variable set (:data:`LIMIT_VARIABLES`)."""
        environ = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for name, variable in LIMIT_VARIABLES.items():
            text = environ.get(variable)
            if text is None or not text.strip():
                continue
            try:
                values[name] = float(text) if name == "seconds" else int(text)
            except ValueError:
                values[name] = -1
            if not values[name] > 0:
                raise ReadLimitError(f"{variable} must be a positive number, got {text!r}")
        return cls(**values)


def _limit_hint(name: str) -> str:
    return f"{name} limit; set {LIMIT_VARIABLES[name]} to raise it"


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


def read_csv_export(data: bytes, encoding: str | None = None, limits: ReadLimits | None = None) -> RawTable:
    limits = limits or ReadLimits.from_environment()
    text, used = decode_text(data, encoding)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ExportReadError("empty file", kind="empty")
    separator = sniff_separator(text)
    header_fields = _count_outside_quotes(text.split("\n", 1)[0], separator) + 1
    if header_fields > limits.max_columns:
        raise ExportReadError(f"the header line has {header_fields:,} columns; at most {limits.max_columns:,} are "
                              f"read ({_limit_hint('max_columns')})")
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=separator, header=None, dtype=object, keep_default_na=False,
            na_filter=False, engine="c", skip_blank_lines=False, nrows=limits.max_rows + 1,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        if isinstance(exc, pd.errors.EmptyDataError):
            raise ExportReadError("empty file", kind="empty") from exc
        raise ExportReadError(f"malformed CSV: {exc}") from exc
    if len(frame) > limits.max_rows:
        raise ExportReadError(f"more than {limits.max_rows:,} rows; at most {limits.max_rows:,} are read "
                              f"({_limit_hint('max_rows')})")
    if frame.shape[1] > limits.max_columns:
        raise ExportReadError(f"a row has {frame.shape[1]:,} columns; at most {limits.max_columns:,} are read "
                              f"({_limit_hint('max_columns')})")
    # With na_filter=False only rows shorter than the header leave cells missing, and a short row
    # always leaves the last column missing: one check instead of one per column.
    if frame.shape[1] and frame.iloc[:, -1].isna().any():
        frame = frame.fillna("")
    headers = [[str(h)] for h in frame.iloc[0].tolist()]
    cells = frame.iloc[1:].reset_index(drop=True)
    cells.columns = range(cells.shape[1])
    cells, rows, blank = _drop_blank_rows(cells, np.arange(len(cells)) + 2)
    return RawTable(headers, cells, rows, "csv", used, {"\t": "tab"}.get(separator, separator), blank_rows=blank)


def _sheet(book: CalamineWorkbook, sheet: str | int | None) -> CalamineSheet:
    names = book.sheet_names
    if not names:
        raise ExportReadError("the workbook has no sheet", kind="empty")
    if sheet is None:
        return book.get_sheet_by_index(0)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise ExportReadError(f"no sheet number {sheet} (the workbook has {len(names)}: {', '.join(names)})")
        return book.get_sheet_by_index(sheet)
    if str(sheet) not in names:
        raise ExportReadError(f"no sheet named {sheet!r} (sheets: {', '.join(names)})")
    return book.get_sheet_by_name(str(sheet))


def _xlsx_text(value: object) -> str:
    """One non-text cell as export text: integral numbers without ``.0`` (as pandas reads them), the rest ``str``.

    Text cells never come here (they are kept as written, "N/A" and "NA" included: they can be
    codebook labels); calamine gives an empty cell as ``""`` and an Excel error value as its text.
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_column_text(values: np.ndarray) -> np.ndarray:
    """One column of calamine cells (``object``) as export text: :func:`_xlsx_text` for every cell that is not text.

    Numbers are converted together: integral ones below 2**53 (every answer code) through int64,
    the few others one by one, exactly as :func:`_xlsx_text` writes them.
    """
    if infer_dtype(values, skipna=False) in ("string", "empty"):
        return values
    text = values.copy()
    is_float = np.fromiter(map(isinstance, values, repeat(float)), dtype=bool, count=len(values))
    numbers = values[is_float].astype(np.float64)
    integral = (numbers == np.trunc(numbers)) & (np.abs(numbers) < 2.0**53)
    converted = np.empty(len(numbers), dtype=object)
    converted[integral] = numbers[integral].astype(np.int64).astype(str)
    converted[~integral] = [_xlsx_text(v) for v in numbers[~integral].tolist()]
    text[is_float] = converted
    other = ~is_float & ~np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
    text[other] = [_xlsx_text(v) for v in values[other]]  # booleans, dates and times: rare in an export
    return text


def _check_extent(sheet: CalamineSheet, limits: ReadLimits) -> None:
    """Refuse a sheet whose last value lies beyond the row or column cap, before any cell is converted."""
    if sheet.height == 0:
        return
    (top, left), (bottom, right) = sheet.start, sheet.end
    span = f"its values span {get_column_letter(left + 1)}{top + 1}:{get_column_letter(right + 1)}{bottom + 1}"
    if bottom + 1 > limits.max_rows:
        raise ExportReadError(f"sheet {sheet.name!r} has a value in row {bottom + 1:,} ({span}); at most "
                              f"{limits.max_rows:,} rows are read ({_limit_hint('max_rows')})")
    if right + 1 > limits.max_columns:
        raise ExportReadError(f"sheet {sheet.name!r} has a value in column {get_column_letter(right + 1)} ({span}); "
                              f"at most {limits.max_columns:,} columns are read ({_limit_hint('max_columns')})")


def read_xlsx_export(path: Path, sheet: str | int | None = None, limits: ReadLimits | None = None) -> RawTable:
    """Read one sheet of a workbook with calamine, bounded by ``limits``. Row 1 is the header.

    calamine (Rust; python-calamine) parses the sheet's XML about 12 times faster than openpyxl's
    read-only mode (20,000 rows x 60 text cells: 1.5 s against 18.4 s on the 2-core reference
    machine, ``benchmarks/bench_load_survey.py``). It stores the used range densely, so the extent
    is checked against the caps before any cell is converted: a lone value in row 1,048,576 of
    column A costs about 0.1 s and 70 MB and is refused; a lone value in the sheet's last cell
    (XFD1048576) would need 0.5 TB and stops at the memory limit of the reader's child process
    (:func:`read_isolated`, which reports it for the file). Call it through :func:`read_export`.
    """
    limits = limits or ReadLimits.from_environment()
    try:
        with open(path, "rb") as handle:  # a file object: the type is known from the bytes, whatever the extension
            book = CalamineWorkbook.from_filelike(handle)
            worksheet = _sheet(book, sheet)
    except ExportReadError:
        raise
    except (CalamineError, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise ExportReadError(f"cannot read workbook: {type(exc).__name__}: {exc}") from exc
    _check_extent(worksheet, limits)
    if worksheet.height == 0:
        raise ExportReadError("empty sheet", kind="empty")
    # The used range only, numbered from A1 through its offset: row and column numbers are the sheet's,
    # and the empty area above and left of it is never built.
    (top, left) = worksheet.start
    values = np.array(worksheet.to_python(), dtype=object)  # rows x columns; calamine pads rows to one width
    for column in range(values.shape[1]):
        values[:, column] = _xlsx_column_text(values[:, column])
    width = values.shape[1]
    while width and not (values[:, width - 1] != "").any():  # trailing empty columns dropped
        width -= 1
    if not width:
        raise ExportReadError("empty sheet", kind="empty")
    values = np.hstack([np.full((len(values), left), "", dtype=object), values[:, :width]]) if left else values[:, :width]
    width += left
    if top == 0:  # row 1 is the header
        header, values, first_row, blank_above = values[0].tolist(), values[1:], 2, 0
    else:  # row 1 is empty, so there is no header; rows 2 to the used range's first row are blank
        header, first_row, blank_above = [""] * width, top + 1, top - 1
    cells = pd.DataFrame(values, columns=range(width), dtype=object)
    cells, row_numbers, blank = _drop_blank_rows(cells, np.arange(len(cells), dtype=np.int64) + first_row)
    return RawTable([[h] for h in header], cells, row_numbers, "xlsx",
                    notes=[] if sheet is None else [f"sheet {sheet!r}"], blank_rows=blank + blank_above)


def read_sav_export(path: Path, limits: ReadLimits | None = None) -> RawTable:
    """Read an SPSS system file (value labels applied), bounded by ``limits``.

    ReadStat is C code that crashes on some corrupt files: call this through :func:`read_export`,
    which runs it in a bounded child process.
    """
    limits = limits or ReadLimits.from_environment()
    try:
        _, header = pyreadstat.read_sav(path, metadataonly=True)
        if header.number_columns is not None and header.number_columns > limits.max_columns:
            raise ExportReadError(f"{header.number_columns:,} variables; at most {limits.max_columns:,} are read "
                                  f"({_limit_hint('max_columns')})")
        # row_limit also bounds what ReadStat allocates when the header claims a huge row count.
        frame, meta = pyreadstat.read_sav(path, user_missing=True, apply_value_formats=False,
                                          row_limit=limits.max_rows + 1)
    except ExportReadError:
        raise
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError types
        raise ExportReadError(f"cannot read SPSS file: {exc}") from exc
    if len(frame) > limits.max_rows:
        raise ExportReadError(f"more than {limits.max_rows:,} cases; at most {limits.max_rows:,} are read "
                              f"({_limit_hint('max_rows')})")
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
    # Integral and exactly representable (|x| < 2**53): a code. Larger values and infinities keep their float text.
    integral = (filled == np.floor(filled)) & (np.abs(filled) < 2.0**53)
    text = filled.astype(str).astype(object)
    text[integral] = np.abs(filled[integral]).astype(np.int64).astype(str)
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


#: Format -> (reader run in the child process, the reader's name in messages).
_ISOLATED_READERS = {"xlsx": (read_xlsx_export, "XLSX"), "sav": (read_sav_export, "SPSS")}
#: How long the parent waits beyond the reader's own time limit before it gives up on the server.
_SERVER_GRACE_SECONDS = 30.0
_FRAME_HEADER = 8


# --- Running the binary readers in a bounded child process --------------------------------------------
#
# The calling process starts one *reader server* (``python -c "...serve_readers()"``) the first time it
# reads a binary export. The server imports this module once, then forks one child per file: the child
# sets its limits, reads, pickles the result into a pipe and exits, so a fork costs milliseconds. The
# server reports how the child ended (a result, a signal, a timeout) back to the caller. A separate
# server, rather than ``multiprocessing``, because the caller may be a script without an
# ``if __name__ == "__main__"`` guard (spawn and forkserver re-run it) or a multi-threaded Jupyter
# kernel (fork copies its threads' locks).


def _write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(len(payload).to_bytes(_FRAME_HEADER, "big") + payload)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes | None:
    """``size`` bytes from ``fd``; None at end of file or when ``deadline`` (monotonic) passes."""
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                return None
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None = None) -> bytes | None:
    header = _read_exact(fd, _FRAME_HEADER, deadline)
    return None if header is None else _read_exact(fd, int.from_bytes(header, "big"), deadline)


def _apply_limits(limits: ReadLimits) -> None:
    """In the reader child: cap its address space and CPU time (no-op where ``resource`` cannot)."""
    if resource is None:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        current = 0
    cap = current + int(limits.memory_mb) * 1024 * 1024
    for kind, value in ((resource.RLIMIT_AS, cap), (resource.RLIMIT_CPU, int(limits.seconds) + 1)):
        try:
            _, hard = resource.getrlimit(kind)
            resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
        except (ValueError, OSError):  # a platform without the limit: the server's timeout still holds
            pass


#: Joins the cells of one column for the trip from the reader's child process: no cell can hold it
#: (XML 1.0 has no U+0000, and a column that does is sent cell by cell, see :func:`_pack_cells`).
_CELL_JOINER = "\x00"
#: Formats whose cells travel joined: an XLSX cell is its own ``str`` object, while the SPSS reader
#: shares one object per distinct value, which pickle already sends once (joining made it slower).
_JOINED_FORMATS = frozenset({"xlsx"})


def _pack_cells(table: RawTable) -> tuple[RawTable, list[tuple[int, str | list[str]]]]:
    """``table`` without its cells, and each column of cells as one joined string.

    Pickling the cells of 100,000 rows x 70 columns as ``str`` objects took 2.5 s and unpickling
    them 1.0 s on the 2-core reference machine; joining, pickling, unpickling and splitting one
    string per column took 1.5 s in all.
    """
    columns: list[tuple[int, str | list[str]]] = []
    for name in table.cells.columns:
        values = table.cells[name].tolist()
        try:
            joined = _CELL_JOINER.join(values)
        except TypeError:  # not every cell is text: sent as it is
            joined = None
        exact = joined is not None and len(values) and joined.count(_CELL_JOINER) == len(values) - 1
        columns.append((len(values), joined if exact else values))
    return replace(table, cells=table.cells.iloc[:0]), columns


def _unpack_cells(table: RawTable, columns: list[tuple[int, str | list[str]]] | None) -> RawTable:
    """The table :func:`_pack_cells` took apart, cells as ``object`` columns of ``str`` again (``None``: as sent)."""
    if columns is None:
        return table
    arrays = {name: np.array(cells.split(_CELL_JOINER) if isinstance(cells, str) else cells, dtype=object)
              if length else np.empty(0, dtype=object)
              for name, (length, cells) in zip(table.cells.columns, columns, strict=True)}
    return replace(table, cells=pd.DataFrame(arrays, columns=table.cells.columns, dtype=object))


def _read_in_child(reader_format: str, path: str, args: tuple, limits: ReadLimits) -> tuple:
    """Read one file; return ``(status, payload, warnings)`` for the caller."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            table = _ISOLATED_READERS[reader_format][0](Path(path), *args, limits=limits)
            result: tuple = ("ok", _pack_cells(table) if reader_format in _JOINED_FORMATS else (table, None))
        except ExportReadError as exc:
            result = ("error", (str(exc), exc.kind))
        except MemoryError:
            result = ("memory", None)
        except RecursionError:
            result = ("error", ("the file nests too deeply to be read", "unreadable"))
        except Exception as exc:  # a reader library failing on garbage: the file is unreadable
            result = ("error", (f"{type(exc).__name__}: {exc}", "unreadable"))
        except BaseException as exc:
            if type(exc).__name__ != "PanicException":  # a Rust panic in calamine derives from BaseException
                raise
            result = ("error", (f"the reader failed on the file's contents ({exc})", "unreadable"))
    return (*result, [(str(w.message), w.category.__name__) for w in caught])


def _fork_reader(reader_format: str, path: str, args: tuple, limits: ReadLimits) -> tuple[str, object]:
    """In the server: fork a child that reads one file; return how it ended and its pickled result."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_fd)
            _apply_limits(limits)
            try:
                data = pickle.dumps(_read_in_child(reader_format, path, args, limits), pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                data = pickle.dumps(("memory", None, []))
            _write_frame(write_fd, data)
        except BaseException:  # noqa: BLE001 - the child must exit here whatever happens
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        data = _read_frame(read_fd, time.monotonic() + limits.seconds)
    finally:
        os.close(read_fd)
    if data is None:
        try:
            os.kill(pid, signal.SIGKILL)  # hung or slow: a child that already ended is simply reaped
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    if data is not None:
        return "result", data
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) not in (signal.SIGKILL, signal.SIGXCPU):
        return "signal", os.WTERMSIG(status)
    if os.WIFSIGNALED(status):
        return "timeout", None
    return "exit", os.WEXITSTATUS(status)


def serve_readers() -> None:
    """Body of the reader server: answer ``(format, path, args, limits)`` requests on stdin until it closes.

    The server ignores SIGINT: it shares its caller's process group, and an interrupt meant for the
    caller (Ctrl-C, or a Jupyter kernel being shut down by ``innocap build``) would otherwise print a
    ``KeyboardInterrupt`` traceback into the build log. It ends when its caller closes its stdin.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer.fileno(), sys.stdout.buffer.fileno()
    while (request := _read_frame(stdin)) is not None:
        _write_frame(stdout, pickle.dumps(_fork_reader(*pickle.loads(request)), pickle.HIGHEST_PROTOCOL))


class _ReaderServer:
    """The caller's handle on its reader server (started on first use, restarted if it died)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        return subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import serve_readers; serve_readers()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
        )

    def request(self, reader_format: str, path: str, args: tuple, limits: ReadLimits) -> tuple[str, object] | None:
        """Send one request; the server's answer, or None when the server died or did not answer."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            process = self._process
            try:
                _write_frame(process.stdin.fileno(), pickle.dumps((reader_format, path, args, limits)))
                deadline = time.monotonic() + limits.seconds + _SERVER_GRACE_SECONDS
                answer = _read_frame(process.stdout.fileno(), deadline)
            except OSError:
                answer = None
            if answer is None:
                process.kill()
                process.wait()
                self._process = None
                return None
            return pickle.loads(answer)

    def close(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.stdin.close()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None


_SERVER = _ReaderServer()
atexit.register(_SERVER.close)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def read_isolated(reader_format: str, path: Path, *args: object, limits: ReadLimits | None = None) -> RawTable:
    """Run the reader of ``reader_format`` (``xlsx`` or ``sav``) on ``path`` in a bounded child process.

    Parameters
    ----------
    reader_format
        ``"xlsx"`` (:func:`read_xlsx_export`) or ``"sav"`` (:func:`read_sav_export`).
    path
        The export.
    args
        Further arguments of the reader (the sheet, for XLSX).
    limits
        Memory, time, row and column limits; default :meth:`ReadLimits.from_environment`.

    Raises
    ------
    ExportReadError
        When the file cannot be read, and when the reader crashed (killed by a signal such as
        SIGSEGV), ran out of time or exhausted its memory limit: "the SPSS reader crashed
        (SIGSEGV)". The calling process always survives.
    """
    limits = limits or ReadLimits.from_environment()
    what = _ISOLATED_READERS[reader_format][1]
    if not hasattr(os, "fork"):  # Windows: no fork server; read here, with the row and column caps only
        return _ISOLATED_READERS[reader_format][0](Path(path), *args, limits=limits)
    answer = _SERVER.request(reader_format, str(Path(path).resolve()), tuple(args), limits)
    if answer is None:
        raise ExportReadError(f"the {what} reader did not answer (its process ended or hung)")
    how, detail = answer
    if how == "signal":
        # calamine (XLSX) aborts when it cannot allocate a sheet's used range within the memory limit
        hint = (f": the sheet's values span more cells than the memory limit of {limits.memory_mb:,} MiB holds "
                f"(a lone value far from the others?; {_limit_hint('memory_mb')})"
                if reader_format == "xlsx" and detail == signal.SIGABRT else "")
        raise ExportReadError(f"the {what} reader crashed ({_signal_name(detail)}){hint}")
    if how == "timeout":
        raise ExportReadError(f"the {what} reader took longer than the time limit of {limits.seconds:g} s "
                              f"({_limit_hint('seconds')})")
    if how == "exit":
        raise ExportReadError(f"the {what} reader crashed (exit code {detail})")
    status, payload, caught = pickle.loads(detail)
    for message, category in caught:
        warnings.warn(f"{Path(path).name}: {message}", _WARNING_CATEGORIES.get(category, UserWarning), stacklevel=2)
    if status == "ok":
        return _unpack_cells(*payload)
    if status == "memory":
        raise ExportReadError(f"the {what} reader needed more than the memory limit of {limits.memory_mb:,} MiB "
                              f"({_limit_hint('memory_mb')})")
    message, kind = payload
    raise ExportReadError(message, kind)


_WARNING_CATEGORIES: dict[str, type[Warning]] = {
    category.__name__: category
    for category in (UserWarning, RuntimeWarning, DeprecationWarning, FutureWarning, ResourceWarning)
}


def _file_head(path: Path, size: int = 8) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def read_export(path: str | Path, sheet: str | int | None = None, encoding: str | None = None,
                limits: ReadLimits | None = None) -> RawTable:
    """Read one export; raise :class:`ExportReadError` with the reason when it cannot be read.

    CSV is parsed here (pandas' C tokenizer, within the row and column caps); XLSX and SPSS are
    read in a bounded child process (:func:`read_isolated`).
    """
    path = Path(path)
    limits = limits or ReadLimits.from_environment()
    try:
        head = _file_head(path)
        if not head:
            raise ExportReadError("empty file", kind="empty")
        kind = sniff_format(head)
        if kind in _ISOLATED_READERS:
            return read_isolated(kind, path, *([sheet] if kind == "xlsx" else []), limits=limits)
        if kind == "xls":
            raise ExportReadError("old binary Excel (.xls) is not supported: save it as .xlsx or CSV")
        data = path.read_bytes()
    except OSError as exc:
        raise ExportReadError(f"cannot open: {exc.strerror or exc}") from exc
    return read_csv_export(data, encoding, limits)
