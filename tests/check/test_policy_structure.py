"""Structures of policy text that decide a control's status beyond its sentences' words:
questions and their answers (questionnaires, FAQs), headings that mark ideas or history,
bulleted rules without a full stop, requests and decisions recorded in minutes, audit
findings, and response times given where a detection time is needed. Each policy here was
written for this test."""

from __future__ import annotations

import pytest

from analyzer.api import analyze
from analyzer.check import agent_names
from tests.helpers.policy_status import status

QUESTIONNAIRE = """# Supplier answers

**Q4. Is every agent action logged with the agent and the requesting employee?**
**Answer: {answer}.** {detail}
"""


@pytest.mark.parametrize(("answer", "detail", "expected"), [
    ("Yes", "Our audit service keeps the records for a year.", "met"),
    ("No", "Logging is on the roadmap.", "missing"),
    ("N/A", "The customer runs the agents.", "missing"),
    ("Partially", "Reads are not recorded.", "partial"),
])
def test_an_answer_says_what_its_question_asks(answer: str, detail: str,
                                               expected: str) -> None:
    got, why = status(QUESTIONNAIRE.format(answer=answer, detail=detail), "LOG-ACTIONS")
    assert got == expected, why


def test_an_unanswered_question_is_not_a_rule() -> None:
    # "required" would bind a statement; in a question nothing is stated yet: an open
    # question leaves the safeguard missing, as an open item does.
    text = ("# Open points\n\nIs human approval required before agents send, post or "
            "publish anything to customers?\n")
    assert status(text, "HITL-EXTERNAL")[0] == "missing"
    answered = text + "\nYes: a human approves everything agents send, post or publish.\n"
    assert status(answered, "HITL-EXTERNAL")[0] != "missing"


def test_a_question_that_is_not_yes_or_no_takes_no_yes_or_no() -> None:
    text = ("# Monitoring\n\nHow quickly are unauthorised agent actions detected?\n\n"
            "No later than 15 minutes, by the monitoring service.\n")
    assert status(text, "MON-DETECT")[0] == "met"


def test_a_faq_answer_no_to_a_freedom_keeps_the_rule() -> None:
    # The question asks about acting unasked; "No" plus the rule after it meets the control.
    text = ("# FAQ\n\nCan the helpdesk bot post in a channel on its own initiative?\n\n"
            "No. It must only reply when an employee asks it, and only for that employee.\n")
    assert status(text, "AUTH-INVOKE")[0] == "met"


def test_items_under_a_wishlist_heading_are_not_in_force() -> None:
    text = ("# Agent guardrails\n\n## Ideas for next year (not yet agreed)\n\n"
            "- Every bot action is written to an audit log naming the bot and the requester\n"
            "- A named manager is accountable for each bot\n")
    assert status(text, "LOG-ACTIONS")[0] == "missing"
    got, why = status(text, "ACCT-OWNER")
    assert got == "missing"
    assert "heading of ideas or plans" in why


def test_a_changelog_records_history_not_rules() -> None:
    text = ("# Assistant rules\n\nAssistants draft replies for staff.\n\n## Change log\n\n"
            "| Date | Change |\n|---|---|\n| 3 March 2026 | Added: each assistant must have "
            "a named owner who is accountable for it. |\n")
    assert status(text, "ACCT-OWNER")[0] == "missing"


def test_a_bold_labelled_slide_title_is_a_heading() -> None:
    text = ("# Town hall\n\n**Slide 4: Things we would like, not yet agreed**\n\n"
            "- An audit trail of every action the assistants take, with who asked\n")
    analysis = analyze(text.encode(), name="deck.md")
    assert analysis.clauses[-1].section[-1] == "Slide 4: Things we would like, not yet agreed"
    assert status(text, "LOG-ACTIONS")[0] == "missing"


def test_a_bulleted_rule_binds_without_a_full_stop() -> None:
    text = ("# Rules in force\n\n- Every letter an assistant drafts carries the line "
            "\"Written with AI help\"\n")
    assert status(text, "DISCLOSE")[0] == "met"


def test_a_table_row_that_says_what_an_agent_can_use_states_a_rule() -> None:
    # "can use" makes the row's modality a permission; in a do/don't table it is a rule.
    text = ("# Helpers\n\n| Do | Don't |\n|---|---|\n| Record on the helper's profile exactly "
            "which actions and folders it can use, never more than the person it works for "
            "was granted. | Let a helper roam every shared drive. Anything missing from the "
            "profile is off limits. |\n")
    assert status(text, "AUTH-SCOPE")[0] == "met"


