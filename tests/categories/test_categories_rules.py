"""The category rule files: complete, well-formed, and robust to tokenised lower-case text."""

from __future__ import annotations

import re

import pytest

from analyzer.classifier import normalise_text, rule_matches
from analyzer.model import CATEGORIES
from analyzer.rulebook import default_rulebook
from analyzer.rules import CategoryFile, fold

FILES = default_rulebook().reading.categories
BY_CATEGORY = {f.category: f for f in FILES}
UNFAIR_CODES = {"ltd", "ter", "ch", "cr", "use", "law", "j", "a"}


def test_categories_every_contract_category_has_a_file() -> None:
    assert sorted(BY_CATEGORY) == sorted(CATEGORIES)


def test_categories_unfair_tos_codes_map_one_to_one() -> None:
    codes = [f.unfair_tos for f in FILES if f.unfair_tos]
    assert sorted(codes) == sorted(UNFAIR_CODES)


@pytest.mark.parametrize("category_file", FILES, ids=lambda f: f.category)
def test_categories_each_has_two_rules_with_both_kinds_of_example(
        category_file: CategoryFile) -> None:
    assert len(category_file.rules) >= 2
    for rule in category_file.rules:
        assert rule.examples_match, f"{rule.source} has no match examples"
        assert rule.examples_no_match, f"{rule.source} has no no_match examples"


# The same clause as a document writes it and as a tokenised, lower-cased corpus does.
TOKENISED_PAIRS = [
    ("liability_limitation", "We won't be liable for any lost profits.",
     "we wo n't be liable for any lost profits ."),
    ("liability_limitation", "The Company's total liability shall not exceed $100.",
     "the company 's total liability shall not exceed $ 100 ."),
    ("unilateral_change", "We may, from time to time, change these Terms.",
     "we may , from time to time , change these terms ."),
    ("unilateral_termination", "We can't guarantee access; we may suspend your account "
     "at any time.", "we ca n't guarantee access ; we may suspend your account at any time ."),
    ("content_removal", "We reserve the right, at our discretion, to remove your posts.",
     "we reserve the right , at our discretion , to remove your posts ."),
    ("contract_by_using", "By using, accessing or browsing the Site, you agree to these Terms.",
     "by using , accessing or browsing the site , you agree to these terms ."),
    ("warranty_disclaimer", 'The Service is provided "as is".',
     "the service is provided `` as is '' and without warranty ."),
    ("warranty_disclaimer", "We don't warrant that the Service is error-free.",
     "we do n't warrant that the service is error-free ."),
    ("jurisdiction", "You consent to the exclusive jurisdiction of the courts of Ireland.",
     "you consent to the exclusive jurisdiction of the courts of ireland ."),
    ("responsibility", "You are solely responsible for all activity of AI agents you connect.",
     "you are solely responsible for all activity of ai agents you connect ."),
]


@pytest.mark.parametrize(("category", "written", "tokenised"), TOKENISED_PAIRS)
def test_categories_tokenised_form_matches_like_written_form(
        category: str, written: str, tokenised: str) -> None:
    assert category in rule_matches(written, FILES)
    assert category in rule_matches(tokenised, FILES)


AGENT_POLICY_CLAUSES = [
    ("human_oversight", "Agents must obtain approval from a human reviewer before posting."),
    ("access_control", "Agent credentials must be scoped to least privilege."),
    ("incident_response", "Incidents must be reported to security within 1 hour."),
    ("agent_authorization", "Agents act only when invoked, and only for the principal who "
     "invoked them."),
    ("agent_conduct", "Agents must not send email to customers without approval."),
    ("data_use", "We may use your conversations with the assistant to train our models."),
    ("indemnification", "You will indemnify us against claims caused by your AI agents."),
]


@pytest.mark.parametrize(("category", "clause"), AGENT_POLICY_CLAUSES)
def test_categories_agent_policy_clauses_are_recognised(category: str, clause: str) -> None:
    assert category in rule_matches(clause, FILES)


def test_categories_unrelated_clause_matches_nothing() -> None:
    assert rule_matches("The café opens at nine and closes at five.", FILES) == frozenset()


def test_categories_normalise_text_joins_split_contractions() -> None:
    assert normalise_text("We DO N'T sell") == normalise_text("we don't sell") == "we do not sell"


@pytest.mark.parametrize("short, long", [
    ("Second, we’ll delete your content if you break these rules.",
     "Second, we will delete your content if you break these rules."),
    ("If you do not pay, we 'll suspend your access .",
     "If you do not pay, we will suspend your access ."),
    ("You’re responsible for your conduct.", "You are responsible for your conduct."),
    ("we 're not liable for things that go wrong .",
     "we are not liable for things that go wrong ."),
    ("We’ve the right to suspend your account.", "We have the right to suspend your account."),
    ("It's your responsibility to keep your details current.",
     "It is your responsibility to keep your details current."),
])
def test_categories_read_contractions_as_full_forms(short: str, long: str) -> None:
    assert rule_matches(long, FILES)
    assert rule_matches(short, FILES) == rule_matches(long, FILES)


def test_categories_fold_spells_out_contractions_but_not_quotes() -> None:
    assert fold("You're sure we won't, it's fine") == "you are sure we will not, it is fine"
    assert fold("customers' re-entry") == "customers' re-entry"
    assert fold("Tap 'Re-send code'") == "tap 're-send code'"
    assert fold("the user's data") == "the user's data"


# A look-ahead that opens a pattern (or one of its top-level alternatives) and scans to the
# sentence's end runs at every position of a clause: quadratic on a long one (73 s at
# 40,000 characters before it was caught). Anchor it with "^", bound it, or put it after
# the pattern's first word.
_OPENING_SCAN = re.compile(r"(?:^|\|)(?:\\b)?\(\?[=!]\[\^\.;\]\*")


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*parts, pattern[start:]]


def test_categories_no_pattern_opens_with_an_unbounded_look_ahead() -> None:
    offenders = [
        f"{rule.source}: {alternative[:60]}"
        for category_file in FILES
        for rule in category_file.rules
        for pattern in (*rule.any, *rule.all, *rule.none)
        for alternative in _top_level_alternatives(pattern.pattern)
        if _OPENING_SCAN.match(alternative)
    ]
    assert not offenders, offenders
