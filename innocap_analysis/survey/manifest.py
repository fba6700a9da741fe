"""The survey manifest (``survey.yaml``): the files of a run and the facts about each file.

Each partner usually exports its own region, so region, country, wave, stakeholder (when a
file holds only one), language and the survey tool are facts about the *file*, not columns
in it. The manifest says them once per file, with a column map, the items a file does not
carry and the number of organisations invited (for response rates). The format is
documented in ``docs/survey_manifest.md``::

    codebook: null            # optional: instrument YAML, relative to this file
    defaults: {wave: baseline}
    files:
      - path: south_savo_webropol_fi.csv
        tool: webropol        # or auto (detected from the headers)
        region: south_savo
        country: FI
        language: fi
        invited: 120

:func:`load_manifest` parses and checks a manifest against the codebook and lists every
problem at once (:class:`ManifestError`); :func:`~innocap_analysis.survey.load_survey`
accepts the manifest (or its path) in place of the export paths.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import provenance
from .codebook import Codebook, load_codebook
from .layouts import LayoutError, resolve_tool

#: Profile fields a manifest may fix for a whole file.
PROFILE_KEYS: tuple[str, ...] = ("region", "country", "stakeholder", "wave", "participant")
#: Keys of one file entry (and of ``defaults``).
FILE_KEYS: tuple[str, ...] = ("path", "tool", *PROFILE_KEYS, "language", "column_map", "invited",
                              "not_carried", "id_prefix", "sheet", "encoding")
TOP_KEYS: tuple[str, ...] = ("title", "codebook", "defaults", "files")
MANIFEST_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")
#: A manifest of this name next to an export applies to it when the export is loaded by its own path.
SIDECAR_NAME = "survey.yaml"


class ManifestError(ValueError):
    """The manifest is malformed; ``.problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: invalid survey manifest:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class ExportSpec:
    """One export and the facts about it.

    ``tool`` is None for automatic detection; ``profile`` holds the profile fields fixed for
    the whole file (level keys); ``not_carried`` lists codebook items (or multi-select
    questions) the file does not carry; ``id_prefix`` qualifies ids that a tool numbers per
    export (``1, 2, ...``) so they cannot collide with another file's.
    """

    path: Path
    tool: str | None = None
    profile: Mapping[str, str] = field(default_factory=dict)
    language: str | None = None
    column_map: Mapping[str, str | None] = field(default_factory=dict)
    invited: int | None = None
    not_carried: tuple[str, ...] = ()
    id_prefix: str | None = None
    sheet: str | int | None = None
    encoding: str | None = None
    manifest: Path | None = None  # the manifest the facts come from


@dataclass(frozen=True)
class SurveyManifest:
    """A parsed, checked ``survey.yaml``: its source, the codebook it names, and its files in order."""

    source: Path
    files: list[ExportSpec]
    codebook: Path | None = None
    title: str | None = None

    @property
    def paths(self) -> list[Path]:
        return [spec.path for spec in self.files]


def is_manifest_path(path: str | os.PathLike[str]) -> bool:
    """A ``.yaml``/``.yml`` file is a survey manifest (survey exports never are YAML)."""
    return Path(path).suffix.lower() in MANIFEST_SUFFIXES


def _column_map_targets(codebook: Codebook) -> set[str]:
    targets = {codebook.respondent_id, *codebook.profile, *codebook.item_ids, *codebook.pii,
               *codebook.multi_select, *codebook.multi_select_columns}
    if codebook.panel_key:
        targets.add(codebook.panel_key)
    return targets


def _check_entry(entry: Mapping[str, Any], where: str, codebook: Codebook, problems: list[str]) -> None:
    unknown = sorted(set(map(str, entry)) - set(FILE_KEYS))
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(FILE_KEYS)})")
    try:
        resolve_tool(None if entry.get("tool") is None else str(entry["tool"]))
    except LayoutError as exc:
        problems.append(f"{where}: {exc}")
    for name in PROFILE_KEYS:
        value = entry.get(name)
        if value is None:
            continue
        if name not in codebook.profile:
            problems.append(f"{where}: {name} is not a profile field of codebook {codebook.instrument}")
        elif str(value) not in codebook.profile[name].levels:
            problems.append(f"{where}: {name} {value!r} is not a codebook level "
                            f"({', '.join(codebook.profile[name].levels)})")
    language = entry.get("language")
    if language is not None and str(language) not in codebook.languages:
        problems.append(f"{where}: language {language!r} is not a codebook language ({', '.join(codebook.languages)})")
    invited = entry.get("invited")
    if invited is not None and (isinstance(invited, bool) or not isinstance(invited, int) or invited < 1):
        problems.append(f"{where}: invited must be a positive whole number, not {invited!r}")
    column_map = entry.get("column_map")
    if column_map is not None and not isinstance(column_map, Mapping):
        problems.append(f"{where}: column_map must be a mapping {{raw header: codebook name}}")
    elif column_map:
        targets = _column_map_targets(codebook)
        for header, target in column_map.items():
            if target is not None and target != "drop" and str(target) not in targets:
                problems.append(f"{where}: column_map {header!r} -> {target!r}: not a codebook name")
    not_carried = entry.get("not_carried")
    if not_carried is not None:
        if not isinstance(not_carried, list):
            problems.append(f"{where}: not_carried must be a list of item ids")
        else:
            known = {*codebook.item_ids, *codebook.multi_select}
            bad = [str(i) for i in not_carried if str(i) not in known]
            if bad:
                problems.append(f"{where}: not_carried names no codebook item: {', '.join(bad)}")


