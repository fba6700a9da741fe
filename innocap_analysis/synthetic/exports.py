"""Synthetic partner exports in the layouts the survey tools really write, from the generator's truth.

One writer per export layout (:data:`WRITERS`) turns one region of a
:class:`~innocap_analysis.synthetic.SyntheticSurvey` into the file that tool would export
for the INNOCAP v1 instrument, so that tests and the illustrative data exercise the loader
on real layouts and can check every code against the truth. What each writer relies on:

* **Qualtrics** (``qualtrics``, ``qualtrics_numeric``, ``qualtrics_legacy``,
  ``qualtrics_sav``): Qualtrics support, *Understanding your dataset* ("CSV and TSV files
  come with 3 rows of headers. The first header is the internal Qualtrics ID of the field
  ... the second ... the question text ... the third ... the import ID"; matrix statements
  one column each; numeric values or choice text; multiple-answer selections in one
  comma-separated column); the sample exports of rOpenSci ``qualtRics``
  (``inst/extdata/sample.csv``: ``StartDate, EndDate, Status, IPAddress, Progress, Duration
  (in seconds), Finished, RecordedDate, ResponseId, RecipientLastName, RecipientFirstName,
  RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude,
  DistributionChannel, UserLanguage`` and ``{"ImportId":"QID1"}`` cells;
  ``sample_legacy.csv``: ``V1..V10`` over ``ResponseID, ResponseSet, Name,
  ExternalDataReference, EmailAddress, IPAddress, Status, StartDate, EndDate, Finished``, a
  trailing comma on every line). SPSS: export tags as variable names (``Duration (in
  seconds)`` becomes ``Duration__in_seconds_``), ``question - statement`` variable labels.
* **SurveyMonkey** (``surveymonkey`` CSV, ``surveymonkey_xlsx``): the two header rows of an
  "All individual responses" export as quoted in public parsers of real exports
  (``Respondent ID, Collector ID, Start Date, End Date, IP Address, Email Address, First
  Name, Last Name, Custom Data 1``; each question's text over its first column only; row 2
  ``Response``, ``Open-Ended Response``, or the matrix row / checkbox option).
* **Microsoft Forms** (``msforms``): the Excel export ``ID, Start time, Completion time,
  Email, Name`` then one column per question (Likert statements as headers), multiple
  answers as ``a;b;`` (issue 11 quotes this layout from a partner file).
* **Google Forms** (``google_forms``): the responses sheet: ``Timestamp``, ``Email
  Address``, grid rows as ``Question [Row]`` (Apps Script ``GridItem`` rows), checkboxes
  joined with ``", "``; no respondent id.
* **LimeSurvey** (``limesurvey_code``, ``limesurvey_full``): ``Writer.php`` of LimeSurvey's
  export helper: code headings ``title[aid]`` (``SK[SQ001]``), full headings ``question
  [subquestion]``, multiple-choice cells ``Y``/blank (full answers: "Yes" in the survey
  language); system columns ``id, submitdate, lastpage, startlanguage, seed, startdate,
  datestamp, ipaddr, refurl`` (full: ``Response ID, Date submitted, ...``).
* **Webropol**, **SurveyXact**, **Netigate**: no public export specification was found;
  the layouts are those issue 11 describes from partner files (Webropol ``Vastaaja``,
  response time, 0/1 column per option, "En osaa sanoa"; SurveyXact ``respondentid``,
  status and time variables, question variables ``s_1 ...`` mapped with a column map;
  Netigate ``n. stem - statement`` headers).

Every writer is deterministic: the same truth gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from openpyxl import Workbook

from ..survey.codebook import Codebook, load_codebook
from .truth import SyntheticSurvey

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = "2026-01-01T00:00:00Z"

def write_xlsx_rows(rows: list[list[object]], path: Path, sheet_title: str = "Data") -> None:
    """Write rows (header rows included) to an XLSX whose bytes depend only on the rows.

    openpyxl stamps the document's creation and modification times and the zip entries'
    times; both are fixed here, so the same rows give byte-identical files.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + FIXED_DOC_TIME.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, data)


def write_sav_deterministic(frame: pd.DataFrame, path: Path, **kwargs) -> None:
    """Write an SPSS file with the header's creation date and time fixed (ReadStat stamps the clock)."""
    pyreadstat.write_sav(frame, path, **kwargs)
    data = bytearray(path.read_bytes())
    # .sav header: creation_date (9 bytes) at offset 84 + 8 = 92, creation_time (8 bytes) at 101.
    data[92:109] = b"01 Jan 2600:00:00"
    path.write_bytes(bytes(data))


