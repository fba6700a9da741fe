"""Published outputs (stored notebook outputs, tables, the report) carry no personal data.

Scans every notebook's stored outputs and every published table for email addresses,
phone numbers, respondent or panel keys and free-text answers, and checks that no table
has a column that the codebook marks as personal data.
"""

import json
import re

import docx
import openpyxl
import pandas as pd
import pytest

from innocap_analysis import config
from innocap_analysis.survey import load_codebook

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# International (+353 74 912 3456) and national (074-912 3456) phone numbers: the separators are
# required, so sha256 digests, populations and base64 images do not match.
PHONE = re.compile(r"(?<![\w.])(\+\d{1,3}[ -]\(?\d{1,4}\)?([ -]\d{2,4}){2,4}|0\d{1,4}[ -]\d{3,4}[ -]\d{3,4})(?![\w.])")
# Respondent ids of the illustrative exports look like IE-012, SE-045; panel keys are hex digests.
RESPONDENT_ID = re.compile(r"\b(IE|SE|FI|IS|CA|NL)-\d{3}\b")

CODEBOOK = load_codebook()


def _notebook_texts():
    for path in sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                data = {k: v for k, v in output.get("data", {}).items() if not k.startswith("image/")}
                yield path.name, json.dumps({"text": output.get("text", ""), "data": data})


def _office_text(path):
    """The cell texts of an XLSX or DOCX table (both are zip archives, not text)."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(" ".join("" if v is None else str(v) for v in row)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def _table_texts():
    for path in sorted(config.TABLES_DIR.glob("*.*")):
        if path.suffix in {".xlsx", ".docx"}:
            yield path.name, _office_text(path)
        else:
            yield path.name, path.read_text(encoding="utf-8")
    for path in sorted((config.FIGURES_DIR / "sections").glob("*.md")):
        yield path.name, path.read_text(encoding="utf-8")
    report = config.FIGURES_DIR / "evidence_report.html"
    if report.exists():
        html = re.sub(r'(src|href)="data:[^"]*"', "", report.read_text(encoding="utf-8"))
        yield report.name, html


def _all_texts():
    yield from _notebook_texts()
    yield from _table_texts()


@pytest.mark.parametrize("pattern", [EMAIL, PHONE, RESPONDENT_ID], ids=["email", "phone", "respondent_id"])
def test_no_personal_identifiers_in_published_outputs(pattern):
    hits = [(name, m.group(0)) for name, text in _all_texts() for m in pattern.finditer(text)]
    assert hits == [], f"personal identifiers in published outputs: {hits[:10]}"


def test_scanner_detects_what_it_must():
    assert EMAIL.search("contact ie-001@example.org today")
    assert PHONE.search("call +353 74 912 3456") and PHONE.search("call 074-912 3456")
    assert not PHONE.search("population 411976.0, sha 2d9c0a7f1b, 2021-01-01")
    assert RESPONDENT_ID.search("duplicate IE-012")


def test_no_table_has_a_personal_data_column():
    pii_headers = {label.casefold() for labels in CODEBOOK.pii_labels.values() for lang in labels.values()
                   for label in lang} | {key.casefold() for key in CODEBOOK.pii}
    pii_headers |= {"panel_key", "organisation_key", CODEBOOK.respondent_id.casefold()}
    # Geography notebooks (00, 04) hold no survey data; their "name" column is a region's name.
    manifest = pd.read_csv(config.FIGURES_MANIFEST, dtype=str)
    geography = {"00_programme_area.ipynb", "04_service_distance.ipynb"}
    survey_tables = set(manifest.loc[~manifest["notebook"].isin(geography), "file"])
    offenders = []
    for path in sorted(config.TABLES_DIR.glob("*.csv")):
        if f"tables/{path.name}" not in survey_tables:
            continue
        columns = {c.casefold() for c in pd.read_csv(path, nrows=0).columns}
        offenders += [(path.name, c) for c in columns & pii_headers]
    assert offenders == [], f"tables with personal-data columns: {offenders}"


def test_free_text_answers_never_published():
    # The illustrative Finnish export carries a free-text column ("Vapaa sana"); none of its answers
    # may appear in any output.
    raw = pd.read_csv(config.ILLUSTRATIVE_SURVEY_DIR / "south_savo_webropol_fi.csv", sep=";", encoding="utf-8-sig",
                      dtype=str, keep_default_na=False)
    answers = {a.strip() for a in raw["Vapaa sana"] if len(a.strip()) >= 12}
    assert answers, "the fixture should contain free-text answers to look for"
    leaks = [(name, a) for name, text in _all_texts() for a in answers if a in text]
    assert leaks == [], f"free-text answers in outputs: {leaks[:5]}"
