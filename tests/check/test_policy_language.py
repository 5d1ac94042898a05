"""Kinds of policy language that change a control's status, each shown by a short policy
written for this test: a rule that no longer holds or is only planned is missing; a rule that
holds usually, only for some agents, with an exception, after the fact or as a recommendation
is partial; a requirement stated without "must" (a checked box, "requires", "mandatory")
binds; a detection time and separate credentials said in other common forms are read."""

from __future__ import annotations

import pytest

from tests.helpers.policy_status import status

CASES = [
    # No longer in force, or not yet: missing.
    ("Until the 2025 restructure, every bot action was logged with the bot ID and the "
     "employee who asked for it.", "LOG-ACTIONS", "missing"),
    ("Previously, a named engineer was accountable for each assistant; that role has since "
     "been dissolved.", "ACCT-OWNER", "missing"),
    ("Removed the rule that drafted replies from the help bot need a person's approval "
     "before they are sent to members.", "HITL-EXTERNAL", "missing"),
    ("Roadmap: every copilot gets its own service account with least-privilege rights.",
     "PRIV-LEAST", "missing"),
    ("We will introduce monitoring that detects unauthorised assistant actions within ten "
     "minutes next year.", "MON-DETECT", "missing"),
    ("There is no way to pause a running automation, and no one is responsible for the "
     "automations.", "ACCT-OWNER", "missing"),
    # Addressed, but weakly: partial.
    ("Replies written by the booking assistant are usually checked by a receptionist before "
     "they go to clients.", "HITL-EXTERNAL", "partial"),
    ("Customer-facing bots must label what they write as machine-generated.", "DISCLOSE",
     "partial"),
    ("Emails the assistant drafts for customers must be approved by a staff member before "
     "they are sent, but routine reminders are sent automatically.", "HITL-EXTERNAL",
     "partial"),
    ("Permission changes made by the provisioning bot are reviewed by the security team "
     "after they are applied.", "HITL-ACCESS", "partial"),
    ("We recommend that every agent be stoppable at once from the admin console and that "
     "agent incidents follow the incident procedure.", "IR-STOP", "partial"),
    # Stated without a modal verb, or in other common forms: met.
    ("[x] Every assistant message to a patient requires a nurse's approval before it is "
     "sent, and so does any change that cannot be undone.", "HITL-EXTERNAL", "met"),
    ("Detection SLA for unauthorised agent actions: 15 minutes, enforced by round-the-clock "
     "monitoring.", "MON-DETECT", "met"),
    ("Each digital worker must authenticate as itself, with the narrowest permissions that "
     "let it do its job, and never with an employee's login.", "PRIV-LEAST", "met"),
    ("Bots must use credentials issued solely to them, limited to the minimum privileges "
     "their task needs.", "PRIV-LEAST", "met"),
    ("Every bot gets a dedicated service identity, scoped down to the minimum it needs.",
     "PRIV-LEAST", "met"),
    # Minutes, audits and plans: a question raised, a decision not to act, a thing not done,
    # an audit finding, a self-started agent: missing; a request recorded: partial.
    ("Cllr Amos asked whether replies drafted by the chatbot should say so.", "DISCLOSE",
     "missing"),
    ("The committee decided not to label letters drafted by the assistant.", "DISCLOSE",
     "missing"),
    ("We have not yet defined which systems each assistant may use.", "AUTH-SCOPE",
     "missing"),
    ("Finding 3 (Medium): bots posting to customer channels without any approval step.",
     "HITL-EXTERNAL", "missing"),
    ("Agents may be started by a person, on a schedule, or by an event in the ticket queue.",
     "AUTH-INVOKE", "missing"),
    ("The security lead asked that every change to an assistant's permissions be reviewed "
     "by the security team first.", "HITL-ACCESS", "partial"),
    # A time to respond is not a time to detect.
    ("The service desk must respond within two hours to alerts about unauthorised agent "
     "actions.", "MON-DETECT", "partial"),
    # Discussed, waived, deferred, self-starting: missing; suspended in part or promised by a
    # date: partial.
    ("A proposal to give every bot an audit log naming the employee behind each action was "
     "discussed.", "LOG-ACTIONS", "missing"),
    ("The requirement to label assistant replies as AI-written is waived until further "
     "notice.", "DISCLOSE", "missing"),
    ("A kill switch for the agents, with an incident runbook, has been deferred to 2028.",
     "IR-STOP", "missing"),
    ("The scheduling bot doesn't wait to be asked: it books follow-ups when it sees a gap.",
     "AUTH-INVOKE", "missing"),
    ("Security keeps monitoring agent activity, but the usual 20-minute detection target is "
     "suspended this month.", "MON-DETECT", "partial"),
    ("Each assistant will move to its own service account, holding only the rights it needs, "
     "by 30 June 2027.", "PRIV-LEAST", "partial"),
    # What an agent recommends is its work, not the policy hedging.
    ("Any change to an agent's permissions, and any agent output that recommends granting "
     "someone access, must be approved by the security team before it is applied.",
     "HITL-ACCESS", "met"),
]


@pytest.mark.parametrize(("text", "control", "expected"), CASES,
                         ids=[f"{c}-{e}-{i}" for i, (_, c, e) in enumerate(CASES)])
def test_kinds_of_policy_language(text: str, control: str, expected: str) -> None:
    got, why = status(f"# Agent policy\n\n{text}\n", control)
    assert got == expected, why


def test_a_rule_that_names_its_approval_route_is_not_an_exception() -> None:
    # "except through a reviewed request" is the rule itself, not a carve-out from it.
    text = ("# Access\n\nAn agent must not grant, change or remove anyone's access, and must "
            "not advise on access, except through a request reviewed and approved by the "
            "security manager.\n")
    assert status(text, "HITL-ACCESS")[0] == "met"


def test_recommendations_as_the_subject_of_a_rule_do_not_weaken_it() -> None:
    # "any recommendation an agent makes" is what the rule covers, not a hedge.
    text = ("# Access\n\nRequests to change permissions, and any recommendation an agent makes "
            "about who should hold which permission, go to Information Security for review "
            "before anything changes.\n")
    assert status(text, "HITL-ACCESS")[0] == "met"


def test_a_denied_or_lapsed_rule_is_explained_in_a_sentence() -> None:
    got, why = status("# Logs\n\nUntil the 2025 restructure, every bot action was logged with "
                      "the bot ID and the employee who asked for it.\n", "LOG-ACTIONS")
    assert got == "missing"
    assert why.startswith("Clause c1 mentions it, but it describes an earlier rule that is "
                          "no longer in force: \u201cUntil the 2025 restructure"), why
