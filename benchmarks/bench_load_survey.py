"""Benchmark: loading 100,000 respondents x 60 items with ``load_survey``.

Measures wall time and peak traced memory of :func:`innocap_analysis.survey.load_survey`
on seeded synthetic exports in the codebook format (60 five-point items answered as a
mix of English, Finnish, Swedish and Icelandic labels and numeric codes, 6% blanks and
don't-knows, stray whitespace and ``"4.0"`` artefacts, plus profile and e-mail columns):

* CSV (semicolon, UTF-8 with BOM), 100,000 rows;
* SPSS ``.sav`` with value labels, 100,000 rows;
* XLSX, 10,000 rows (the openpyxl peer would take minutes on all rows; the layouts below read XLSX at full size).

Then every export layout the loader reads (Qualtrics CSV choice text and numeric, legacy and
SAV; SurveyMonkey CSV and XLSX; Microsoft Forms; Google Forms; LimeSurvey code and full text;
Webropol; SurveyXact; Netigate; plain), written by ``innocap_analysis.synthetic.exports`` from
a seeded truth of 100,000 respondents x 60 items (XLSX layouts included), loaded with
the layout detected, every code, missing reason and barrier flag checked against the truth,
beside the parser alone (``pandas.read_csv``/``read_excel``/``pyreadstat.read_sav``).

Peers on the same files: ``pandas.read_csv`` alone (parsing only, no validation) and a
minimal hand-written harmonisation (``read_csv`` + strip + ``Series.map`` of a
label->code dict per column, no validation, no report); ``pyreadstat.read_sav`` for
SPSS; ``pandas.read_excel`` for XLSX. The ratio says what validation, multilingual
matching and the report cost on top of plain parsing.

Run ``.venv/bin/python benchmarks/bench_load_survey.py`` (``--quick`` for a smoke run of
2,000 rows); writes ``benchmarks/results/bench_load_survey.md`` (``bench_load_survey_quick.md``
with ``--quick``). The last column is peer time / ``load_survey`` time.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _results import write_results  # benchmarks/_results.py: where results are written

from innocap_analysis import config  # noqa: E402
from innocap_analysis.survey import load_survey, normalise_text  # noqa: E402
from innocap_analysis.survey.codebook import parse_codebook  # noqa: E402
from innocap_analysis.synthetic import SyntheticSurvey  # noqa: E402
from innocap_analysis.synthetic.exports import WRITERS, write_tool_export  # noqa: E402

N_ITEMS = 60


def bench_codebook():
    """The INNOCAP v1 codebook with its capability items cloned up to 60 items."""
    raw = yaml.safe_load(config.DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    base = [item for item in raw["items"] if item["role"] == "capability"]
    items = []
    for k in range(N_ITEMS):
        item = copy.deepcopy(base[k % len(base)])
        item["id"] = f"B{k + 1:02d}"
        item["text"] = {lang: f"{text} (no. {k + 1})" for lang, text in item["text"].items()}
        item["codes"] = {"limesurvey": f"B[SQ{k + 1:03d}]"}
        items.append(item)
    raw["items"] = items
    return parse_codebook(raw, "bench")


def make_frame(cb, n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Export cells (str) and the true codes (0 = missing)."""
    rng = np.random.default_rng(seed)
    scale = cb.scales["agree5"]
    langs = cb.languages
    codes = rng.integers(1, 6, size=(n, N_ITEMS))
    missing = rng.random((n, N_ITEMS)) < 0.06
    codes[missing] = 0
    lang_of_row = rng.integers(0, len(langs) + 1, size=n)  # last = numeric codes
    table = {lang: np.array([""] + [scale.levels[c][lang] for c in scale.codes], dtype=object) for lang in langs}
    cells = np.empty((n, N_ITEMS), dtype=object)
    for j, lang in enumerate(langs):
        rows = lang_of_row == j
        cells[rows] = table[lang][codes[rows]]
    rows = lang_of_row == len(langs)
    cells[rows] = np.where(codes[rows] > 0, codes[rows].astype(str), "")
    dont_know = missing & (rng.random((n, N_ITEMS)) < 0.5)
    cells[dont_know] = "Don't know"
    spaced = rng.random((n, N_ITEMS)) < 0.02
    cells[spaced] = " " + cells[spaced] + " "
    floats = (rng.random((n, N_ITEMS)) < 0.02) & (codes > 0) & (lang_of_row == len(langs))[:, None]
    cells[floats] = codes[floats].astype(str).astype(object) + ".0"
    frame = pd.DataFrame(cells, columns=[i.id for i in cb.items])
    regions = list(cb.profile["region"].levels)
    countries = {"donegal": "IE", "vasternorrland": "SE", "south_savo": "FI", "south_iceland": "IS",
                 "newfoundland_labrador": "CA"}
    region = rng.choice(regions, size=n)
    frame.insert(0, "respondent_id", [f"R{k:06d}" for k in range(n)])
    frame.insert(1, "region", region)
    frame.insert(2, "country", [countries[r] for r in region])
    frame.insert(3, "stakeholder", rng.choice(list(cb.profile["stakeholder"].levels), size=n))
    frame["Email"] = [f"r{k}@example.org" for k in range(n)]
    return frame, codes


