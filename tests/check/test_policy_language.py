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


# Minutes of a meeting: a motion is in force only if it was carried.
_MINUTES = """# Operations Board, minutes of 3 March

## 4. Assistant rules

4.1 That every message an assistant sends to customers be labelled as written by AI.
Members felt customers would find the label off-putting.
REJECTED 1-6.

4.2 That each assistant have one named manager accountable for it.
Proposed by the COO, seconded by the CFO.
CARRIED 7-0.

4.3 That assistants be stopped within five minutes of any suspected incident.
The Board agreed to defer the matter to the next budget.
"""


@pytest.mark.parametrize(("control", "expected"), [
    ("DISCLOSE", "missing"),    # voted down
    ("ACCT-OWNER", "met"),      # carried
    ("IR-STOP", "missing"),     # put off
])
def test_the_outcome_of_a_motion_decides_whether_it_is_in_force(control: str,
                                                                 expected: str) -> None:
    got, why = status(_MINUTES, control)
    assert got == expected, why
    if control == "DISCLOSE":  # the reason quotes the outcome
        assert "(clause c3: \u201cREJECTED 1-6.\u201d)" in why, why


def test_an_outcome_reaches_no_further_than_its_item() -> None:
    # "REJECTED" closes item 2, not the rule of item 1 before it.
    text = ("# Decisions\n\n1. Every change an assistant makes is logged with the assistant's "
            "ID and the employee who asked for it.\n\n2. That logs be kept for ten years.\n"
            "REJECTED.\n")
    assert status(text, "LOG-ACTIONS")[0] == "met"


def test_a_sentence_that_opens_by_forbidding_self_start_does_not_allow_it() -> None:
    text = ("# Do and don't\n\nDon't set up timers, watchers or nightly jobs that make an "
            "assistant run on its own.\n")
    got, why = status(text, "AUTH-INVOKE")
    assert "start on their own" not in why, why
    # ... while one that allows it still defeats the control
    got, why = status("# Runs\n\nThe assistant runs on a nightly schedule.\n", "AUTH-INVOKE")
    assert got == "missing" and "start on their own" in why, why


def test_a_lapsed_waiver_contradicts_nothing() -> None:
    text = ("# Waivers\n\nEvery assistant acts only when an employee asks it to, and only for "
            "that employee.\n\n| Waiver | Scope | Status |\n|---|---|---|\n| W-2 | Sales "
            "assistant may message leads unprompted | Expired 1 May 2026; not renewed |\n")
    got, why = status(text, "AUTH-INVOKE")
    assert got == "met", why


@pytest.mark.parametrize("text", [
    "No tool will be put in place to watch assistant activity as it happens.",
    "We will not deploy any monitoring system to watch assistant activity.",
])
def test_ruling_out_the_means_of_a_safeguard_denies_it(text: str) -> None:
    got, why = status(f"# Agreement\n\n{text}\n", "MON-DETECT")
    assert got == "missing" and "rules out the means" in why, why


def test_identifying_agent_actions_is_monitoring_not_disclosure() -> None:
    text = ("# Monitoring\n\nThe vendor must run monitoring able to identify any assistant "
            "action outside its allowed list within one hour.\n")
    assert status(text, "DISCLOSE")[0] == "missing"
    assert status("# Labels\n\nEvery reply must identify the assistant as an AI system.\n",
                  "DISCLOSE")[0] == "met"


def test_an_agent_on_a_persons_login_is_an_exception_to_the_rule() -> None:
    rule = ("Every assistant has its own service account, limited to the access it needs, and "
            "never uses anyone's personal login.")
    got, why = status(f"# Accounts\n\n{rule} The archive bot signs in with a librarian's "
                      "login until the new system arrives.\n", "PRIV-LEAST")
    assert got == "partial" and "person's own credentials" in why, why
    # alone, nothing else provides the control
    got, why = status("# Accounts\n\nThe archive bot runs under the account of the duty "
                      "librarian.\n", "PRIV-LEAST")
    assert got == "missing" and "person's own credentials" in why, why


