"""Provenance: checksums of data files, and the record of what each build output was made from.

Two manifests exist:

* ``data/manifest.csv`` lists every file under ``data/`` with its sha256, source,
  licence and derivation. :func:`verify_data_manifest` checks it, so a silently
  changed input fails the test suite with the file named.
* ``figures/MANIFEST.csv`` has one row per published figure or table: the file,
  its sha256, the notebook that wrote it, the sha256 of each input data file it was
  made from, the package version and the git commit. ``innocap build`` writes it from
  the records kept here.

Inputs are recorded by the loaders (:func:`record_input`) and outputs by
:func:`~innocap_analysis.plots.save_figure` and :func:`~innocap_analysis.tables.save_table`
(:func:`record_output`). Both go to a JSON-lines log named by the environment
variable ``INNOCAP_PROVENANCE_LOG`` that the build sets; outside a build nothing is logged.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import config

#: Attribution of the geographic data, drawn on every map and printed in the evidence report.
ATTRIBUTION_GEO = (
    "Boundaries: © EuroGeographics for the administrative boundaries (GISCO, Eurostat); "
    "Made with Natural Earth. Statistics: Source: Eurostat. Places: GeoNames (CC BY 4.0)."
)

MANIFEST_COLUMNS = ["path", "sha256", "bytes", "source", "licence", "derivation"]
#: Subfolder of the figure folder for each kind of output (figures and layers sit at its top).
OUTPUT_SUBFOLDERS: dict[str, str] = {"table": "tables", "section": "sections"}
#: Files the build writes into the figure folder besides the recorded outputs (not rows of MANIFEST.csv).
BUILD_LEVEL_FILES: frozenset[str] = frozenset(
    {"MANIFEST.csv", "DISCLOSURE.csv", "evidence_report.html", "evidence_report.pdf", ".gitkeep"}
)
#: Files under data/ that describe the data rather than being data.
_MANIFEST_EXEMPT = {"manifest.csv", "README.md", ".gitkeep"}

_inputs_read: dict[str, str] = {}


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """Return the hex sha256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _relative(path: Path) -> str:
    """How a data file is named in the provenance: relative to the project when inside it.

    Intermediate files in a temporary folder (for example the illustrative survey waves that
    notebook 07 writes and reads back through the loaders) are named ``<tempdir>/...`` without
    the folder's random name, so identical builds record identical provenance.
    """
    path = Path(path).resolve()
    try:
        return path.relative_to(config.PROJECT_ROOT).as_posix()
    except ValueError:
        pass
    try:
        inside_tmp = path.relative_to(Path(tempfile.gettempdir()).resolve())
    except ValueError:
        return path.as_posix()
    return "/".join(("<tempdir>", *inside_tmp.parts[1:]))


def record_input(path: str | os.PathLike[str]) -> None:
    """Note that the current process read a data file (called by every loader)."""
    path = Path(path)
    if path.is_file():
        _inputs_read[_relative(path)] = sha256_file(path)


def inputs_read() -> dict[str, str]:
    """The data files this process has read so far, with their sha256."""
    return dict(sorted(_inputs_read.items()))


def record_output(path: str | os.PathLike[str], kind: str, caption: str = "", **details: object) -> None:
    """Append an output record to the build's provenance log, if a build is running.

    ``details`` are further JSON-serialisable facts about the output (for a table, its declared
    respondent counts and masked cells, which the build's disclosure audit reads).
    """
    log = os.environ.get("INNOCAP_PROVENANCE_LOG")
    if not log:
        return
    record = {
        "file": Path(path).name,
        "kind": kind,
        "caption": caption,
        "notebook": os.environ.get("INNOCAP_NOTEBOOK", ""),
        "inputs": inputs_read(),
        **details,
    }
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True) + "\n")


class SavedFiles(list):
    """The paths an output call wrote; shown by file name only.

    A notebook cell that ends with ``save_figure(...)`` displays this: the file names as
    text (not absolute paths, so stored outputs are identical across machines and build
    folders) and, when a PNG was written, ``preview`` (the published PNG scaled down) or else
    that very PNG, so the notebook shows the published figure.
    """

    def __init__(self, paths=(), preview: bytes | None = None):  # noqa: ANN001 - any iterable of paths
        super().__init__(paths)
        self.preview = preview

    def __repr__(self) -> str:
        return "saved: " + ", ".join(Path(p).name for p in self)

    _repr_pretty_ = None  # let IPython fall back to __repr__

    def _repr_png_(self) -> bytes | None:
        if self.preview is not None:
            return self.preview
        pngs = [Path(p) for p in self if Path(p).suffix == ".png"]
        return pngs[0].read_bytes() if pngs else None


