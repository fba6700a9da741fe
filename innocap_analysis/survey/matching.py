"""Match export columns to the codebook: ids, texts in every language, tool codes, matrix headers.

A column's aliases (one per header row, see :mod:`~innocap_analysis.survey.layouts`) are
tried in order; each alias is tried whole, without a leading question number (``Q3.``,
``3)``), and then as a matrix header whose statement is the item: ``stem [statement]``
(LimeSurvey full headings, Google Forms grids) and ``stem - statement`` (Qualtrics,
SurveyMonkey, Netigate, SPSS labels), the statement looked up among the codebook texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .codebook import Codebook, CodebookError
from .text import normalise_text

#: ``("id",) ("panel",) ("profile", name) ("item", id) ("multi", q, opt) ("multi_q", q) ("pii", key)``
Target = tuple[str, ...]

_QUESTION_NUMBER = re.compile(r"^(?:q\s*)?\d+[a-z]?\s*[.):]\s+")
_BRACKETED = re.compile(r"^(?P<stem>.*?)\s*\[(?P<statement>[^\[\]]+)\]$")
_SEPARATORS = (" - ", ": ", " / ", " | ")


def target_name(target: Target) -> str:
    """The ``Survey.responses`` column (or codebook name) a target stands for."""
    kind = target[0]
    if kind == "multi":
        return f"{target[1]}_{target[2]}"
    return {"id": "respondent_id", "panel": "panel_key"}.get(kind, target[-1])


def header_index(codebook: Codebook, tool: str | None = None) -> dict[str, Target]:
    """Normalised header text -> target, from ids and texts in every codebook language.

    With ``tool``, the codebook's header codes for that tool are added (item ``codes``,
    ``<question code>[<option code>]`` and ``<question code>_<option code>`` of multi-select
    options). Raises :class:`CodebookError` when one header would name two targets.
    """
    index: dict[str, Target] = {}
    clashes: list[str] = []

    def add(text: str, target: Target) -> None:
        key = normalise_text(text)
        if not key:
            return
        if key in index and index[key] != target:
            clashes.append(f"{text!r} names both {target_name(index[key])} and {target_name(target)}")
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
        for code in item.codes.get(tool or "", []):
            add(code, ("item", item.id))
    for qid, question in codebook.multi_select.items():
        add(qid, ("multi_q", qid))
        for text in question.text.values():
            add(text, ("multi_q", qid))
        question_codes = question.codes.get(tool or "", [])
        for option, labels in question.options.items():
            add(question.column(option), ("multi", qid, option))
            for lang, label in labels.items():
                add(label, ("multi", qid, option))
                qtext = question.text.get(lang, "")
                for sep in _SEPARATORS:
                    add(f"{qtext}{sep}{label}", ("multi", qid, option))
                    add(f"{qid}{sep}{label}", ("multi", qid, option))
            for qcode in question_codes:
                for ocode in question.option_codes.get(option, {}).get(tool or "", []):
                    add(f"{qcode}[{ocode}]", ("multi", qid, option))
                    add(f"{qcode}_{ocode}", ("multi", qid, option))
    for key in codebook.pii:
        add(key, ("pii", key))
        for labels in codebook.pii_labels.get(key, {}).values():
            for label in labels:
                add(label, ("pii", key))
    if clashes:
        raise CodebookError(codebook.source, ["ambiguous column header: " + c for c in clashes])
    return index


def resolve_map_target(name: str, codebook: Codebook) -> Target | None:
    """The target of a column-map value (a codebook name), or None when the codebook has no such name."""
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


def header_candidates(key: str) -> list[str]:
    """Normalised forms to look up for one normalised header, most specific first."""
    candidates = [key]
    unnumbered = _QUESTION_NUMBER.sub("", key)
    if unnumbered != key:
        candidates.append(unnumbered)
    for text in list(candidates):
        bracketed = _BRACKETED.match(text)
        if bracketed:
            candidates.append(bracketed.group("statement").strip())
        start = text.find(" - ")
        while start >= 0:  # stem - statement; the stem may itself hold " - ", so try every split
            candidates.append(text[start + 3:].strip())
            start = text.find(" - ", start + 3)
    return candidates


def lookup_header(aliases: list[str], index: Mapping[str, Target]) -> Target | None:
    """The codebook target of a column with these aliases, or None."""
    for alias in aliases:
        for candidate in header_candidates(normalise_text(alias)):
            target = index.get(candidate)
            if target is not None:
                return target
    return None


@dataclass
class ColumnMatch:
    """Result of :func:`match_columns`.

    ``matched`` maps a column position to its target; ``groups`` lists, for a multi-select
    question spread over several columns under one header (the header repeated, or the
    columns after it left blank), all its positions; ``unknown`` has ``(position, header)``
    of unmatched columns, ``problems`` ``(position, header, reason)`` of header problems.
    """

    matched: dict[int, Target] = field(default_factory=dict)
    groups: dict[Target, list[int]] = field(default_factory=dict)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    mapped: set[int] = field(default_factory=set)  # positions named by the column map


def match_columns(
    headers: list[list[str]], codebook: Codebook, index: Mapping[str, Target],
    column_map: Mapping[str, str | None], skip: Mapping[int, object] | None = None,
    fixed: Mapping[int, Target] | None = None,
) -> ColumnMatch:
    """Match raw columns to codebook targets.

    ``column_map`` (raw header -> codebook name, or None/``"drop"``) overrides automatic
    matching; ``skip`` holds positions the layout already accounts for (metadata), which
    are matched only when the column map names them; ``fixed`` holds positions the layout
    assigns (the respondent-id column).
    """
    skip = skip or {}
    fixed = fixed or {}
    normalised_map = {normalise_text(k): v for k, v in column_map.items()}
    result = ColumnMatch()
    taken: dict[Target, int] = {}
    previous: Target | None = None
    mapped_targets = {resolve_map_target(str(v), codebook) for v in column_map.values() if v not in (None, "drop")}
    for position, aliases in enumerate(headers):
        target: Target | None = None
        explicit = next((normalised_map[normalise_text(a)] for a in aliases
                         if normalise_text(a) in normalised_map), "__none__")
        header = aliases[0] if aliases else ""
        if explicit != "__none__":
            if explicit is None or explicit == "drop":
                result.unknown.append((position, header))
                previous = None
                continue
            target = resolve_map_target(str(explicit), codebook)
            if target is None:
                result.problems.append((position, header, f"column_map target {explicit!r} is not in the codebook"))
                previous = None
                continue
            result.mapped.add(position)
        elif position in fixed and fixed[position] not in mapped_targets:
            target = fixed[position]
        elif position in skip:
            previous = None
            continue
        elif not any(a.strip() for a in aliases) and previous is not None and previous[0] == "multi_q":
            target = previous  # a blank header after a multi-select column continues it
        else:
            target = lookup_header(aliases, index)
        if target is None:
            result.unknown.append((position, header))
            previous = None
            continue
        if target in taken:
            if target[0] == "multi_q":
                result.groups.setdefault(target, [taken[target]]).append(position)
                result.matched[position] = target
                previous = target
                continue
            result.problems.append((position, header,
                                    f"duplicate column: also matches {target_name(target)} "
                                    f"(column {taken[target] + 1}); the first is used"))
            previous = None
            continue
        taken[target] = position
        result.matched[position] = target
        previous = target
    return result
