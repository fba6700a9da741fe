"""The survey instrument as data: read and check a codebook YAML.

The format is documented in ``docs/codebook.md``; the INNOCAP instrument v1 is
``innocap_analysis/instruments/innocap_v1.yaml`` (:data:`config.DEFAULT_CODEBOOK`).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import config, provenance
from ..labels import formula_like

#: Survey tools whose export codes a codebook may declare (``codes: {limesurvey: A3, qualtrics: 3}``);
#: one key per tool family (a family can have several export layouts, see ``survey.layouts``).
EXPORT_TOOLS: tuple[str, ...] = ("qualtrics", "surveymonkey", "msforms", "google_forms", "limesurvey",
                                 "webropol", "surveyxact", "netigate", "plain")

#: ``{tool: [code, ...]}``: how one level, option or column is coded in a tool's export.
ToolCodes = dict[str, list[str]]


class CodebookLabelWarning(UserWarning):
    """A codebook text that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, tab or CR).

    Such a label reaches the published tables; every CSV writer prefixes it with ``'``
    (:func:`innocap_analysis.evidence.publish.neutralise_formulas`), so it is shown as text, but it
    is almost certainly a mistake (or an attack) in the codebook.
    """


def formula_labels(raw: Any, where: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(place, text)`` of every text in a parsed codebook YAML that starts like a spreadsheet formula.

    ``place`` is the path of keys to the text (``scales.agree5.levels.1.en``); plain numbers
    (``-99``) are not formulas (:func:`innocap_analysis.labels.formula_like`).
    """
    if isinstance(raw, dict):
        return [found for key, value in raw.items() for found in formula_labels(value, (*where, str(key)))]
    if isinstance(raw, list | tuple):
        return [found for i, value in enumerate(raw) for found in formula_labels(value, (*where, str(i)))]
    return [(".".join(where), raw)] if formula_like(raw) else []


def _warn_formula_labels(raw: dict[str, Any], source: str) -> None:
    found = formula_labels(raw)
    if found:
        listed = "; ".join(f"{place} = {text!r}" for place, text in found[:10])
        more = f"; and {len(found) - 10} more" if len(found) > 10 else ""
        warnings.warn(
            f"{source}: {len(found)} codebook label(s) start like a spreadsheet formula (=, +, -, @, tab or CR): "
            f"{listed}{more}. Published CSV tables write them with a leading ' so that no spreadsheet runs them; "
            f"check the codebook.", CodebookLabelWarning, stacklevel=3)


class CodebookError(ValueError):
    """The codebook YAML is malformed; ``.problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: invalid codebook:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale.

    ``levels`` maps integer code -> {language: label}; ``missing`` maps a missing kind
    (``dont_know``, ``not_applicable``, ...) -> {language: [labels]}; ``missing_codes``
    maps a missing kind -> numeric codes some export tools use for it (e.g. 9).
    ``level_codes`` (code -> {tool: [codes]}) and ``missing_tool_codes`` (kind -> {tool:
    [codes]}) are the codes a survey tool writes instead of labels (LimeSurvey ``A3``).
    """

    name: str
    levels: dict[int, dict[str, str]]
    missing: dict[str, dict[str, list[str]]]
    missing_codes: dict[str, list[int]] = field(default_factory=dict)
    level_codes: dict[int, ToolCodes] = field(default_factory=dict)
    missing_tool_codes: dict[str, ToolCodes] = field(default_factory=dict)

    @property
    def codes(self) -> list[int]:
        return sorted(self.levels)

    @property
    def min_code(self) -> int:
        return min(self.levels)

    @property
    def max_code(self) -> int:
        return max(self.levels)

    def label(self, code: int, language: str = "en") -> str:
        return self.levels[code][language]


@dataclass(frozen=True)
class ProfileField:
    """A categorical respondent descriptor (region, stakeholder type, ...).

    ``levels`` maps a level key -> {language: label}; ``aliases`` maps a level key ->
    extra accepted spellings; ``text`` is the question/column header per language;
    ``codes`` maps a level key -> {tool: [codes]} (the answer codes of a tool's export).
    """

    name: str
    required: bool
    levels: dict[str, dict[str, str]]
    text: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    codes: dict[str, ToolCodes] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return list(self.levels)