#: Matrix stem per role (the statement is the codebook item; stems are never matched).
_STEMS = {
    "en": "How far do you agree with the following statements?",
    "fi": "Missä määrin olette samaa mieltä seuraavista väittämistä?",
    "sv": "I vilken grad instämmer ni i följande påståenden?",
    "is": "Hversu sammála ert þú eftirfarandi fullyrðingum?",
}
_YES = {"en": "Yes", "fi": "Kyllä", "sv": "Ja", "is": "Já"}


@dataclass
class Column:
    """One exported column: its header rows and its cells (str, "" for empty)."""

    headers: list[str]
    values: np.ndarray


@dataclass
class ToolExport:
    """A written tool export and what a manifest says about it."""

    path: Path
    layout: str
    region: str
    language: str
    manifest: dict[str, object] = field(default_factory=dict)
    rows: int = 0


def region_truth(truth: SyntheticSurvey, region: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The truth's responses and missing reasons of one region, in export order."""
    mask = (truth.responses["region"] == region).to_numpy()
    return (truth.responses[mask].reset_index(drop=True), truth.missing_reasons[mask].reset_index(drop=True))


class _Cells:
    """Export cells of one region's truth: answers as labels, numbers or a tool's codes."""

    def __init__(self, truth: SyntheticSurvey, cb: Codebook, region: str, seed: int):
        self.cb = cb
        self.resp, self.reasons = region_truth(truth, region)
        self.n = len(self.resp)
        self.rng = np.random.default_rng(seed)
        self.pii = truth.pii.set_index("respondent_id").loc[self.resp[cb.respondent_id]].reset_index(drop=True)

    def answers(self, item_id: str, mode: str, lang: str = "en") -> np.ndarray:
        """``mode``: ``label`` (in ``lang``), ``number`` (code, don't know 9) or a tool name (its codes)."""
        item = self.cb.item(item_id)
        scale = self.cb.scales[item.scale]
        codes = self.resp[item_id]
        answered = codes.notna().to_numpy()
        values = codes.fillna(0).to_numpy(dtype=np.int64)
        if mode == "label":
            table = {c: scale.levels[c][lang] for c in scale.codes}
            dont_know = scale.missing["dont_know"][lang][0]
        elif mode == "number":
            table = {c: str(c) for c in scale.codes}
            dont_know = str(scale.missing_codes["dont_know"][0])
        else:
            table = {c: scale.level_codes[c][mode][0] for c in scale.codes}
            dont_know = scale.missing_tool_codes["dont_know"][mode][0]
        out = np.full(self.n, "", dtype=object)
        out[answered] = [table[int(v)] for v in values[answered]]
        out[(self.reasons[item_id] == "dont_know").fillna(False).to_numpy(dtype=bool)] = dont_know
        return out

    def profile(self, name: str, mode: str, lang: str = "en") -> np.ndarray:
        levels = self.cb.profile[name]
        keys = self.resp[name].astype(str)
        if mode == "label":
            return np.array([levels.levels[k][lang] for k in keys], dtype=object)
        return np.array([levels.codes[k][mode][0] for k in keys], dtype=object)

    def barriers(self) -> dict[str, np.ndarray]:
        question = self.cb.multi_select["BAR"]
        return {option: self.resp[question.column(option)].to_numpy(dtype=bool) for option in question.options}

    def option_label(self, option: str, lang: str) -> str:
        return self.cb.multi_select["BAR"].options[option][lang]

    def joined_barriers(self, lang: str, sep: str, trailing: str = "", codes: str | None = None) -> np.ndarray:
        chosen = self.barriers()
        out = []
        for i in range(self.n):
            parts = [(self.cb.multi_select["BAR"].option_codes[o][codes][0] if codes else self.option_label(o, lang))
                     for o, flags in chosen.items() if flags[i]]
            out.append(sep.join(parts) + (trailing if parts else ""))
        return np.array(out, dtype=object)

    def timestamps(self, fmt: str = "%Y-%m-%d %H:%M:%S", start: str = "2026-03-02 08:00") -> tuple[np.ndarray, ...]:
        begin = pd.Timestamp(start) + pd.to_timedelta(np.sort(self.rng.integers(0, 20 * 24 * 3600, self.n)), "s")
        duration = self.rng.integers(240, 1500, self.n)
        end = begin + pd.to_timedelta(duration, "s")
        return (np.array(begin.strftime(fmt), dtype=object), np.array(end.strftime(fmt), dtype=object),
                duration.astype(str).astype(object))

    def comments(self) -> np.ndarray:
        return self.pii["free_text"].to_numpy(dtype=object)


def _items_by_question(cb: Codebook) -> list[tuple[str, list[str]]]:
    """Matrix groups as a tool survey built from the codebook has them: capability items per dimension,
    awareness and adoption as matrices, importance and supply items as single questions."""
    groups: list[tuple[str, list[str]]] = []
    for dimension in cb.dimensions:
        groups.append((dimension, [i.id for i in cb.items_for(dimension=dimension, role="capability")]))
        groups += [(i.id, [i.id]) for i in cb.items_for(dimension=dimension) if i.role != "capability"]
    groups.append(("awareness", [i.id for i in cb.items_for(role="awareness")]))
    groups.append(("adoption", [i.id for i in cb.items_for(role="adoption")]))
    return groups


def _stem(cb: Codebook, group: str, lang: str) -> str:
    label = cb.dimensions.get(group, {}).get(lang, group.capitalize())
    return f"{label}: {_STEMS[lang]}"


def _write_csv(path: Path, rows: list[list[str]], sep: str = ",", bom: bool = False, newline: str = "\r\n",
               encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding))