@pytest.mark.parametrize("text", [
    "An assistant must never sign in as a person or use a person's credentials.",
    "Assistants sign in under accounts of their own and never under a librarian's login.",
])
def test_forbidding_a_persons_login_is_no_exception(text: str) -> None:
    got, why = status(f"# Accounts\n\n{text}\n", "PRIV-LEAST")
    assert got != "missing" and "person's own credentials" not in why, why


@pytest.mark.parametrize("text", [
    "The claims desk is responsible for the daily running of all its assistants.",
    "The Office of Research Computing owns both bots and decides on their settings.",
    "Take any problem with an assistant to the team that looks after it.",
])
def test_a_team_that_answers_for_the_agents_is_an_owner_of_a_kind(text: str) -> None:
    got, why = status(f"# Ownership\n\n{text}\n", "ACCT-OWNER")
    assert got == "partial" and "names a team" in why, why


def test_a_person_who_heads_a_team_is_no_team() -> None:
    got, why = status("# Ownership\n\nThe head of the data team is accountable for each "
                      "assistant.\n", "ACCT-OWNER")
    assert got != "missing" and "names a team" not in why, why


def test_a_logging_setting_switched_on_with_both_parties_is_a_log() -> None:
    config = ("```yaml\nassistants:\n  logging:\n    enabled: true\n    fields: [time, agent_id, "
              "requesting_user, action]\n```\n")
    got, why = status(f"# Settings\n\nEvery assistant action is handled as below.\n\n{config}",
                      "LOG-ACTIONS")
    assert got != "missing", why
    off = config.replace("enabled: true", "enabled: false")
    got, why = status(f"# Settings\n\n{off}", "LOG-ACTIONS")
    assert got == "missing", why


@pytest.mark.parametrize(("text", "control"), [
    ("We do not have a written list of what each assistant may do yet; teams use judgement.",
     "AUTH-SCOPE"),
    ("Every assistant can read the entire shared drive and all of the mail archive.",
     "AUTH-SCOPE"),
    ("Requests to narrow assistant access will not be actioned.", "AUTH-SCOPE"),
    ("Monitoring of assistant actions is on hold pending the new security contract.",
     "MON-DETECT"),
    ("This page explains how the reply bot works and what you should keep an eye on.",
     "MON-DETECT"),
])
def test_kinds_that_leave_a_control_missing(text: str, control: str) -> None:
    got, why = status(f"# Assistants\n\n{text}\n", control)
    assert got == "missing", why


def test_an_assistant_whose_reach_is_limited_is_no_contradiction() -> None:
    got, why = status("# Assistants\n\nEach assistant may read only the records that its "
                      "requester can see.\n", "AUTH-SCOPE")
    assert got == "met", why


_RISKS = ("# Risk register\n\n| Risk | Control | Status |\n|---|---|---|\n"
          "| R2 Wrong messages | A pharmacist approves each message the assistant sends to "
          "patients before it goes. | {status} |\n")


def test_a_table_row_that_states_a_rule_and_waives_part_of_it_is_partial() -> None:
    got, why = status(_RISKS.format(status="In place. Refill reminders go out without "
                                           "review."), "HITL-EXTERNAL")
    assert got == "partial", why


def test_a_table_row_whose_status_defers_it_is_not_in_force() -> None:
    got, why = status(_RISKS.format(status="Deferred to 2028 planning"), "HITL-EXTERNAL")
    assert got == "missing", why


_INVOKE = "Each agent acts only when an employee asks it to, and only for that employee."


