"""The evidence report (HTML and PDF): navigation, readable tables, sections, and its layout in headless Chromium.

The Chromium tests are skipped only when the Debian package chromium is not installed (.ci/run installs it).
"""

import base64
import csv
import io
import re
import shutil
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from innocap_analysis import config  # noqa: E402
from innocap_analysis.app.build import MANIFEST_COLUMNS  # noqa: E402
from innocap_analysis.app.pdf_report import write_pdf_report  # noqa: E402
from innocap_analysis.app.report import COLLAPSE_ROWS, write_evidence_report  # noqa: E402
from innocap_analysis.evidence.publish import save_figure, save_section, save_table  # noqa: E402

sys.path.insert(0, str(config.PROJECT_ROOT / "tools"))
from check_report import check_overflow, check_report  # noqa: E402

REPORT = config.FIGURES_DIR / "evidence_report.html"
NO_CHROMIUM = shutil.which("chromium") is None and shutil.which("chromium-browser") is None
needs_chromium = pytest.mark.skipif(NO_CHROMIUM, reason="Debian package chromium not installed (apt-get install "
                                    "chromium; .ci/run does)")

SECTION = """# Findings in brief

Capability gaps are widest where services are farthest (illustrative data).

## What the partners asked

- a ranked list of priorities
- the distance burden per area
"""


def _manifest_row(file, kind, notebook, caption):
    return {"file": file, "kind": kind, "sha256": "0" * 64, "notebook": notebook, "caption": caption, "inputs": "",
            "notebook_source_sha256": "", "package_version": "0", "git_commit": "x"}


