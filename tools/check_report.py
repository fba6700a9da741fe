"""Open the evidence report in headless Chromium: every image loads, and no width overflows.

Usage: ``python tools/check_report.py [figures/evidence_report.html]``. Exit 0 when the page
renders, every image decodes and the page is no wider than the window at 1,400 px (desktop) and
390 px (phone), with its collapsed tables closed and open; 1 otherwise; 2 when Chromium is missing
(Debian package ``chromium``; ``make report-check`` installs it).

The page records what it sees in attributes of its ``<body>`` once loaded (its own script), and
``--dump-dom`` prints them. Headless Chromium does not make a window narrower than about 500 px,
so each width is checked by loading the report in an ``<iframe>`` of that width inside a small
harness page, which copies the report's attributes onto its own body.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=10000",
]


#: Window widths checked (CSS px): a desktop screen and a phone.
WIDTHS = (1400, 390)

_HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{margin:0}}iframe{{border:0}}</style></head>
<body><iframe id="report" src="{src}" style="width:{width}px;height:900px"></iframe>
<script>
var frame = document.getElementById("report");
frame.addEventListener("load", function poll() {{
  var body = frame.contentDocument && frame.contentDocument.body;
  if (!body || !body.hasAttribute("data-width-open")) {{ setTimeout(poll, 50); return; }}
  Array.prototype.slice.call(body.attributes).forEach(function (a) {{
    if (a.name.indexOf("data-") === 0) {{ document.body.setAttribute(a.name, a.value); }}
  }});
  document.body.setAttribute("data-done", "1");
}});
</script></body></html>
"""


def browser_path() -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    return browser


def page_attributes(report: Path, width: int = 1400) -> dict[str, str]:
    """The ``data-*`` attributes the report's script sets on its body, in a window ``width`` px wide."""
    browser = browser_path()
    with tempfile.TemporaryDirectory() as tmp:
        harness = Path(tmp) / "harness.html"
        harness.write_text(_HARNESS.format(src=report.resolve().as_uri(), width=width), encoding="utf-8")
        dom = subprocess.run(
            [browser, *CHROMIUM_FLAGS, "--allow-file-access-from-files", f"--user-data-dir={tmp}/profile",
             f"--window-size={max(width, 800) + 40},1000", "--dump-dom", harness.as_uri()],
            capture_output=True, text=True, timeout=180, check=True,
        ).stdout
    body = re.search(r"<body([^>]*)>", dom)
    if body is None:
        raise RuntimeError("Chromium returned no <body>: the page did not render")
    attrs = dict(re.findall(r'data-([\w-]+)="([^"]*)"', body.group(1)))
    if "done" not in attrs:
        raise RuntimeError("the report's load handler did not run (or the harness could not read it)")
    return attrs


def check_report(report: Path) -> tuple[int, int, list[str]]:
    """Return (images_total, images_loaded, broken_alts) as seen by headless Chromium."""
    attrs = page_attributes(report)
    broken = [a for a in attrs.get("images-broken", "").split("|") if a]
    return int(attrs["images-total"]), int(attrs["images-loaded"]), broken


def check_overflow(report: Path, widths: tuple[int, ...] = WIDTHS) -> dict[int, dict[str, tuple[int, int]]]:
    """Page width against window width (``scrollWidth``, ``clientWidth``) at each window width.

    Returns ``{width: {"closed": (scroll, client), "open": (scroll, client)}}``: with the collapsed
    tables closed, and with all of them open. The page overflows where scroll > client.
    """
    found = {}
    for width in widths:
        attrs = page_attributes(report, width)
        found[width] = {
            state: tuple(int(v) for v in attrs[key].split("/"))
            for state, key in (("closed", "width"), ("open", "width-open"))
        }
    return found


def main(argv: list[str]) -> int:
    report = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "figures" / "evidence_report.html"
    try:
        total, loaded, broken = check_report(report)
        widths = check_overflow(report)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, subprocess.SubprocessError) as exc:
        print(f"error: {report}: {exc}", file=sys.stderr)
        return 1
    print(f"{report}: {loaded} of {total} images loaded in headless Chromium")
    for alt in broken:
        print(f"  broken image: {alt}", file=sys.stderr)
    overflow = False
    for width, states in widths.items():
        for state, (scroll, client) in states.items():
            verdict = "ok" if scroll <= client else "OVERFLOWS"
            overflow |= scroll > client
            print(f"  {width} px window, collapsed tables {state}: page {scroll} px wide in {client} px: {verdict}")
    return 0 if total > 0 and loaded == total and not overflow else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
