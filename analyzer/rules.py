"""Load and validate the declarative rules under rules/ into typed objects.

Every rule file is YAML. Errors name the file, the line and the rule id (RuleError).
This module holds the generic machinery (YAML with line numbers, `{term}` expansion, the one
pattern dialect `compile_pattern`) and the category rule schema; every other rule kind
(attributes, liability caps, shifts, controls) compiles its patterns with the same function.
Nothing here is loaded on import or kept between calls: `analyzer.rulebook.load_rulebook`
is the one loader, and it hands the compiled rules to whoever needs them.

Category file schema (rules/categories/<category>.yaml):

    category: liability_limitation          # one of CONTRACT's categories
    description: Exclusion or cap of a party's liability.
    unfair_tos: ltd                          # optional: the UNFAIR-ToS label it maps to
    terms:                                   # optional: named sub-patterns, used as {name}
      provider: (?:we|us|our|the company)
    rules:
      - id: ltd-not-liable                   # unique within the file
        description: The provider excludes liability.
        any: ['{provider} (?:will|shall)? ?not be liable']   # at least one must match
        all: []                              # optional: every one must match too
        not: []                              # optional: none may match
        examples:
          match: ["We will not be liable for lost profits."]
          no_match: ["You will be liable for your content."]

Patterns are Python regular expressions, matched case-insensitively anywhere in the clause
(on `fold(text)`). Terms from rules/terms.yaml are available in every file; a file's own
`terms` override them.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analyzer.cache import DiskMemo
from analyzer.errors import RuleError
from analyzer.model import CATEGORIES
from analyzer.resources import display_path

_TERM = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


# ---------------------------------------------------------------- YAML with line numbers


# libyaml's parser when PyYAML was built with it (the wheels are): the rule files parse in
# about a tenth of the time, which every process pays at start-up.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SAFE_LOADER):  # type: ignore[misc, valid-type]  # a base chosen at import
    """A safe loader that records the 1-based line of every mapping as key `__line__`."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # A key written twice keeps only its last value in YAML: a rule's second `examples:`
        # or `pattern:` would silently replace the first. Refuse it, naming the line.
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice in one mapping",
                    key_node.start_mark)
            seen.add(key)
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping



# A contraction follows a letter ("customers' re-entry" and "tap 'Re-send'" are quotes).
_CONTRACTED = re.compile(
    r"(?<=[a-z])\s*['’]\s*(ll|re|ve)\b(?!-)"
    r"|(?:\b(wo|ca|sha)\s*|(?<=[a-z])\s*)n\s*['’]\s*t\b"
    r"|\b(it|that|there|what|here|who|where)\s*['’]\s*s\b")
_SPELLED = {"ll": " will", "re": " are", "ve": " have", "wo": "will not", "ca": "cannot",
            "sha": "shall not"}


def _spell(match: re.Match[str]) -> str:
    if match.group(3):
        return match.group(3) + " is"
    if match.group(1) or match.group(2):
        return _SPELLED[match.group(1) or match.group(2)]
    return " not"


def fold(text: str) -> str:
    """The text rules are matched against: lower-cased, with contractions spelled out
    ("we'll", "you're", "we've", "don't", "won't", "can't", "it's" read as "we will", "you
    are", "we have", "do not", "will not", "cannot", "it is"), also when tokenised apart
    ("do n't"): the rules are written for the full forms."""
    lowered = text.lower()
    if "'" in lowered or "’" in lowered:
        return _CONTRACTED.sub(_spell, lowered)
    return lowered


@dataclass(frozen=True)
class Folded:
    """`fold(text)` with the way back: `original(i)` is the offset in the text of offset `i`
    of the folded text (a rule that cuts its wording out of the text, as the liability cap
    does, matches the folded text and cuts the original)."""

    text: str
    # (offset in the folded text, offset in the original) where each spelled-out
    # contraction starts and where the text after it resumes.
    anchors: tuple[tuple[int, int], ...] = ()

    def original(self, offset: int) -> int:
        """The original offset of a folded one (inside a spelled-out contraction: where the
        contraction starts)."""
        at = bisect.bisect_right(self.anchors, (offset, sys.maxsize)) - 1
        if at < 0:
            return offset
        folded, original = self.anchors[at]
        if at % 2 == 0:  # inside a spelled-out contraction
            return original
        return original + offset - folded