@pytest.mark.parametrize(("text", "control"), [
    ("Replies the booking assistant writes are usually checked by a receptionist before "
     "they go to clients.", "HITL-EXTERNAL"),
    ("Agents must be monitored for unauthorized actions.", "MON-DETECT"),
    ("Each bot has a named owner.", "ACCT-OWNER"),
])
def test_a_partial_control_quotes_the_clause_it_rests_on(text: str, control: str) -> None:
    got, why = status(f"# Policy\n\n{text}\n", control)
    assert got == "partial"
    assert why.endswith(f"\u201c{text}\u201d"), why


@pytest.mark.parametrize(("text", "control"), [
    # words the new kinds use, in rules that are in force
    ("An alert is raised within 15 minutes of any unauthorised agent action.", "MON-DETECT"),
    ("Unauthorised agent actions must be detected and reported within 15 minutes.",
     "MON-DETECT"),
    ("Every agent action is noted in the audit log with the agent and the employee who "
     "requested it.", "LOG-ACTIONS"),
    ("Issue-tracking tickets must record every agent action with the agent and the "
     "requesting employee.", "LOG-ACTIONS"),
    ("An agent that has not been assigned a named, accountable owner must not be deployed.",
     "ACCT-OWNER"),
    ("Rule 4: any agent that misbehaves is suspended at once from the console, and the "
     "incident procedure starts.", "IR-STOP"),
    ("Bots act only when an employee asks them, and only for that employee. Each bot runs on "
     "its own service account.", "AUTH-INVOKE"),
    ("The assistant always asks the employee whether to send a draft, and sends or deletes "
     "nothing until the employee approves it.", "HITL-EXTERNAL"),
])
def test_rules_in_force_are_not_over_read(text: str, control: str) -> None:
    got, why = status(f"# Policy\n\n{text}\n", control)
    assert got == "met", why


@pytest.mark.parametrize(("heading", "text", "control"), [
    ("Agent proposals and human approval",
     "Agents must never send anything to customers or cancel an order until a person has "
     "approved it.",
     "HITL-EXTERNAL"),
    ("Agent change log", "Every agent action is written to the change log with the agent and "
     "the employee who asked for it.", "LOG-ACTIONS"),
])
def test_a_heading_that_only_shares_a_word_denies_nothing(heading: str, text: str,
                                                          control: str) -> None:
    got, why = status(f"# Policy\n\n## {heading}\n\n{text}\n", control)
    assert got == "met", why


def test_a_wishlist_as_the_first_heading_is_not_in_force() -> None:
    text = ("## Wishlist (not yet agreed)\n\nEach bot has a named owner who is accountable "
            "for it.\n")
    assert status(text, "ACCT-OWNER")[0] == "missing"


@pytest.mark.parametrize(("text", "names"), [
    ("Sprocket, our reply bot, answers web-form tickets.", ["Sprocket"]),
    ('The overnight reporting agent ("Nightjar") runs at 02:00.', ["Nightjar"]),
    ("We use an assistant called Pip for press letters.", ["Pip"]),
    ("To all teaching assistants (TAs): the tools are for lessons.", []),
    ("The assistant drafts replies.", []),
    ("Our triage assistant (ARIA) sorts mail.", ["ARIA"]),
    ("Pip is an AI assistant built by our Digital team.", ["Pip"]),
    # words that only look like names
    ("Tools, our AI assistants, help you.", []),
    ("Security is an automation priority.", []),
    ("Microsoft is the vendor of our copilot.", []),
    ("Ask the helper (See section 4).", []),
])
def test_the_names_a_policy_gives_its_agents(text: str, names: list[str]) -> None:
    found = agent_names(analyze(f"# Policy\n\n{text}\n".encode(), name="p.md").clauses)
    assert sorted(found) == names


def test_a_rule_for_an_agent_called_by_its_name_is_read() -> None:
    # "Pip" names no agent by itself; the policy says what Pip is.
    rule = "Pip should mostly stick to the Editorial and Marketing shared drives."
    got, why = status(f"# Policy\n\nPip, our press assistant, drafts letters. {rule}\n",
                      "AUTH-SCOPE")
    assert got == "partial" and rule in why, why


def test_a_label_with_a_word_or_two_evidences_nothing() -> None:
    # "Management response: Agreed." is like many paraphrases and says none of them.
    got, why = status("# Audit\n\nOut of scope: arrangements for stopping agents and handling "
                      "incidents.\n\nManagement response: Agreed.\n", "IR-STOP")
    assert got == "missing", why
