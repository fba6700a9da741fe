"""``innocap validate``: exit codes, messages naming file/row/column/value, JSON, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from survey_helpers import write_small_codebook

from innocap_analysis.app.cli import main

DATA = Path(__file__).parent / "data" / "survey"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """INNOCAP v1 restricted to the three items the hand-written fixtures carry (DS1-DS3)."""
    return str(write_small_codebook(tmp_path_factory.mktemp("codebook")))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_unknown_label.csv", "bad_unknown_label.csv, row 3, column 'DS2': unknown label: value 'Agreed'"),
        ("bad_out_of_range.csv",
         "bad_out_of_range.csv, row 4, column 'DS3': code out of range (scale 1-5): value '7'"),
        ("bad_duplicate_id.csv", "bad_duplicate_id.csv, row 4, column 'respondent_id': duplicate respondent id "
                                 "(first in bad_duplicate_id.csv row 3): value 'A2'"),
        ("bad_missing_column.csv", "bad_missing_column.csv, column 'stakeholder': missing required column"),
        ("empty.csv", "empty.csv: empty file: no data rows"),
    ],
)
def test_invalid_exports_exit_1_and_name_the_problem(capsys, small, name, expected):
    assert main(["validate", str(DATA / name), "--codebook", small]) == 1
    out = capsys.readouterr()
    assert f"error: {expected}" in out.out
    assert "Traceback" not in out.out + out.err


def test_valid_export_exit_0(capsys, small):
    assert main(["validate", str(DATA / "good_en.csv"), "--codebook", small]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_items_the_export_lacks_are_problems_exit_1(capsys):
    # Against the full INNOCAP v1 instrument, good_en.csv lacks 33 of its 36 items.
    assert main(["validate", str(DATA / "good_en.csv")]) == 1
    out = capsys.readouterr().out
    assert out.count("codebook item not in the export") == 33
    assert "error: good_en.csv, column 'SK1': codebook item not in the export" in out


def test_unreadable_encoding_exits_1_and_missing_files_exit_2(capsys, tmp_path):
    # an undecodable export is bad data (exit 1, like every bad-input class); a missing file or a
    # broken codebook is a usage error (exit 2)
    assert main(["validate", str(DATA / "bad_encoding.csv")]) == 1
    assert "bad_encoding.csv: unreadable: text encoding not recognised" in capsys.readouterr().out
    assert main(["validate", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
    bad_codebook = tmp_path / "cb.yaml"
    bad_codebook.write_text("instrument: x\n", encoding="utf-8")
    assert main(["validate", str(DATA / "good_en.csv"), "--codebook", str(bad_codebook)]) == 2
    assert "missing top-level key" in capsys.readouterr().err


def test_json_report(capsys, small):
    assert main(["validate", str(DATA / "bad_out_of_range.csv"), "--json", "--codebook", small]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert report["rows_read"] == 3 and report["rows_kept"] == 3
    assert report["rejected"] == [{"file": "bad_out_of_range.csv", "row": 4, "column": "DS3", "value": "7",
                                   "reason": "code out of range (scale 1-5)", "action": "cell set to NA"}]


def test_codebook_option_with_handmade_instrument(capsys):
    code = main(["validate", str(DATA / "mini_de_cp1252.tsv"), "--codebook", str(DATA / "mini_instrument.yaml")])
    assert code == 0, capsys.readouterr().out


def test_console_script_has_no_traceback_on_garbage(tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02\xff" * 50)
    proc = subprocess.run([sys.executable, "-m", "innocap_analysis.app.cli", "validate", str(garbage)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "garbage.csv: unreadable" in proc.stdout