def fold_mapped(text: str) -> Folded:
    """`fold(text)` and the map of its offsets back to `text`'s."""
    lowered = text.lower()
    if "'" not in lowered and "’" not in lowered:
        return Folded(lowered)
    pieces: list[str] = []
    anchors: list[tuple[int, int]] = []
    done = shift = 0
    for match in _CONTRACTED.finditer(lowered):
        spelled = _spell(match)
        pieces += [lowered[done:match.start()], spelled]
        anchors.append((match.start() + shift, match.start()))
        shift += len(spelled) - (match.end() - match.start())
        anchors.append((match.end() + shift, match.end()))
        done = match.end()
    pieces.append(lowered[done:])
    return Folded("".join(pieces), tuple(anchors))


def load_yaml_with_lines(path: Path) -> Any:
    """Parse a YAML file; every mapping carries `__line__`. Syntax errors become RuleError."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"cannot read rule file: {exc.strerror}", path=shown) from exc
    except UnicodeDecodeError as exc:
        raise RuleError("rule file is not UTF-8 text", path=shown) from exc
    return parse_yaml_with_lines(text, shown)


def parse_yaml_with_lines(text: str, shown: str) -> Any:
    """The same for YAML already in hand (a user's control file sent to the API); `shown`
    names it in errors."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise RuleError(f"YAML syntax error: {exc.problem}", path=shown, line=line) from exc
    except yaml.YAMLError as exc:
        raise RuleError(f"YAML error: {exc}", path=shown) from exc


def strip_lines(value: Any) -> Any:
    """A copy of parsed YAML without the `__line__` keys, for validation."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def line_of(value: Any) -> int | None:
    return value.get("__line__") if isinstance(value, dict) else None


def validation_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


# ---------------------------------------------------------------- terms and patterns


def expand_terms(pattern: str, terms: dict[str, str], *, depth: int = 0) -> str:
    """Replace `{name}` with the named sub-pattern (recursively): one of `terms`, else a
    built-in one (BUILTIN_TERMS); unknown names are errors."""
    if depth > 10:
        raise ValueError("terms refer to each other in a loop")

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        definition = terms.get(name, BUILTIN_TERMS.get(name))
        if definition is None:
            raise ValueError(f"unknown term {{{name}}}")
        return "(?:" + expand_terms(definition, terms, depth=depth + 1) + ")"

    return _TERM.sub(sub, pattern)


_LITERALS = DiskMemo("gate-strings")


def necessary_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings of which every match of `pattern` contains at least one (lower-cased), or
    None when no such set is found. Rules use it as a cheap gate: a clause holding none of
    the strings cannot match, so its regular expressions need not run. Kept on disk
    (analyzer.cache): reading them out of the pattern is slow, and they depend only on it."""
    key = f"{pattern.flags}:{pattern.pattern}"
    found, stored = _LITERALS.get(key)
    if found:
        return frozenset(stored) if stored is not None else None
    literals = _derive_literals(pattern)
    _LITERALS.put(key, sorted(literals) if literals is not None else None)
    return literals


def _derive_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    try:
        import re._constants as codes
        import re._parser as parser
        found = _necessary(list(parser.parse(pattern.pattern, pattern.flags)), codes)
    except Exception:  # a private parser: any surprise just means "no gate"
        return None
    return frozenset(s.lower() for s in found) if found else None


def _necessary(items: list[Any], codes: Any) -> set[str] | None:
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 3:
            candidates.append({"".join(run)})
        run.clear()

    for op, arg in items:
        if op is codes.LITERAL:
            run.append(chr(arg))
            continue
        # The parser factors a common prefix out of an alternation ("mcp|model" becomes
        # "m" then "cp|odel"): the branches are read with it put back.
        lead = [(codes.LITERAL, ord(c)) for c in run]
        flush()
        found: set[str] | None = None
        if op is codes.SUBPATTERN:
            found = _necessary(list(arg[3]), codes)
        elif op is codes.BRANCH:
            branches = [_necessary(lead + list(b), codes) for b in arg[1]]
            if all(b is not None for b in branches):
                found = set().union(*branches)  # type: ignore[arg-type]
        elif op in (codes.MAX_REPEAT, codes.MIN_REPEAT) and arg[0] >= 1:
            found = _necessary(list(arg[2]), codes)
        if found:
            candidates.append(found)
    flush()
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


# Words that most clauses of terms hold (a third to two thirds of UNFAIR-ToS train
# sentences hold "the", "you", "any"; a sixth to a quarter "your", "may", "will",
# "services"): a gate of such a word lets its pattern run on most clauses. Any other
# necessary string, even a shorter one, is the better gate.
_COMMON_WORDS = frozenset({
    "the", "and", "you", "any", "your", "for", "that", "not", "use", "uses", "used",
    "using", "services", "service", "may", "with", "will", "terms", "are", "other", "our",
    "content", "such", "this", "these", "from", "all", "have", "has", "can", "its", "which",
    "shall", "their", "they", "them", "there", "what", "when", "where", "who", "how",
    "also", "only", "more", "some", "each", "into", "upon", "about", "must", "would",
    "could", "should", "does", "did", "was", "were", "been", "being", "agree", "including",
    "information", "account",
})


def _selectivity(strings: set[str]) -> tuple[bool, int]:
    """How well a set of necessary strings gates: free of very common words first, then
    by its shortest string (a longer string occurs in fewer clauses)."""
    return (not any(s.lower() in _COMMON_WORDS for s in strings),
            min(len(s) for s in strings))


def rule_gate(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One regex of the patterns' necessary strings (a rule can only match text that holds
    one of them); None if some pattern has no such strings."""
    gate: set[str] = set()
    for pattern in patterns:
        found = necessary_literals(pattern)
        if found is None:
            return None
        gate |= found
    # Escaped strings always compile: compiled on first use.
    return cast("re.Pattern[str]", LazyPattern("|".join(re.escape(s) for s in sorted(gate)),
                                               re.UNICODE))


_ESCAPES = re.compile(r"\\.|\(\?[A-Za-z]+\)")
# Lookbehinds written before a leading \b: "(?<!\byou\s)\b(?:use|share)".
_LEADING_LOOKBEHINDS = re.compile(r"^((?:\(\?<[!=](?:[^()\\]|\\.)*\))+)\\b")


def lookbehinds_after_boundary(pattern: str) -> str:
    r"""The same pattern with a leading word boundary moved before its leading lookbehinds.

    Both are zero-width tests of one position, so what matches is unchanged; but a pattern
    that starts with \b lets the regex engine skip positions that are not word starts
    before it tries the lookbehinds, which makes such a pattern about twice as fast.
    """
    return _LEADING_LOOKBEHINDS.sub(lambda m: "\\b" + m.group(1), pattern, count=1)


class LazyPattern:
    """A regular expression compiled on its first use, then as fast as the compiled one.

    Compiling the rules' hundreds of patterns took most of the rulebook's load, and a short
    document runs few of them: the gates (analyzer.nlp.gates) skip the rest. The first call
    of `search` or `finditer` compiles the pattern and puts the compiled pattern's own
    methods on the instance, so later calls go straight to them. Any other attribute of a
    compiled pattern is there too (compiled on first use).
    """

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now, if it was not yet)."""
        found: re.Pattern[str] | None = self.__dict__.get("_compiled")
        if found is None:
            found = re.compile(self.pattern, self.flags)
            self.__dict__.update(_compiled=found, search=found.search,
                                 finditer=found.finditer)
        return found

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize
               ) -> re.Match[str] | None:
        return self.compiled().search(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize
                 ) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(string, pos, endpos)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_compiled":
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __reduce__(self) -> tuple[type[LazyPattern], tuple[str, int]]:
        return LazyPattern, (self.pattern, self.flags)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"