@pytest.mark.parametrize(("text", "control", "expected"), [
    # ordinary prose after a rule is no outcome of a motion
    ("Every reply an assistant writes must be labelled as written by AI.\n\nWithdrawn "
     "consent is honoured within a day.", "DISCLOSE", "met"),
    ("Each assistant has a named owner who is accountable for it.\n\nIn 2025 we decided to "
     "drop the old shared admin token.", "ACCT-OWNER", "met"),
    # a carried motion stays in force, a later lost one does not reach back
    ("That every reply an assistant writes be labelled as written by AI.\n\nCARRIED 6-1.\n\n"
     "That each assistant have a named manager.\n\nLOST 2-5.", "DISCLOSE", "met"),
    # an exception voted down is no exception
    ("1. Every reply an assistant writes must be labelled as written by AI.\n\n2. That "
     "internal notes written by assistants need not be labelled.\nREJECTED 2-5.",
     "DISCLOSE", "met"),
    # waiting for approval is the safeguard, not a deferral
    ("Every message the assistant drafts stays on hold pending a person's approval before "
     "it is sent.", "HITL-EXTERNAL", "met"),
    ("No agent or tool will be deployed without a named owner who is accountable for it.",
     "ACCT-OWNER", "met"),
    # an aside that allows what the opening seemed to forbid
    (f"{_INVOKE}\n\nDon't worry about starting the report bot: it runs on its own every "
     "night on a schedule.", "AUTH-INVOKE", "missing"),
    (f"{_INVOKE}\n\nThe report bot will not need anyone to press a button - it runs every "
     "night on a schedule.", "AUTH-INVOKE", "missing"),
    (f"{_INVOKE}\n\nThe report bot no longer waits to be asked: it runs every night on a "
     "schedule.", "AUTH-INVOKE", "missing"),
    # a customer's account number or a service identity is no person's login
    ("Every assistant has its own service account with only the permissions it needs.\n\n"
     "The support bot uses the customer's account number to find the order.", "PRIV-LEAST",
     "met"),
    ("Every assistant has its own service account with only the permissions it needs.\n\n"
     "The report bot runs under the account of svc-reporting.", "PRIV-LEAST", "met"),
    ("All assistants sign in with the login of their team lead.", "PRIV-LEAST", "missing"),
    # a document's scope is no agent's scope; reading a whole thread is no unlimited reach
    ("Scope: this policy covers every AI assistant used by staff.", "AUTH-SCOPE", "missing"),
    ("Each assistant may read only the records its requester shares with it.\n\nThe "
     "assistant can read the whole ticket thread before it drafts a reply.", "AUTH-SCOPE",
     "met"),
    ("Every assistant action is logged with the assistant's ID and the employee who asked "
     "for it; we do not have any unlogged paths.", "LOG-ACTIONS", "met"),
])
def test_look_alikes_of_this_sessions_kinds(text: str, control: str, expected: str) -> None:
    got, why = status(f"# Policy\n\n{text}\n", control)
    assert got == expected, why