def _rows(columns: list[Column]) -> list[list[str]]:
    depth = max(len(c.headers) for c in columns)
    rows = [[c.headers[k] if k < len(c.headers) else "" for c in columns] for k in range(depth)]
    n = len(columns[0].values)
    rows += [[str(c.values[i]) for c in columns] for i in range(n)]
    return rows


def _xlsx_rows(columns: list[Column], numeric: bool = False) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in _rows(columns):
        rows.append([None if v == "" else (int(v) if numeric and v.isdigit() else v) for v in row])
    return rows


# --- Qualtrics ---------------------------------------------------------------------------------------------

_QUALTRICS_META = [("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
                   ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "ipAddress"),
                   ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration"),
                   ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
                   ("ResponseId", "Response ID", "_recordId"),
                   ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
                   ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
                   ("RecipientEmail", "Recipient Email", "recipientEmail"),
                   ("ExternalReference", "External Data Reference", "externalDataReference"),
                   ("LocationLatitude", "Location Latitude", "locationLatitude"),
                   ("LocationLongitude", "Location Longitude", "locationLongitude"),
                   ("DistributionChannel", "Distribution Channel", "distributionChannel"),
                   ("UserLanguage", "User Language", "userLanguage")]


def _response_ids(cells: _Cells) -> np.ndarray:
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    draws = cells.rng.integers(0, len(alphabet), size=(cells.n, 15))
    return np.array(["R_" + "".join(alphabet[row]) for row in draws], dtype=object)


def _qualtrics_questions(cells: _Cells, lang: str, mode: str, split_multi: bool) -> list[tuple[str, str, np.ndarray]]:
    """(export tag, question text, cells) of every question, numbered Q1.. as Qualtrics numbers them."""
    cb = cells.cb
    profile_mode = "label" if mode == "label" else "qualtrics"
    questions = [(f"Q{k + 1}", cb.profile[name].text[lang], cells.profile(name, profile_mode, lang))
                 for k, name in enumerate(("stakeholder", "size_band", "role"))]
    number = len(questions)
    answer_mode = "label" if mode == "label" else "qualtrics"
    for group, ids in _items_by_question(cb):
        number += 1
        if len(ids) == 1:
            questions.append((f"Q{number}", cb.item(ids[0]).text[lang], cells.answers(ids[0], answer_mode, lang)))
        else:
            for k, item_id in enumerate(ids, start=1):
                questions.append((f"Q{number}_{k}", f"{_stem(cb, group, lang)} - {cb.item(item_id).text[lang]}",
                                  cells.answers(item_id, answer_mode, lang)))
    number += 1
    question = cb.multi_select["BAR"]
    if split_multi:
        for k, (option, flags) in enumerate(cells.barriers().items(), start=1):
            value = "1" if mode != "label" else cells.option_label(option, lang)
            questions.append((f"Q{number}_{k}", f"{question.text[lang]} - {cells.option_label(option, lang)}",
                              np.where(flags, value, "").astype(object)))
    else:
        joined = cells.joined_barriers(lang, ",", codes=None if mode == "label" else "qualtrics")
        questions.append((f"Q{number}", question.text[lang], joined))
    number += 1
    questions.append((f"Q{number}", cb.pii_labels["free_text"][lang][0], cells.comments()))
    return questions