# Patterns (by flags and text) that compiled before, with this Python (analyzer.cache): a
# pattern found here is known to be valid, so it can wait to be compiled until it is used.
_VALID = DiskMemo("valid-patterns")


def lazy_compile(expanded: str, flags: int) -> re.Pattern[str]:
    """A pattern that compiles on first use when it is known to compile (it did before);
    else compiled now, so that a broken pattern stops loading with its rule's name."""
    flags |= re.UNICODE  # what re.compile reports for a text pattern: one key either way
    key = f"{flags}:{expanded}"
    if _VALID.get(key)[0]:
        # A LazyPattern does what the compiled pattern does (see its docstring).
        return cast("re.Pattern[str]", LazyPattern(expanded, flags))
    compiled = re.compile(expanded, flags)
    _VALID.put(key, True)
    return compiled


def compile_pattern(pattern: str, terms: dict[str, str]) -> re.Pattern[str]:
    """A rule pattern in the one dialect of every rule file: `{terms}` expanded, to be
    searched in folded text (`fold`). Compiled on first use when it compiled before
    (`lazy_compile`); a broken one raises ValueError.

    Matching lower-cased text without re.IGNORECASE is about twice as fast; a pattern that
    spells a capital letter outside an escape keeps the flag so it still matches.
    """
    expanded = lookbehinds_after_boundary(expand_terms(pattern, terms))
    flags = re.IGNORECASE if re.search(r"[A-Z]", _ESCAPES.sub("", expanded)) else 0
    try:
        return lazy_compile(expanded, flags)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc


# Terms every rule file has, whatever its folder's terms.yaml says. `{w}` is one word,
# hyphenated words included, and the space after it: `{w}{0,3}` skips up to three words.
# A bare `\w+` would stop at "AI-generated"; `(?:\w+\s*){0,3}` lets a long clause cut one
# word in many ways and search for minutes.
BUILTIN_TERMS: dict[str, str] = {"w": r"(?:\w+(?:-\w+)*\s+)"}


def merge_terms(shared: dict[str, str], own: dict[str, str], shown: str,
                line: int | None = None) -> dict[str, str]:
    """A file's terms: the shared ones, then its own (which may not redefine a built-in)."""
    clash = sorted(set(own) & set(BUILTIN_TERMS))
    if clash:
        raise RuleError(f"{{{clash[0]}}} is built in (one word and its space); give your "
                        "term another name", path=shown, line=line)
    return {**shared, **own}


def load_terms(directory: Path) -> dict[str, str]:
    """The named sub-patterns every file of a rules folder may use: the built-in ones and
    those of its terms.yaml (if it has one)."""
    path = directory / "terms.yaml"
    if not path.exists():
        return dict(BUILTIN_TERMS)
    data = strip_lines(load_yaml_with_lines(path)) or {}
    terms = data.get("terms", {}) if isinstance(data, dict) else None
    if not isinstance(terms, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in terms.items()
    ):
        raise RuleError("`terms` must map names to pattern strings", path=display_path(path))
    return merge_terms(BUILTIN_TERMS, terms, display_path(path))


# ---------------------------------------------------------------- category rules