def bench_truth(cb, n: int, seed: int) -> SyntheticSurvey:
    """A generator-style truth for ``n`` respondents of one region (the layout writers' input)."""
    rng = np.random.default_rng(seed)
    stakeholder = rng.choice(list(cb.profile["stakeholder"].levels), size=n, p=[0.4, 0.4, 0.2])
    responses = pd.DataFrame({
        "respondent_id": pd.array([f"IE-{k:06d}" for k in range(n)], dtype="string"),
        "region": pd.Categorical(["donegal"] * n, categories=list(cb.profile["region"].levels)),
        "country": pd.Categorical(["IE"] * n, categories=list(cb.profile["country"].levels)),
        "stakeholder": pd.Categorical(stakeholder, categories=list(cb.profile["stakeholder"].levels)),
        "size_band": pd.Categorical(rng.choice(list(cb.profile["size_band"].levels), size=n),
                                    categories=list(cb.profile["size_band"].levels)),
        "role": pd.Categorical(rng.choice(list(cb.profile["role"].levels), size=n),
                               categories=list(cb.profile["role"].levels)),
    })
    reasons = {}
    for item in cb.items:
        missing = rng.random(n) < 0.06
        reason = np.where(missing, np.where(rng.random(n) < 0.5, "dont_know", "blank"), None).astype(object)
        responses[item.id] = pd.arrays.IntegerArray(rng.integers(1, 6, size=n), missing)
        reasons[item.id] = pd.array(reason, dtype="string")
    for column in cb.multi_select_columns:
        responses[column] = pd.array(rng.random(n) < 0.35, dtype="boolean")
    ids = responses["respondent_id"].to_numpy(dtype=object)
    pii = pd.DataFrame({"respondent_id": ids, "name": [f"Test Person {i}" for i in ids],
                        "email": [f"{i.lower()}@example.org" for i in ids], "organisation": "Example Org",
                        "free_text": np.where(rng.random(n) < 0.1, "We need broadband.", "").astype(object)})
    return SyntheticSurvey(responses, pd.DataFrame(reasons), pii, seed)


