"""Load partner survey exports into one harmonised, validated :class:`Survey`.

One call reads every partner's export (CSV in any usual separator and encoding,
XLSX, SPSS ``.sav``) as the survey tool wrote it: the tool's layout is detected from the
headers (:mod:`~innocap_analysis.survey.layouts`; ``tool=`` forces one), its columns are
matched to the codebook by item id, question text in any codebook language, matrix
statement or tool code (:mod:`~innocap_analysis.survey.matching`), its answers mapped
from codes or labels in any language (:mod:`~innocap_analysis.survey.answers`), and
every row is accounted for: each input row is either kept in ``Survey.responses`` or
listed in ``Survey.report.rejected`` with the reason. Facts about a file that are not in
it (region, country, wave, tool, ...) come from a survey manifest
(:mod:`~innocap_analysis.survey.manifest`) or ``file_profile``.

Values are interpreted per column on the *distinct* values only (``pandas.factorize``)
and mapped back with numpy indexing, so 100,000 respondents load in seconds.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .. import provenance
from .answers import (
    Interpretation,
    OptionParser,
    ScaleLookup,
    interpret_answer,
    option_flag,
    option_flag_lookup,
    profile_key,
    profile_lookup,
)
from .codebook import Codebook, load_codebook
from .illustrative import illustrative_manifest_path
from .layouts import LaidOut, lay_out, resolve_tool
from .manifest import ExportSpec, SurveyManifest, is_manifest_path, load_manifest, sidecar_spec
from .matching import Target, header_index, match_columns
from .model import REJECTED_COLUMNS, Issue, LoadReport, Survey, SurveyValidationError
from .privacy import pseudonymise
from .readers import ExportReadError, ReadLimits, read_export
from .text import normalise_text

PathLike = str | os.PathLike[str]

__all__ = ["header_index", "load_illustrative_survey", "load_survey", "match_columns", "normalise_text"]

#: Action of the issue raised for a codebook item that no column of a file matches.
MISSING_ITEM_ACTION = "answers set to NA (not_in_export)"


# --- per-file processing -----------------------------------------------------------------------------------


@dataclass
class _FileResult:
    frame: pd.DataFrame | None = None  # kept rows
    reasons: pd.DataFrame | None = None
    issues: list[Issue] = field(default_factory=list)
    dropped_columns: list[tuple[str, str, str]] = field(default_factory=list)
    missing_columns: list[tuple[str, str, str]] = field(default_factory=list)
    labels: Counter = field(default_factory=Counter)
    normalised: Counter = field(default_factory=Counter)
    summary: dict = field(default_factory=dict)


@dataclass
class _FileContext:
    """What the steps of :meth:`_Loader._process` share while one file is processed."""

    laid: LaidOut
    spec: ExportSpec
    label: str
    result: _FileResult
    n: int
    rows: np.ndarray
    by_target: dict[Target, int]
    groups: dict[Target, list[int]]
    fixed_profile: Mapping
    drop_row: np.ndarray
    ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    out: dict[str, object] = field(default_factory=dict)
    reasons: dict[str, object] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def tool(self) -> str:
        return self.laid.layout.tool

    def column(self, target: Target) -> np.ndarray | None:
        position = self.by_target.get(target)
        return None if position is None else self.laid.cells[position].to_numpy(dtype=object)

    def header(self, position: int) -> str:
        aliases = self.laid.headers[position]
        return aliases[0] if aliases else ""


def _file_label(path: Path, all_paths: Sequence[Path]) -> str:
    names = [p.name for p in all_paths]
    return path.name if names.count(path.name) == 1 else path.as_posix()


def _stripped(values: np.ndarray) -> np.ndarray:
    return pd.Series(values, dtype=object).str.strip().to_numpy(dtype=object, copy=True)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


class _Loader:
    def __init__(self, codebook: Codebook, include_free_text: bool,
                 pseudonymise_key: str | bytes | None = None, read_limits: ReadLimits | None = None):
        self.codebook = codebook
        self.read_limits = read_limits or ReadLimits.from_environment()
        self.include_free_text = include_free_text
        self.pseudonymise_key = pseudonymise_key
        self._indices: dict[str | None, dict[str, Target]] = {}
        self._scales: dict[tuple[str, str | None, str | None], ScaleLookup] = {}
        self._profiles: dict[tuple[str, str | None], dict[str, str]] = {}
        self._options: dict[tuple[str, str | None], OptionParser] = {}
        self.index(None)  # an ambiguous codebook fails before any file is read
        self.seen_ids: dict[str, tuple[str, int]] = {}  # "id\x1fwave" -> (file, row) of the kept first

    def index(self, tool: str | None) -> dict[str, Target]:
        if tool not in self._indices:
            self._indices[tool] = header_index(self.codebook, tool)
        return self._indices[tool]

    def scale_lookup(self, scale: str, tool: str | None, language: str | None) -> ScaleLookup:
        key = (scale, tool, language)
        if key not in self._scales:
            self._scales[key] = ScaleLookup.build(self.codebook, scale, tool, language)
        return self._scales[key]

    def profile_lookup(self, name: str, tool: str | None) -> dict[str, str]:
        if (name, tool) not in self._profiles:
            self._profiles[(name, tool)] = profile_lookup(self.codebook, name, tool)
        return self._profiles[(name, tool)]

    def option_parser(self, qid: str, tool: str | None) -> OptionParser:
        if (qid, tool) not in self._options:
            self._options[(qid, tool)] = OptionParser(self.codebook, qid, tool)
        return self._options[(qid, tool)]

    def load_file(self, spec: ExportSpec, label: str) -> _FileResult:
        result = _FileResult()
        result.summary = {"file": label, "format": "", "encoding": "", "separator": "", "layout": "",
                          "layout_chosen": "", "header_rows": 0, "rows_read": 0, "rows_kept": 0, "rows_dropped": 0,
                          "blank_rows": 0, "columns_matched": 0, "id_source": "", "language": spec.language or "",
                          "invited": spec.invited, "manifest": "" if spec.manifest is None else spec.manifest.name}
        try:
            table = read_export(spec.path, sheet=spec.sheet, encoding=spec.encoding, limits=self.read_limits)
        except ExportReadError as exc:
            reason = "empty file: no data rows" if exc.kind == "empty" else f"unreadable: {exc}"
            result.issues.append(Issue(label, None, None, None, reason, "file skipped"))
            return result
        except Exception as exc:  # a reader library failing on garbage must not escape as a traceback
            result.issues.append(Issue(label, None, None, None,
                                       f"unreadable: {type(exc).__name__}: {exc}", "file skipped"))
            return result
        provenance.record_input(spec.path)
        laid = lay_out(table, spec.tool)
        result.summary.update(format=table.format, encoding=table.encoding, separator=table.separator,
                              layout=laid.layout.name, layout_chosen=laid.detected, header_rows=laid.header_rows,
                              rows_read=len(laid.cells), blank_rows=table.blank_rows)
        if len(laid.cells) == 0:
            result.issues.append(Issue(label, None, None, None, "empty file: no data rows", "file skipped"))
            return result
        self._process(laid, spec, label, result)
        result.summary["rows_dropped"] = result.summary["rows_read"] - result.summary["rows_kept"]
        return result

    def _process(self, laid: LaidOut, spec: ExportSpec, label: str, result: _FileResult) -> None:
        """One file, in named steps; each step reads and writes the per-file :class:`_FileContext`."""
        ctx = self._match_headers(laid, spec, label, result)
        if not self._required_columns_present(ctx):
            return
        self._respondent_ids(ctx)
        self._profile_columns(ctx)
        self._item_columns(ctx)
        self._multi_select_columns(ctx)
        self._personal_data_columns(ctx)
        self._duplicate_ids(ctx)
        self._account_rows(ctx)

    def _match_headers(self, laid: LaidOut, spec: ExportSpec, label: str, result: _FileResult) -> _FileContext:
        """Match the columns to codebook targets; metadata, unmatched and problem columns are listed as dropped."""
        index = self.index(laid.layout.tool)
        fixed = {} if laid.id_position is None else {laid.id_position: ("id",)}
        # A metadata column the codebook names exactly (e.g. "Email", a PII label) is handled as the codebook says.
        skip = {j: reason for j, reason in laid.metadata.items()
                if not any(normalise_text(a) in index for a in laid.headers[j])}
        match = match_columns(laid.headers, self.codebook, index, spec.column_map, skip=skip, fixed=fixed)
        for position, reason in skip.items():
            if position not in match.matched and position not in match.mapped:
                result.dropped_columns.append((label, laid.headers[position][0], reason))
        for _position, header, reason in match.problems:
            result.issues.append(Issue(label, None, header, None, reason, "column ignored"))
            result.dropped_columns.append((label, header, reason))
        for _, header in match.unknown:
            result.dropped_columns.append((label, header, "not in the codebook"))
        result.summary["columns_matched"] = len(match.matched)
        by_target: dict[Target, int] = {}
        for position, target in match.matched.items():
            by_target.setdefault(target, position)
        n = len(laid.cells)
        return _FileContext(
            laid=laid, spec=spec, label=label, result=result, n=n, rows=laid.row_numbers,
            by_target=by_target, groups=match.groups, fixed_profile=spec.profile,
            drop_row=np.zeros(n, dtype=bool),
        )

    def _required_columns_present(self, ctx: _FileContext) -> bool:
        """Without the id (or a layout whose rows number themselves) or a required profile column
        (and no per-file value for it) no row can be kept."""
        cb = self.codebook
        missing_required = []
        if ("id",) not in ctx.by_target and not ctx.laid.layout.row_ids:
            missing_required.append(cb.respondent_id)
        for name, profile_field in cb.profile.items():
            if profile_field.required and ("profile", name) not in ctx.by_target and name not in ctx.fixed_profile:
                missing_required.append(name)
        for name in missing_required:
            ctx.issues.append(Issue(ctx.label, None, name, None, "missing required column",
                                    f"file skipped ({ctx.n} rows)"))
        if missing_required:
            ctx.result.issues.extend(ctx.issues)
        return not missing_required

    def _respondent_ids(self, ctx: _FileContext) -> None:
        """Ids as the file has them; ids a tool numbers per export are qualified by the file (or ``id_prefix``)."""
        layout = ctx.laid.layout
        prefix = ctx.spec.id_prefix if ctx.spec.id_prefix is not None else f"{Path(ctx.label).stem}:"
        if ("id",) not in ctx.by_target:
            ctx.ids = np.array([f"{prefix}{row}" for row in ctx.rows], dtype=object)
            ctx.result.summary["id_source"] = f"row number (no id column in {layout.name}), prefixed {prefix!r}"
            return
        position = ctx.by_target[("id",)]
        ctx.ids = _stripped(ctx.column(("id",)))
        blank_id = ctx.ids == ""
        if layout.local_ids and position == ctx.laid.id_position:
            ctx.ids = np.where(blank_id, "", prefix + ctx.ids.astype(str)).astype(object)
            ctx.result.summary["id_source"] = (f"{ctx.header(position)!r} (numbered per export by "
                                               f"{layout.brand}), prefixed {prefix!r}")
        else:
            ctx.result.summary["id_source"] = repr(ctx.header(position))
        for i in np.flatnonzero(blank_id):
            ctx.issues.append(Issue(ctx.label, int(ctx.rows[i]), self.codebook.respondent_id, "",
                                    "missing respondent id"))
        ctx.drop_row |= blank_id

    def _profile_columns(self, ctx: _FileContext) -> None:
        """Profile fields as level keys: from the file's column, or from the per-file value (which a
        column, when the file has one too, must agree with)."""
        for name, profile_field in self.codebook.profile.items():
            raw = ctx.column(("profile", name))
            mapped = None
            if raw is not None:
                mapped = self._profile_values(ctx, name, raw)
            if name in ctx.fixed_profile:
                key = str(ctx.fixed_profile[name])
                if key not in profile_field.levels:
                    raise ValueError(f"file_profile for {ctx.label}: {name}={key!r} is not a codebook level "
                                     f"({', '.join(profile_field.levels)})")
                if mapped is not None:
                    contradicts = pd.notna(mapped) & (mapped != key)
                    for i in np.flatnonzero(contradicts):
                        ctx.issues.append(Issue(
                            ctx.label, int(ctx.rows[i]), name, raw[i],
                            f"contradicts the file's {name} {key!r} (manifest or file_profile)",
                            "row dropped" if profile_field.required else "file value used"))
                    if profile_field.required:
                        ctx.drop_row |= contradicts
                ctx.out[name] = np.full(ctx.n, key, dtype=object)
            elif mapped is not None:
                ctx.out[name] = mapped
            else:
                ctx.out[name] = np.full(ctx.n, None, dtype=object)
        if ("panel",) in ctx.by_target:
            panel = _stripped(ctx.column(("panel",)))
            panel[panel == ""] = None
            ctx.out["panel_key"] = panel

    def _profile_values(self, ctx: _FileContext, name: str, raw: np.ndarray) -> np.ndarray:
        profile_field = self.codebook.profile[name]
        codes, uniques = _factorize(raw)
        lookup = self.profile_lookup(name, ctx.tool)
        keys = np.array([profile_key(u, lookup) if u.strip() else None for u in uniques] + [None], dtype=object)
        mapped = keys[codes]
        blank = np.array([not u.strip() for u in uniques], dtype=bool)[codes]
        unknown_value = pd.isna(mapped) & ~blank
        fixed = name in ctx.fixed_profile
        for i in np.flatnonzero(unknown_value):
            action = "row dropped" if profile_field.required and not fixed else "cell set to NA"
            ctx.issues.append(Issue(ctx.label, int(ctx.rows[i]), name, raw[i], "unknown label", action))
        if profile_field.required and not fixed:
            for i in np.flatnonzero(blank):
                ctx.issues.append(Issue(ctx.label, int(ctx.rows[i]), name, "", "missing required value"))
            ctx.drop_row |= blank | unknown_value
        return mapped

    def _item_columns(self, ctx: _FileContext) -> None:
        """Rating items: codes and missing reasons, interpreted once per distinct cell value.

        An item no column matches is an issue, unless the codebook marks it optional or the
        manifest says the file does not carry it.
        """
        stakeholder = ctx.out.get("stakeholder")
        stakeholder_text = None if stakeholder is None else stakeholder.astype(str)
        not_asked_by: dict[tuple[str, ...], np.ndarray] = {}  # one mask per answered_by set, not per item
        for item in self.codebook.items:
            raw = ctx.column(("item", item.id))
            if raw is None:
                self._missing_item(ctx, item.id, item.optional)
                ctx.out[item.id] = np.full(ctx.n, -1, dtype=np.int64)
                ctx.reasons[item.id] = np.full(ctx.n, "not_in_export", dtype=object)
                continue
            if item.id in ctx.spec.not_carried:
                ctx.issues.append(Issue(ctx.label, None, item.id, None,
                                        f"the manifest says the file does not carry {item.id}, but column "
                                        f"{ctx.header(ctx.by_target[('item', item.id)])!r} matches it",
                                        "column loaded"))
            codes, uniques = _factorize(raw)
            lookup = self.scale_lookup(item.scale, ctx.tool, ctx.spec.language)
            interpretations = [interpret_answer(u, lookup) for u in uniques]
            item_codes = np.array([x.code for x in interpretations], dtype=np.int64)[codes]
            item_reasons = np.array([x.reason for x in interpretations], dtype=object)[codes]
            if stakeholder_text is not None and item.answered_by:
                if item.answered_by not in not_asked_by:
                    not_asked_by[item.answered_by] = ~np.isin(stakeholder_text, list(item.answered_by))
                item_reasons[(item_reasons == "blank") & not_asked_by[item.answered_by]] = "not_asked"
            self._count_interpretations(ctx.result, interpretations, np.bincount(codes, minlength=len(uniques)))
            bad = [j for j, x in enumerate(interpretations) if x.problem]
            if bad:
                for i in np.flatnonzero(np.isin(codes, bad)):
                    ctx.issues.append(Issue(ctx.label, int(ctx.rows[i]), item.id, raw[i],
                                            interpretations[codes[i]].problem, "cell set to NA"))
            ctx.out[item.id] = item_codes
            ctx.reasons[item.id] = item_reasons

    def _missing_item(self, ctx: _FileContext, name: str, optional: bool) -> None:
        if optional:
            ctx.result.missing_columns.append((ctx.label, name, "optional in the codebook"))
        elif name in ctx.spec.not_carried:
            ctx.result.missing_columns.append((ctx.label, name, "not carried (manifest)"))
        else:
            ctx.result.missing_columns.append((ctx.label, name, "no matching column"))
            ctx.issues.append(Issue(ctx.label, None, name, None,
                                    "codebook item not in the export: no column matches its id, text or codes",
                                    MISSING_ITEM_ACTION))

    @staticmethod
    def _count_interpretations(result: _FileResult, interpretations: list[Interpretation],
                               counts: np.ndarray) -> None:
        for x, count in zip(interpretations, counts, strict=True):
            if x.language is not None and x.language != "code":
                result.labels[x.language] += int(count)
            elif x.language == "code":
                result.labels["code"] += int(count)
            if x.normalised:
                result.normalised[x.normalised] += int(count)

    def _multi_select_columns(self, ctx: _FileContext) -> None:
        """Multi-select questions in any of three shapes: one column per option; one list column;
        or a list spread over several columns under one header."""
        for qid, question in self.codebook.multi_select.items():
            positions = ctx.groups.get(("multi_q", qid)) or (
                [ctx.by_target[("multi_q", qid)]] if ("multi_q", qid) in ctx.by_target else [])
            present = positions or any(("multi", qid, o) in ctx.by_target for o in question.options)
            if not present:
                reason = ("optional in the codebook" if question.optional else
                          "not carried (manifest)" if qid in ctx.spec.not_carried else "no matching column")
                for option in question.options:
                    ctx.result.missing_columns.append((ctx.label, question.column(option), reason))
                    ctx.out[question.column(option)] = np.full(ctx.n, None, dtype=object)
            elif positions:
                self._multi_select_list_columns(ctx, qid, positions)
            else:
                self._multi_select_option_columns(ctx, qid)

    def _multi_select_list_columns(self, ctx: _FileContext, qid: str, positions: list[int]) -> None:
        """Chosen options listed in a cell (split on the codebook's option labels), over one or more columns."""
        question = self.codebook.multi_select[qid]
        parser = self.option_parser(qid, ctx.tool)
        options = list(question.options)
        chosen_any = np.zeros((ctx.n, len(options)), dtype=bool)
        unknown = np.zeros(ctx.n, dtype=bool)
        for position in positions:
            cells = ctx.laid.cells[position].to_numpy(dtype=object)
            codes, uniques = _factorize(cells)
            parsed = [parser.parse(u) for u in uniques]
            table = np.array([[c is not None and o in c for o in options] for c in parsed], dtype=bool)
            bad = np.array([c is None for c in parsed], dtype=bool)
            chosen_any |= table[codes]
            unknown_here = bad[codes]
            for i in np.flatnonzero(unknown_here):
                ctx.issues.append(Issue(ctx.label, int(ctx.rows[i]), qid, cells[i], "unknown option",
                                        "cell set to NA"))
            unknown |= unknown_here
        for j, option in enumerate(options):
            flags = chosen_any[:, j].astype(object)
            flags[unknown] = None
            ctx.out[question.column(option)] = flags

    def _multi_select_option_columns(self, ctx: _FileContext, qid: str) -> None:
        question = self.codebook.multi_select[qid]
        layout = ctx.laid.layout
        for option in question.options:
            raw = ctx.column(("multi", qid, option))
            name = question.column(option)
            if raw is None:
                ctx.result.missing_columns.append((ctx.label, name, "no matching column"))
                ctx.out[name] = np.full(ctx.n, None, dtype=object)
                continue
            codes, uniques = _factorize(raw)
            lookup = option_flag_lookup(self.codebook, qid, option, layout.selected, layout.not_selected)
            flags_list = [option_flag(u, lookup) for u in uniques]
            bad = [j for j, f in enumerate(flags_list) if f is None]
            for i in np.flatnonzero(np.isin(codes, bad)):
                ctx.issues.append(Issue(ctx.label, int(ctx.rows[i]), name, raw[i], "unknown label", "cell set to NA"))
            ctx.out[name] = np.array(flags_list, dtype=object)[codes]

    def _personal_data_columns(self, ctx: _FileContext) -> None:
        """PII never reaches responses: dropped, or a keyed organisation hash, or free text kept apart."""
        cb = self.codebook
        for key in cb.pii:
            position = ctx.by_target.get(("pii", key))
            if position is None:
                continue
            header = ctx.header(position)
            if key == cb.organisation_column and self.pseudonymise_key is not None:
                names = pd.Series(_stripped(ctx.column(("pii", key))), dtype="object").replace("", None)
                ctx.out["organisation_key"] = pseudonymise(names, self.pseudonymise_key, normalise=True).to_numpy(
                    dtype=object, na_value=None)
                ctx.result.dropped_columns.append(
                    (ctx.label, header, f"PII ({key}): replaced by keyed organisation_key"))
            elif key in cb.free_text_columns:
                if self.include_free_text:
                    ctx.out[f"__free_text__{key}"] = ctx.column(("pii", key))
                ctx.result.dropped_columns.append(
                    (ctx.label, header, f"PII ({key}): free text, "
                     + ("returned in Survey.free_text" if self.include_free_text
                        else "not loaded (include_free_text=True to get it)")))
            else:
                ctx.result.dropped_columns.append((ctx.label, header, f"PII ({key}): dropped"))

    def _duplicate_ids(self, ctx: _FileContext) -> None:
        """Duplicate respondent ids, within this file and across files (per wave when waves exist).

        Only rows otherwise kept take part: a row already dropped for another reason cannot shadow a later one.
        """
        label, rows, ids = ctx.label, ctx.rows, ctx.ids
        wave = ctx.out.get("wave")
        wave_text = (np.full(ctx.n, "", dtype=object) if wave is None
                     else pd.Series(wave, dtype=object).fillna("").to_numpy())
        keys = pd.Series(ids + "\x1f" + wave_text.astype(str), dtype=object)
        candidate = ~ctx.drop_row
        within = np.zeros(ctx.n, dtype=bool)  # a repeat of an earlier *candidate* row of this file
        within[candidate] = keys[candidate].duplicated(keep="first").to_numpy()
        earlier = keys.isin(self.seen_ids.keys()).to_numpy() & candidate
        first_in_file = candidate & ~within & ~earlier
        self.seen_ids.update(zip(keys[first_in_file], zip([label] * int(first_in_file.sum()),
                                                          rows[first_in_file].tolist(), strict=True), strict=True))
        for i in np.flatnonzero(within | earlier):
            first_file, first_row = self.seen_ids[keys[i]]
            ctx.issues.append(Issue(label, int(rows[i]), self.codebook.respondent_id, ids[i],
                                    f"duplicate respondent id (first in {first_file} row {first_row})"))
        ctx.drop_row |= within | earlier

    def _account_rows(self, ctx: _FileContext) -> None:
        """The kept rows become the file's frame; every other row has an issue with action ``row dropped``."""
        keep = ~ctx.drop_row
        columns = {
            self.codebook.respondent_id: ctx.ids[keep],
            "source_file": np.full(int(keep.sum()), ctx.label, dtype=object),
            "source_row": ctx.rows[keep].astype(np.int64),
            **{name: np.asarray(values)[keep] for name, values in ctx.out.items()},
        }
        # Object columns stay object here (no string inference per column); _assemble sets the dtypes.
        ctx.result.frame = pd.DataFrame({k: pd.Series(v, dtype=object if v.dtype == object else v.dtype, copy=False)
                                         for k, v in columns.items()})
        ctx.result.reasons = pd.DataFrame({k: np.asarray(v, dtype=object)[keep] for k, v in ctx.reasons.items()},
                                          dtype=object)
        ctx.result.summary["rows_kept"] = int(keep.sum())
        ctx.result.issues.extend(ctx.issues)


def _as_string(values: pd.Series) -> pd.Series:
    """Object values (few distinct) as pandas ``string``, converting the distinct values only."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    strings = pd.array(np.asarray(uniques, dtype=object), dtype="string")
    return pd.Series(strings.take(codes, allow_fill=True), index=values.index, name=values.name)


def _assemble(codebook: Codebook, results: list[_FileResult], pseudonymise_key: str | bytes | None,
              include_free_text: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    frames = [r.frame for r in results if r.frame is not None]
    reason_frames = [r.reasons for r in results if r.reasons is not None]
    id_col = codebook.respondent_id
    if frames:
        raw = pd.concat(frames, ignore_index=True)
        reasons_raw = pd.concat(reason_frames, ignore_index=True)
    else:
        raw = pd.DataFrame({id_col: [], "source_file": [], "source_row": []})
        reasons_raw = pd.DataFrame()
    n = len(raw)
    responses: dict[str, object] = {
        id_col: raw[id_col].astype("string"),
        "source_file": raw["source_file"].astype("string"),
        "source_row": raw["source_row"].astype("Int64"),
    }
    optional_profile = {"wave", "participant"}
    for name, profile_field in codebook.profile.items():
        if name in optional_profile and (name not in raw or raw[name].isna().all()):
            continue
        values = raw[name] if name in raw else pd.Series([None] * n, dtype=object)
        responses[name] = pd.Categorical(values, categories=list(profile_field.levels))
    for extra in ("panel_key", "organisation_key"):
        if extra in raw and raw[extra].notna().any():
            responses[extra] = raw[extra].astype("string")
    for item_id in codebook.item_ids:
        codes = raw[item_id].to_numpy(dtype=np.int64) if item_id in raw else np.full(n, -1, dtype=np.int64)
        responses[item_id] = pd.arrays.IntegerArray(codes, codes < 0)
    for name in codebook.multi_select_columns:
        values = raw[name] if name in raw else pd.Series([None] * n, dtype=object)
        responses[name] = pd.array(values.tolist(), dtype="boolean")
    out = pd.DataFrame(responses, index=pd.RangeIndex(n))
    if pseudonymise_key is not None:
        out[id_col] = pseudonymise(out[id_col], pseudonymise_key)
        if "panel_key" in out:
            out["panel_key"] = pseudonymise(out["panel_key"], pseudonymise_key)
    missing = pd.DataFrame(
        {item_id: _as_string(reasons_raw[item_id] if item_id in reasons_raw else pd.Series([None] * n, dtype=object))
         for item_id in codebook.item_ids},
        index=out.index,
    )
    free_text = None
    if include_free_text:
        columns = {c.removeprefix("__free_text__"): raw[c].astype("string")
                   for c in raw.columns if c.startswith("__free_text__")}
        free_text = pd.DataFrame({id_col: out[id_col], "source_file": out["source_file"], **columns})
    return out, missing, free_text


def _per_file(mapping: Mapping | None, path: Path, label: str):
    """The entry of a per-file mapping (keyed by label, file name or path), or None."""
    if not mapping:
        return None
    for key in (label, path.name, str(path), path.as_posix()):
        if key in mapping:
            return mapping[key]
    return None


def _reading_order(issue: Issue) -> float:
    if issue.action == MISSING_ITEM_ACTION:
        return float("inf")
    return -1.0 if issue.row is None else float(issue.row)


def _export_specs(
    paths: PathLike | SurveyManifest | Sequence[PathLike | SurveyManifest], codebook: Codebook,
    column_map: Mapping | None, tool: str | Mapping[str, str] | None, file_profile: Mapping | None,
    not_carried: Sequence[str] | Mapping[str, Sequence[str]] | None, sheet: str | int | None,
    encoding: str | None,
) -> list[ExportSpec]:
    """One :class:`ExportSpec` per file: manifests expanded in place; keyword arguments fill what they leave open."""
    entries = [paths] if isinstance(paths, str | os.PathLike | SurveyManifest) else list(paths)
    specs: list[ExportSpec] = []
    for entry in entries:
        if isinstance(entry, SurveyManifest):
            specs.extend(entry.files)
        elif is_manifest_path(entry):
            specs.extend(load_manifest(entry, codebook).files)
        else:
            # A survey.yaml next to the export that lists it gives its facts (reported in report.files).
            specs.append(sidecar_spec(entry, codebook) or ExportSpec(Path(entry)))
    # A file given both by its path and in a manifest is one file: the manifest's entry is kept.
    in_manifest = {spec.path.resolve() for spec in specs if spec.manifest is not None}
    kept: list[ExportSpec] = []
    seen: set[Path] = set()
    for spec in specs:
        key = spec.path.resolve()
        if key in in_manifest:
            if spec.manifest is None or key in seen:
                continue
            seen.add(key)
        kept.append(spec)
    specs = kept
    per_file_map = bool(column_map) and any(isinstance(v, Mapping) for v in column_map.values())
    labels = [_file_label(spec.path, [s.path for s in specs]) for spec in specs]
    out = []
    for spec, label in zip(specs, labels, strict=True):
        file_map = (_per_file(column_map, spec.path, label) or {}) if per_file_map else (column_map or {})
        file_tool = _per_file(tool, spec.path, label) if isinstance(tool, Mapping) else tool
        resolve_tool(file_tool)  # an unknown tool is a usage error, before any file is read
        extra = (_per_file(not_carried, spec.path, label) if isinstance(not_carried, Mapping) else not_carried) or ()
        out.append(replace(
            spec,
            tool=spec.tool if spec.tool is not None else (None if file_tool in (None, "auto") else file_tool),
            profile={**(_per_file(file_profile, spec.path, label) or {}), **spec.profile},
            column_map={**file_map, **spec.column_map},
            not_carried=tuple(dict.fromkeys([*spec.not_carried, *extra])),
            sheet=spec.sheet if spec.sheet is not None else sheet,
            encoding=spec.encoding if spec.encoding is not None else encoding,
        ))
    return out


def _codebook_for(codebook: Codebook | PathLike | None,
                  paths: PathLike | SurveyManifest | Sequence[PathLike | SurveyManifest]) -> Codebook:
    """The codebook given, else the one a manifest names, else INNOCAP v1."""
    if isinstance(codebook, Codebook):
        return codebook
    if codebook is None:
        entries = [paths] if isinstance(paths, str | os.PathLike | SurveyManifest) else list(paths)
        for entry in entries:
            manifest = entry if isinstance(entry, SurveyManifest) else (
                load_manifest(entry) if is_manifest_path(entry) else None)
            if manifest is not None and manifest.codebook is not None:
                return load_codebook(manifest.codebook)
    return load_codebook(codebook)


def load_survey(
    paths: PathLike | SurveyManifest | Sequence[PathLike | SurveyManifest],
    codebook: Codebook | PathLike | None = None,
    errors: Literal["raise", "report"] = "raise",
    column_map: Mapping[str, str | None] | Mapping[str, Mapping[str, str | None]] | None = None,
    *,
    tool: str | Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    file_profile: Mapping[str, Mapping[str, str]] | None = None,
    not_carried: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    pseudonymise_key: str | bytes | None = None,
    include_free_text: bool = False,
    read_limits: ReadLimits | None = None,
) -> Survey:
    """Load one or more partner exports into one harmonised, validated :class:`Survey`.

    Parameters
    ----------
    paths
        One export or several (one per partner), as the survey tool wrote it: CSV (comma,
        semicolon or tab; UTF-8 with or without BOM, UTF-16, cp1252/latin-1: detected and
        reported), XLSX (first sheet, or ``sheet``) or SPSS ``.sav`` (value labels applied);
        the type is recognised from the file's bytes. A survey manifest (``survey.yaml``,
        or a :class:`~innocap_analysis.survey.manifest.SurveyManifest`) in the list stands
        for its files, with the facts it gives about each (tool, region, country, wave, ...).
    codebook
        A :class:`Codebook` or the path of a codebook YAML; default the codebook a manifest
        names, else the INNOCAP v1 instrument.
    errors
        ``"raise"``: any problem raises :class:`SurveyValidationError` listing *all*
        problems. ``"report"``: keep what is valid, record the rest in ``report.rejected``.
    column_map
        Raw header -> codebook name (item id, profile field, ``respondent_id``, PII key,
        multi-select question or column ``BAR_cost``), or ``None``/``"drop"`` to drop a
        column. It overrides automatic matching. A mapping of file name -> such a map applies per file.
    tool
        The export layout (``"qualtrics"``, ``"qualtrics_legacy"``, ``"surveymonkey"``, ...;
        :data:`~innocap_analysis.survey.layouts.LAYOUTS`), or a mapping file name -> layout.
        Default ``"auto"``: detected from the headers; ``report.files`` says which.
    sheet
        XLSX sheet name or position (default: the first).
    encoding
        Force a CSV text encoding instead of detecting it.
    file_profile
        File name -> {profile field: level key} for fields an export does not contain
        (e.g. ``{"fi_export.csv": {"region": "south_savo", "country": "FI"}}``). A file that
        also has the column must agree with it.
    not_carried
        Codebook items (or multi-select questions) the exports do not carry, for all files
        or per file name. Any other item that no column matches is a problem.
    pseudonymise_key
        When given, ``respondent_id`` and ``panel_key`` are replaced by a keyed hash
        (:func:`~innocap_analysis.survey.privacy.pseudonymise`), and the organisation
        name (PII) becomes ``organisation_key`` with the same keyed hash.
    include_free_text
        Return free-text answers in ``Survey.free_text`` (never in ``responses``).
    read_limits
        Row, column, memory and time limits on reading each export
        (:class:`~innocap_analysis.survey.readers.ReadLimits`); default the documented limits,
        changed by the ``INNOCAP_READ_*`` environment variables. XLSX and SPSS files are read in a
        bounded child process: a reader that crashes, runs out of time or memory, or a file beyond the
        row or column cap, makes that file unreadable (a problem of that file, "file skipped").

    Returns
    -------
    Survey

    Raises
    ------
    SurveyValidationError
        With ``errors="raise"``, when any problem is found (``.issues`` has them all,
        ``.report`` the full report).
    ManifestError
        When a manifest is malformed (every problem listed).
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    codebook = _codebook_for(codebook, paths)
    specs = _export_specs(paths, codebook, column_map, tool, file_profile, not_carried, sheet, encoding)
    if not specs:
        raise ValueError("load_survey: no paths given")
    loader = _Loader(codebook, include_free_text, pseudonymise_key, read_limits)
    labels = [_file_label(spec.path, [s.path for s in specs]) for spec in specs]
    results = [loader.load_file(spec, label) for spec, label in zip(specs, labels, strict=True)]
    responses, missing_reasons, free_text = _assemble(codebook, results, pseudonymise_key, include_free_text)

    # Problems in reading order, file by file: file- and header-level problems, then row by row, then
    # what the file lacks (codebook items no column matches).
    issues = [issue for r in results for issue in sorted(r.issues, key=_reading_order)]
    rejected = pd.DataFrame(
        [(i.file, i.row, i.column, i.value, i.reason, i.action) for i in issues], columns=REJECTED_COLUMNS
    ).astype({"file": "string", "row": "Int64", "column": "string", "value": "string", "reason": "string",
              "action": "string"})
    labels_mapped: Counter = Counter()
    normalised: Counter = Counter()
    for r in results:
        labels_mapped.update(r.labels)
        normalised.update(r.normalised)
    files = pd.DataFrame([r.summary for r in results])
    files["invited"] = files["invited"].astype("Int64")
    report = LoadReport(
        rows_read=sum(r.summary["rows_read"] for r in results),
        rows_kept=len(responses),
        rejected=rejected,
        dropped_columns=pd.DataFrame([d for r in results for d in r.dropped_columns],
                                     columns=["file", "column", "reason"]).astype("string"),
        labels_mapped=dict(sorted(labels_mapped.items())),
        files=files,
        missing_columns=pd.DataFrame([m for r in results for m in r.missing_columns],
                                     columns=["file", "column", "reason"]).astype("string"),
        values_normalised=dict(sorted(normalised.items())),
    )
    if errors == "raise" and issues:
        raise SurveyValidationError(issues, report)
    return Survey(responses, missing_reasons, report, codebook, free_text)


def load_illustrative_survey(errors: Literal["raise", "report"] = "report", **kwargs) -> Survey:
    """Load the committed illustrative (synthetic) partner exports through their manifest.

    The manifest ``data/raw/illustrative/survey.yaml`` gives each file's tool, region and
    country. ``errors="report"`` by default because the exports deliberately contain a
    duplicate submission and an out-of-range code (see ``data/raw/illustrative/README.md``).
    Keyword arguments go to :func:`load_survey`.
    """
    return load_survey(illustrative_manifest_path(), errors=errors, **kwargs)