@dataclass(frozen=True)
class Item:
    """One rating question. ``dimension`` is None for cross-cutting items (awareness, adoption).

    ``codes`` ({tool: [column header]}) names the item's column in a tool's code export
    (LimeSurvey ``SK[SQ001]``); an ``optional`` item may be absent from an export without
    that being a problem. ``statement`` ties items that ask one statement in different roles
    (instrument v2: the same statement asked as importance, capability and supply), so that
    they can be compared like for like.
    """

    id: str
    dimension: str | None
    role: str
    scale: str
    reverse: bool
    text: dict[str, str]
    answered_by: tuple[str, ...] = ()
    codes: ToolCodes = field(default_factory=dict)
    optional: bool = False
    statement: str | None = None


@dataclass(frozen=True)
class MultiSelect:
    """A multi-select question; each option becomes a boolean column ``<id>_<option>``.

    ``codes`` ({tool: [question code]}) and ``option_codes`` (option -> {tool: [codes]}) are
    a tool's codes: in headers (LimeSurvey ``BAR[SQ001]``) and in list cells (Qualtrics ``1,3``).
    """

    id: str
    role: str
    text: dict[str, str]
    options: dict[str, dict[str, str]]
    selected: dict[str, list[str]] = field(default_factory=dict)
    not_selected: dict[str, list[str]] = field(default_factory=dict)
    codes: ToolCodes = field(default_factory=dict)
    option_codes: dict[str, ToolCodes] = field(default_factory=dict)
    optional: bool = False

    def column(self, option: str) -> str:
        return f"{self.id}_{option}"

    @property
    def columns(self) -> list[str]:
        return [self.column(option) for option in self.options]


@dataclass(frozen=True)
class Codebook:
    """A survey instrument: scales, profile fields, dimensions, items and PII columns."""

    instrument: str
    version: str
    languages: list[str]
    respondent_id: str
    scales: dict[str, Scale]
    profile: dict[str, ProfileField]
    dimensions: dict[str, dict[str, str]]
    items: list[Item]
    pii: list[str]
    respondent_id_labels: dict[str, list[str]] = field(default_factory=dict)
    panel_key: str | None = None
    panel_key_labels: dict[str, list[str]] = field(default_factory=dict)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    multi_select: dict[str, MultiSelect] = field(default_factory=dict)
    pii_labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    organisation_column: str | None = None
    free_text_columns: list[str] = field(default_factory=list)
    source: str = ""

    def items_for(self, dimension: str | None = None, role: str | None = None) -> list[Item]:
        """Items filtered by dimension and/or role, in codebook order."""
        return [
            item
            for item in self.items
            if (dimension is None or item.dimension == dimension) and (role is None or item.role == role)
        ]

    def statements(self, dimension: str | None = None) -> dict[str, dict[str, Item]]:
        """Matched statements: statement key -> {role: item}, in codebook order (instrument v2)."""
        out: dict[str, dict[str, Item]] = {}
        for item in self.items:
            if item.statement is not None and (dimension is None or item.dimension == dimension):
                out.setdefault(item.statement, {})[item.role] = item
        return out

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"no item {item_id!r} in codebook {self.instrument} {self.version}")

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    @property
    def multi_select_columns(self) -> list[str]:
        return [col for question in self.multi_select.values() for col in question.columns]

def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _labels_per_language(raw: Any) -> dict[str, list[str]]:
    return {str(lang): _as_list(labels) for lang, labels in (raw or {}).items()}


def _tool_codes(raw: Any, where: str, problems: list[str]) -> ToolCodes:
    """``{tool: code | [codes]}`` -> ``{tool: [codes]}``; unknown tools are problems."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: codes must be a mapping {{tool: code}}, not {raw!r}")
        return {}
    codes: ToolCodes = {}
    for tool, values in raw.items():
        if str(tool) not in EXPORT_TOOLS:
            problems.append(f"{where}: unknown tool {tool!r} in codes (known: {', '.join(EXPORT_TOOLS)})")
            continue
        codes[str(tool)] = [str(v) for v in _as_list(values)]
    return codes


def _check_unique_codes(where: str, per_key: dict[Any, ToolCodes], problems: list[str]) -> None:
    """Within one scale, profile field or question, a tool's code names one level only."""
    seen: dict[tuple[str, str], Any] = {}
    for key, codes in per_key.items():
        for tool, values in codes.items():
            for value in values:
                other = seen.setdefault((tool, value.casefold()), key)
                if other != key:
                    problems.append(f"{where}: {tool} code {value!r} names both {other} and {key}")


def _check_languages(what: str, labels: dict, languages: list[str], problems: list[str]) -> None:
    missing = [lang for lang in languages if lang not in labels or labels[lang] in (None, "", [])]
    if missing:
        problems.append(f"{what}: no label for language(s) {', '.join(missing)}")


