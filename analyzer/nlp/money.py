"""Liability caps: amounts ("$100", "EUR 50", "one hundred dollars ($100)") and formulas
("the fees you paid in the 12 months before the claim", "the greater of ... and ...").

The vocabulary is data: rules/attributes/liability_cap.yaml (schema in `_CapFileSpec`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import RuleError
from analyzer.model import LiabilityCap
from analyzer.resources import display_path
from analyzer.rules import (
    compile_pattern,
    fold_mapped,
    line_of,
    load_yaml_with_lines,
    merge_terms,
    strip_lines,
    validation_message,
)

CAP_FILE = "liability_cap.yaml"
_CAP_TEXT_LIMIT = 160  # characters of the clause kept as the cap's wording


class _Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str
    months: int | None = None  # fixed length; else the pattern's group `n` gives it


class _Formula(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    value: str
    pattern: str


class CapExample(BaseModel):
    """An example clause and the cap it must give (`none: true`: no cap)."""

    model_config = ConfigDict(extra="forbid")
    text: str
    amount: float | None = None
    currency: str | None = None
    formula: str | None = None
    period_months: int | None = None
    cap: str | None = None  # the expected wording, when the example checks it
    none: bool = False


class _CapFileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attribute: str = Field(pattern=r"^liability_cap$")
    description: str = ""
    terms: dict[str, str] = Field(default_factory=dict)
    numbers: dict[str, int] = Field(default_factory=dict)
    context: list[str] = Field(min_length=1)
    currencies: dict[str, list[str]] = Field(min_length=1)
    fees: list[str] = Field(min_length=1)
    periods: list[_Period] = Field(default_factory=list)
    formulas: list[_Formula] = Field(default_factory=list)
    examples: list[CapExample] = Field(default_factory=list)


@dataclass(frozen=True)
class CapRules:
    """The compiled vocabulary of liability caps."""

    context: re.Pattern[str]
    amounts: tuple[tuple[str, re.Pattern[str]], ...]  # (currency, pattern with group amount)
    fees: re.Pattern[str]
    periods: tuple[tuple[re.Pattern[str], int | None], ...]
    formulas: tuple[tuple[str, re.Pattern[str]], ...]
    numbers: dict[str, int]
    examples: tuple[CapExample, ...]
    source: str

    def find(self, text: str) -> LiabilityCap | None:
        """The cap `text` states, or None when it states none. The patterns read the folded
        text, as every rule does; the cap's wording is cut from the text as written."""
        folded = fold_mapped(text)
        lowered = folded.text
        context = self.context.search(lowered)
        if context is None:
            return None
        amount = self._amount(lowered)
        fees = self.fees.search(lowered)
        if amount is None and fees is None:
            return None
        formula = self._formula(lowered, amount is not None, fees is not None)
        first = min(m.start() for m in (amount[2] if amount else None, fees) if m is not None)
        return LiabilityCap(
            text=_cap_wording(text, folded.original(self._wording_start(lowered, first))),
            amount=amount[0] if amount else None,
            currency=amount[1] if amount else None,
            formula=formula,
            period_months=self._period(lowered) if fees else None,
        )

    def _wording_start(self, lowered: str, first: int) -> int:
        """Where the cap's wording begins: at "the greater of" when it leads to the figure,
        else after the last cap phrase before the figure ("shall not exceed |$100")."""
        leads = [m.start() for _, p in self.formulas
                 if (m := p.search(lowered)) is not None and m.start() < first]
        if leads:
            return min(leads)
        ends = [m.end() for m in self.context.finditer(lowered) if m.end() <= first]
        return ends[-1] if ends else first

    def _amount(self, lowered: str) -> tuple[float, str, re.Match[str]] | None:
        found = [(m, currency) for currency, pattern in self.amounts
                 if (m := pattern.search(lowered)) is not None]
        if not found:
            return None
        match, currency = min(found, key=lambda pair: pair[0].start())
        return parse_amount(match.group("amount")), currency, match

    def _formula(self, lowered: str, has_amount: bool, has_fees: bool) -> str | None:
        if not has_fees:
            return None
        if not has_amount:
            return "fees_paid"
        named = next((value for value, p in self.formulas if p.search(lowered)), None)
        # An amount beside the fees with no "greater/lesser of": most terms mean the greater.
        return named or "greater_of"

    def _period(self, lowered: str) -> int | None:
        for pattern, months in self.periods:
            match = pattern.search(lowered)
            if match is None:
                continue
            if months is not None:
                return months
            return self._count(match)
        return None

    def _count(self, match: re.Match[str]) -> int | None:
        groups = match.groupdict()
        for word in (groups.get("digits"), groups.get("n")):
            if word and word.isdigit():
                return int(word)
        return self.numbers.get(groups.get("n") or "")


def parse_amount(written: str) -> float:
    """An amount in the usual formats: "1,000.50", "10.000" and "1.000,50" (thousands by
    dots, decimals by a comma), "2,5" (a decimal comma)."""
    if "," in written and "." in written:
        decimal = max(written.rfind(","), written.rfind("."))
        whole = written[:decimal].replace(",", "").replace(".", "")
        return float(f"{whole}.{written[decimal + 1:]}")
    for mark in (",", "."):
        if mark in written:
            groups = written.split(mark)
            if all(len(g) == 3 for g in groups[1:]):
                return float("".join(groups))  # thousands
            return float(written.replace(mark, "."))  # a decimal mark
    return float(written)


def _cap_wording(text: str, start: int) -> str:
    return text[start:start + _CAP_TEXT_LIMIT].strip().rstrip(".;,").strip()


def load_cap_file(path: Path, terms: dict[str, str]) -> CapRules:
    """Load and compile a liability-cap file; a bad entry raises RuleError naming it."""
    shown = display_path(path)
    raw = load_yaml_with_lines(path)
    if not isinstance(raw, dict):
        raise RuleError("a liability-cap file must be a mapping", path=shown)
    try:
        spec = _CapFileSpec.model_validate(strip_lines(raw))
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line_of(raw)) from exc
    all_terms = merge_terms(terms, spec.terms, shown, line_of(raw))

    def compiled(pattern: str, where: str) -> re.Pattern[str]:
        try:
            return compile_pattern(pattern, all_terms)
        except ValueError as exc:
            raise RuleError(str(exc), path=shown, line=_line_of_key(path, where),
                            rule_id=where) from exc

    return CapRules(
        context=compiled("|".join(f"(?:{p})" for p in spec.context), "context"),
        amounts=tuple((currency, compiled(p, f"currencies.{currency}"))
                      for currency, patterns in spec.currencies.items() for p in patterns),
        fees=compiled("|".join(f"(?:{p})" for p in spec.fees), "fees"),
        periods=tuple((compiled(p.pattern, "periods"), p.months) for p in spec.periods),
        formulas=tuple((f.value, compiled(f.pattern, f"formulas.{f.id}"))
                       for f in spec.formulas),
        numbers=spec.numbers,
        examples=tuple(spec.examples),
        source=shown,
    )


def _line_of_key(path: Path, where: str) -> int | None:
    """The line of a top-level key ("currencies" of "currencies.USD"): list entries are plain
    strings, which carry no line of their own."""
    key = re.compile(rf"^{re.escape(where.split('.')[0])}\s*:")
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((i for i, line in enumerate(lines, 1) if key.match(line)), None)
