"""Where a benchmark writes its Markdown section (shared by every ``bench_*.py``).

A ``--quick`` smoke run writes ``<name>_quick.md`` beside the full result, so that it never
overwrites the numbers ``benchmarks/run_all.py`` assembles into ``BENCHMARKS.md``.
"""

from __future__ import annotations

from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def results_path(name: str, quick: bool) -> Path:
    """``benchmarks/results/<name>.md``, or ``<name>_quick.md`` for a smoke run."""
    return RESULTS_DIR / f"{name}{'_quick' if quick else ''}.md"


def write_results(name: str, lines: list[str], quick: bool) -> Path:
    """Write a benchmark's Markdown lines to :func:`results_path` and say where."""
    target = results_path(name, quick)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {target}")
    return target
