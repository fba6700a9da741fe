"""Export layouts of the survey tools: detect which tool wrote a file and read its header rows.

A *layout* is how one survey tool lays out its response export: how many header rows,
what they hold, which column is the respondent id, which columns are the tool's own
metadata or personal data, and how a multi-select answer is written. :func:`detect_layout`
recognises the layout from the headers (``tool=`` forces one) and :func:`lay_out` turns
the raw table into header aliases per column (matched to the codebook by the loader),
data rows without the extra header rows, and the columns to drop with their reasons.

The layouts follow each tool's documented or published export format:

* **Qualtrics** CSV (*new* exporter): three header rows: export tag (``Q5_1``), question
  text (``stem - statement`` for matrix rows), and an ``{"ImportId": ...}`` JSON row; the
  metadata columns ``StartDate`` ... ``UserLanguage`` come first, ``ResponseId`` is the id.
  Answers as choice text or numeric recode values; a multiple-answer question is one
  column of comma-joined choices (or one column per choice when the export splits them).
  Qualtrics support, "Understanding your dataset"; the sample exports
  ``inst/extdata/sample.csv`` and ``sample_legacy.csv`` of rOpenSci ``qualtRics``.
* **Qualtrics legacy** CSV: row 1 ``V1`` ... ``V10`` then export tags, row 2 ``ResponseID,
  ResponseSet, Name, ExternalDataReference, EmailAddress, IPAddress, Status, StartDate,
  EndDate, Finished`` then question texts (``qualtRics`` ``sample_legacy.csv``).
* **Qualtrics SPSS** ``.sav``: the same metadata as variables (``Duration__in_seconds_``),
  export tags as variable names, ``stem - statement`` as variable labels, value labels.
* **SurveyMonkey** CSV/XLSX: two header rows; row 1 ``Respondent ID, Collector ID, Start
  Date, End Date, IP Address, Email Address, First Name, Last Name, Custom Data 1`` and each
  question's text over its *first* column only; row 2 ``Response`` / ``Open-Ended
  Response`` or the matrix statement or checkbox option of each column.
* **Microsoft Forms** XLSX: ``ID, Start time, Completion time, Email, Name`` (``Last
  modified time`` in newer exports), then one column per question or Likert statement;
  multiple answers joined as ``a;b;``.
* **Google Forms** (Sheets) CSV/XLSX: ``Timestamp`` first, optional ``Email Address``, no
  respondent id; grid rows as ``Question [row]``; checkboxes joined with ``", "``.
* **LimeSurvey** CSV: code headings (``id, submitdate, lastpage, startlanguage, seed,
  startdate, datestamp, ipaddr, refurl``; ``SK[SQ001]``; answer codes ``A1``; multiple
  choice ``Y``/blank) or full headings (``Response ID, Date submitted, ...``; ``Question
  [Subquestion]``; full answers). LimeSurvey ``application/helpers/admin/export/Writer.php``.
* **Webropol**, **SurveyXact**, **Netigate**: one header row. Webropol: respondent number
  ``Vastaaja``/``Respondent``/``Svarande`` and response time; multi-select as one 0/1
  column per option. SurveyXact: ``respondentid, statuscode, created, closetime, ...`` and
  variable names mapped with a column map. Netigate: ``n. stem - statement`` headers. No
  public specification of these three was found; the layouts are those of the partners'
  files described in issue 11.
* **plain**: one header row holding codebook ids or texts (the format the codebook documents).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .codebook import EXPORT_TOOLS
from .readers import RawTable
from .text import normalise_text

PERSONAL, METADATA = "personal data", "metadata"


def _reasons(kind: str, entries: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {normalise_text(header): (kind, what) for header, what in entries.items()}


#: Metadata every tool may add, recognised in every layout (the plain one included).
GENERIC_METADATA: dict[str, tuple[str, str]] = {
    **_reasons(PERSONAL, {
        "IP address": "IP address", "IPAddress": "IP address", "IP-osoite": "IP address",
        "IP-adress": "IP address", "IP-tala": "IP address", "Latitude": "location", "Longitude": "location",
        "Location": "location", "LocationLatitude": "location", "LocationLongitude": "location",
        "LocationAccuracy": "location", "User agent": "browser identification",
    }),
    **_reasons(METADATA, {
        "Timestamp": "timestamp", "Start time": "timestamp", "End time": "timestamp",
        "Start date": "timestamp", "End date": "timestamp", "Completion time": "timestamp",
        "Submitted": "timestamp", "Date submitted": "timestamp", "Last modified time": "timestamp",
        "Response time": "timestamp", "Vastausaika": "timestamp", "Aikaleima": "timestamp",
        "Svarstid": "timestamp", "Tidsstämpel": "timestamp", "Tímastimpill": "timestamp",
        "Duration": "duration", "Duration (in seconds)": "duration", "Progress": "progress",
        "Status": "response status", "Finished": "completion flag", "Language": "interface language",
    }),
}


@dataclass(frozen=True)
class Layout:
    """One export layout.

    ``tool`` is the code family of the codebook's ``codes`` (several layouts may share it);
    ``metadata`` maps a normalised header to ``(kind, what)``; ``id_headers`` are the
    normalised headers of the respondent-id column; ``local_ids`` marks ids that are only
    unique within one export (sequence numbers), which the loader qualifies by file;
    ``row_ids`` marks layouts without an id column (the row number serves);
    ``selected``/``not_selected`` are the tool's own tokens in per-option columns.
    """

    name: str
    tool: str
    title: str
    brand: str = ""
    metadata: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    id_headers: tuple[str, ...] = ()
    local_ids: bool = False
    row_ids: bool = False
    selected: tuple[str, ...] = ()
    not_selected: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.name} ({self.title})"


_BRANDS = {"qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "msforms": "Microsoft Forms",
           "google_forms": "Google Forms", "limesurvey": "LimeSurvey", "webropol": "Webropol",
           "surveyxact": "SurveyXact", "netigate": "Netigate", "plain": ""}


def _layout(name: str, tool: str, title: str, personal: dict[str, str] | None = None,
            metadata: dict[str, str] | None = None, **kwargs) -> Layout:
    reasons = {**GENERIC_METADATA, **_reasons(PERSONAL, personal or {}), **_reasons(METADATA, metadata or {})}
    kwargs["id_headers"] = tuple(normalise_text(h) for h in kwargs.get("id_headers", ()))
    return Layout(name, tool, title, _BRANDS[tool], MappingProxyType(reasons), **kwargs)


_QUALTRICS_PERSONAL = {"RecipientLastName": "recipient last name", "RecipientFirstName": "recipient first name",
                       "RecipientEmail": "recipient e-mail", "ExternalReference": "external reference",
                       "ExternalDataReference": "external reference", "Name": "respondent name",
                       "EmailAddress": "respondent e-mail"}
_QUALTRICS_METADATA = {"StartDate": "timestamp", "EndDate": "timestamp", "RecordedDate": "timestamp",
                       "Duration (in seconds)": "duration", "Duration__in_seconds_": "duration",
                       "DistributionChannel": "distribution channel", "UserLanguage": "interface language",
                       "ResponseSet": "response set", "Q_RecaptchaScore": "bot score",
                       "Q_RelevantIDDuplicate": "duplicate check"}
#: Qualtrics ImportId of the metadata fields (third header row), language-independent.
QUALTRICS_METADATA_IMPORT_IDS: dict[str, tuple[str, str]] = {
    "startDate": (METADATA, "timestamp"), "endDate": (METADATA, "timestamp"), "status": (METADATA, "response status"),
    "ipAddress": (PERSONAL, "IP address"), "progress": (METADATA, "progress"), "duration": (METADATA, "duration"),
    "finished": (METADATA, "completion flag"), "recordedDate": (METADATA, "timestamp"),
    "recipientLastName": (PERSONAL, "recipient last name"), "recipientFirstName": (PERSONAL, "recipient first name"),
    "recipientEmail": (PERSONAL, "recipient e-mail"), "externalDataReference": (PERSONAL, "external reference"),
    "locationLatitude": (PERSONAL, "location"), "locationLongitude": (PERSONAL, "location"),
    "distributionChannel": (METADATA, "distribution channel"), "userLanguage": (METADATA, "interface language"),
}
_LIMESURVEY_CODE_METADATA = {"submitdate": "timestamp", "lastpage": "last page reached",
                             "startlanguage": "interface language", "seed": "randomisation seed",
                             "startdate": "timestamp", "datestamp": "timestamp", "refurl": "referrer URL",
                             "interviewtime": "duration"}
_LIMESURVEY_FULL_METADATA = {"Date submitted": "timestamp", "Last page": "last page reached",
                             "Start language": "interface language", "Seed": "randomisation seed",
                             "Date started": "timestamp", "Date last action": "timestamp",
                             "Referrer URL": "referrer URL", "Total time": "duration"}
_LIMESURVEY_PERSONAL = {"ipaddr": "IP address", "token": "access token", "Token": "access token",
                        "firstname": "participant first name", "lastname": "participant last name",
                        "email": "participant e-mail", "First name": "participant first name",
                        "Last name": "participant last name", "Email address": "participant e-mail"}

LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    _layout("qualtrics", "qualtrics", "Qualtrics CSV, three header rows: export tag, question text, ImportId",
            _QUALTRICS_PERSONAL, _QUALTRICS_METADATA, id_headers=("ResponseId",)),
    _layout("qualtrics_legacy", "qualtrics", "Qualtrics legacy CSV, two header rows: V1... tags, field names "
            "and question text", _QUALTRICS_PERSONAL, _QUALTRICS_METADATA, id_headers=("ResponseID",)),
    _layout("qualtrics_sav", "qualtrics", "Qualtrics SPSS .sav: export tags as variable names, "
            "'question - statement' variable labels", _QUALTRICS_PERSONAL, _QUALTRICS_METADATA,
            id_headers=("ResponseId",)),
    _layout("surveymonkey", "surveymonkey", "SurveyMonkey CSV/XLSX, two header rows: question over its first "
            "column, then Response / statement / option per column",
            {"Email Address": "respondent e-mail", "First Name": "respondent first name",
             "Last Name": "respondent last name", "Custom Data 1": "custom data (may identify the respondent)"},
            {"Collector ID": "collector id"}, id_headers=("Respondent ID",)),
    _layout("msforms", "msforms", "Microsoft Forms XLSX: ID, Start time, Completion time, Email, Name, "
            "then questions; multiple answers joined with ';'",
            {"Email": "respondent e-mail ('anonymous' unless sign-in is required)", "Name": "respondent name"},
            {"Total points": "quiz score", "Quiz feedback": "quiz feedback"}, id_headers=("ID",), local_ids=True),
    _layout("google_forms", "google_forms", "Google Forms responses sheet: Timestamp, no respondent id, grid rows "
            "as 'Question [row]', checkboxes joined with ', '",
            {"Email Address": "respondent e-mail", "Email address": "respondent e-mail"},
            {"Score": "quiz score"}, row_ids=True),
    _layout("limesurvey_code", "limesurvey", "LimeSurvey CSV with question-code headings (SK[SQ001]) and answer "
            "codes (A1)", _LIMESURVEY_PERSONAL, _LIMESURVEY_CODE_METADATA, id_headers=("id",), local_ids=True,
            selected=("Y",), not_selected=("N",)),
    _layout("limesurvey_full", "limesurvey", "LimeSurvey CSV with full question-text headings "
            "('Question [Subquestion]') and full answers", _LIMESURVEY_PERSONAL, _LIMESURVEY_FULL_METADATA,
            id_headers=("Response ID",), local_ids=True),
    _layout("webropol", "webropol", "Webropol export: respondent number, response time, question texts, "
            "multi-select as one 0/1 column per option", {},
            {}, id_headers=("Vastaaja", "Respondent", "Svarande"), local_ids=True),
    _layout("surveyxact", "surveyxact", "SurveyXact dataset: respondentid and status variables, question "
            "variables (map them with a column map)", {"email": "respondent e-mail", "name": "respondent name"},
            {"statuscode": "response status", "created": "timestamp", "starttime": "timestamp",
             "closetime": "timestamp", "distributionschedule": "distribution schedule",
             "lastupdatedby": "last editor"}, id_headers=("respondentid",), local_ids=True),
    _layout("netigate", "netigate", "Netigate export: 'n. stem - statement' headers", {}, {}),
    _layout("plain", "plain", "one header row of codebook ids or question texts"),
)}
assert {layout.tool for layout in LAYOUTS.values()} <= set(EXPORT_TOOLS)


@dataclass
class LaidOut:
    """A raw table read through its layout.

    ``headers`` has the aliases of each column (tried in order against the codebook);
    ``cells``/``row_numbers`` hold the respondent rows only; ``metadata`` maps a column
    position to the reason it is dropped; ``id_position`` is the id column the layout
    names (None: the codebook decides, or ``layout.row_ids``).
    """

    layout: Layout
    headers: list[list[str]]
    cells: object  # pandas.DataFrame of str
    row_numbers: np.ndarray
    metadata: dict[int, str]
    id_position: int | None
    header_rows: int = 1
    detected: str = "detected"  # "detected" or "forced" (tool=)


class LayoutError(ValueError):
    """``tool=`` names no known layout."""


def _keys(headers: list[list[str]]) -> list[str]:
    return [normalise_text(aliases[0]) if aliases else "" for aliases in headers]


def _row(table: RawTable, index: int) -> list[str]:
    if len(table.cells) <= index:
        return []
    return [str(v) for v in table.cells.iloc[index].tolist()]


def _is_import_id_row(row: list[str]) -> bool:
    return sum(cell.lstrip().startswith('{"ImportId"') for cell in row) >= max(1, len(row) // 2)


_NUMBERED_STATEMENT = re.compile(r"^\d+\.\s+\S.* - \S")
_TIMESTAMP_FIRST = {normalise_text(t) for t in ("Timestamp", "Aikaleima", "Tidstämpel", "Tímastimpill",
                                                "Marca temporal", "Zeitstempel", "Horodateur")}


def _detect_name(table: RawTable) -> str:
    keys = _keys(table.headers)
    names = set(keys)
    second = [normalise_text(v) for v in _row(table, 0)]
    if table.format == "sav":
        return "qualtrics_sav" if {"responseid", "startdate"} <= names else "plain"
    if {"startdate", "enddate"} <= names and ("responseid" in names or _is_import_id_row(_row(table, 1))):
        return "qualtrics"
    if keys[:2] == ["v1", "v2"] and "responseid" in second:
        return "qualtrics_legacy"
    if {"respondent id", "collector id"} <= names:
        return "surveymonkey"
    if {"id", "submitdate"} <= names and names & {"lastpage", "startlanguage"}:
        return "limesurvey_code"
    if {"response id", "date submitted"} <= names and names & {"last page", "start language"}:
        return "limesurvey_full"
    if {"id", "start time", "completion time"} <= names:
        return "msforms"
    if keys and keys[0] in _TIMESTAMP_FIRST:
        return "google_forms"
    if "respondentid" in names and names & {"statuscode", "closetime"}:
        return "surveyxact"
    if keys and keys[0] in {"vastaaja", "respondent", "svarande"} and names & {
            "vastausaika", "response time", "svarstid"}:
        return "webropol"
    if sum(bool(_NUMBERED_STATEMENT.match(str(a[0]))) for a in table.headers if a) >= 2:
        return "netigate"
    return "plain"


def resolve_tool(tool: str | None) -> str | None:
    """``None``/``"auto"`` -> None (detect); a layout name or a tool family -> that name; else LayoutError."""
    if tool is None or tool == "auto":
        return None
    if tool in LAYOUTS or tool in EXPORT_TOOLS:
        return tool
    known = sorted(set(LAYOUTS) | set(EXPORT_TOOLS))
    raise LayoutError(f"unknown tool {tool!r}; known: auto, {', '.join(known)}")


def detect_layout(table: RawTable, tool: str | None = None) -> tuple[Layout, str]:
    """The layout of ``table`` and how it was chosen (``"detected"`` or ``"forced"``).

    ``tool`` forces a layout (``"qualtrics_legacy"``) or a tool family (``"qualtrics"``:
    the family's layout is then picked from the headers, falling back to its first layout).
    """
    wanted = resolve_tool(tool)
    detected = _detect_name(table)
    if wanted is None:
        return LAYOUTS[detected], "detected"
    if wanted not in EXPORT_TOOLS:  # a layout; a name that is also a family ("qualtrics") means the family
        return LAYOUTS[wanted], "forced"
    family = [layout for layout in LAYOUTS.values() if layout.tool == wanted]
    chosen = LAYOUTS[detected] if LAYOUTS[detected].tool == wanted else family[0]
    if wanted == "qualtrics" and table.format == "sav":
        chosen = LAYOUTS["qualtrics_sav"]
    return chosen, "forced"


def _qualtrics_headers(table: RawTable) -> tuple[list[list[str]], int, dict[int, tuple[str, str]]]:
    """Qualtrics: aliases [export tag, question text]; metadata recognised from the ImportId row."""
    text_row = _row(table, 0)
    import_row = _row(table, 1)
    has_import = _is_import_id_row(import_row)
    headers = [[aliases[0], text_row[j]] if j < len(text_row) else list(aliases)
               for j, aliases in enumerate(table.headers)]
    metadata: dict[int, tuple[str, str]] = {}
    if has_import:
        for j, cell in enumerate(import_row):
            try:
                import_id = json.loads(cell).get("ImportId", "")
            except (ValueError, AttributeError):
                continue
            if import_id in QUALTRICS_METADATA_IMPORT_IDS:
                metadata[j] = QUALTRICS_METADATA_IMPORT_IDS[import_id]
    return headers, 3 if has_import else 2, metadata


def _surveymonkey_headers(table: RawTable) -> list[list[str]]:
    """SurveyMonkey: the question text over a group's first column applies to the whole group."""
    sub = _row(table, 0)
    headers: list[list[str]] = []
    question = ""
    for j, aliases in enumerate(table.headers):
        top = aliases[0].strip()
        below = sub[j].strip() if j < len(sub) else ""
        if top:
            question = top
        elif not below:
            question = ""
        if not below or normalise_text(below) in ("response", "open-ended response"):
            headers.append([top or question])
        else:
            headers.append([f"{question} - {below}", below] if question else [below])
    return headers


def lay_out(table: RawTable, tool: str | None = None) -> LaidOut:
    """Read ``table`` through its layout (detected, or forced with ``tool``)."""
    layout, how = detect_layout(table, tool)
    headers = [list(aliases) for aliases in table.headers]
    header_rows = 1
    extra_metadata: dict[int, tuple[str, str]] = {}
    if layout.name == "qualtrics":
        headers, header_rows, extra_metadata = _qualtrics_headers(table)
    elif layout.name == "qualtrics_legacy":
        second = _row(table, 0)
        headers = [[second[j], aliases[0]] if j < len(second) else list(aliases)
                   for j, aliases in enumerate(table.headers)]
        header_rows = 2
    elif layout.name == "surveymonkey":
        headers = _surveymonkey_headers(table)
        header_rows = 2
    skip = header_rows - 1
    cells = table.cells.iloc[skip:].reset_index(drop=True)
    rows = table.row_numbers[skip:]
    metadata: dict[int, str] = {}
    id_position = None
    for j, aliases in enumerate(headers):
        keys = [normalise_text(a) for a in aliases if a]
        if id_position is None and any(k in layout.id_headers for k in keys):
            id_position = j
            continue
        reason = extra_metadata.get(j) or next((layout.metadata[k] for k in keys if k in layout.metadata), None)
        if reason is not None:
            kind, what = reason
            metadata[j] = f"{kind} ({layout.brand + ': ' if layout.brand else ''}{what}): dropped"
        elif layout.name == "qualtrics_legacy" and not any(keys):
            metadata[j] = "empty trailing column (Qualtrics legacy exports end each line with a comma): dropped"
    return LaidOut(layout, headers, cells, rows, metadata, id_position, header_rows, how)
