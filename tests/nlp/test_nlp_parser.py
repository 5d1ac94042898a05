"""The optional parser refinement: off by default, and when on, it fills a bearer the rules
missed on allocation clauses only."""

from __future__ import annotations

import pytest

from analyzer.ingest import ingest
from analyzer.nlp.components.parser import installed_parser
from analyzer.nlp.pipeline import build_pipeline, classify
from analyzer.rulebook import default_rulebook
from analyzer.segment import segment

RULES = default_rulebook()

TEXT = (b"# Terms\n\nThe account holder shall bear all liability for losses caused by automated "
        b"tools.\n\nThe weather in the valley is mild.\n")


def test_default_pipeline_has_no_parser_step() -> None:
    assert "parser_refine" not in build_pipeline(False).pipe_names


@pytest.mark.skipif(installed_parser() is None, reason="no English parser installed "
                    "(pip install --require-hashes --no-deps -r requirements/parser.txt)")
def test_parser_fills_a_bearer_the_rules_missed() -> None:
    doc = ingest(TEXT, "t.md")
    without = classify(doc, segment(doc, RULES.segmentation), RULES.reading, use_parser=False)
    refined = classify(doc, segment(doc, RULES.segmentation), RULES.reading, use_parser=True)
    assert without[0].attributes.bearer is None
    assert refined[0].attributes.bearer == "user"
    assert refined[1] == without[1]  # not a candidate: left alone
    assert "parser_refine" in build_pipeline(True).pipe_names


@pytest.mark.skipif(installed_parser() is None, reason="no English parser installed")
def test_parser_reads_who_responsibility_rests_with() -> None:
    doc = ingest(b"# Terms\n\nResponsibility for all agent actions rests with the account "
                 b"holder.\n", "t.md")
    refined = classify(doc, segment(doc, RULES.segmentation), RULES.reading, use_parser=True)
    assert "responsibility" in refined[0].categories
    assert refined[0].attributes.bearer == "user"
