"""``innocap build``: execute the numbered notebooks and publish every figure and table.

Before anything runs, the build checks its inputs: every file under ``data/`` against
``data/manifest.csv`` (a changed file stops the build, named, unless ``--allow-modified-data``,
which is recorded as ``+modified`` in the provenance), and, for a run on real exports, the
exports themselves (an unreadable file stops the build with the validation report; row-level
problems are reported and the build goes on).

The build runs ``notebooks/NN_*.ipynb`` in order with :mod:`nbclient`, one kernel per
notebook, cell by cell under a progress bar. Each notebook writes its figures and
tables (through :func:`~innocap_analysis.plots.save_figure` and
:func:`~innocap_analysis.tables.save_table`) into a private staging folder; when the
notebook succeeds they are moved into a new copy of the output folder. After the notebooks,
the build audits disclosure control there (:func:`disclosure_audit`: it writes ``DISCLOSURE.csv``,
every masked cell with its rule and audit interval, and stops the build, publishing nothing, when a
published respondent count is below the minimum cell size or an audit interval is too narrow),
writes ``MANIFEST.csv`` (one row per output: file, sha256, notebook, caption, sha256 of every input
data file, package version, git commit and the declared respondent-count columns) and
``evidence_report.html`` and ``evidence_report.pdf``, and only then publishes: the new folder is switched in for the old one in one rename
(:func:`~innocap_analysis.evidence.publish.complete_publication`) and the executed notebooks
are renamed into place. A failing notebook, a full disk or a read-only folder therefore stops
the build with one clear message and leaves the previous, consistent outputs untouched.

Progress goes to the terminal as tqdm bars, or as one plain line per notebook when the output
is a log file (or ``TQDM_DISABLE`` is set); ``quiet`` prints errors only. Kernels are the named
"innocap (project .venv)" kernel, over IPC, so no kernel writes a transport warning into the log.

Two kinds of run exist:

* the default run on the embedded illustrative data writes into the committed
  ``figures/`` and writes the executed notebooks back in place;
* a run on real partner exports (``--manifest survey.yaml`` and/or ``--survey PATH ...``)
  injects them into each notebook's ``parameters`` cell (``survey_paths`` lists the
  manifest first, so that every loader call reads the exports through it) and writes
  everything, notebooks included, under
  ``output/<run-name>/``, which git ignores. Real answers never reach the committed tree.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pandas as pd
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from papermill.parameterize import parameterize_notebook
from tqdm import tqdm

from .. import __version__, config, disclosure, provenance
from ..evidence import publish
from ..evidence.publish import OUTPUT_SUBFOLDERS
from ..survey.codebook import CodebookError
from ..survey.loaders import load_survey
from ..survey.manifest import ManifestError, load_manifest
from .kernel import KERNEL_NAME, KERNELSPEC, ensure_kernel, kernel_config
from .pdf_report import write_pdf_report
from .report import write_evidence_report

MANIFEST_COLUMNS = [
    "file",
    "kind",
    "sha256",
    "notebook",
    "caption",
    "inputs",
    "notebook_source_sha256",
    "package_version",
    "git_commit",
    "respondent_counts",
    "respondent_shares",
]
#: Paths whose last commit identifies the code and data that made the outputs.
#: Notebooks and figures are left out on purpose: the build rewrites them, and a commit
#: of regenerated outputs must not change the provenance of the next identical build.
_PROVENANCE_PATHS = ["innocap_analysis", "data", "pyproject.toml", "requirements.lock"]


class BuildError(Exception):
    """A notebook failed; carries what the user needs to find the failing cell."""

    def __init__(self, notebook: str, cell_index: int, error_name: str, error_value: str, source: str):
        self.notebook, self.cell_index = notebook, cell_index
        self.error_name, self.error_value, self.source = error_name, error_value, source
        super().__init__(f"{notebook}, cell {cell_index}: {error_name}: {error_value}")


@dataclass
class NotebookResult:
    notebook: str
    seconds: float
    outputs: list[str] = field(default_factory=list)


def discover_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """The numbered notebooks ``NN_name.ipynb`` (or only their paired ``NN_name.py``), in build order."""
    notebooks_dir = notebooks_dir or config.NOTEBOOKS_DIR
    found = {p.with_suffix(".ipynb") for p in notebooks_dir.glob("[0-9][0-9]_*.ipynb") if p.is_file()}
    found |= {p.with_suffix(".ipynb") for p in notebooks_dir.glob("[0-9][0-9]_*.py") if p.is_file()}
    return sorted(found)


def select_notebooks(notebooks: Sequence[Path], only: Sequence[str] | None) -> list[Path]:
    """Filter by ``--only`` values: a number prefix (``04``), a stem or a file name."""
    if not only:
        return list(notebooks)
    chosen = []
    for wanted in only:
        wanted_stem = Path(wanted).stem
        matches = [p for p in notebooks if p.stem == wanted_stem or p.stem.split("_", 1)[0] == wanted_stem]
        if not matches:
            names = ", ".join(p.stem for p in notebooks)
            raise ValueError(f"no notebook matches --only {wanted!r}; available: {names}")
        chosen.extend(m for m in matches if m not in chosen)
    return sorted(chosen)


def git_commit(root: Path | None = None) -> str:
    """The last commit that touched the package, the data or the lock file.

    ``+dirty`` is appended when those paths have uncommitted changes, and
    ``unknown`` is returned outside a git checkout.
    """
    root = root or config.PROJECT_ROOT
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *_PROVENANCE_PATHS],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *_PROVENANCE_PATHS],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    if not commit:
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def notebook_source_sha256(nb) -> str:  # noqa: ANN001 - nbformat.NotebookNode
    """sha256 of a notebook's code and markdown sources (outputs excluded)."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        digest.update(cell.cell_type.encode())
        digest.update(b"\0")
        digest.update(cell.source.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _inject_parameters(nb, parameters: dict[str, object]):  # noqa: ANN001, ANN202 - nbformat.NotebookNode
    """The notebook with a cell after the one tagged ``parameters`` that overrides its values.

    :func:`papermill.parameterize.parameterize_notebook` writes the cell (tagged
    ``injected-parameters``, papermill's convention); its id is fixed so that reruns write
    identical notebooks, and the empty tag lists papermill needs on every cell are removed again.
    """
    nb = nbformat.from_dict(nb)
    nb.metadata.setdefault("papermill", nbformat.NotebookNode())
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    if not any("parameters" in c.metadata["tags"] for c in nb.cells):
        raise ValueError("notebook has no cell tagged 'parameters'")
    injected = parameterize_notebook(nb, parameters, comment="Parameters injected by `innocap build`")
    for cell in injected.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        if not cell.metadata.get("tags"):
            cell.metadata.pop("tags", None)
    injected.metadata.pop("papermill", None)
    return injected


def _error_from_outputs(cell) -> tuple[str, str]:  # noqa: ANN001
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), output.get("evalue", "")
    return "Error", ""


