"""Load partner survey exports into one harmonised, validated :class:`Survey`.

One call reads every partner's export (CSV in any usual separator and encoding,
XLSX, SPSS ``.sav``), matches its columns to the codebook by item id or by the
question text in any codebook language, maps answers given as codes or as labels in
any language, and accounts for every row: each input row is either kept in
``Survey.responses`` or listed in ``Survey.report.rejected`` with the reason.

Values are interpreted per column on the *distinct* values only (``pandas.factorize``)
and mapped back with numpy indexing, so 100,000 respondents load in seconds.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .. import provenance
from .codebook import Codebook, load_codebook
from .model import REJECTED_COLUMNS, Issue, LoadReport, Survey, SurveyValidationError
from .privacy import pseudonymise
from .readers import ExportReadError, RawTable, read_export

PathLike = str | os.PathLike[str]

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u00b4`"), "'")
_NUMERIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
_QUESTION_NUMBER = re.compile(r"^(?:q\s*)?\d+[a-z]?\s*[.):]\s+")
_SELECTED_TOKENS = ("1", "true", "x")
_NOT_SELECTED_TOKENS = ("0", "false")
_MULTI_SPLIT = re.compile(r"\s*[;|\n]\s*")


def normalise_text(value: str) -> str:
    """Case-, whitespace- and Unicode-normalisation-insensitive form of a header or label.

    NFKC normalisation, dash and apostrophe variants unified, case folded, runs of
    whitespace collapsed, surrounding whitespace and quotes removed.
    """
    text = unicodedata.normalize("NFKC", str(value)).translate(_DASHES).translate(_QUOTES)
    return " ".join(text.casefold().split()).strip("\"'").strip()


# --- header matching ---------------------------------------------------------------------------------------

Target = tuple[str, ...]  # ("id",) ("panel",) ("profile", name) ("item", id) ("multi", q, opt) ("multi_q", q) ("pii", key)


def _target_name(target: Target) -> str:
    kind = target[0]
    if kind == "multi":
        return f"{target[1]}_{target[2]}"
    return {"id": "respondent_id", "panel": "panel_key"}.get(kind, target[-1])


def header_index(codebook: Codebook) -> dict[str, Target]:
    """Normalised header text -> target, from ids and texts in every codebook language."""
    index: dict[str, Target] = {}
    clashes: list[str] = []

    def add(text: str, target: Target) -> None:
        key = normalise_text(text)
        if not key:
            return
        if key in index and index[key] != target:
            clashes.append(f"{text!r} names both {_target_name(index[key])} and {_target_name(target)}")
            return
        index[key] = target

    add(codebook.respondent_id, ("id",))
    for labels in codebook.respondent_id_labels.values():
        for label in labels:
            add(label, ("id",))
    if codebook.panel_key:
        add(codebook.panel_key, ("panel",))
        for labels in codebook.panel_key_labels.values():
            for label in labels:
                add(label, ("panel",))
    for name, profile_field in codebook.profile.items():
        add(name, ("profile", name))
        for text in profile_field.text.values():
            add(text, ("profile", name))
    for item in codebook.items:
        add(item.id, ("item", item.id))
        for text in item.text.values():
            add(text, ("item", item.id))
    for qid, question in codebook.multi_select.items():
        add(qid, ("multi_q", qid))
        for text in question.text.values():
            add(text, ("multi_q", qid))
        for option, labels in question.options.items():
            add(question.column(option), ("multi", qid, option))
            for lang, label in labels.items():
                add(label, ("multi", qid, option))
                qtext = question.text.get(lang, "")
                for sep in (" - ", ": ", " / ", " | "):
                    add(f"{qtext}{sep}{label}", ("multi", qid, option))
                    add(f"{qid}{sep}{label}", ("multi", qid, option))
    for key in codebook.pii:
        add(key, ("pii", key))
        for labels in codebook.pii_labels.get(key, {}).values():
            for label in labels:
                add(label, ("pii", key))
    if clashes:
        from .codebook import CodebookError

        raise CodebookError(codebook.source, ["ambiguous column header: " + c for c in clashes])
    return index


def _resolve_map_target(name: str, codebook: Codebook) -> Target | None:
    if name == codebook.respondent_id:
        return ("id",)
    if codebook.panel_key and name == codebook.panel_key:
        return ("panel",)
    if name in codebook.profile:
        return ("profile", name)
    if name in codebook.item_ids:
        return ("item", name)
    if name in codebook.pii:
        return ("pii", name)
    if name in codebook.multi_select:
        return ("multi_q", name)
    for qid, question in codebook.multi_select.items():
        for option in question.options:
            if name == question.column(option):
                return ("multi", qid, option)
    return None


def match_columns(
    headers: list[list[str]], codebook: Codebook, index: dict[str, Target], column_map: Mapping[str, str | None]
) -> tuple[dict[int, Target], list[tuple[int, str]], list[tuple[int, str, str]]]:
    """Match raw columns to codebook targets.

    Returns ``(matched, unknown, problems)``: column position -> target; ``(position,
    header)`` of unmatched columns; ``(position, header, reason)`` of header problems.
    """
    normalised_map = {normalise_text(k): v for k, v in column_map.items()}
    matched: dict[int, Target] = {}
    unknown: list[tuple[int, str]] = []
    problems: list[tuple[int, str, str]] = []
    taken: dict[Target, int] = {}
    for position, aliases in enumerate(headers):
        target: Target | None = None
        explicit = next((normalised_map[normalise_text(a)] for a in aliases
                         if normalise_text(a) in normalised_map), "__none__")
        if explicit != "__none__":
            if explicit is None or explicit == "drop":
                unknown.append((position, aliases[0]))
                continue
            target = _resolve_map_target(str(explicit), codebook)
            if target is None:
                problems.append((position, aliases[0], f"column_map target {explicit!r} is not in the codebook"))
                continue
        else:
            for alias in aliases:
                key = normalise_text(alias)
                target = index.get(key) or index.get(_QUESTION_NUMBER.sub("", key))
                if target is not None:
                    break
        if target is None:
            unknown.append((position, aliases[0]))
            continue
        if target in taken:
            problems.append((position, aliases[0],
                             f"duplicate column: also matches {_target_name(target)} "
                             f"(column {taken[target] + 1}); the first is used"))
            continue
        taken[target] = position
        matched[position] = target
    return matched, unknown, problems


# --- value mapping -----------------------------------------------------------------------------------------


def _numeric_code(text: str) -> tuple[int | None, bool]:
    """``("4")`` -> (4, True); ``("4.0")`` -> (4, True); ``("3.5")`` -> (None, True); ``("x")`` -> (None, False)."""
    if not _NUMERIC.match(text):
        return None, False
    number = float(text.replace(",", "."))
    if number != int(number):
        return None, True
    return int(number), True


@dataclass
class _ScaleLookup:
    labels: dict[str, tuple[int, str]]  # normalised label -> (code, language)
    missing: dict[str, tuple[str, str]]  # normalised label -> (kind, language)
    missing_codes: dict[int, str]
    codes: frozenset[int]
    span: str

    @classmethod
    def build(cls, codebook: Codebook, scale_name: str) -> _ScaleLookup:
        scale = codebook.scales[scale_name]
        labels: dict[str, tuple[int, str]] = {}
        for code, per_lang in scale.levels.items():
            for lang in codebook.languages:  # codebook order: the first language that has a label wins
                if lang in per_lang:
                    labels.setdefault(normalise_text(per_lang[lang]), (code, lang))
        missing: dict[str, tuple[str, str]] = {}
        for kind, per_lang in scale.missing.items():
            for lang in codebook.languages:
                for label in per_lang.get(lang, []):
                    missing.setdefault(normalise_text(label), (kind, lang))
        missing_codes = {code: kind for kind, codes in scale.missing_codes.items() for code in codes}
        return cls(labels, missing, missing_codes, frozenset(scale.levels),
                   f"{scale.min_code}-{scale.max_code}")


@dataclass
class _Interpretation:
    code: int = -1  # -1: no code
    reason: str | None = None  # missing reason (dont_know, blank, invalid, ...)
    problem: str | None = None  # rejection reason when invalid
    language: str | None = None  # label language, "code" for numeric codes
    normalised: str | None = None  # "whitespace" / "float_code" when the raw text was cleaned


def _interpret_answer(raw: str, lookup: _ScaleLookup) -> _Interpretation:
    text = raw.strip()
    cleaned = "whitespace" if text != raw else None
    if not text:
        return _Interpretation(reason="blank")
    code, numeric = _numeric_code(text)
    if numeric:
        if code is None:
            return _Interpretation(reason="invalid", problem=f"not an integer code (scale {lookup.span})")
        if code in lookup.codes:
            return _Interpretation(code=code, language="code",
                                   normalised="float_code" if text != str(code) else cleaned)
        if code in lookup.missing_codes:
            return _Interpretation(reason=lookup.missing_codes[code], language="code")
        return _Interpretation(reason="invalid", problem=f"code out of range (scale {lookup.span})")
    key = normalise_text(text)
    if key in lookup.labels:
        code, lang = lookup.labels[key]
        return _Interpretation(code=code, language=lang, normalised=cleaned)
    if key in lookup.missing:
        kind, lang = lookup.missing[key]
        return _Interpretation(reason=kind, language=lang, normalised=cleaned)
    return _Interpretation(reason="invalid", problem="unknown label")


def _profile_lookup(codebook: Codebook, name: str) -> dict[str, str]:
    profile_field = codebook.profile[name]
    lookup: dict[str, str] = {}
    for key, labels in profile_field.levels.items():
        for text in [key, *labels.values(), *profile_field.aliases.get(key, [])]:
            lookup.setdefault(normalise_text(text), key)
    return lookup


def _multi_lookup(codebook: Codebook, qid: str, option: str) -> dict[str, bool]:
    question = codebook.multi_select[qid]
    lookup = {token: True for token in _SELECTED_TOKENS}
    lookup.update({token: False for token in _NOT_SELECTED_TOKENS})
    for labels in question.selected.values():
        lookup.update({normalise_text(t): True for t in labels})
    for labels in question.not_selected.values():
        lookup.update({normalise_text(t): False for t in labels})
    lookup.update({normalise_text(t): True for t in question.options[option].values()})
    return lookup


def _option_lookup(codebook: Codebook, qid: str) -> dict[str, str]:
    question = codebook.multi_select[qid]
    lookup: dict[str, str] = {}
    for option, labels in question.options.items():
        for text in [option, question.column(option), *labels.values()]:
            lookup.setdefault(normalise_text(text), option)
    return lookup


# --- per-file processing -----------------------------------------------------------------------------------


@dataclass
class _FileResult:
    frame: pd.DataFrame | None = None  # kept rows
    reasons: pd.DataFrame | None = None
    free_text: pd.DataFrame | None = None
    issues: list[Issue] = field(default_factory=list)
    dropped_columns: list[tuple[str, str, str]] = field(default_factory=list)
    missing_columns: list[tuple[str, str]] = field(default_factory=list)
    labels: Counter = field(default_factory=Counter)
    normalised: Counter = field(default_factory=Counter)
    summary: dict = field(default_factory=dict)


def _file_label(path: Path, all_paths: Sequence[Path]) -> str:
    names = [p.name for p in all_paths]
    return path.name if names.count(path.name) == 1 else path.as_posix()


def _stripped(values: np.ndarray) -> np.ndarray:
    return pd.Series(values, dtype=object).str.strip().to_numpy(dtype=object, copy=True)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


class _Loader:
    def __init__(self, codebook: Codebook, column_map: Mapping, file_profile: Mapping,
                 include_free_text: bool, sheet: str | int | None, encoding: str | None):
        self.codebook = codebook
        self.index = header_index(codebook)
        self.column_map = column_map
        self.file_profile = file_profile
        self.include_free_text = include_free_text
        self.sheet = sheet
        self.encoding = encoding
        self.scale_lookups = {name: _ScaleLookup.build(codebook, name) for name in codebook.scales}
        self.profile_lookups = {name: _profile_lookup(codebook, name) for name in codebook.profile}
        self.seen_ids: dict[str, tuple[str, int]] = {}  # "id\x1fwave" -> (file, row) of the kept first

    def _per_file(self, mapping: Mapping, path: Path, label: str) -> Mapping:
        for key in (label, path.name, str(path), path.as_posix()):
            if key in mapping:
                return mapping[key]
        return {}

    def load_file(self, path: Path, label: str) -> _FileResult:
        result = _FileResult()
        result.summary = {"file": label, "format": "", "encoding": "", "separator": "", "rows_read": 0,
                          "rows_kept": 0, "rows_dropped": 0, "blank_rows": 0, "columns_matched": 0}
        try:
            table = read_export(path, sheet=self.sheet, encoding=self.encoding)
        except ExportReadError as exc:
            reason = "empty file: no data rows" if exc.kind == "empty" else f"unreadable: {exc}"
            result.issues.append(Issue(label, None, None, None, reason, "file skipped"))
            return result
        except Exception as exc:  # a reader library failing on garbage must not escape as a traceback
            result.issues.append(Issue(label, None, None, None,
                                       f"unreadable: {type(exc).__name__}: {exc}", "file skipped"))
            return result
        provenance.record_input(path)
        result.summary.update(format=table.format, encoding=table.encoding, separator=table.separator,
                              rows_read=len(table.cells), blank_rows=table.blank_rows)
        if len(table.cells) == 0:
            result.issues.append(Issue(label, None, None, None, "empty file: no data rows", "file skipped"))
            return result
        self._process(table, path, label, result)
        result.summary["rows_dropped"] = result.summary["rows_read"] - result.summary["rows_kept"]
        return result

    def _process(self, table: RawTable, path: Path, label: str, result: _FileResult) -> None:
        cb = self.codebook
        n = len(table.cells)
        rows = table.row_numbers
        column_map = self._per_file(self.column_map, path, label) if any(
            isinstance(v, Mapping) for v in self.column_map.values()) else self.column_map
        matched, unknown, header_problems = match_columns(table.headers, cb, self.index, column_map)
        for _position, header, reason in header_problems:
            result.issues.append(Issue(label, None, header, None, reason, "column ignored"))
            result.dropped_columns.append((label, header, reason))
        for _, header in unknown:
            result.dropped_columns.append((label, header, "not in the codebook"))
        by_target = {target: position for position, target in matched.items()}
        result.summary["columns_matched"] = len(matched)
        fixed_profile = self._per_file(self.file_profile, path, label)

        def column(target: Target) -> np.ndarray | None:
            position = by_target.get(target)
            return None if position is None else table.cells[position].to_numpy(dtype=object)

        drop_row = np.zeros(n, dtype=bool)
        issues: list[Issue] = []

        # Required columns: without them no row can be kept.
        missing_required = []
        if ("id",) not in by_target:
            missing_required.append(cb.respondent_id)
        for name, profile_field in cb.profile.items():
            if profile_field.required and ("profile", name) not in by_target and name not in fixed_profile:
                missing_required.append(name)
        if missing_required:
            for name in missing_required:
                issues.append(Issue(label, None, name, None, "missing required column", f"file skipped ({n} rows)"))
            result.issues.extend(issues)
            return

        out: dict[str, object] = {}
        reasons: dict[str, object] = {}

        # Respondent id.
        ids = _stripped(column(("id",)))
        blank_id = ids == ""
        for i in np.flatnonzero(blank_id):
            issues.append(Issue(label, int(rows[i]), cb.respondent_id, "", "missing respondent id"))
        drop_row |= blank_id

        # Profile fields.
        for name, profile_field in cb.profile.items():
            if name in fixed_profile:
                key = str(fixed_profile[name])
                if key not in profile_field.levels:
                    raise ValueError(f"file_profile for {label}: {name}={key!r} is not a codebook level "
                                     f"({', '.join(profile_field.levels)})")
                out[name] = np.full(n, key, dtype=object)
                continue
            raw = column(("profile", name))
            if raw is None:
                out[name] = np.full(n, None, dtype=object)
                continue
            codes, uniques = _factorize(raw)
            lookup = self.profile_lookups[name]
            keys = np.array([lookup.get(normalise_text(u)) if u.strip() else None for u in uniques] + [None],
                            dtype=object)
            mapped = keys[codes]
            blank = np.array([not u.strip() for u in uniques], dtype=bool)[codes]
            unknown_value = pd.isna(mapped) & ~blank
            for i in np.flatnonzero(unknown_value):
                action = "row dropped" if profile_field.required else "cell set to NA"
                issues.append(Issue(label, int(rows[i]), name, raw[i], "unknown label", action))
            if profile_field.required:
                for i in np.flatnonzero(blank):
                    issues.append(Issue(label, int(rows[i]), name, "", "missing required value"))
                drop_row |= blank | unknown_value
            out[name] = mapped

        stakeholder = out.get("stakeholder")
        if ("panel",) in by_target:
            panel = _stripped(column(("panel",)))
            panel[panel == ""] = None
            out["panel_key"] = panel

        # Items.
        for item in cb.items:
            raw = column(("item", item.id))
            if raw is None:
                result.missing_columns.append((label, item.id))
                out[item.id] = np.full(n, -1, dtype=np.int64)
                reasons[item.id] = np.full(n, "not_in_export", dtype=object)
                continue
            codes, uniques = _factorize(raw)
            lookup = self.scale_lookups[item.scale]
            interpretations = [_interpret_answer(u, lookup) for u in uniques]
            item_codes = np.array([x.code for x in interpretations], dtype=np.int64)[codes]
            item_reasons = np.array([x.reason for x in interpretations], dtype=object)[codes]
            if stakeholder is not None and item.answered_by:
                not_asked = ~np.isin(stakeholder.astype(str), list(item.answered_by))
                item_reasons[(item_reasons == "blank") & not_asked] = "not_asked"
            counts = np.bincount(codes, minlength=len(uniques))
            for x, count in zip(interpretations, counts, strict=True):
                if x.language is not None and x.language != "code":
                    result.labels[x.language] += int(count)
                elif x.language == "code":
                    result.labels["code"] += int(count)
                if x.normalised:
                    result.normalised[x.normalised] += int(count)
            bad = [j for j, x in enumerate(interpretations) if x.problem]
            if bad:
                for i in np.flatnonzero(np.isin(codes, bad)):
                    issues.append(Issue(label, int(rows[i]), item.id, raw[i],
                                        interpretations[codes[i]].problem, "cell set to NA"))
            out[item.id] = item_codes
            reasons[item.id] = item_reasons

        # Multi-select questions.
        for qid, question in cb.multi_select.items():
            single = column(("multi_q", qid))
            option_lookup = _option_lookup(cb, qid) if single is not None else {}
            present = single is not None or any(("multi", qid, o) in by_target for o in question.options)
            if not present:
                for option in question.options:
                    result.missing_columns.append((label, question.column(option)))
                    out[question.column(option)] = np.full(n, None, dtype=object)
                continue
            if single is not None:
                codes, uniques = _factorize(single)
                chosen: list[set[str] | None] = []
                for u in uniques:
                    tokens = [t for t in _MULTI_SPLIT.split(u.strip()) if t]
                    options = {option_lookup.get(normalise_text(t)) for t in tokens}
                    if None in options:
                        chosen.append(None)
                    else:
                        chosen.append(options)
                bad = [j for j, c in enumerate(chosen) if c is None]
                for i in np.flatnonzero(np.isin(codes, bad)):
                    issues.append(Issue(label, int(rows[i]), qid, single[i], "unknown option", "cell set to NA"))
                for option in question.options:
                    flags = np.array([None if c is None else (option in c) for c in chosen], dtype=object)
                    out[question.column(option)] = flags[codes]
                continue
            for option in question.options:
                raw = column(("multi", qid, option))
                name = question.column(option)
                if raw is None:
                    result.missing_columns.append((label, name))
                    out[name] = np.full(n, None, dtype=object)
                    continue
                codes, uniques = _factorize(raw)
                lookup = _multi_lookup(cb, qid, option)
                flags_list: list[bool | None] = []
                for u in uniques:
                    text = u.strip()
                    if not text:
                        flags_list.append(False)
                        continue
                    number, numeric = _numeric_code(text)
                    key = str(number) if numeric and number is not None else normalise_text(text)
                    flags_list.append(lookup.get(key))
                bad = [j for j, f in enumerate(flags_list) if f is None]
                for i in np.flatnonzero(np.isin(codes, bad)):
                    issues.append(Issue(label, int(rows[i]), name, raw[i], "unknown label", "cell set to NA"))
                out[name] = np.array(flags_list, dtype=object)[codes]

        # PII: never into responses.
        for key in cb.pii:
            position = by_target.get(("pii", key))
            if position is None:
                continue
            header = table.headers[position][0]
            if key == cb.organisation_column and self.pseudonymise_key is not None:
                names = pd.Series(_stripped(column(("pii", key))), dtype="object").replace("", None)
                out["organisation_key"] = pseudonymise(names, self.pseudonymise_key, normalise=True).to_numpy(
                    dtype=object, na_value=None)
                result.dropped_columns.append((label, header, f"PII ({key}): replaced by keyed organisation_key"))
            elif key in cb.free_text_columns:
                if self.include_free_text:
                    out[f"__free_text__{key}"] = column(("pii", key))
                result.dropped_columns.append(
                    (label, header, f"PII ({key}): free text, "
                     + ("returned in Survey.free_text" if self.include_free_text
                        else "not loaded (include_free_text=True to get it)")))
            else:
                result.dropped_columns.append((label, header, f"PII ({key}): dropped"))

        # Duplicate respondent ids, within this file and across files (per wave when waves exist).
        # Only rows otherwise kept take part: a row already dropped for another reason cannot shadow a later one.
        wave = out.get("wave")
        wave_text = np.full(n, "", dtype=object) if wave is None else pd.Series(wave, dtype=object).fillna("").to_numpy()
        keys = pd.Series(ids + "\x1f" + wave_text.astype(str), dtype=object)
        candidate = ~drop_row
        within = keys.duplicated(keep="first").to_numpy() & candidate
        earlier = keys.isin(self.seen_ids.keys()).to_numpy() & candidate
        first_in_file = candidate & ~within & ~earlier
        self.seen_ids.update(zip(keys[first_in_file], zip([label] * int(first_in_file.sum()),
                                                          rows[first_in_file].tolist(), strict=True), strict=True))
        for i in np.flatnonzero(within | earlier):
            first_file, first_row = self.seen_ids[keys[i]]
            issues.append(Issue(label, int(rows[i]), cb.respondent_id, ids[i],
                                f"duplicate respondent id (first in {first_file} row {first_row})"))
        drop_row |= within | earlier

        keep = ~drop_row
        frame = pd.DataFrame({
            cb.respondent_id: ids[keep],
            "source_file": np.full(int(keep.sum()), label, dtype=object),
            "source_row": rows[keep].astype(np.int64),
        })
        for name, values in out.items():
            frame[name] = np.asarray(values)[keep]
        result.frame = frame
        result.reasons = pd.DataFrame({k: np.asarray(v, dtype=object)[keep] for k, v in reasons.items()})
        result.summary["rows_kept"] = int(keep.sum())
        result.issues.extend(issues)

    pseudonymise_key: str | bytes | None = None


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
        {item_id: (reasons_raw[item_id] if item_id in reasons_raw else pd.Series([None] * n, dtype=object))
         .astype("string") for item_id in codebook.item_ids},
        index=out.index,
    )
    free_text = None
    if include_free_text:
        columns = {c.removeprefix("__free_text__"): raw[c].astype("string")
                   for c in raw.columns if c.startswith("__free_text__")}
        free_text = pd.DataFrame({id_col: out[id_col], "source_file": out["source_file"], **columns})
    return out, missing, free_text


def load_survey(
    paths: PathLike | Sequence[PathLike],
    codebook: Codebook | PathLike | None = None,
    errors: Literal["raise", "report"] = "raise",
    column_map: Mapping[str, str | None] | Mapping[str, Mapping[str, str | None]] | None = None,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    file_profile: Mapping[str, Mapping[str, str]] | None = None,
    pseudonymise_key: str | bytes | None = None,
    include_free_text: bool = False,
) -> Survey:
    """Load one or more partner exports into one harmonised, validated :class:`Survey`.

    Parameters
    ----------
    paths
        One export or several (one per partner). CSV (comma, semicolon or tab; UTF-8
        with or without BOM, UTF-16, cp1252/latin-1: detected and reported), XLSX
        (first sheet, or ``sheet``) or SPSS ``.sav`` (value labels applied). The type is
        recognised from the file's bytes.
    codebook
        A :class:`Codebook` or the path of a codebook YAML; default the INNOCAP v1 instrument.
    errors
        ``"raise"``: any problem raises :class:`SurveyValidationError` listing *all*
        problems. ``"report"``: keep what is valid, record the rest in ``report.rejected``.
    column_map
        Raw header -> codebook name (item id, profile field, ``respondent_id``, PII key,
        multi-select column ``BAR_cost``), or ``None``/``"drop"`` to drop a column. It
        overrides automatic matching. A mapping of file name -> such a map applies per file.
    sheet
        XLSX sheet name or position (default: the first).
    encoding
        Force a CSV text encoding instead of detecting it.
    file_profile
        File name -> {profile field: level key} for fields an export does not contain
        (e.g. ``{"fi_export.csv": {"region": "south_savo", "country": "FI"}}``).
    pseudonymise_key
        When given, ``respondent_id`` and ``panel_key`` are replaced by a keyed hash
        (:func:`~innocap_analysis.survey.privacy.pseudonymise`), and the organisation
        name (PII) becomes ``organisation_key`` with the same keyed hash.
    include_free_text
        Return free-text answers in ``Survey.free_text`` (never in ``responses``).

    Returns
    -------
    Survey

    Raises
    ------
    SurveyValidationError
        With ``errors="raise"``, when any problem is found (``.issues`` has them all,
        ``.report`` the full report).
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    path_list = [Path(p) for p in paths]
    if not path_list:
        raise ValueError("load_survey: no paths given")
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    loader = _Loader(codebook, column_map or {}, file_profile or {}, include_free_text, sheet, encoding)
    loader.pseudonymise_key = pseudonymise_key
    results = [loader.load_file(path, _file_label(path, path_list)) for path in path_list]
    responses, missing_reasons, free_text = _assemble(codebook, results, pseudonymise_key, include_free_text)

    # Problems in reading order: file by file, then by row (file- and header-level problems first).
    issues = [issue for r in results for issue in sorted(r.issues, key=lambda i: -1 if i.row is None else i.row)]
    rejected = pd.DataFrame(
        [(i.file, i.row, i.column, i.value, i.reason, i.action) for i in issues], columns=REJECTED_COLUMNS
    ).astype({"file": "string", "row": "Int64", "column": "string", "value": "string", "reason": "string",
              "action": "string"})
    labels: Counter = Counter()
    normalised: Counter = Counter()
    for r in results:
        labels.update(r.labels)
        normalised.update(r.normalised)
    report = LoadReport(
        rows_read=sum(r.summary["rows_read"] for r in results),
        rows_kept=len(responses),
        rejected=rejected,
        dropped_columns=pd.DataFrame([d for r in results for d in r.dropped_columns],
                                     columns=["file", "column", "reason"]).astype("string"),
        labels_mapped=dict(sorted(labels.items())),
        files=pd.DataFrame([r.summary for r in results]),
        missing_columns=pd.DataFrame([m for r in results for m in r.missing_columns],
                                     columns=["file", "column"]).astype("string"),
        values_normalised=dict(sorted(normalised.items())),
    )
    if errors == "raise" and issues:
        raise SurveyValidationError(issues, report)
    return Survey(responses, missing_reasons, report, codebook, free_text)


def load_illustrative_survey(errors: Literal["raise", "report"] = "report", **kwargs) -> Survey:
    """Load the committed illustrative (synthetic) partner exports through :func:`load_survey`.

    ``errors="report"`` by default because the exports deliberately contain a duplicate
    submission and an out-of-range code (see ``data/raw/illustrative/README.md``).
    Keyword arguments go to :func:`load_survey`.
    """
    from ..synthetic import illustrative_export_paths

    return load_survey(illustrative_export_paths(), errors=errors, **kwargs)