class _Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")
    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class PatternRuleSpec(BaseModel):
    """The YAML form every pattern rule shares (category and attribute rules)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    any: list[str] = Field(min_length=1)
    all: list[str] = Field(default_factory=list)
    not_: list[str] = Field(default_factory=list, alias="not")
    examples: _Examples = Field(default_factory=_Examples)


class _CategoryFileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    description: str = ""
    unfair_tos: str | None = None
    terms: dict[str, str] = Field(default_factory=dict)
    rules: list[dict[str, Any]] = Field(min_length=1)

    @field_validator("category")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; known: {', '.join(CATEGORIES)}")
        return value


class PatternRule:
    """What every pattern rule shares: `any` must match, `all` too, `not` must not."""

    any: tuple[re.Pattern[str], ...]
    all: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...]
    gate: re.Pattern[str] | None  # see rule_gate

    def matches(self, text: str) -> bool:
        """Whether the rule matches `text` (any case)."""
        return self.matches_lowered(fold(text))

    def matches_lowered(self, lowered: str) -> bool:
        """The same, for text already folded (see `fold`) once for many rules."""
        if self.gate is not None and self.gate.search(lowered) is None:
            return False
        return (
            any(p.search(lowered) for p in self.any)
            and all(p.search(lowered) for p in self.all)
            and not any(p.search(lowered) for p in self.none)
        )


@dataclass(frozen=True)
class CategoryRule(PatternRule):
    id: str
    category: str
    description: str
    any: tuple[re.Pattern[str], ...]
    all: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...]
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    source: str  # "rules/categories/x.yaml:12"
    gate: re.Pattern[str] | None = None  # see rule_gate



@dataclass(frozen=True)
class CategoryFile:
    category: str
    description: str
    unfair_tos: str | None
    rules: tuple[CategoryRule, ...]
    path: str
    gate: re.Pattern[str] | None = None  # the union of its rules' gates

    def matches_lowered(self, lowered: str) -> bool:
        """Whether some rule of the file matches lower-cased text."""
        if self.gate is not None and self.gate.search(lowered) is None:
            return False
        return any(rule.matches_lowered(lowered) for rule in self.rules)


def load_category_file(path: Path, terms: dict[str, str]) -> CategoryFile:
    """One category file, validated and compiled with the shared `terms` (and its own)."""
    shown = display_path(path)
    raw = load_yaml_with_lines(path)
    if not isinstance(raw, dict):
        raise RuleError("a category file must be a mapping", path=shown)
    try:
        spec = _CategoryFileSpec.model_validate(strip_lines(raw))
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line_of(raw)) from exc
    all_terms = merge_terms(terms, spec.terms, shown, line_of(raw))
    rules: list[CategoryRule] = []
    seen: set[str] = set()
    for raw_rule in raw["rules"]:
        line = line_of(raw_rule)
        rule_id = raw_rule.get("id") if isinstance(raw_rule, dict) else None
        try:
            rule = PatternRuleSpec.model_validate(strip_lines(raw_rule))
        except ValidationError as exc:
            raise RuleError(validation_message(exc), path=shown, line=line,
                            rule_id=rule_id) from exc
        if rule.id in seen:
            raise RuleError("duplicate rule id", path=shown, line=line, rule_id=rule.id)
        seen.add(rule.id)
        try:
            compiled = [
                tuple(compile_pattern(p, all_terms) for p in group)
                for group in (rule.any, rule.all, rule.not_)
            ]
        except ValueError as exc:
            raise RuleError(str(exc), path=shown, line=line, rule_id=rule.id) from exc
        rules.append(CategoryRule(
            id=rule.id, category=spec.category, description=rule.description,
            any=compiled[0], all=compiled[1], none=compiled[2],
            examples_match=tuple(rule.examples.match),
            examples_no_match=tuple(rule.examples.no_match),
            source=f"{shown}:{line}", gate=rule_gate(compiled[0]),
        ))
    gate = rule_gate(tuple(p for rule in rules for p in rule.any))
    return CategoryFile(spec.category, spec.description, spec.unfair_tos, tuple(rules), shown,
                        gate)


def load_categories(directory: Path, terms: dict[str, str]) -> tuple[CategoryFile, ...]:
    """Every categories/*.yaml of a rules folder, validated; a category may span several
    files."""
    files = sorted((directory / "categories").glob("*.yaml"))
    return tuple(load_category_file(p, terms) for p in files)