def _qualtrics_meta_values(cells: _Cells) -> dict[str, np.ndarray]:
    start, end, duration = cells.timestamps()
    n = cells.n
    ids = _response_ids(cells)
    return {"StartDate": start, "EndDate": end, "Status": np.full(n, "0", dtype=object),
            "IPAddress": np.array([f"192.0.2.{1 + i % 250}" for i in range(n)], dtype=object),
            "Progress": np.full(n, "100", dtype=object), "Duration (in seconds)": duration,
            "Finished": np.full(n, "1", dtype=object), "RecordedDate": end, "ResponseId": ids,
            "RecipientLastName": np.full(n, "", dtype=object), "RecipientFirstName": np.full(n, "", dtype=object),
            "RecipientEmail": cells.pii["email"].to_numpy(dtype=object),
            "ExternalReference": np.full(n, "", dtype=object),
            "LocationLatitude": np.round(cells.rng.uniform(46.6, 60.3, n), 4).astype(str).astype(object),
            "LocationLongitude": np.round(cells.rng.uniform(-59.5, -52.6, n), 4).astype(str).astype(object),
            "DistributionChannel": np.full(n, "email", dtype=object),
            "UserLanguage": np.full(n, "EN", dtype=object)}


def _write_qualtrics(cells: _Cells, path: Path, lang: str, mode: str) -> None:
    meta = _qualtrics_meta_values(cells)
    columns = [Column([tag, text, f'{{"ImportId":"{import_id}"}}'], meta[tag]) for tag, text, import_id in
               _QUALTRICS_META]
    for tag, text, values in _qualtrics_questions(cells, lang, mode, split_multi=False):
        import_id = "QID" + tag[1:]
        columns.append(Column([tag, text, f'{{"ImportId":"{import_id}"}}'], values))
    _write_csv(path, _rows(columns), bom=True)


def write_qualtrics(cells: _Cells, path: Path, lang: str = "en") -> None:
    """Qualtrics CSV, choice text."""
    _write_qualtrics(cells, path, lang, "label")


def write_qualtrics_numeric(cells: _Cells, path: Path, lang: str = "en") -> None:
    """Qualtrics CSV, numeric values (recode values, choice numbers)."""
    _write_qualtrics(cells, path, lang, "number")


def write_qualtrics_legacy(cells: _Cells, path: Path, lang: str = "en") -> None:
    """Qualtrics legacy CSV: V1..V10 tags over field names, numeric values, one column per choice, trailing comma."""
    meta = _qualtrics_meta_values(cells)
    n = cells.n
    legacy = [("V1", "ResponseID", meta["ResponseId"]), ("V2", "ResponseSet", np.full(n, "Default Response Set")),
              ("V3", "Name", np.full(n, "Anonymous")), ("V4", "ExternalDataReference", np.full(n, "")),
              ("V5", "EmailAddress", np.full(n, "")), ("V6", "IPAddress", meta["IPAddress"]),
              ("V7", "Status", meta["Status"]), ("V8", "StartDate", meta["StartDate"]),
              ("V9", "EndDate", meta["EndDate"]), ("V10", "Finished", meta["Finished"])]
    columns = [Column([tag, name], np.asarray(values, dtype=object)) for tag, name, values in legacy]
    columns += [Column([tag, text], values) for tag, text, values in
                _qualtrics_questions(cells, lang, "number", split_multi=True)]
    columns += [Column([name, name], meta[f"Location{name[8:]}"] if name != "LocationAccuracy"
                       else np.full(n, "-1", dtype=object))
                for name in ("LocationLatitude", "LocationLongitude", "LocationAccuracy")]
    columns.append(Column(["", ""], np.full(n, "", dtype=object)))  # every legacy line ends with a comma
    _write_csv(path, _rows(columns))