def _check_statements(items: list[Item], problems: list[str]) -> None:
    """Items sharing a ``statement`` share its dimension and ask it once per role."""
    seen: dict[tuple[str, str], str] = {}
    dimension_of: dict[str, str | None] = {}
    for item in items:
        if item.statement is None:
            continue
        first = dimension_of.setdefault(item.statement, item.dimension)
        if first != item.dimension:
            problems.append(f"item {item.id}: statement {item.statement!r} is in dimension {first!r}, "
                            f"not {item.dimension!r}")
        other = seen.setdefault((item.statement, item.role), item.id)
        if other != item.id:
            problems.append(f"item {item.id}: statement {item.statement!r} already has a {item.role} item ({other})")


def parse_codebook(raw: dict[str, Any], source: str = "<dict>") -> Codebook:
    """Build a :class:`Codebook` from the parsed YAML mapping; raise :class:`CodebookError`."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise CodebookError(source, ["the top level must be a mapping"])
    for key in ("instrument", "version", "languages", "respondent_id", "scales", "items"):
        if key not in raw:
            problems.append(f"missing top-level key {key!r}")
    if problems:
        raise CodebookError(source, problems)
    languages = [str(lang) for lang in raw["languages"]]
    if "en" not in languages:
        problems.append("languages must include 'en'")

    scales: dict[str, Scale] = {}
    for name, spec in (raw.get("scales") or {}).items():
        levels: dict[int, dict[str, str]] = {}
        level_codes: dict[int, ToolCodes] = {}
        for code, labels in (spec.get("levels") or {}).items():
            try:
                code_int = int(code)
            except (TypeError, ValueError):
                problems.append(f"scale {name}: level code {code!r} is not an integer")
                continue
            labels = dict(labels or {})
            level_codes[code_int] = _tool_codes(labels.pop("codes", None), f"scale {name} level {code}", problems)
            _check_languages(f"scale {name} level {code}", labels, languages, problems)
            levels[code_int] = {str(k): str(v) for k, v in labels.items()}
        if not levels:
            problems.append(f"scale {name}: no levels")
        missing: dict[str, dict[str, list[str]]] = {}
        missing_tool_codes: dict[str, ToolCodes] = {}
        for kind, labels in (spec.get("missing") or {}).items():
            labels = dict(labels or {})
            missing_tool_codes[str(kind)] = _tool_codes(labels.pop("codes", None), f"scale {name} missing {kind}",
                                                        problems)
            missing[str(kind)] = _labels_per_language(labels)
        _check_unique_codes(f"scale {name}", {**level_codes, **missing_tool_codes}, problems)
        missing_codes = {str(k): [int(c) for c in _as_list(v)] for k, v in (spec.get("missing_codes") or {}).items()}
        for kind, codes in missing_codes.items():
            clash = sorted(set(codes) & set(levels))
            if clash:
                problems.append(f"scale {name}: missing code(s) {clash} for {kind} are also levels")
        scales[str(name)] = Scale(str(name), dict(sorted(levels.items())), missing, missing_codes,
                                  {k: v for k, v in sorted(level_codes.items()) if v},
                                  {k: v for k, v in missing_tool_codes.items() if v})

    profile: dict[str, ProfileField] = {}
    for name, spec in (raw.get("profile") or {}).items():
        levels_p: dict[str, dict[str, str]] = {}
        aliases: dict[str, list[str]] = {}
        profile_codes: dict[str, ToolCodes] = {}
        for key, labels in (spec.get("levels") or {}).items():
            labels = dict(labels or {})
            aliases[str(key)] = _as_list(labels.pop("aliases", None))
            profile_codes[str(key)] = _tool_codes(labels.pop("codes", None), f"profile {name} level {key}", problems)
            _check_languages(f"profile {name} level {key}", labels, languages, problems)
            levels_p[str(key)] = {str(k): str(v) for k, v in labels.items()}
        _check_unique_codes(f"profile {name}", profile_codes, problems)
        profile[str(name)] = ProfileField(
            str(name), bool(spec.get("required", False)), levels_p,
            {str(k): str(v) for k, v in (spec.get("text") or {}).items()}, aliases,
            {k: v for k, v in profile_codes.items() if v},
        )

    dimensions = {str(k): {str(lang): str(v) for lang, v in (labels or {}).items()}
                  for k, labels in (raw.get("dimensions") or {}).items()}
    for name, labels in dimensions.items():
        _check_languages(f"dimension {name}", labels, languages, problems)

    roles = {str(k): dict(v or {}) for k, v in (raw.get("roles") or {}).items()}
    all_stakeholders = tuple(profile["stakeholder"].levels) if "stakeholder" in profile else ()
    items: list[Item] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw.get("items") or []):
        item_id = str(spec.get("id", ""))
        where = f"item {item_id or '#' + str(index)}"
        if not item_id:
            problems.append(f"{where}: no id")
        elif item_id in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(item_id)
        scale = str(spec.get("scale", ""))
        if scale not in scales:
            problems.append(f"{where}: unknown scale {scale!r}")
        dimension = spec.get("dimension")
        if dimension is not None and str(dimension) not in dimensions:
            problems.append(f"{where}: unknown dimension {dimension!r}")
        role = str(spec.get("role", "capability"))
        reverse = spec.get("reverse", False)
        if not isinstance(reverse, bool):
            problems.append(f"{where}: reverse must be true or false, not {reverse!r}")
        text = {str(k): str(v) for k, v in (spec.get("text") or {}).items()}
        _check_languages(where, text, languages, problems)
        answered_by = tuple(_as_list(spec.get("answered_by"))) or tuple(
            _as_list(roles.get(role, {}).get("answered_by"))) or all_stakeholders
        optional = spec.get("optional", False)
        if not isinstance(optional, bool):
            problems.append(f"{where}: optional must be true or false, not {optional!r}")
        statement = spec.get("statement")
        if statement is not None and dimension is None:
            problems.append(f"{where}: a statement ({statement!r}) needs a dimension")
        items.append(Item(item_id, None if dimension is None else str(dimension), role, scale,
                          bool(reverse), text, answered_by, _tool_codes(spec.get("codes"), where, problems),
                          bool(optional), None if statement is None else str(statement)))
    _check_statements(items, problems)

    multi: dict[str, MultiSelect] = {}
    for qid, spec in (raw.get("multi_select") or {}).items():
        options: dict[str, dict[str, str]] = {}
        option_codes: dict[str, ToolCodes] = {}
        for key, labels in (spec.get("options") or {}).items():
            labels = dict(labels or {})
            option_codes[str(key)] = _tool_codes(labels.pop("codes", None), f"multi_select {qid} option {key}",
                                                 problems)
            options[str(key)] = {str(lang): str(v) for lang, v in labels.items()}
            _check_languages(f"multi_select {qid} option {key}", options[str(key)], languages, problems)
        _check_unique_codes(f"multi_select {qid}", option_codes, problems)
        multi[str(qid)] = MultiSelect(
            str(qid), str(spec.get("role", "barriers")),
            {str(k): str(v) for k, v in (spec.get("text") or {}).items()}, options,
            _labels_per_language(spec.get("selected")), _labels_per_language(spec.get("not_selected")),
            _tool_codes(spec.get("codes"), f"multi_select {qid}", problems),
            {k: v for k, v in option_codes.items() if v}, bool(spec.get("optional", False)),
        )

    pii = _as_list(raw.get("pii"))
    if problems:
        raise CodebookError(source, problems)
    _warn_formula_labels(raw, source)
    return Codebook(
        instrument=str(raw["instrument"]),
        version=str(raw["version"]),
        languages=languages,
        respondent_id=str(raw["respondent_id"]),
        scales=scales,
        profile=profile,
        dimensions=dimensions,
        items=items,
        pii=pii,
        respondent_id_labels=_labels_per_language(raw.get("respondent_id_labels")),
        panel_key=None if raw.get("panel_key") is None else str(raw["panel_key"]),
        panel_key_labels=_labels_per_language(raw.get("panel_key_labels")),
        roles=roles,
        multi_select=multi,
        pii_labels={str(k): _labels_per_language(v) for k, v in (raw.get("pii_labels") or {}).items()},
        organisation_column=None if raw.get("organisation_column") is None else str(raw["organisation_column"]),
        free_text_columns=_as_list(raw.get("free_text_columns")),
        source=source,
    )


def load_codebook(path: str | os.PathLike[str] | None = None) -> Codebook:
    """Load and check an instrument codebook.

    Parameters
    ----------
    path
        A codebook YAML (format: ``docs/codebook.md``). Default:
        :data:`innocap_analysis.config.DEFAULT_CODEBOOK`, the INNOCAP instrument v1.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Listing every problem found (unknown scale, missing translation, duplicate id, ...).

    Warns
    -----
    CodebookLabelWarning
        When a label starts like a spreadsheet formula (``=HYPERLINK(...)``; see :func:`formula_labels`).
    """
    path = Path(path) if path is not None else config.DEFAULT_CODEBOOK
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(str(path), [f"cannot read: {exc}"]) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CodebookError(str(path), [f"not valid YAML: {exc}"]) from exc
    provenance.record_input(path)
    return parse_codebook(raw, source=str(path))
