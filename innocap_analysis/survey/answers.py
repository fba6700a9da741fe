"""Interpret answer cells: scale codes and labels, tool codes, profile levels, multi-select options.

Every function here works on one *distinct* cell value; the loader factorizes each column
and maps the interpretations back with numpy indexing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .codebook import Codebook
from .text import normalise_text

_NUMERIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
SELECTED_TOKENS = ("1", "true", "x")
NOT_SELECTED_TOKENS = ("0", "false")


def numeric_code(text: str) -> tuple[int | None, bool]:
    """``("4")`` -> (4, True); ``("4.0")`` -> (4, True); ``("3.5")`` -> (None, True); ``("x")`` -> (None, False)."""
    if not _NUMERIC.match(text):
        return None, False
    number = float(text.replace(",", "."))
    if number != int(number):
        return None, True
    return int(number), True


def code_key(text: str) -> str:
    """How a tool code is compared: integral numbers canonical (``"3.0"`` -> ``"3"``), text case-folded."""
    number, numeric = numeric_code(text.strip())
    return str(number) if numeric and number is not None else normalise_text(text)


def _languages_first(codebook: Codebook, language: str | None) -> list[str]:
    return ([language] if language else []) + [lang for lang in codebook.languages if lang != language]


@dataclass
class ScaleLookup:
    """How the cells of one scale's items are read for one tool and export language."""

    labels: dict[str, tuple[int, str]]  # normalised label -> (code, language)
    missing: dict[str, tuple[str, str]]  # normalised label -> (kind, language)
    missing_codes: dict[int, str]
    codes: frozenset[int]
    span: str
    tool: str | None = None
    tool_codes: dict[str, tuple[int, str | None]] | None = None  # code key -> (level code or -1, missing kind)
    declared: str = ""

    @classmethod
    def build(cls, codebook: Codebook, scale_name: str, tool: str | None = None,
              language: str | None = None) -> ScaleLookup:
        scale = codebook.scales[scale_name]
        order = _languages_first(codebook, language)
        labels: dict[str, tuple[int, str]] = {}
        for code, per_lang in scale.levels.items():
            for lang in order:  # the export's language first, then codebook order: the first that has it wins
                if lang in per_lang:
                    labels.setdefault(normalise_text(per_lang[lang]), (code, lang))
        missing: dict[str, tuple[str, str]] = {}
        for kind, per_lang in scale.missing.items():
            for lang in order:
                for label in per_lang.get(lang, []):
                    missing.setdefault(normalise_text(label), (kind, lang))
        missing_codes = {code: kind for kind, codes in scale.missing_codes.items() for code in codes}
        tool_codes: dict[str, tuple[int, str | None]] = {}
        if tool:
            for code, per_tool in scale.level_codes.items():
                for value in per_tool.get(tool, []):
                    tool_codes[code_key(value)] = (code, None)
            for kind, per_tool in scale.missing_tool_codes.items():
                for value in per_tool.get(tool, []):
                    tool_codes[code_key(value)] = (-1, kind)
        declared = ", ".join(v for per_tool in [*scale.level_codes.values(), *scale.missing_tool_codes.values()]
                             for v in per_tool.get(tool or "", []))
        return cls(labels, missing, missing_codes, frozenset(scale.levels), f"{scale.min_code}-{scale.max_code}",
                   tool, tool_codes or None, declared)


@dataclass
class Interpretation:
    code: int = -1  # -1: no code
    reason: str | None = None  # missing reason (dont_know, blank, invalid, ...)
    problem: str | None = None  # rejection reason when invalid
    language: str | None = None  # label language, "code" for numeric codes
    normalised: str | None = None  # "whitespace" / "float_code" when the raw text was cleaned