def _parse_only(path: Path, layout: str):
    import pyreadstat

    if path.suffix == ".sav":
        return lambda: pyreadstat.read_sav(path, apply_value_formats=True)
    if path.suffix == ".xlsx":
        return lambda: pd.read_excel(path, header=None, dtype=str, engine="calamine")
    sep = ";" if layout in ("webropol", "netigate") else ","
    return lambda: pd.read_csv(path, sep=sep, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def with_shared_strings(path: Path) -> Path:
    """The same workbook rewritten by XlsxWriter, which (like Excel) stores each text once, in a shared-string table.

    openpyxl, which writes our fixtures, stores every text cell inline; the sheet's XML is then about
    twice as large and calamine parses it about twice as slowly. Cell values and types are kept.
    """
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    target = path.with_name(path.stem + "_shared.xlsx")
    book = xlsxwriter.Workbook(target, {"default_date_format": "yyyy-mm-dd hh:mm:ss"})
    sheet = book.add_worksheet("Sheet1")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return target


def bench_layouts(cb, n: int, n_xlsx: int, repeats: int, folder: Path) -> pd.DataFrame:
    """Load time of every export layout, checked against the truth, beside the parser alone.

    Each XLSX layout is measured twice: as openpyxl writes it (text inline in every cell) and
    rewritten with a shared-string table (:func:`with_shared_strings`), as Excel writes workbooks.
    """
    rows = []
    truths = {size: bench_truth(cb, size, seed=3) for size in {n, n_xlsx}}
    for k, (writer, (_, layout, suffix, _)) in enumerate(WRITERS.items()):
        size = n_xlsx if suffix == ".xlsx" else n
        truth = truths[size]
        export = write_tool_export(writer, truth, "donegal", folder, cb, seed=k)
        variants = [(writer, export.path)]
        if suffix == ".xlsx":
            variants.append((f"{writer} (shared strings)", with_shared_strings(export.path)))
        for name, path in variants:
            facts = {"file_profile": {path.name: {"region": "donegal", "country": "IE"}},
                     "column_map": export.manifest.get("column_map")}
            t, survey = measure(lambda path=path, facts=facts: load_survey(path, cb, errors="report", **facts),
                                repeats)
            files = survey.report.files.iloc[0]
            got = survey.responses.sort_values("source_row")
            exact = (files["layout"] == layout and survey.report.ok and len(got) == size
                     and all(got[i].reset_index(drop=True).equals(truth.responses[i]) for i in cb.item_ids)
                     and all(got[c].tolist() == truth.responses[c].tolist() for c in cb.multi_select_columns))
            assert exact, f"{name}: load_survey differs from the truth"
            parse, _ = measure(_parse_only(path, layout), repeats)
            rows.append((name, layout, suffix[1:], size, t, parse, path.stat().st_size / 2**20))
            print(f"  {name:32s} {size:>7,} rows  load {t:6.2f} s  parse only {parse:6.2f} s", flush=True)
            path.unlink()
    return pd.DataFrame(rows, columns=["writer", "layout", "format", "rows", "seconds", "parse_seconds", "MiB"])


def layout_verdict(layouts: pd.DataFrame, goal_seconds: float = 5.0) -> str:
    """One sentence per format: the range of load times against the goal, and what the parser alone takes."""
    parts = []
    kind = layouts["format"].str.upper() + np.where(
        layouts["format"] == "xlsx",
        np.where(layouts["writer"].str.contains("shared strings"), " (shared strings)", " (inline strings)"), "")
    for fmt, group in layouts.groupby(kind, sort=True):
        slowest = group["seconds"].max()
        verdict = "within" if slowest <= goal_seconds else "not within"
        parts.append(f"{fmt} layouts load in {group['seconds'].min():.1f}-{slowest:.1f} s ({verdict} "
                     f"the {goal_seconds:g} s goal; the parser alone takes {group['parse_seconds'].min():.1f}-"
                     f"{group['parse_seconds'].max():.1f} s of it)")
    return "; ".join(parts) + "."


def measure(fn, repeats: int):
    """Best wall time over ``repeats`` runs and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def peak_memory(method: str, path: Path) -> float:
    """Peak resident memory added by one call, in MiB, measured in a fresh process.

    The resident-set high-water mark counts every allocation (numpy, Arrow, openpyxl),
    unlike tracemalloc, and a fresh process keeps earlier runs from hiding the peak.
    """
    out = subprocess.run([sys.executable, __file__, "--peak-memory", method, str(path)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _one_call(method: str, path: Path) -> None:
    cb = bench_codebook()
    import pyreadstat

    calls = {
        "load_survey": lambda: load_survey(path, cb, errors="report"),
        "naive": lambda: naive_harmonise(path, cb, ";"),
        "read_csv": lambda: pd.read_csv(path, sep=";", dtype=str, keep_default_na=False),
        "read_sav": lambda: pyreadstat.read_sav(path, apply_value_formats=True),
        "read_excel": lambda: pd.read_excel(path, dtype=str, engine="openpyxl"),
        "read_excel_calamine": lambda: pd.read_excel(path, dtype=str, engine="calamine"),
    }
    before = _high_water_kib()
    calls[method]()
    print((_high_water_kib() - before) / 1024)


def _high_water_kib() -> int:
    # VmHWM (peak resident set of this process image, KiB). Not ru_maxrss: Linux carries ru_maxrss
    # over from the parent across fork/exec, which would hide the peak of a child started by a big parent.
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def naive_harmonise(path: Path, cb, sep: str) -> pd.DataFrame:
    """The peer: parse, strip, map labels of every language and codes to integers; no validation."""
    frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    scale = cb.scales["agree5"]
    lookup = {normalise_text(lab): c for c, per in scale.levels.items() for lab in per.values()}
    lookup.update({str(c): c for c in scale.codes} | {f"{c}.0": c for c in scale.codes})
    for item in cb.item_ids:
        frame[item] = frame[item].str.strip().str.casefold().map(lookup).astype("Int64")
    return frame


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 rows, one repeat (smoke run)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peak-memory", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak_memory:
        _one_call(args.peak_memory[0], Path(args.peak_memory[1]))
        return 0
    n = 2_000 if args.quick else args.rows
    n_xlsx = max(n // 10, 200)
    repeats = 1 if args.quick else args.repeats
    cb = bench_codebook()
    frame, codes = make_frame(cb, n, seed=1)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        csv_path = folder / "bench.csv"
        csv_path.write_bytes(b"\xef\xbb\xbf" + frame.to_csv(sep=";", index=False).encode("utf-8"))

        t, survey = measure(lambda: load_survey(csv_path, cb, errors="report"), repeats)
        mem = peak_memory("load_survey", csv_path)
        got = survey.responses[cb.item_ids].fillna(0).to_numpy(dtype=np.int64)
        assert survey.report.rows_kept == n and (got == codes).all(), "load_survey codes differ from the truth"
        rows.append(("CSV", n, "load_survey (validated, report)", t, mem))
        t, peer = measure(lambda: naive_harmonise(csv_path, cb, ";"), repeats)
        mem = peak_memory("naive", csv_path)
        peer_codes = peer[cb.item_ids].fillna(0).to_numpy(dtype=np.int64)
        agree = float((peer_codes == codes).mean())
        rows.append(("CSV", n, f"peer: read_csv + strip + map (no validation; {agree:.1%} cells agree)", t, mem))
        t, _ = measure(lambda: pd.read_csv(csv_path, sep=";", dtype=str, keep_default_na=False), repeats)
        mem = peak_memory("read_csv", csv_path)
        rows.append(("CSV", n, "peer: pandas.read_csv only", t, mem))

        import pyreadstat

        sav = pd.DataFrame({"respondent_id": frame["respondent_id"]})
        value_labels = {}
        for column in ("region", "country", "stakeholder"):
            keys = sorted(frame[column].unique())
            sav[column] = frame[column].map({k: float(i) for i, k in enumerate(keys)})
            value_labels[column] = {float(i): k for i, k in enumerate(keys)}
        scale = cb.scales["agree5"]
        for j, item in enumerate(cb.item_ids):
            sav[item] = np.where(codes[:, j] > 0, codes[:, j], np.nan)
            value_labels[item] = {float(c): scale.levels[c]["is"] for c in scale.codes}
        sav_path = folder / "bench.sav"
        pyreadstat.write_sav(sav, sav_path, variable_value_labels=value_labels)
        t, survey = measure(lambda: load_survey(sav_path, cb, errors="report"), repeats)
        mem = peak_memory("load_survey", sav_path)
        assert (survey.responses[cb.item_ids].fillna(0).to_numpy(dtype=np.int64) == codes).all()
        rows.append(("SAV", n, "load_survey (value labels, validated)", t, mem))
        t, _ = measure(lambda: pyreadstat.read_sav(sav_path, apply_value_formats=True), repeats)
        mem = peak_memory("read_sav", sav_path)
        rows.append(("SAV", n, "peer: pyreadstat.read_sav(apply_value_formats=True)", t, mem))

        xlsx_path = folder / "bench.xlsx"
        frame.head(n_xlsx).to_excel(xlsx_path, index=False)
        t, survey = measure(lambda: load_survey(xlsx_path, cb, errors="report"), 1)
        mem = peak_memory("load_survey", xlsx_path)
        assert survey.report.rows_kept == n_xlsx
        rows.append(("XLSX", n_xlsx, "load_survey", t, mem))
        t, _ = measure(lambda: pd.read_excel(xlsx_path, dtype=str, engine="openpyxl"), 1)
        mem = peak_memory("read_excel", xlsx_path)
        rows.append(("XLSX", n_xlsx, "peer: pandas.read_excel (openpyxl)", t, mem))
        t, _ = measure(lambda: pd.read_excel(xlsx_path, dtype=str, engine="calamine"), 1)
        mem = peak_memory("read_excel_calamine", xlsx_path)
        rows.append(("XLSX", n_xlsx, "peer: pandas.read_excel (calamine)", t, mem))

        print("every export layout:", flush=True)
        layouts = bench_layouts(cb, n, n, repeats, folder)  # every layout at full size: XLSX is read by calamine

    table = pd.DataFrame(rows, columns=["format", "rows", "method", "seconds", "peak_MiB"])
    base = table.groupby("format")["seconds"].transform("first")
    table["ratio_to_load_survey"] = (table["seconds"] / base).round(2)
    lines = [
        "## bench_load_survey: load 100,000 respondents x 60 items",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()}, pandas {pd.__version__})"
        + (" -- QUICK smoke run, not the reported numbers" if args.quick else "")
        + f"; best of {repeats} for CSV and SAV, 1 for XLSX; peak memory is the growth of the peak resident set "
        "(VmHWM) during one call in a fresh process.",
        "",
        "Each file: respondent id, region, country, stakeholder, 60 five-point items (labels in en/fi/sv/is "
        "and numeric codes, 6% blank or don't know, 2% stray whitespace, 2% `4.0`), and an e-mail column "
        "(PII, dropped). `load_survey` results were checked cell by cell against the generating codes.",
        "",
        "| format | rows | method | seconds | peak MiB | peer time / load_survey time |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for r in table.itertuples():
        lines.append(f"| {r.format} | {r.rows:,} | {r.method} | {r.seconds:.2f} | {r.peak_MiB:.0f} | "
                     f"{r.ratio_to_load_survey:.2f} |")
    lines += [
        "",
        "### Every export layout",
        "",
        "Each tool's export written by `innocap_analysis.synthetic.exports` from a seeded truth (60 items, "
        "3 profile questions, 7 barrier options, tool metadata and personal-data columns), loaded by "
        "`load_survey` with the layout detected from the headers; every code, missing reason and barrier "
        f"flag was checked against the truth. Best of {repeats}. The parser alone is "
        "`pandas.read_csv`/`read_excel` (calamine; `header=None`, strings) or `pyreadstat.read_sav`.",
        "",
        "| writer | layout | format | rows | MiB | load_survey s | rows / s | parser alone s | load / parse |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in layouts.itertuples():
        lines.append(f"| {r.writer} | {r.layout} | {r.format} | {r.rows:,} | {r.MiB:.1f} | {r.seconds:.2f} | "
                     f"{r.rows / r.seconds:,.0f} | {r.parse_seconds:.2f} | {r.seconds / r.parse_seconds:.1f} |")
    lines += ["", layout_verdict(layouts), "", "Timings on a shared machine are indicative.", ""]
    print("\n".join(lines))
    write_results("bench_load_survey", lines, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