def _normalise_notebook(nb) -> None:  # noqa: ANN001
    """Remove what differs between identical runs, so rebuilt notebooks are byte-identical."""
    # How a cell's printed text is split into stream chunks depends on when the kernel flushes;
    # merging consecutive chunks (nbconvert's preprocessor, as nbval compares them) makes the
    # stored notebook identical across runs.
    CoalesceStreamsPreprocessor().preprocess(nb, {})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)


def paired_script(path: Path) -> Path:
    """The jupytext percent script paired with a notebook (``NN_name.py`` beside ``NN_name.ipynb``)."""
    return path.with_suffix(".py")


def read_notebook_source(path: Path) -> nbformat.NotebookNode:
    """The notebook to execute: its cells from the paired percent script, with fixed cell ids.

    The script is the source of truth of the cells (reviews read it as code); the stored
    ``.ipynb`` adds the outputs. Cell ids are ``NN-ii`` (notebook number, cell position) so that
    rebuilt notebooks are byte-identical. Without a script the ``.ipynb`` itself is read.
    """
    script = paired_script(path)
    if not script.exists():
        return nbformat.read(path, as_version=4)
    nb = jupytext.read(script)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{path.stem[:2]}-{index:02d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def execute_notebook(
    path: Path,
    *,
    parameters: dict[str, object] | None,
    env: dict[str, str],
    timeout: int,
    progress: bool = True,
    position: int = 1,
    socket_dir: Path | None = None,
):
    """Execute one notebook cell by cell on the named kernel; returns the executed ``NotebookNode``.

    The kernel is "innocap (project .venv)" (:mod:`~innocap_analysis.app.kernel`), reached over IPC
    where the platform has it (its sockets in ``socket_dir``, by default a temporary folder).
    ``progress`` draws a per-cell bar (on a terminal only).
    Raises :class:`BuildError` naming the failing cell.
    """
    nb = read_notebook_source(path)
    if parameters:
        nb = _inject_parameters(nb, parameters)
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits the environment at launch
    sockets = tempfile.TemporaryDirectory(prefix="innocap-kernel-") if socket_dir is None else None
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        config=kernel_config(socket_dir if socket_dir is not None else sockets.name),
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=False,
    )
    try:
        with client.setup_kernel():
            bar = tqdm(
                nb.cells, desc=f"  {path.stem}", unit="cell", leave=False, disable=not progress,
                position=position, file=sys.stderr,
            )
            for index, cell in enumerate(bar):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError:
                    name, value = _error_from_outputs(cell)
                    raise BuildError(path.name, index, name, value, cell.source) from None
                except (CellTimeoutError, DeadKernelError) as exc:
                    raise BuildError(path.name, index, type(exc).__name__, str(exc).splitlines()[0], cell.source) from None
            bar.close()
    finally:
        if sockets is not None:
            sockets.cleanup()
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    _normalise_notebook(nb)
    return nb