def parse_manifest(raw: Any, source: str | os.PathLike[str], codebook: Codebook | None = None) -> SurveyManifest:
    """Build a :class:`SurveyManifest` from the parsed YAML; raise :class:`ManifestError` listing every problem.

    Paths are relative to the manifest's folder. ``codebook`` checks the profile values,
    language, column-map targets and items; default: the codebook the manifest names, else INNOCAP v1.
    """
    source = Path(source)
    base = source.parent
    if not isinstance(raw, Mapping):
        raise ManifestError(str(source), ["the top level must be a mapping with a 'files' list"])
    problems: list[str] = []
    unknown = sorted(set(map(str, raw)) - set(TOP_KEYS))
    if unknown:
        problems.append(f"unknown top-level key(s) {', '.join(unknown)} (known: {', '.join(TOP_KEYS)})")
    codebook_path = None if raw.get("codebook") is None else (base / str(raw["codebook"]))
    if codebook is None:
        codebook = load_codebook(codebook_path)
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        problems.append("defaults must be a mapping of file keys")
        defaults = {}
    elif "path" in defaults:
        problems.append("defaults: 'path' belongs to each file")
    files = raw.get("files")
    if not isinstance(files, list) or not files:
        problems.append("'files' must be a non-empty list of file entries")
        files = []
    specs: list[ExportSpec] = []
    seen: dict[Path, int] = {}
    for index, entry in enumerate(files):
        where = f"files[{index}]"
        if not isinstance(entry, Mapping) or not entry.get("path"):
            problems.append(f"{where}: each file needs a 'path'")
            continue
        merged = {**defaults, **entry}
        _check_entry(merged, f"{where} ({entry['path']})", codebook, problems)
        path = (base / str(entry["path"])).resolve()
        if not path.is_file():
            problems.append(f"{where}: file not found: {path}")
        if path in seen:
            problems.append(f"{where}: {entry['path']} is listed twice (also files[{seen[path]}])")
        seen.setdefault(path, index)
        tool = merged.get("tool")
        specs.append(ExportSpec(
            path=path,
            tool=None if tool in (None, "auto") else str(tool),
            profile={k: str(merged[k]) for k in PROFILE_KEYS if merged.get(k) is not None},
            language=None if merged.get("language") is None else str(merged["language"]),
            column_map=dict(merged.get("column_map") or {}) if isinstance(merged.get("column_map"), Mapping) else {},
            invited=merged.get("invited") if isinstance(merged.get("invited"), int) else None,
            not_carried=tuple(str(i) for i in (merged.get("not_carried") or [])
                              if isinstance(merged.get("not_carried"), list)),
            id_prefix=None if merged.get("id_prefix") is None else str(merged["id_prefix"]),
            sheet=merged.get("sheet"),
            encoding=None if merged.get("encoding") is None else str(merged["encoding"]),
            manifest=source,
        ))
    if problems:
        raise ManifestError(str(source), problems)
    title = raw.get("title")
    return SurveyManifest(source=source, files=specs, codebook=codebook_path,
                          title=None if title is None else str(title))


def sidecar_spec(path: str | os.PathLike[str], codebook: Codebook | None = None) -> ExportSpec | None:
    """The entry for ``path`` in the ``survey.yaml`` next to it, if that manifest lists the file."""
    path = Path(path)
    sidecar = path.parent / SIDECAR_NAME
    if not sidecar.is_file():
        return None
    target = path.resolve()
    return next((spec for spec in load_manifest(sidecar, codebook).files if spec.path == target), None)


def load_manifest(path: str | os.PathLike[str], codebook: Codebook | None = None) -> SurveyManifest:
    """Read and check ``survey.yaml``; raise :class:`ManifestError` listing every problem.

    Parameters
    ----------
    path
        The manifest (format: ``docs/survey_manifest.md``).
    codebook
        Instrument to check against; default: the one the manifest names, else INNOCAP v1.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(str(path), [f"cannot read: {exc}"]) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(str(path), [f"not valid YAML: {exc}"]) from exc
    manifest = parse_manifest(raw, path, codebook)
    provenance.record_input(path)
    return manifest