def write_qualtrics_sav(cells: _Cells, path: Path, lang: str = "sv") -> None:
    """Qualtrics SPSS export: metadata variables, Q tags with 'question - statement' labels and value labels."""
    cb = cells.cb
    meta = _qualtrics_meta_values(cells)
    frame = pd.DataFrame({(tag if tag != "Duration (in seconds)" else "Duration__in_seconds_"): meta[tag]
                          for tag, _, _ in _QUALTRICS_META})
    for numeric in ("Status", "Progress", "Duration__in_seconds_", "Finished", "LocationLatitude", "LocationLongitude"):
        frame[numeric] = frame[numeric].astype(float)
    labels = {name: text for name, text in zip(frame.columns, [t for _, t, _ in _QUALTRICS_META], strict=True)}
    value_labels: dict[str, dict[float, str]] = {}
    for tag, text, values in _qualtrics_questions(cells, lang, "number", split_multi=True):
        if text == cb.pii_labels["free_text"][lang][0]:
            frame[tag] = values
        else:
            frame[tag] = pd.to_numeric(pd.Series(values).replace("", np.nan)).astype(float)
        labels[tag] = text
    for k, name in enumerate(("stakeholder", "size_band", "role")):
        field_ = cb.profile[name]
        value_labels[f"Q{k + 1}"] = {float(field_.codes[key]["qualtrics"][0]): field_.levels[key][lang]
                                     for key in field_.levels}
    for tag, text in labels.items():
        scale = next((cb.scales[cb.item(i.id).scale] for i in cb.items if text.endswith(i.text[lang])), None)
        if scale is not None and tag.startswith("Q"):
            value_labels[tag] = {float(c): scale.levels[c][lang] for c in scale.codes} | {
                9.0: scale.missing["dont_know"][lang][0]}
    question = cb.multi_select["BAR"]
    for tag, text in labels.items():
        for option_labels in question.options.values():
            if text == f"{question.text[lang]} - {option_labels[lang]}":
                value_labels[tag] = {1.0: option_labels[lang]}
    write_sav_deterministic(frame, path, column_labels=[labels[c] for c in frame.columns],
                            variable_value_labels=value_labels, file_label="INNOCAP synthetic Qualtrics export")


# --- SurveyMonkey ------------------------------------------------------------------------------------------


def _surveymonkey_columns(cells: _Cells, lang: str) -> list[Column]:
    cb = cells.cb
    n = cells.n
    start, end, _ = cells.timestamps("%m/%d/%Y %I:%M:%S %p")
    ids = np.array([str(114_000_000_000 + int(x)) for x in np.sort(cells.rng.choice(10**9, n, replace=False))],
                   dtype=object)
    columns = [Column(["Respondent ID", ""], ids), Column(["Collector ID", ""], np.full(n, "431234567", dtype=object)),
               Column(["Start Date", ""], start), Column(["End Date", ""], end),
               Column(["IP Address", ""], np.array([f"198.51.100.{1 + i % 250}" for i in range(n)], dtype=object)),
               Column(["Email Address", ""], cells.pii["email"].to_numpy(dtype=object)),
               Column(["First Name", ""], np.full(n, "", dtype=object)),
               Column(["Last Name", ""], np.full(n, "", dtype=object)),
               Column(["Custom Data 1", ""], np.full(n, "", dtype=object))]
    for name in ("stakeholder", "size_band", "role"):
        columns.append(Column([cb.profile[name].text[lang], "Response"], cells.profile(name, "label", lang)))
    for group, ids_ in _items_by_question(cb):
        if len(ids_) == 1:
            columns.append(Column([cb.item(ids_[0]).text[lang], "Response"], cells.answers(ids_[0], "label", lang)))
            continue
        for k, item_id in enumerate(ids_):
            columns.append(Column([_stem(cb, group, lang) if k == 0 else "", cb.item(item_id).text[lang]],
                                  cells.answers(item_id, "label", lang)))
    question = cb.multi_select["BAR"]
    for k, (option, flags) in enumerate(cells.barriers().items()):
        label = cells.option_label(option, lang)
        columns.append(Column([question.text[lang] if k == 0 else "", label], np.where(flags, label, "").astype(object)))
    columns.append(Column(["", "Other (please specify)"], np.full(n, "", dtype=object)))
    columns.append(Column([cb.pii_labels["free_text"][lang][0], "Open-Ended Response"], cells.comments()))
    return columns


def write_surveymonkey(cells: _Cells, path: Path, lang: str = "en") -> None:
    """SurveyMonkey CSV (all responses, actual answer text), two header rows."""
    _write_csv(path, _rows(_surveymonkey_columns(cells, lang)))


def write_surveymonkey_xlsx(cells: _Cells, path: Path, lang: str = "fi") -> None:
    """SurveyMonkey XLSX (the same two header rows, in a workbook)."""
    write_xlsx_rows(_xlsx_rows(_surveymonkey_columns(cells, lang)), path, sheet_title="Sheet")


