"""The Rulebook: every rule termshift reads with, loaded once, by one loader, into one object.

A rules folder (the shipped rules/, or the one TERMSHIFT_RULES_DIR names) holds

    terms.yaml                  named sub-patterns, {name} in every other file
    categories/*.yaml           what makes a clause a category          -> reading.categories
    attributes/*.yaml           bearer, exclusive, agent_scope, modality -> reading.attributes
    attributes/liability_cap.yaml  amounts and formulas of caps          -> reading.caps
    shifts/*.yaml               findings over attribute deltas          -> shifts
    controls/agent-baseline.yaml  the agent-policy controls             -> controls
    segmentation.yaml           abbreviations and sentence openers      -> segmentation

`load_rulebook` reads and validates all of it (a bad file stops it with its file, line and
rule id) and compiles every pattern in the one dialect (`analyzer.rules.compile_pattern`).
The result is frozen and passed as an argument to segment, classify, compare and check;
nothing below this module loads a rule file or keeps rules between calls. `default_rulebook`
is the one process-wide cache: the rules are loaded once per process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from analyzer.compare.shifts import ShiftRule, load_shift_rules
from analyzer.control_reader import LazyReader
from analyzer.controls import Baseline, parse_controls
from analyzer.errors import RuleError
from analyzer.nlp.attribute_rules import load_attribute_rules
from analyzer.nlp.money import CAP_FILE, load_cap_file
from analyzer.nlp.reading import ReadingRules
from analyzer.resources import display_path, rules_dir
from analyzer.rules import load_categories, load_terms
from analyzer.segment import SegmentRules, load_segment_rules

if TYPE_CHECKING:
    from collections.abc import Mapping

    from analyzer.settings import Settings

CONTROLS_FILE = Path("controls") / "agent-baseline.yaml"
SEGMENTATION_FILE = "segmentation.yaml"


@dataclass(frozen=True, eq=False)
class Rulebook:
    """Every rule kind, compiled: what analyze, compare and check read with."""

    terms: Mapping[str, str]  # rules/terms.yaml, as every file's {name} sees them
    reading: ReadingRules  # categories, attributes, liability caps (the nlp stage)
    shifts: tuple[ShiftRule, ...]  # compare's finding rules
    controls: Baseline  # the agent-policy controls check and compare use
    segmentation: SegmentRules  # sentence boundaries
    fingerprint: str  # a digest of the rule files' contents (and of a user's controls)

    def with_controls(self, text: str, shown: str = "controls") -> Rulebook:
        """A copy that checks against a user's control baseline (YAML text, as sent to the
        CLI or the API), read in this rulebook's dialect and terms; the other rules are
        shared with this one. `shown` names the baseline in errors and findings."""
        baseline = parse_controls(text, dict(self.terms), shown)
        digest = hashlib.sha256(f"{self.fingerprint}\n".encode() + text.encode("utf-8"))
        return replace(self, controls=baseline, fingerprint=digest.hexdigest()[:16])


def load_rulebook(directory: Path | None = None, *, reader: bool = True) -> Rulebook:
    """Every rule of a rules folder (default: the shipped one), validated and compiled; the
    shipped controls with the trained control reader shipped in the package, unless `reader`
    is False (rules only). Another folder's controls may mean other things than the ones
    the reader learnt: they are read by their patterns alone."""
    base = directory if directory is not None else rules_dir()
    if not base.is_dir():
        raise RuleError("no such rules folder; point TERMSHIFT_RULES_DIR at a copy of the "
                        "shipped rules/ folder", path=str(base))
    terms = load_terms(base)
    reading = ReadingRules(
        categories=load_categories(base, terms),
        attributes=MappingProxyType(load_attribute_rules(base, terms)),
        caps=load_cap_file(base / "attributes" / CAP_FILE, terms),
    )
    return Rulebook(
        terms=MappingProxyType(terms),
        reading=reading,
        shifts=load_shift_rules(base, terms),
        controls=replace(parse_controls(_read(base / CONTROLS_FILE), terms,
                                        display_path(base / CONTROLS_FILE)),
                         reader=LazyReader() if reader and directory is None else None),
        segmentation=load_segment_rules(base / SEGMENTATION_FILE),
        fingerprint=fingerprint(base),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"cannot read rule file: {exc.strerror}",
                        path=display_path(path)) from exc
    except UnicodeDecodeError as exc:
        raise RuleError("rule file is not UTF-8 text", path=display_path(path)) from exc


def fingerprint(directory: Path) -> str:
    """A digest of every rule file of a folder: names and contents."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.yaml")):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_rulebook(settings: Settings | None = None) -> Rulebook:
    """The rulebook of this process: TERMSHIFT_RULES_DIR's folder if set, else the shipped
    rules; loaded on first use and kept (the only place rules are kept between calls)."""
    if settings is None:
        from analyzer.settings import get_settings

        settings = get_settings()
    chosen = settings.rules_dir
    return _loaded(chosen.resolve() if chosen is not None else None, not settings.rules_only)


@lru_cache(maxsize=4)
def _loaded(directory: Path | None, reader: bool) -> Rulebook:
    return load_rulebook(directory, reader=reader)