def _read_log(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def _publish_staging(staging: Path, figures_dir: Path) -> list[Path]:
    """Move the staged outputs of one successful notebook into the figure folder."""
    moved = []
    for src in sorted(p for p in staging.rglob("*") if p.is_file()):
        dest = figures_dir / src.relative_to(staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(src), dest)
        moved.append(dest)
    return moved


def _remove_stale_outputs(manifest_path: Path, notebook: str, figures_dir: Path, records: list[dict]) -> None:
    """Delete outputs a notebook made last time but no longer makes, so nothing stale looks current."""
    fresh = {_relative_output(r) for r in records}
    for row in read_manifest(manifest_path):
        if row["notebook"] == notebook and row["file"] not in fresh:
            (figures_dir / row["file"]).unlink(missing_ok=True)


def read_manifest(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_manifest(rows: list[dict[str, str]], path: Path) -> None:
    """Write ``MANIFEST.csv``, sorted by notebook then file, so reruns give the same bytes.

    Like every CSV the package writes, no cell can run as a spreadsheet formula
    (:func:`~innocap_analysis.evidence.publish.neutralise_record`).
    """
    rows = sorted(rows, key=lambda r: (r["notebook"], r["kind"], r["file"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(publish.neutralise_record(row) for row in rows)


def _relative_output(record: dict) -> str:
    """An output's path in the figure folder: tables in ``tables/``, sections in ``sections/``."""
    sub = OUTPUT_SUBFOLDERS.get(record["kind"])
    return f"{sub}/{record['file']}" if sub else record["file"]


def _manifest_rows(records: list[dict], figures_dir: Path, nb_name: str, nb_sha: str, commit: str) -> list[dict]:
    rows = {}
    for rec in records:
        rel = _relative_output(rec)
        target = figures_dir / rel
        inputs = ";".join(f"{k}={v}" for k, v in sorted(rec["inputs"].items()))
        rows[rel] = {
            "file": rel,
            "kind": rec["kind"],
            "sha256": provenance.sha256_file(target),
            "notebook": nb_name,
            "caption": rec.get("caption", ""),
            "inputs": inputs,
            "notebook_source_sha256": nb_sha,
            "package_version": __version__,
            "git_commit": commit,
            **_declared(rec),
        }
    return list(rows.values())


def check_data_manifest(allow_modified_data: bool = False) -> tuple[bool, str]:
    """Check every file under ``data/`` against ``data/manifest.csv`` before a build runs anything.

    Returns ``(go_on, provenance_suffix)``: ``(False, "")`` when a file changed, is missing or is
    not listed (each one printed, named, on stderr); with ``allow_modified_data`` the build goes
    on and ``"+modified"`` is appended to the git commit recorded in ``MANIFEST.csv``.
    """
    problems = provenance.verify_data_manifest()
    if not problems:
        return True, ""
    if allow_modified_data:
        print(f"warning: building on data that differs from data/manifest.csv (recorded as +modified): "
              f"{', '.join(p.path for p in problems)}", file=sys.stderr)
        return True, "+modified"
    print("error: the input data differ from data/manifest.csv, so the build would publish results of "
          "changed inputs:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    print("Restore them (git checkout -- data), update data/manifest.csv for a deliberate change, or pass "
          "--allow-modified-data (recorded as +modified in MANIFEST.csv).", file=sys.stderr)
    return False, ""


def validate_exports(listed: Sequence[Path], codebook: Path | None = None) -> int | None:
    """Validate the exports of a real run before any notebook runs (what ``innocap validate`` checks).

    Returns an exit code to stop with, or None to go on. A file that cannot be read at all (or holds
    no data) stops the build: the validation report goes to stdout and one line per such file to
    stderr, exit 1. Row-level problems (rows dropped, cells set to NA) do not stop it: their count is
    printed and the notebooks publish them (``01_validation_issues``). A bad codebook or manifest is
    a usage error (2).
    """
    try:
        survey = load_survey(list(listed), codebook=codebook, errors="report")
    except (CodebookError, ManifestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = survey.report
    rejected = report.rejected
    # "file skipped" without a row count: the file could not be read, or has no data rows.
    unreadable = rejected[rejected["action"] == "file skipped"]
    if len(unreadable):
        print(report.format_text())
        for row in unreadable.itertuples(index=False):
            print(f"error: validate first: {row.file} could not be read ({row.reason}); fix or remove it "
                  f"(`innocap validate` gives the same report)", file=sys.stderr)
        return 1
    if not report.ok:
        print(f"note: the exports have {len(rejected)} problem(s) ({report.rows_rejected} of "
              f"{report.rows_read} rows not kept); the build goes on and lists them in 01_validation_issues "
              f"(`innocap validate` shows them now)", file=sys.stderr)
    return None


def _check_usage(survey_paths: list[Path], manifest: Path | None, run_name: str | None,
                 real_run: bool) -> int | None:
    """The checks that make a usage error (exit 2): run name, files given, the manifest's form."""
    if not real_run:
        if run_name is not None:
            print("error: --run-name only applies with --manifest or --survey", file=sys.stderr)
            return 2
        return None
    try:
        config.run_directory(run_name)
    except config.RunNameError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = [str(p) for p in [*survey_paths, *([manifest] if manifest else [])] if not Path(p).is_file()]
    if missing:
        print(f"error: survey file(s) not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    if manifest is not None:
        try:
            load_manifest(manifest)
        except ManifestError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return None


def run_build(
    only: Sequence[str] | None = None,
    survey_paths: Sequence[Path] | None = None,
    run_name: str | None = None,
    codebook: Path | None = None,
    timeout: int = 600,
    progress: bool = True,
    notebooks_dir: Path | None = None,
    figures_dir: Path | None = None,
    manifest: Path | None = None,
    quiet: bool = False,
    allow_modified_data: bool = False,
) -> int:
    """Run the build; returns a process exit code (0 ok, 1 bad input, a failed notebook or I/O error, 2 usage).

    In order, before anything is written: usage (the run name is one folder under ``output/``,
    :func:`~innocap_analysis.config.run_directory`; the files exist; a survey manifest
    (``survey.yaml``) of real partner exports parses), the data (:func:`check_data_manifest`) and,
    for a real run, the exports (:func:`validate_exports`). Then the notebooks run and the outputs
    are published at once (see the module docstring for what is written where).
    ``progress`` and ``quiet`` choose what is printed while it runs (:func:`progress_mode`);
    ``quiet`` also drops the closing summary, so that only errors are printed.
    """
    survey_paths = list(survey_paths or [])
    real_run = bool(survey_paths) or manifest is not None
    if real_run and run_name is None:
        run_name = "real"
    code = _check_usage(survey_paths, manifest, run_name, real_run)
    if code is not None:
        return code
    try:
        notebooks = select_notebooks(discover_notebooks(notebooks_dir), only)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not notebooks:
        print("error: no numbered notebooks found in notebooks/", file=sys.stderr)
        return 2

    go_on, modified = check_data_manifest(allow_modified_data)
    if not go_on:
        return 1
    parameters: dict[str, object] | None = None
    if real_run:
        listed = [*([manifest] if manifest is not None else []), *survey_paths]
        code = validate_exports(listed, codebook)
        if code is not None:
            return code
        parameters = {"survey_paths": [str(Path(p).resolve()) for p in listed], "illustrative": False}
        if codebook:
            parameters["codebook_path"] = str(Path(codebook).resolve())

    if figures_dir is None:
        figures_dir, _tables_dir = config.output_dirs(run_name if real_run else None)
    figures_dir = Path(figures_dir)
    notebook_out_dir = (figures_dir.parent / "notebooks") if real_run else None
    try:
        publication = publish.begin_publication(figures_dir)
    except publish.PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    staged: list[tuple[Path, Path]] = []
    started = time.perf_counter()
    mode = progress_mode(progress=progress, quiet=quiet)
    try:
        ensure_kernel()
        results = _run_notebooks(notebooks, publication, figures_dir, notebook_out_dir, parameters, real_run,
                                 timeout, mode, git_commit() + modified, staged)
        if results is None:
            publish.abandon_publication(publication, [s for s, _ in staged])
            return 1
        write_evidence_report(publication, real_run=real_run)
        write_pdf_report(publication, real_run=real_run)
        publish.complete_publication(publication, figures_dir)
        publish.replace_staged(staged)
    except publish.PublishError as exc:
        publish.abandon_publication(publication, [s for s, _ in staged])
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        publish.abandon_publication(publication, [s for s, _ in staged])
        print(f"error: {publish.PublishError(exc, figures_dir)}", file=sys.stderr)
        return 1
    except BaseException:  # e.g. Ctrl-C: nothing half-made is left beside the outputs
        publish.abandon_publication(publication, [s for s, _ in staged])
        raise
    if not quiet:
        _print_summary(results, figures_dir, figures_dir / "MANIFEST.csv", figures_dir / "evidence_report.html",
                       notebook_out_dir, time.perf_counter() - started)
    return 0


def _run_notebooks(notebooks: list[Path], publication: Path, figures_dir: Path, notebook_out_dir: Path | None,
                   parameters: dict[str, object] | None, real_run: bool, timeout: int, mode: str,
                   commit: str, staged: list[tuple[Path, Path]]) -> list[NotebookResult] | None:
    """Execute the notebooks; their outputs go into ``publication``, their executed copies into ``staged``.

    ``mode`` is the progress display of :func:`progress_mode` (``bars``, ``lines`` or ``none``).

    Returns the results, or None after reporting a failed notebook. Raises ``OSError`` (and
    :class:`~innocap_analysis.evidence.publish.PublishError`) on an I/O error.
    """
    manifest_path = publication / "MANIFEST.csv"
    manifest = [r for r in read_manifest(manifest_path) if r["notebook"] not in {p.name for p in notebooks}]
    results: list[NotebookResult] = []
    masked_cells: list[dict[str, object]] = []
    overall = tqdm(notebooks, desc="innocap build", unit="notebook", disable=mode != "bars", position=0,
                   file=sys.stderr)
    for nb_path in overall:
        overall.set_postfix_str(nb_path.stem)
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="innocap-build-") as tmp:
            staging = Path(tmp) / "staging"
            log = Path(tmp) / "provenance.jsonl"
            env = {
                "INNOCAP_STAGING_DIR": str(staging),
                "INNOCAP_PROVENANCE_LOG": str(log),
                "INNOCAP_NOTEBOOK": nb_path.name,
                "INNOCAP_FIGURES_DIR": str(figures_dir),
                **config.reproducible_environment(),  # fixed hash seed and BLAS kernels
                "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                # a real run keeps its intermediate tables beside its outputs, never in data/
                "INNOCAP_INTERIM_DIR": str(figures_dir.parent / "interim" if real_run else config.interim_directory()),
            }
            try:
                nb = execute_notebook(nb_path, parameters=parameters, env=env, timeout=timeout,
                                      progress=mode == "bars", socket_dir=Path(tmp))
            except BuildError as exc:
                overall.close()
                _report_failure(exc, results)
                return None
            records = _read_log(log)
            _remove_stale_outputs(manifest_path, nb_path.name, publication, records)
            _publish_staging(staging, publication)
        nb_sha = notebook_source_sha256(nb)
        manifest.extend(_manifest_rows(records, publication, nb_path.name, nb_sha, commit))
        masked_cells.extend(_masked_cells(records, nb_path.name))
        out_nb = (notebook_out_dir / nb_path.name) if notebook_out_dir else nb_path
        staged.append((publish.stage_file(out_nb, _notebook_bytes(nb)), out_nb))
        results.append(NotebookResult(nb_path.name, time.perf_counter() - t0, sorted({r["file"] for r in records})))
        if mode == "lines":
            _print_progress_line(len(results), len(notebooks), results[-1])
    overall.close()
    findings = disclosure_audit(publication, manifest, masked_cells, {p.name for p in notebooks}, commit=commit)
    write_manifest(manifest, manifest_path)
    if findings:
        _report_disclosure_failure(findings, figures_dir)
        return None
    return results


def _notebook_bytes(nb) -> bytes:  # noqa: ANN001 - nbformat.NotebookNode
    """The bytes :func:`nbformat.write` writes for ``nb`` (UTF-8, ending with a newline)."""
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def progress_mode(*, progress: bool = True, quiet: bool = False, stream=None) -> str:  # noqa: ANN001 - a text stream
    """How the build shows progress: ``"bars"``, ``"lines"`` or ``"none"``.

    ``none`` when ``quiet`` or not ``progress``; plain ``lines`` (one per notebook, for log files)
    when ``stream`` (default ``sys.stderr``, where the bars go) or stdout is not a terminal, or when
    ``TQDM_DISABLE`` is set to a true value; tqdm ``bars`` otherwise.
    """
    if quiet or not progress:
        return "none"
    stream = stream or sys.stderr
    disabled = os.environ.get("TQDM_DISABLE", "").strip().lower() not in {"", "0", "false", "no"}
    on_terminal = bool(getattr(stream, "isatty", lambda: False)()) and bool(
        getattr(sys.stdout, "isatty", lambda: False)())
    return "lines" if disabled or not on_terminal else "bars"


def _print_progress_line(done: int, total: int, result: NotebookResult) -> None:
    """One plain line per finished notebook (no carriage returns), for logs and CI."""
    print(f"innocap build: [{done}/{total}] {result.notebook} done in {result.seconds:.1f} s "
          f"({len(result.outputs)} files)", flush=True)


# --------------------------------------------------------------------------- disclosure audit

DISCLOSURE_NAME = "DISCLOSURE.csv"


def _declared(record: dict) -> dict[str, str]:
    """The respondent counts a table declared (``save_table(counts=..., shares=...)``), for MANIFEST.csv."""
    declared = record.get("disclosure") or {}
    return {
        "respondent_counts": ";".join(declared.get("counts", [])),
        "respondent_shares": ";".join(f"{k}={v}" for k, v in declared.get("shares", {}).items()),
    }


def _masked_cells(records: list[dict], notebook: str) -> list[dict[str, object]]:
    """The masked cells a notebook's tables carry (from the provenance log), as DISCLOSURE.csv rows."""
    rows = []
    for rec in records:
        for row, column, rule, low, high in (rec.get("disclosure") or {}).get("masked", []):
            rows.append({"table": Path(rec["file"]).stem, "notebook": notebook, "row": row, "column": column,
                         "rule": rule, "audit_low": low, "audit_high": high})
    return rows


def disclosure_audit(
    figures_dir: Path,
    manifest: list[dict[str, str]],
    masked_cells: list[dict[str, object]],
    notebooks_run: set[str],
    *,
    commit: str = "",
    min_n: int = config.MIN_CELL_SIZE,
    min_width: float = config.MIN_AUDIT_WIDTH,
) -> list[disclosure.Finding]:
    """Write ``DISCLOSURE.csv`` and audit every published table (:func:`innocap_analysis.disclosure.audit_publication`).

    ``DISCLOSURE.csv`` lists every masked cell of every published table (``table, notebook, row,
    column, rule, audit_low, audit_high``); the rows of notebooks not run this time are kept. It is
    added to ``manifest`` (kind ``disclosure``). Returns the audit's findings: a declared respondent
    count of 1 to ``min_n - 1`` in any table (CSV, Markdown or LaTeX), or a primary masked cell whose
    audit interval is narrower than ``min_width``. An empty list means the publication passes.
    """
    path = figures_dir / DISCLOSURE_NAME
    kept = [r for r in read_manifest(path) if r["notebook"] not in notebooks_run] if path.exists() else []
    cells = pd.DataFrame([*kept, *masked_cells], columns=list(disclosure.DISCLOSURE_COLUMNS))
    cells = cells.sort_values(["notebook", "table"], kind="stable")
    for column in ("audit_low", "audit_high"):
        cells[column] = pd.to_numeric(cells[column].replace({"inf": np.inf}), errors="coerce")
    # Row and column labels can carry codebook labels: neutralised like every other published CSV.
    publish.neutralise_formulas(cells).to_csv(path, index=False, lineterminator="\n")
    manifest[:] = [r for r in manifest if r["file"] != DISCLOSURE_NAME]
    manifest.append({
        "file": DISCLOSURE_NAME, "kind": "disclosure", "sha256": provenance.sha256_file(path), "notebook": "",
        "caption": "Every masked cell of every published table: the rule that masked it and the interval an "
                   "attacker can derive for it from everything published (respondents).",
        "inputs": "", "notebook_source_sha256": "", "package_version": __version__,
        "git_commit": commit, "respondent_counts": "", "respondent_shares": "",
    })
    declarations = {}
    for row in manifest:
        if row["kind"] == "table" and row["file"].endswith(".csv"):
            counts = [c for c in row.get("respondent_counts", "").split(";") if c]
            shares = dict(p.split("=", 1) for p in row.get("respondent_shares", "").split(";") if p)
            declarations[Path(row["file"]).stem] = (counts, shares)
    return disclosure.audit_publication(figures_dir, declarations, cells, min_n=min_n, min_width=min_width)


def _report_disclosure_failure(findings: list[disclosure.Finding], figures_dir: Path) -> None:
    listed = "\n".join(f"  {f}" for f in findings[:20])
    more = f"\n  ... and {len(findings) - 20} more" if len(findings) > 20 else ""
    print(
        f"\nBUILD FAILED: disclosure audit ({len(findings)} problem(s)):\n{listed}{more}\n"
        f"Nothing was published: {figures_dir} keeps its previous outputs. Every published respondent count "
        f"must be at least {config.MIN_CELL_SIZE} or masked (see docs/disclosure.md).",
        file=sys.stderr,
    )


def _report_failure(exc: BuildError, done: list[NotebookResult]) -> None:
    snippet = "\n".join("    " + line for line in exc.source.strip().splitlines()[:6])
    print(
        f"\nBUILD FAILED in notebook {exc.notebook}, cell {exc.cell_index}:\n"
        f"  {exc.error_name}: {exc.error_value}\n"
        f"  cell source:\n{snippet}\n"
        f"Nothing was published: the previous figures, tables, MANIFEST.csv and notebooks are unchanged. "
        f"Notebooks completed before the failure (not published either): "
        f"{', '.join(r.notebook for r in done) or 'none'}.\n"
        f"Open the notebook in JupyterLab (make lab) to see the full traceback.",
        file=sys.stderr,
    )


def _print_summary(results, figures_dir, manifest_path, report_path, notebook_out_dir, seconds) -> None:  # noqa: ANN001
    def rel(p: Path) -> str:
        try:
            return str(Path(p).resolve().relative_to(config.PROJECT_ROOT))
        except ValueError:
            return str(p)

    print("\ninnocap build: done")
    print(f"  {'notebook':<32} {'seconds':>8} {'outputs':>8}")
    for r in results:
        print(f"  {r.notebook:<32} {r.seconds:>8.1f} {len(r.outputs):>8}")
    n_out = sum(len(r.outputs) for r in results)
    print(f"  {len(results)} notebook(s), {n_out} files written in {seconds:.1f} s")
    print(f"  figures and tables: {rel(figures_dir)}/")
    print(f"  provenance:         {rel(manifest_path)}")
    print(f"  evidence report:    {rel(report_path)}")
    where = rel(notebook_out_dir) if notebook_out_dir else "notebooks/ (in place)"
    print(f"  executed notebooks: {where}")