# --- Microsoft Forms, Google Forms -------------------------------------------------------------------------


def _question_columns(cells: _Cells, lang: str, header: Callable[[str, str, str], str]) -> list[Column]:
    """Profile questions and items with ``header(group, stem, statement)`` for matrix rows."""
    cb = cells.cb
    columns = [Column([cb.profile[name].text[lang]], cells.profile(name, "label", lang))
               for name in ("stakeholder", "size_band", "role")]
    for group, ids_ in _items_by_question(cb):
        for item_id in ids_:
            text = cb.item(item_id).text[lang]
            title = text if len(ids_) == 1 else header(group, _stem(cb, group, lang), text)
            columns.append(Column([title], cells.answers(item_id, "label", lang)))
    return columns


def write_msforms(cells: _Cells, path: Path, lang: str = "is") -> None:
    """Microsoft Forms Excel export: Likert statements as headers, multiple answers as ``a;b;``."""
    cb = cells.cb
    n = cells.n
    start, end, _ = cells.timestamps("%m/%d/%y %H:%M:%S")
    columns = [Column(["ID"], np.arange(1, n + 1).astype(str).astype(object)), Column(["Start time"], start),
               Column(["Completion time"], end), Column(["Email"], np.full(n, "anonymous", dtype=object)),
               Column(["Name"], np.full(n, "", dtype=object))]
    columns += _question_columns(cells, lang, lambda group, stem, statement: statement)
    columns.append(Column([cb.multi_select["BAR"].text[lang]], cells.joined_barriers(lang, ";", trailing=";")))
    columns.append(Column([cb.pii_labels["free_text"][lang][0]], cells.comments()))
    write_xlsx_rows(_xlsx_rows(columns, numeric=True), path, sheet_title="Sheet1")


def write_google_forms(cells: _Cells, path: Path, lang: str = "en") -> None:
    """Google Forms responses (CSV download of the sheet): Timestamp, no id, grids as ``Question [Row]``."""
    cb = cells.cb
    start, _, _ = cells.timestamps("%d/%m/%Y %H:%M:%S")
    columns = [Column(["Timestamp"], start), Column(["Email Address"], cells.pii["email"].to_numpy(dtype=object))]
    columns += _question_columns(cells, lang, lambda group, stem, statement: f"{stem} [{statement}]")
    columns.append(Column([cb.multi_select["BAR"].text[lang]], cells.joined_barriers(lang, ", ")))
    columns.append(Column([cb.pii_labels["free_text"][lang][0]], cells.comments()))
    _write_csv(path, _rows(columns), newline="\n")


# --- LimeSurvey --------------------------------------------------------------------------------------------


def _limesurvey_system(cells: _Cells, full: bool) -> list[Column]:
    n = cells.n
    start, end, _ = cells.timestamps()
    if full:
        names = ["Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started",
                 "Date last action", "IP address", "Referrer URL"]
    else:
        names = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl"]
    values = [np.arange(1, n + 1).astype(str).astype(object), end, np.full(n, "4", dtype=object),
              np.full(n, "fi" if full else "en", dtype=object),
              cells.rng.integers(10**8, 10**9, n).astype(str).astype(object), start, end,
              np.array([f"203.0.113.{1 + i % 250}" for i in range(n)], dtype=object), np.full(n, "", dtype=object)]
    return [Column([name], value) for name, value in zip(names, values, strict=True)]


def write_limesurvey_code(cells: _Cells, path: Path, lang: str = "en") -> None:
    """LimeSurvey CSV, question-code headings and answer codes (``SK[SQ001]``, ``A4``, multiple choice ``Y``)."""
    cb = cells.cb
    columns = _limesurvey_system(cells, full=False)
    # Question codes of the profile questions: LimeSurvey codes are alphanumeric, so size_band needs the column map.
    for code, name in (("stakeholder", "stakeholder"), ("SIZEBAND", "size_band"), ("ROLE", "role")):
        columns.append(Column([code], cells.profile(name, "limesurvey")))
    for item in cb.items:
        columns.append(Column([item.codes["limesurvey"][0]], cells.answers(item.id, "limesurvey")))
    question = cb.multi_select["BAR"]
    for option, flags in cells.barriers().items():
        header = f"{question.codes['limesurvey'][0]}[{question.option_codes[option]['limesurvey'][0]}]"
        columns.append(Column([header], np.where(flags, "Y", "").astype(object)))
    columns.append(Column(["COMMENTS"], cells.comments()))
    _write_csv(path, _rows(columns), newline="\n")