@dataclass(frozen=True)
class ManifestProblem:
    """One disagreement between ``data/manifest.csv`` and the files on disk."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def read_data_manifest(manifest: Path | None = None) -> list[dict[str, str]]:
    """Read ``data/manifest.csv`` as a list of rows (dicts keyed by column)."""
    manifest = manifest or config.DATA_MANIFEST
    with open(manifest, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


#: Folders under data/ holding derived files that builds rewrite (not inputs, so not in the manifest).
_DERIVED_DIRS = {"interim"}


def _data_files(data_dir: Path) -> list[str]:
    return sorted(
        p.relative_to(data_dir).as_posix()
        for p in data_dir.rglob("*")
        if p.is_file() and p.name not in _MANIFEST_EXEMPT
        and p.relative_to(data_dir).parts[0] not in _DERIVED_DIRS
    )


def verify_data_manifest(data_dir: Path | None = None) -> list[ManifestProblem]:
    """Compare every file under ``data/`` with ``data/manifest.csv``.

    Returns a list of problems (empty when everything matches): files whose sha256
    or size changed, files missing from disk, and files not listed in the manifest.
    """
    data_dir = data_dir or config.DATA_DIR
    rows = {row["path"]: row for row in read_data_manifest(data_dir / "manifest.csv")}
    return _checksum_problems(data_dir, "data", rows, _data_files(data_dir), manifest="data/manifest.csv",
                              changed="sha256 is {actual}, manifest says {recorded} (the file changed)")


def _checksum_problems(root: Path, label: str, rows: dict[str, dict[str, str]], on_disk: list[str], *,
                       manifest: str, changed: str, unlisted: str = "") -> list[ManifestProblem]:
    """Files on disk that ``rows`` (path -> manifest row with ``sha256``) does not list, listed files that are
    missing, and listed files whose sha256 differs (``changed`` formatted with ``actual`` and ``recorded``)."""
    problems = [ManifestProblem(f"{label}/{rel}", f"not listed in {manifest}{unlisted}")
                for rel in on_disk if rel not in rows]
    for rel, row in rows.items():
        path = root / rel
        if not path.is_file():
            problems.append(ManifestProblem(f"{label}/{rel}", f"listed in {manifest} but missing"))
            continue
        actual = sha256_file(path)
        if actual != row["sha256"]:
            problems.append(ManifestProblem(f"{label}/{rel}", changed.format(actual=actual, recorded=row["sha256"])))
    return problems


def update_data_manifest(
    entries: dict[str, dict[str, str]] | None = None, data_dir: Path | None = None
) -> Path:
    """Rewrite ``data/manifest.csv`` with fresh checksums.

    ``entries`` maps a path relative to ``data/`` to its ``source``, ``licence`` and
    ``derivation``; listed metadata is kept for files not in ``entries``. A file on
    disk with no metadata at all raises ``ValueError``: provenance is never invented.
    """
    data_dir = data_dir or config.DATA_DIR
    manifest = data_dir / "manifest.csv"
    known = {row["path"]: row for row in read_data_manifest(manifest)} if manifest.exists() else {}
    known.update({k: {**known.get(k, {}), **v, "path": k} for k, v in (entries or {}).items()})
    rows = []
    for rel in _data_files(data_dir):
        meta = known.get(rel)
        if meta is None or not meta.get("source"):
            raise ValueError(f"data/{rel} has no source/licence in data/manifest.csv; add it before updating")
        path = data_dir / rel
        rows.append(
            {
                "path": rel,
                "sha256": sha256_file(path),
                "bytes": str(path.stat().st_size),
                "source": meta["source"],
                "licence": meta["licence"],
                "derivation": meta["derivation"],
            }
        )
    with open(manifest, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def manifest_file_name(kind: str, file_name: str) -> str:
    """How an output is named in ``figures/MANIFEST.csv``: relative to the figure folder (``tables/x.csv``)."""
    sub = OUTPUT_SUBFOLDERS.get(kind)
    return f"{sub}/{file_name}" if sub else file_name


def verify_figures_manifest(figures_dir: Path | None = None) -> list[ManifestProblem]:
    """Compare every published file under ``figures/`` with ``figures/MANIFEST.csv``.

    A notebook run outside ``innocap build`` that was told to write into the committed folder
    rewrites files without updating the manifest; this names each of them.

    Returns
    -------
    list of ManifestProblem
        One per stale file (sha256 differs from the manifest), file listed but missing, and file
        on disk that no manifest row lists (the build-level files of :data:`BUILD_LEVEL_FILES`
        excepted). Empty when everything matches.
    """
    figures_dir = Path(figures_dir or config.FIGURES_DIR)
    manifest = figures_dir / "MANIFEST.csv"
    label = _relative(figures_dir)
    if not manifest.is_file():
        return [ManifestProblem(f"{label}/MANIFEST.csv", "missing: run `innocap build`")]
    with open(manifest, newline="", encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    on_disk = sorted(p.relative_to(figures_dir).as_posix() for p in figures_dir.rglob("*")
                     if p.is_file() and p.relative_to(figures_dir).as_posix() not in BUILD_LEVEL_FILES)
    return _checksum_problems(
        figures_dir, label, dict(sorted(rows.items())), on_disk, manifest="MANIFEST.csv",
        unlisted=" (not made by the build)",
        changed=("stale: sha256 is {actual}, MANIFEST.csv says {recorded} (rewritten outside `innocap build`; "
                 "rebuild with `innocap build`, or `git checkout` the file)"))
