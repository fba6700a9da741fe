"""Run every benchmark in a fresh process, one after another, and write BENCHMARKS.md.

Each ``benchmarks/bench_*.py`` measures our code side by side with the peer tool a user would
otherwise pick and writes a Markdown section to ``benchmarks/results/<name>.md``. This script runs
them sequentially (so they do not compete for the two cores), times ``innocap build``, and
assembles the sections with the machine description. Benchmarks are not timed tests: nothing
here fails the test suite.

Usage: ``python benchmarks/run_all.py [--quick] [--only NAME ...] [--skip-build]``
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    libs = ", ".join(f"{p} {version(p)}" for p in ("numpy", "scipy", "pandas", "geopandas", "shapely", "pyproj"))
    return (f"{os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()} on {platform.system()}; "
            f"{libs}")


def time_build() -> str:
    t0 = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).with_name("innocap")), "build"], cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
    summary = [line for line in proc.stdout.splitlines() if line.startswith("  ")]
    return "\n".join([
        "## Whole evidence build (`innocap build`)", "",
        f"Wall time of one full build on the embedded data: **{seconds:.0f} s** ({status}); target: at most 120 s.",
        "", "```", *summary, "```", "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke runs")
    parser.add_argument("--only", nargs="+", default=None, help="benchmark names (bench_<name>.py)")
    parser.add_argument("--skip-build", action="store_true", help="do not time innocap build")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only or s.stem in args.only]
    RESULTS.mkdir(exist_ok=True)
    failed = []
    for script in scripts:
        print(f"running {script.name} ...", flush=True)
        cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, cwd=ROOT)
        if proc.returncode != 0:
            failed.append(script.name)
    sections = [
        "# Benchmarks", "",
        "Measured by `make benchmarks` (`benchmarks/run_all.py`): each benchmark runs in a fresh process, "
        "one after another, on the same inputs for our code and the peer tool. Ratios are peer time / our time "
        "unless a section says otherwise. These are measurements, not timed tests.", "",
        f"Machine: {machine()}.", "",
        f"Run: {time.strftime('%Y-%m-%d', time.gmtime())}{' (quick mode)' if args.quick else ''}.", "",
    ]
    if not args.skip_build:
        sections.append(time_build())
    ran = {script.stem + ("_quick" if args.quick else "") for script in scripts}
    for result in sorted(RESULTS.glob("*.md")):
        if result.stem in ran:  # only what this run measured; never stale or quick results
            sections.append(result.read_text(encoding="utf-8").strip() + "\n")
    if failed:
        sections.append("Benchmarks that failed in this run: " + ", ".join(failed) + "\n")
    (ROOT / "BENCHMARKS.md").write_text("\n".join(sections), encoding="utf-8")
    print("wrote BENCHMARKS.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