LIMESURVEY_CODE_COLUMN_MAP = {"SIZEBAND": "size_band", "ROLE": "role", "COMMENTS": "free_text"}


def write_limesurvey_full(cells: _Cells, path: Path, lang: str = "fi") -> None:
    """LimeSurvey CSV, full question texts (``Question [Subquestion]``) and full answers (multiple choice "Kyllä")."""
    cb = cells.cb
    columns = _limesurvey_system(cells, full=True)
    columns += _question_columns(cells, lang, lambda group, stem, statement: f"{stem} [{statement}]")
    question = cb.multi_select["BAR"]
    for option, flags in cells.barriers().items():
        columns.append(Column([f"{question.text[lang]} [{cells.option_label(option, lang)}]"],
                              np.where(flags, _YES[lang], "").astype(object)))
    columns.append(Column([cb.pii_labels["free_text"][lang][0]], cells.comments()))
    _write_csv(path, _rows(columns), newline="\n")


# --- Webropol, SurveyXact, Netigate ------------------------------------------------------------------------


def write_webropol(cells: _Cells, path: Path, lang: str = "fi") -> None:
    """Webropol CSV (``;``, UTF-8 with BOM): respondent number, response time, texts, 0/1 per option."""
    cb = cells.cb
    start, _, _ = cells.timestamps("%d.%m.%Y %H:%M")
    columns = [Column(["Vastaaja"], np.arange(1, cells.n + 1).astype(str).astype(object)),
               Column(["Vastausaika"], start)]
    columns += _question_columns(cells, lang, lambda group, stem, statement: statement)
    question = cb.multi_select["BAR"]
    for option, flags in cells.barriers().items():
        columns.append(Column([f"{question.text[lang]} - {cells.option_label(option, lang)}"],
                              np.where(flags, "1", "0").astype(object)))
    columns.append(Column([cb.pii_labels["email"][lang][0]], cells.pii["email"].to_numpy(dtype=object)))
    columns.append(Column([cb.pii_labels["free_text"][lang][0]], cells.comments()))
    _write_csv(path, _rows(columns), sep=";", bom=True)


def surveyxact_column_map(cb: Codebook) -> dict[str, str]:
    """SurveyXact variable names (``s_1`` ...) -> codebook names, as a manifest's column map gives them."""
    names = ["stakeholder", "size_band", "role", *cb.item_ids]
    mapping = {f"s_{k}": name for k, name in enumerate(names, start=1)}
    question = cb.multi_select["BAR"]
    mapping |= {f"s_{len(names) + 1}_{k}": question.column(option) for k, option in enumerate(question.options, 1)}
    return mapping


def write_surveyxact(cells: _Cells, path: Path, lang: str = "sv") -> None:
    """SurveyXact dataset (XLSX): respondentid, status and time variables, numeric question variables."""
    cb = cells.cb
    n = cells.n
    start, end, _ = cells.timestamps("%d-%m-%Y %H:%M:%S")
    columns = [Column(["respondentid"], np.arange(5001, 5001 + n).astype(str).astype(object)),
               Column(["email"], cells.pii["email"].to_numpy(dtype=object)),
               Column(["name"], cells.pii["name"].to_numpy(dtype=object)),
               Column(["created"], start), Column(["starttime"], start), Column(["closetime"], end),
               Column(["statuscode"], np.full(n, "2", dtype=object))]
    mapping = surveyxact_column_map(cb)
    for variable, name in mapping.items():
        if name in cb.profile:
            values = cells.profile(name, "surveyxact")
        elif name in cb.item_ids:
            values = cells.answers(name, "number")
        else:
            option = name.removeprefix("BAR_")
            values = np.where(cells.barriers()[option], "1", "0").astype(object)
        columns.append(Column([variable], values))
    write_xlsx_rows(_xlsx_rows(columns, numeric=True), path, sheet_title="Dataset")