def interpret_answer(raw: str, lookup: ScaleLookup) -> Interpretation:
    """One distinct cell of a rating item: a code, a missing reason, or a problem."""
    text = raw.strip()
    cleaned = "whitespace" if text != raw else None
    if not text:
        return Interpretation(reason="blank")
    code, numeric = numeric_code(text)
    if lookup.tool_codes is not None:
        # The tool's declared codes replace the plain numeric reading: a code the codebook does not declare is refused.
        hit = lookup.tool_codes.get(code_key(text))
        if hit is not None:
            level, kind = hit
            float_code = numeric and code is not None and text != str(code)
            if kind is not None:
                return Interpretation(reason=kind, language="code")
            return Interpretation(code=level, language="code", normalised="float_code" if float_code else cleaned)
        if numeric:
            return Interpretation(reason="invalid", problem=f"unknown {lookup.tool} code (codebook declares "
                                                            f"{lookup.declared})")
    elif numeric:
        if code is None:
            return Interpretation(reason="invalid", problem=f"not an integer code (scale {lookup.span})")
        if code in lookup.codes:
            return Interpretation(code=code, language="code", normalised="float_code" if text != str(code) else cleaned)
        if code in lookup.missing_codes:
            return Interpretation(reason=lookup.missing_codes[code], language="code")
        return Interpretation(reason="invalid", problem=f"code out of range (scale {lookup.span})")
    key = normalise_text(text)
    if key in lookup.labels:
        code, lang = lookup.labels[key]
        return Interpretation(code=code, language=lang, normalised=cleaned)
    if key in lookup.missing:
        kind, lang = lookup.missing[key]
        return Interpretation(reason=kind, language=lang, normalised=cleaned)
    if lookup.tool_codes is not None:
        return Interpretation(reason="invalid", problem=f"unknown label or {lookup.tool} code (codebook declares "
                                                        f"{lookup.declared})")
    return Interpretation(reason="invalid", problem="unknown label")


def profile_lookup(codebook: Codebook, name: str, tool: str | None = None) -> dict[str, str]:
    """Normalised label, key, alias or tool code -> level key of one profile field."""
    profile_field = codebook.profile[name]
    lookup: dict[str, str] = {}
    for key, labels in profile_field.levels.items():
        for text in [key, *labels.values(), *profile_field.aliases.get(key, [])]:
            lookup.setdefault(normalise_text(text), key)
    if tool:
        for key, per_tool in profile_field.codes.items():
            for value in per_tool.get(tool, []):
                lookup[code_key(value)] = key
    return lookup


def profile_key(text: str, lookup: dict[str, str]) -> str | None:
    return lookup.get(normalise_text(text)) or lookup.get(code_key(text))


def option_flag_lookup(codebook: Codebook, qid: str, option: str, selected: tuple[str, ...] = (),
                       not_selected: tuple[str, ...] = ()) -> dict[str, bool]:
    """Cell of a one-column-per-option multi-select -> selected or not (the tool's own tokens included)."""
    question = codebook.multi_select[qid]
    lookup = {token: True for token in SELECTED_TOKENS}
    lookup.update({token: False for token in NOT_SELECTED_TOKENS})
    for labels in question.selected.values():
        lookup.update({normalise_text(t): True for t in labels})
    for labels in question.not_selected.values():
        lookup.update({normalise_text(t): False for t in labels})
    lookup.update({normalise_text(t): True for t in selected})
    lookup.update({normalise_text(t): False for t in not_selected})
    lookup.update({normalise_text(t): True for t in question.options[option].values()})
    return lookup


def option_flag(text: str, lookup: dict[str, bool]) -> bool | None:
    text = text.strip()
    if not text:
        return False
    number, numeric = numeric_code(text)
    return lookup.get(str(number) if numeric and number is not None else normalise_text(text))


class OptionParser:
    """Read a cell listing the chosen options of one multi-select question.

    The cell is split only on the codebook's own option labels (every language), option
    keys and the tool's option codes, joined by ``;``, ``,``, ``|`` or new lines with an
    optional trailing separator (Microsoft Forms writes ``a;b;``). Because the split follows
    the labels, an option label containing a comma is read whole.
    """

    def __init__(self, codebook: Codebook, qid: str, tool: str | None = None):
        question = codebook.multi_select[qid]
        self.options: dict[str, str] = {}
        for option, labels in question.options.items():
            for text in [option, question.column(option), *labels.values()]:
                self.options.setdefault(normalise_text(text), option)
            for value in question.option_codes.get(option, {}).get(tool or "", []):
                self.options.setdefault(code_key(value), option)
        alternatives = "|".join(re.escape(t) for t in sorted(self.options, key=len, reverse=True))
        self.token = re.compile(rf"\s*({alternatives})\s*(?:[;,|]\s*|$)")

    def parse(self, cell: str) -> set[str] | None:
        """The chosen options; an empty set for a blank cell; None when a part is no option."""
        text = normalise_text(cell.replace("\r", "").replace("\n", ";"))
        chosen: set[str] = set()
        position = 0
        while position < len(text):
            match = self.token.match(text, position)
            if match is None or match.end() == position:
                return None
            chosen.add(self.options[match.group(1)])
            position = match.end()
        return chosen
