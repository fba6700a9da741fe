"""Open the evidence report in headless Chromium and check that every image loads.

Usage: ``python tools/check_report.py [figures/evidence_report.html]``. Exit 0 when the page
renders and every image decodes, 1 otherwise, 2 when Chromium is missing
(Debian package ``chromium``; ``make report-check`` installs it).
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


def check_report(report: Path) -> tuple[int, int, list[str]]:
    """Return (images_total, images_loaded, broken_alts) as seen by headless Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", report.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        ).stdout
    body = re.search(r"<body([^>]*)>", dom)
    if body is None:
        raise RuntimeError("Chromium returned no <body>: the page did not render")
    attrs = dict(re.findall(r'data-images-(\w+)="([^"]*)"', body.group(1)))
    if "total" not in attrs:
        raise RuntimeError("the page's load handler did not run")
    broken = [a for a in attrs.get("broken", "").split("|") if a]
    return int(attrs["total"]), int(attrs["loaded"]), broken


def main(argv: list[str]) -> int:
    report = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "figures" / "evidence_report.html"
    try:
        total, loaded, broken = check_report(report)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, subprocess.SubprocessError) as exc:
        print(f"error: {report}: {exc}", file=sys.stderr)
        return 1
    print(f"{report}: {loaded} of {total} images loaded in headless Chromium")
    for alt in broken:
        print(f"  broken image: {alt}", file=sys.stderr)
    return 0 if total > 0 and loaded == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