def write_netigate(cells: _Cells, path: Path, lang: str = "sv") -> None:
    """Netigate CSV: numbered ``n. stem - statement`` headers, answers as text, options as text/blank."""
    cb = cells.cb
    n = cells.n
    start, end, _ = cells.timestamps()
    columns = [Column(["Respondent ID"], np.array([f"N{700000 + i}" for i in range(n)], dtype=object)),
               Column(["Status"], np.full(n, "Completed", dtype=object)), Column(["Start date"], start),
               Column(["End date"], end)]
    number = 0
    for name in ("stakeholder", "size_band", "role"):
        number += 1
        columns.append(Column([f"{number}. {cb.profile[name].text[lang]}"], cells.profile(name, "label", lang)))
    for group, ids_ in _items_by_question(cb):
        number += 1
        for item_id in ids_:
            text = cb.item(item_id).text[lang]
            title = f"{number}. {text}" if len(ids_) == 1 else f"{number}. {_stem(cb, group, lang)} - {text}"
            columns.append(Column([title], cells.answers(item_id, "label", lang)))
    number += 1
    question = cb.multi_select["BAR"]
    for option, flags in cells.barriers().items():
        label = cells.option_label(option, lang)
        columns.append(Column([f"{number}. {question.text[lang]} - {label}"], np.where(flags, label, "").astype(object)))
    _write_csv(path, _rows(columns), sep=";", bom=True)


# --- plain -------------------------------------------------------------------------------------------------


def write_plain(cells: _Cells, path: Path, lang: str = "en") -> None:
    """The plain layout of ``docs/codebook.md``: item ids as headers, labels as answers, one column per option."""
    cb = cells.cb
    columns = [Column([cb.respondent_id], cells.resp[cb.respondent_id].to_numpy(dtype=object))]
    columns += [Column([name], cells.profile(name, "label", lang)) for name in ("stakeholder", "size_band", "role")]
    columns += [Column([item.id], cells.answers(item.id, "label", lang)) for item in cb.items]
    question = cb.multi_select["BAR"]
    columns += [Column([question.column(option)], np.where(flags, "1", "").astype(object))
                for option, flags in cells.barriers().items()]
    _write_csv(path, _rows(columns), newline="\n")


#: Writer name -> (function, export layout the loader should detect, file suffix, export language).
WRITERS: dict[str, tuple[Callable[..., None], str, str, str]] = {
    "qualtrics": (write_qualtrics, "qualtrics", ".csv", "en"),
    "qualtrics_numeric": (write_qualtrics_numeric, "qualtrics", ".csv", "en"),
    "qualtrics_legacy": (write_qualtrics_legacy, "qualtrics_legacy", ".csv", "en"),
    "qualtrics_sav": (write_qualtrics_sav, "qualtrics_sav", ".sav", "sv"),
    "surveymonkey": (write_surveymonkey, "surveymonkey", ".csv", "en"),
    "surveymonkey_xlsx": (write_surveymonkey_xlsx, "surveymonkey", ".xlsx", "fi"),
    "msforms": (write_msforms, "msforms", ".xlsx", "is"),
    "google_forms": (write_google_forms, "google_forms", ".csv", "en"),
    "limesurvey_code": (write_limesurvey_code, "limesurvey_code", ".csv", "en"),
    "limesurvey_full": (write_limesurvey_full, "limesurvey_full", ".csv", "fi"),
    "webropol": (write_webropol, "webropol", ".csv", "fi"),
    "surveyxact": (write_surveyxact, "surveyxact", ".xlsx", "sv"),
    "netigate": (write_netigate, "netigate", ".csv", "sv"),
    "plain": (write_plain, "plain", ".csv", "en"),
}


def write_tool_export(writer: str, truth: SyntheticSurvey, region: str, out_dir: str | Path,
                      codebook: Codebook | None = None, seed: int = 0, name: str | None = None,
                      language: str | None = None) -> ToolExport:
    """Write one region of ``truth`` as the tool behind ``writer`` exports it (see :data:`WRITERS`).

    Returns the path with the manifest entry that loads it exactly: ``tool``, ``region``,
    ``country`` (the file has neither column), ``language`` and, where the layout needs
    one, ``column_map``.
    """
    cb = codebook or load_codebook()
    function, layout, suffix, default_language = WRITERS[writer]
    lang = language or default_language
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / (name or f"{region}_{writer}_{lang}{suffix}")
    cells = _Cells(truth, cb, region, seed)
    function(cells, path, lang)
    country = str(cells.resp["country"].iloc[0])
    entry: dict[str, object] = {"path": path.name, "tool": layout, "region": region, "country": country,
                                "language": lang}
    if writer == "limesurvey_code":
        entry["column_map"] = dict(LIMESURVEY_CODE_COLUMN_MAP)
    if writer == "surveyxact":
        entry["column_map"] = surveyxact_column_map(cb)
    return ToolExport(path, layout, region, lang, entry, cells.n)