def _write_manifest(root, rows):
    with open(root / "MANIFEST.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small figure folder as the build leaves it: a figure, a short and a long wide table, a section."""
    root = tmp_path_factory.mktemp("figures")
    rows = []
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([1, 2, 3])
    for path in save_figure(fig, "01_probe_line", directory=root, caption="A line, illustrative data."):
        rows.append(_manifest_row(path.name, "figure", "01_probe.ipynb", "A line, illustrative data."))
    short = pd.DataFrame({"region": ["vasternorrland", "south_iceland"], "n_linked": [12, 7],
                          "share_beyond_25km": [0.5, 0.125], "suppressed": [False, False]})
    for path in save_table(short, "01_short", "Short table (illustrative).", counts=["n_linked"],
                           directory=root / "tables"):
        rows.append(_manifest_row(f"tables/{path.name}", "table", "01_probe.ipynb", "Short table (illustrative)."))
    rng = np.random.default_rng(0)
    wide = pd.DataFrame({f"indicator_number_{i}_with_a_long_name": rng.normal(size=40) * 1e5 for i in range(30)})
    wide.insert(0, "region", ["donegal", "south_savo"] * 20)
    wide["suppressed"] = [False] * 40
    for path in save_table(wide, "02_wide_long", "Long wide table (illustrative).", counts=(),
                           directory=root / "tables"):
        rows.append(_manifest_row(f"tables/{path.name}", "table", "02_probe.ipynb", "Long wide table (illustrative)."))
    for path in save_section("02_findings", SECTION, "Findings (illustrative).", directory=root / "sections"):
        rows.append(_manifest_row(f"sections/{path.name}", "section", "02_probe.ipynb", "Findings (illustrative)."))
    _write_manifest(root, rows)
    html_path = write_evidence_report(root)
    pdf_path = write_pdf_report(root)
    return root, html_path.read_text(encoding="utf-8"), pdf_path


def test_report_has_viewport_and_a_table_of_contents_whose_links_all_land(built):
    _, html, _ = built
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    toc = html[html.index('<nav class="toc"'):html.index("</nav>")]
    targets = re.findall(r'href="#([^"]+)"', toc)
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert {"nb-01_probe", "fig-01_probe_line", "tab-01_short", "tab-02_wide_long", "sec-02_findings"} <= set(targets)
    assert set(targets) <= ids


def test_tables_show_display_names_labelled_headers_and_no_false_flags(built):
    _, html, _ = built
    short = html[html.index('id="tab-01_short"'):html.index('id="tab-02_wide_long"')]
    assert "Västernorrland" in short and "Suðurland" in short and "vasternorrland" not in short
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", short)
    assert headers == ["Region", "n linked", "Share beyond 25 km"]  # an all-False suppressed column is left out
    assert ">False<" not in html


def test_long_tables_are_collapsed_with_their_csv_and_scroll_inside(built):
    root, html, _ = built
    block = html[html.index('id="tab-02_wide_long"'):]
    assert 40 > COLLAPSE_ROWS
    assert "<details>" in block and "Show all 40 rows" in block
    link = re.search(r'<a download="02_wide_long.csv" href="data:text/csv;base64,([^"]+)"', block)
    assert link is not None
    assert pd.read_csv(io.BytesIO(base64.b64decode(link.group(1)))).shape == (40, 32)
    assert html.count('class="table-scroll"') == 2


def test_sections_render_with_their_headings_in_order(built):
    _, html, _ = built
    assert '<div class="section" id="sec-02_findings">' in html
    assert "<h3>Findings in brief</h3>" in html and "<h4>What the partners asked</h4>" in html
    # within notebook 02 the narrative comes before the tables
    assert html.index('id="sec-02_findings"') < html.index('id="tab-02_wide_long"')
    toc = html[html.index('<nav class="toc"'):html.index("</nav>")]
    assert '<a href="#sec-02_findings">Findings in brief</a>' in toc


def test_pdf_report_has_every_caption_section_and_page_numbers(built):
    root, _, pdf_path = built
    reader = PdfReader(pdf_path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for expected in ("Contents", "A line, illustrative data.", "Short table (illustrative).", "Findings in brief",
                     "What the partners asked", "Västernorrland", "EuroGeographics", "synthetic",
                     f"page 1 of {len(reader.pages)}", "Columns 1 of"):
        assert expected in flat, expected
    assert flat.index("Findings in brief") < flat.index("Long wide table")
    assert "/CreationDate" in reader.trailer["/Info"] and "2000" in str(reader.trailer["/Info"]["/CreationDate"])
    again = write_pdf_report(root).read_bytes()
    assert again == pdf_path.read_bytes()


@needs_chromium
def test_report_has_no_horizontal_overflow_at_desktop_and_phone_width(built):
    root, _, _ = built
    total, loaded, broken = check_report(root / "evidence_report.html")
    assert total == loaded == 1 and broken == []
    for width, states in check_overflow(root / "evidence_report.html").items():
        for state, (scroll, client) in states.items():
            assert client <= width
            assert scroll <= client, f"page overflows at {width} px with tables {state}: {scroll} > {client}"


@needs_chromium
def test_overflow_check_detects_a_page_wider_than_the_window(built, tmp_path):
    root, html, _ = built
    bad = root / "wide_report.html"
    bad.write_text(html.replace('<h1 id="top">', '<div style="width:900px">wide</div><h1 id="top">'),
                   encoding="utf-8")
    widths = check_overflow(bad, widths=(390,))
    scroll, client = widths[390]["closed"]
    assert scroll > client


def test_report_is_self_contained():
    html = REPORT.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), "the report loads a remote resource"
    assert 'src="data:image/png;base64,' in html
    assert "synthetic" in html and "EuroGeographics" in html and "GeoNames" in html


@needs_chromium
def test_report_of_the_committed_outputs_renders_every_image_without_overflow(tmp_path):
    figures = tmp_path / "figures"
    shutil.copytree(config.FIGURES_DIR, figures)
    report = write_evidence_report(figures)
    total, loaded, broken = check_report(report)
    assert total > 0 and broken == [] and loaded == total
    for width, states in check_overflow(report).items():
        for state, (scroll, client) in states.items():
            assert scroll <= client, f"page overflows at {width} px with tables {state}: {scroll} > {client}"


@needs_chromium
def test_a_wide_markdown_table_in_a_section_scrolls_inside_the_page(tmp_path):
    root = tmp_path / "figures"
    wide = "| " + " | ".join(f"column_{i}_with_a_long_heading" for i in range(12)) + " |\n"
    wide += "|" + "---|" * 12 + "\n| " + " | ".join(str(i) for i in range(12)) + " |\n"
    rows = []
    for path in save_section("08_wide", "## A wide section\n\n" + wide, "Wide (illustrative).",
                             directory=root / "sections"):
        rows.append(_manifest_row(f"sections/{path.name}", "section", "08_probe.ipynb", "Wide (illustrative)."))
    _write_manifest(root, rows)
    report = write_evidence_report(root)
    assert "<table>" in report.read_text(encoding="utf-8")
    scroll, client = check_overflow(report, widths=(390,))[390]["open"]
    assert scroll <= client
    pdf = write_pdf_report(root)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert text.count("A wide section") == 2  # once in the contents, once as the heading