@pytest.mark.parametrize(("text", "control", "expected"), [
    # a safeguard said not to be provided, or a status cell that says so: missing
    ("Monitoring of what the assistants do is not provided under this contract.",
     "MON-DETECT", "missing"),
    ("| C-7 | Labels on assistant drafts | Not implemented | - |", "DISCLOSE", "missing"),
    ("Labels on assistant drafts are not implemented to date.", "DISCLOSE", "missing"),
    # not waiting for a person's go-ahead is acting without approval
    ("The rota bot doesn't wait for a manager's go-ahead before it emails the staff.",
     "HITL-EXTERNAL", "missing"),
    # what a review found is no safeguard
    ("Last spring's audit identified several gaps in who approves permission changes made "
     "by the bots.", "HITL-ACCESS", "missing"),
    # a record that names the person, not the agent: partial
    ("Every change is logged, but bot changes appear under the employee who started the "
     "bot.", "LOG-ACTIONS", "partial"),
    # negative ways of demanding the safeguard: met
    ("Each bot has a named manager who is accountable for it. A bot with no owner cannot "
     "go live.", "ACCT-OWNER", "met"),
    ("Each bot acts only when an employee asks it to, and only for that employee. Bots may "
     "not take any step unprompted.", "AUTH-INVOKE", "met"),
    ("Each bot acts only when an employee asks it to, and only for that employee. There are "
     "no timers or scheduled triggers.", "AUTH-INVOKE", "met"),
    ("IT is developing a procedure for pausing the bots and handling bot incidents.",
     "IR-STOP", "missing"),
    ("No register lists which systems each bot may use or which records it may read.",
     "AUTH-SCOPE", "missing"),
    ("Each bot has access to the firm's entire document archive and every client file.",
     "AUTH-SCOPE", "missing"),
    ("A manager approves every message a bot sends. No approval means no message.",
     "HITL-EXTERNAL", "met"),
    ("Each bot acts only when an employee asks it to, and only for that employee; a bot "
     "cannot begin a job on its own.", "AUTH-INVOKE", "met"),
    # look-alikes that stay as they were
    ("Every bot action is logged with the bot ID and the employee who started it, and the "
     "logs are not provided to customers.", "LOG-ACTIONS", "met"),
    ("A manager approves every message a bot sends; that approval is not performed by the "
     "bot itself, and every irreversible step needs it too.", "HITL-EXTERNAL", "met"),
    ("The bot posts replies to customers without approval and staff cannot override it.",
     "HITL-EXTERNAL", "missing"),
    ("If the manager cannot be reached, the bot emails customers without review.",
     "HITL-EXTERNAL", "missing"),
    ("Every permission change a bot proposes is reviewed by the security team before it is "
     "applied; last year's audit found no issues with this.", "HITL-ACCESS", "met"),
    ("Each bot may use only the tools and data its requester granted, listed in its card. "
     "Employees have access to the full list of each bot's permissions.", "AUTH-SCOPE",
     "met"),
    ("Every bot action is logged with the bot ID and stored under the requester's user ID.",
     "LOG-ACTIONS", "met"),
    ("Any bot can be suspended at once from the console and incidents follow the incident "
     "plan; the security team is developing a new runbook for next year.", "IR-STOP", "met"),
    ("Staff are not provided with the bots' credentials, and each bot has its own service "
     "account with only the permissions it needs.", "PRIV-LEAST", "met"),
    ("Bots may post to the public forum without a manager's go-ahead.", "HITL-EXTERNAL",
     "missing"),
    ("There is no named owner for the bots.", "ACCT-OWNER", "missing"),
])
def test_kinds_of_fresh_wording(text: str, control: str, expected: str) -> None:
    got, why = status(f"# Policy\n\n{text}\n", control)
    assert got == expected, why


def test_a_header_row_binds_nothing_but_its_table_still_speaks() -> None:
    # "# | Action | Assigned to | Due" made a control met; the rows under a header still count.
    got, why = status("# Actions\n\n| # | Action | Assigned to | Due |\n|---|---|---|---|\n"
                      "| A1 | Publish the bot rules | Dana Okoro | 9 Dec |\n", "AUTH-INVOKE")
    assert got != "met", why
    table = ("# Bots\n\n| Bot | Accountable owner | Stop switch |\n|---|---|---|\n"
             "| Invoice bot | Jane Smith | Admin console |\n")
    got, why = status(table, "ACCT-OWNER")
    assert got != "missing", why


def test_a_status_cell_voids_its_row_only_as_the_last_cell() -> None:
    rows = ("# Controls\n\n| Control | Legacy | Main platform |\n|---|---|---|\n"
            "| Every bot action is logged with the bot ID and the employee who started it "
            "| Not implemented | {last} |\n")
    got, why = status(rows.format(last="In place"), "LOG-ACTIONS")
    assert got != "missing", why
    got, why = status(rows.format(last="Not implemented"), "LOG-ACTIONS")
    assert got == "missing", why
