"""The check over twelve hand-written policies with expected statuses, and per-control cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze, check
from analyzer.check import check_analysis
from analyzer.check_eval import score_policies
from analyzer.errors import RuleError
from analyzer.rulebook import default_rulebook

HERE = Path(__file__).parent


def test_status_accuracy_over_the_policy_set() -> None:
    score = score_policies(HERE / "policies", HERE / "expected.yaml")
    report = "\n".join(f"{m.policy} {m.control}: expected {m.expected}, got {m.got} "
                       f"({m.explanation})" for m in score.misses)
    assert score.total >= 120
    assert score.accuracy >= 0.9, report


def status(text: str, control: str) -> str:
    result = check_analysis(analyze(f"# Policy\n\n{text}\n".encode()),
                            default_rulebook().controls)
    return next(c.status for c in result.controls if c.id == control)


@pytest.mark.parametrize(("text", "control", "expected"), [
    ("Agents must act only when invoked, and only for the principal who invoked them.",
     "AUTH-INVOKE", "met"),
    ("Agents should only act when invoked by a person.", "AUTH-INVOKE", "partial"),
    ("Agents may answer threads they find relevant without being asked.", "AUTH-INVOKE",
     "missing"),
    ("A human must approve every message before an agent posts it, and every deletion.",
     "HITL-EXTERNAL", "met"),
    # the control has two parts: a rule for messages alone leaves open the refunds and
    # deletions the policy lets agents do; in a policy that mentions none, it is the rule
    ("A human must approve every message before an agent posts it. Agents can also issue "
     "refunds.", "HITL-EXTERNAL", "partial"),
    ("A human must approve every message before an agent posts it.", "HITL-EXTERNAL", "met"),
    ("A human should approve messages before an agent posts them.", "HITL-EXTERNAL", "partial"),
    ("Agents need not obtain human approval before posting.", "HITL-EXTERNAL", "missing"),
    ("Approval from a human reviewer is not required before agents post.", "HITL-EXTERNAL",
     "missing"),
    ("Monitoring must detect unauthorized agent actions within 15 minutes.", "MON-DETECT", "met"),
    ("Agents must be monitored for unauthorized actions.", "MON-DETECT", "partial"),
    ("Every agent must have a named owner who is accountable for it.", "ACCT-OWNER", "met"),
    ("Someone must be accountable for each agent.", "ACCT-OWNER", "partial"),
    ("Agents must use least-privilege credentials and their own service accounts.",
     "PRIV-LEAST", "met"),
    ("Agents must use least-privilege credentials.", "PRIV-LEAST", "partial"),
    ("Agents may use shared team credentials.", "PRIV-LEAST", "missing"),
    ("All agent-generated content must be labelled as AI-generated.", "DISCLOSE", "met"),
    ("The office is closed on Sundays.", "DISCLOSE", "missing"),
    # An exception the policy makes to its own rule, in the next sentence: only part is met.
    ("Replies a bot sends to customers must be labelled as AI-generated. Notes it writes for "
     "staff need no label.", "DISCLOSE", "partial"),
    ("A human must approve every message before an agent sends it. Status updates to the "
     "team channel go out without prior approval.", "HITL-EXTERNAL", "partial"),
    ("No bot may email a customer until a person has approved the text. Other messages are "
     "left to the judgement of the team.", "HITL-EXTERNAL", "partial"),
    # A required detail that the policy denies is not stated.
    ("## Accounts\n\nEvery bot must use its own service account.\n\n## Reviews\n\nA review "
     "of bot rights to keep them to the minimum permissions is not required.", "PRIV-LEAST",
     "partial"),
    # ... nor by one that only hedges it.
    ("Bots must use their own service accounts. Whether they get least privilege is still to "
     "be decided.", "PRIV-LEAST", "partial"),
    ("Bots must use their own service accounts. They should have least privilege.",
     "PRIV-LEAST", "partial"),
    # An aim is not a rule.
    ("We try to make sure bots act only when someone asks them to, and only for that person.",
     "AUTH-INVOKE", "partial"),
    # A plan is not a safeguard in place.
    ("We will eventually add anomaly detection for agent actions.", "MON-DETECT", "missing"),
    ("Production bots must act only when a user invokes them. Experimental bots are exempt.",
     "AUTH-INVOKE", "partial"),
    ("Nothing a bot drafts leaves the company, and no irreversible step is taken, until an "
     "employee has approved it.", "HITL-EXTERNAL", "met"),
    # Leave to act freely in part of what the control covers, beside a rule for the rest.
    ("An editor must approve anything a bot publishes on the website. Bots may post to "
     "internal channels without approval.", "HITL-EXTERNAL", "partial"),
    ("Bots may post to internal channels without approval.", "HITL-EXTERNAL", "missing"),
    # "without approval" inside a prohibition is the rule itself, not a waiver.
    ("A human must approve every message before an agent sends it; nothing is sent or deleted "
     "without prior approval.", "HITL-EXTERNAL", "met"),
    # The parts a rule must state itself: deleting named in another clause, or "approve" in a
    # sign-off, does not complete a rule for messages.
    ("A human must approve every message before an agent sends it. Agents keep a list of the "
     "files they delete.", "HITL-EXTERNAL", "partial"),
    ("Every customer reply needs a supervisor's sign-off before the bot sends it. The bot "
     "closes tickets when the customer is happy.", "HITL-EXTERNAL", "partial"),
    # ... unless the next sentence carries the rule on to them
    ("Each supplier order is sent only after a pharmacist approves it. Stock write-offs, which "
     "cannot be undone, need the same sign-off.", "HITL-EXTERNAL", "met"),
    ("A human must approve every message before an agent sends it, and any payment before an "
     "agent makes it.", "HITL-EXTERNAL", "met"),
    ("Writes, deletes and outbound calls by agents are logged with the agent and the user who "
     "asked.", "LOG-ACTIONS", "partial"),
    ("Each agent action is logged with the agent and the user who asked.", "LOG-ACTIONS",
     "met"),
    # An "internal ..." clause after a rule, denying what the rule gives, is an exception to it;
    # one denying something else is not.
    ("Letters to donors that an assistant drafted are marked as AI-assisted. Internal notes "
     "need not be marked.", "DISCLOSE", "partial"),
    ("Anything an agent drafts for a client carries an AI notice in the header. Internal memos "
     "will not carry any label.", "DISCLOSE", "partial"),
    ("All agent output is labelled as AI-generated. Internal test systems are not monitored.",
     "DISCLOSE", "met"),
    ("Every agent action is logged with the agent and the user who asked. Internal chat "
     "messages are not labelled.", "LOG-ACTIONS", "met"),
    # A log entry that names the agent attributes an action; it labels no content.
    ("Each log entry shall identify the agent and the user concerned.", "DISCLOSE", "missing"),
    ("We deliberately don't stamp AI-generated text.", "DISCLOSE", "missing"),
    # More ways to say who an action is attributed to, and how narrow and separate an
    # agent's credentials are.
    ("Every action taken by an automation shall be logged with the automation's identifier "
     "and the employee on whose request it acted.", "LOG-ACTIONS", "met"),
    ("Every agent action is appended to the audit log with the agent ID and the clinician ID.",
     "LOG-ACTIONS", "met"),
    ("Every agent action is logged with the agent's ID and the ID of the person who made the "
     "request.", "LOG-ACTIONS", "met"),
    ("Each agent shall authenticate using credentials issued only to that agent, which shall "
     "carry no privileges beyond those needed for its functions.", "PRIV-LEAST", "met"),
    ("Each bot runs as its own app installation, with only the permissions that its declared "
     "scopes require. Never wire a bot to a personal access token.", "PRIV-LEAST", "met"),
    # A human review of access changes that is not a security review
    ("Any change an agent makes to user permissions, and any advice it gives about access, "
     "must be approved by the team leader first.", "HITL-ACCESS", "partial"),
    ("Any change an agent makes to user permissions, and any advice it gives about access, "
     "must be approved by the security team first.", "HITL-ACCESS", "met"),
    # One named agent that starts itself, beside a rule for the rest: an exception.
    ('Bots act only when a nurse asks them, and only for that nurse. The night summary bot '
     '("Owl") keeps running on its 06:00 timer and emails the ward manager unprompted.',
     "AUTH-INVOKE", "partial"),
    ('The night summary bot ("Owl") keeps running on its 06:00 timer.', "AUTH-INVOKE",
     "missing"),
    # Acting before being asked is the opposite of the control, and "also" beside the rule
    # does not make it an exception (it may grant it to every agent).
    ("Champion proactive copilots that act before they are asked.", "AUTH-INVOKE", "missing"),
    ("Bots act only for the customer who contacted them, and only when asked. Bots also send "
     "proactive outage notifications.", "AUTH-INVOKE", "missing"),
    # A bot that itself watches a chart is not monitoring of bots.
    ("The assistants keep an eye on the observation chart and the drug round.", "MON-DETECT",
     "missing"),
    # "Next:" is a plan; a status cell "Accepted" is a risk accepted, not a safeguard.
    ("Next: written scope statements for the other three assistants (target Q3 2027)",
     "AUTH-SCOPE", "missing"),
    ("| T4 | Elevation of privilege by an agent | Security team review of every permission "
     "change an agent makes or advises | Accepted (risk committee, June 2026) |",
     "HITL-ACCESS", "missing"),
    # Only the agents that handle personal data: some agents.
    ("Assistants handling personal data must log each action with the assistant's identifier "
     "and the officer who asked.", "LOG-ACTIONS", "partial"),
    # Approval, a gate and something going out, in any order and words.
    ("Nothing the volunteer bot writes reaches volunteers directly: a coordinator approves each "
     "message first, and also any deletion of records.", "HITL-EXTERNAL", "met"),
    ("Release bot rule: publishing a package or pushing a tag stays blocked until a maintainer "
     "approves it; the same applies to deleting a release.", "HITL-EXTERNAL", "met"),
    # A limit and a person's request, in other orders and words.
    ("The planning assistant takes no action on a work order unless a planner has asked for "
     "it, and then acts for that planner alone.", "AUTH-INVOKE", "met"),
    ("Reminder: the filing bot only moves when someone pings it, and works strictly for "
     "whoever pinged it.", "AUTH-INVOKE", "met"),
    # A rule and an exception to it in one sentence.
    ("Approval is required before the assistant publishes a story, but deletions it carries "
     "out need no sign-off.", "HITL-EXTERNAL", "partial"),
    ("Approval is required before Hopper emails suppliers; its posts to the depot channel go "
     "out without review.", "HITL-EXTERNAL", "partial"),
    # A team that looks after the agents is an owner of a kind; no person answers for them.
    ("The copilots are looked after by the Digital Workplace team as a whole.", "ACCT-OWNER",
     "partial"),
    ("The help bots belong to the Service Desk team.", "ACCT-OWNER", "partial"),
    ("Each bot has a named owner who is accountable for it. The bots are maintained by the "
     "platform team.", "ACCT-OWNER", "met"),
    # A limit on watching people is not monitoring of agents.
    ("Assistants shall not be used to monitor employees' behaviour or performance.",
     "MON-DETECT", "missing"),
    # A passive approval rule for what an agent drafted; it covers no irreversible action.
    ("Any notice to customers drafted by an agent must be approved by the duty manager before "
     "it is issued. The agent may cancel bookings.", "HITL-EXTERNAL", "partial"),
    ("**Q: Do you label content that agents write?**\n\nA: No, and I don't think we should.",
     "DISCLOSE", "missing"),
    ("**Q: Does each bot have a named owner?**\n\nA: Honestly, no. Nobody is on the hook.",
     "ACCT-OWNER", "missing"),
    ("Q: If a bot drafts a reply to a customer, does a person approve it before it goes "
     "out?\n\nA: Not today.", "HITL-EXTERNAL", "missing"),
    ("Q: Is every agent action logged with the agent and the user who asked?\n\nA: Not "
     "always.", "LOG-ACTIONS", "partial"),
    # A scope stated as a record, a default deny, a bound by the principal's grant.
    ("Wren's remit is set out in its charter: it drafts rota changes and reads the rota of "
     "the unit that engaged it.", "AUTH-SCOPE", "met"),
    ("The filing bot reads the inbox its clerk shares; any other request is rejected by the "
     "gateway.", "AUTH-SCOPE", "met"),
    ("Each copilot's permissions are capped at what its requesting manager has delegated.",
     "AUTH-SCOPE", "met"),
    ("Our helpers keep within the folders their owner opens to them.", "AUTH-SCOPE", "met"),
    # ... then a gap, or only some agents, or only a date
    ("Wren's remit is written down, yet in practice it can read any record on the ward.",
     "AUTH-SCOPE", "partial"),
    ("Written scopes exist for the billing bots; the reporting bots have none.", "AUTH-SCOPE",
     "partial"),
    ("Most bots have a documented scope.", "AUTH-SCOPE", "partial"),
    ("Scope cards are kept for the bots; at present only the pilot bots have one.",
     "AUTH-SCOPE", "partial"),
    ("By June 2027 every bot will have a documented scope.", "AUTH-SCOPE", "partial"),
    ("It is recommended that each bot's permitted actions be written down.", "AUTH-SCOPE",
     "partial"),
    # ... or not there at all
    ("A scope register for the bots is on the team's wish list.", "AUTH-SCOPE", "missing"),
    ("Proposal, not adopted: a permissions list for every bot.", "AUTH-SCOPE", "missing"),
    ("The scope register was abandoned last year.", "AUTH-SCOPE", "missing"),
    ("No list of what the bots may touch is kept.", "AUTH-SCOPE", "missing"),
    ("The triage bot has no defined remit.", "AUTH-SCOPE", "missing"),
    ("Bots inherit the full access of the team's service account.", "AUTH-SCOPE", "missing"),
    ("Is each bot's remit written down? Not yet, says the platform lead.", "AUTH-SCOPE",
     "missing"),
    # Least privilege and a separate sign-in, in other words than "least privilege".
    ("The scheduling bot's token belongs to the bot alone and grants calendar reads only.",
     "PRIV-LEAST", "met"),
    ("Each assistant signs in with a non-human account holding the fewest rights that let it "
     "work.", "PRIV-LEAST", "met"),
    ("Bots must never run as a staff member; each has its own key, scoped to the one queue "
     "it serves.", "PRIV-LEAST", "met"),
    ("The filing assistant logs in as itself, with a read-only role and nothing more.",
     "PRIV-LEAST", "met"),
    # one half only
    ("Each assistant signs in with a non-human account.", "PRIV-LEAST", "partial"),
    # a planned mitigation in a threat-model row
    ("| Shared tokens | Agents use the team's token today. | A dedicated, minimally scoped "
     "account per agent. | Go-live 30 June 2027 |", "PRIV-LEAST", "partial"),
    # An owner named by name (the patterns read folded text, where a name is no name).
    ("The triage bot is owned by Dr Nadia Osei, who is accountable for what it does.",
     "ACCT-OWNER", "met"),
    ("| Agent | Owner | Accountability |\n|---|---|---|\n| Pip | Owner: Tomas Reyes | "
     "answerable for every action |", "ACCT-OWNER", "met"),
    ("Every bot has one person's name against it, and that person is accountable for it.",
     "ACCT-OWNER", "met"),
    ("The triage bot is owned by the Digital Team, which is accountable for it.",
     "ACCT-OWNER", "partial"),
    # ... or no owner at all, or only the idea of one
    ("The triage bot has had no owner since its builder left.", "ACCT-OWNER", "missing"),
    ("Bots in the warehouse are not assigned owners.", "ACCT-OWNER", "missing"),
    ("An accountable owner for each bot remains an aspiration.", "ACCT-OWNER", "missing"),
    ("An owner for the triage bot has not yet been appointed.", "ACCT-OWNER", "missing"),
    ("We decided against naming owners for bots.", "ACCT-OWNER", "missing"),
    # Invocation in other words than "only when invoked".
    ("The rota bot works only when a supervisor opens a session, and only for that "
     "supervisor.", "AUTH-INVOKE", "met"),
    ("Our filing assistant acts on a clerk's request and for that clerk alone.",
     "AUTH-INVOKE", "met"),
    ("Background or scheduled activity by any agent is prohibited.", "AUTH-INVOKE", "met"),
    ("Most of our bots are request-driven.", "AUTH-INVOKE", "partial"),
    ("From March 2027 every bot will be invocation-only.", "AUTH-INVOKE", "partial"),
    ("Idea for the roadmap: make the rota bot wait for a supervisor's prompt.",
     "AUTH-INVOKE", "missing"),
    ("Suggestion from the workshop, not taken forward: bots act only on request.",
     "AUTH-INVOKE", "missing"),
    # A label shown with the text, in its own words
    ("Every letter the bot drafts ends with the line 'Prepared by Pip, an automated "
     "assistant'.", "DISCLOSE", "met"),
    ("Text written by machine is identified as such to every reader.", "DISCLOSE", "met"),
    # ... on some content only, only when asked, or until someone strips it
    ("Bot replies are labelled as AI-generated on the website, but not in email.", "DISCLOSE",
     "partial"),
    ("Bot replies are labelled as AI-generated; internal notes are not.", "DISCLOSE",
     "partial"),
    ("Bot replies are labelled as AI-generated unless the sender opts out.", "DISCLOSE",
     "partial"),
    ("Bot replies disclose that they are AI only if a reader asks.", "DISCLOSE", "partial"),
    ("Only public posts from the bot carry an AI-generated label.", "DISCLOSE", "partial"),
    ("It is recommended that each bot's replies be labelled as AI-generated.", "DISCLOSE",
     "partial"),
    ("All bot replies will be labelled as AI-generated from 2027.", "DISCLOSE", "partial"),
    # An approval gate in other words; a gate for some sends only; a review after the fact
    ("The rota bot's emails to contractors wait in a queue until a supervisor releases "
     "them.", "HITL-EXTERNAL", "met"),
    ("Payments over 5,000 euros by the bot require a manager's approval; smaller payments are "
     "released directly.", "HITL-EXTERNAL", "partial"),
    ("The bot's emails are approved by a supervisor the following morning.", "HITL-EXTERNAL",
     "partial"),
    ("Roughly one in ten emails drafted by the bot is checked before sending.",
     "HITL-EXTERNAL", "partial"),
    ("The bot sends its emails to suppliers with no human approval step.", "HITL-EXTERNAL",
     "missing"),
    ("A human approval step before the bot posts is being considered.", "HITL-EXTERNAL",
     "missing"),
    ("The bot publishes, sends and deletes as it sees fit.", "HITL-EXTERNAL", "missing"),
    # Every action logged with the agent and its principal, in other words
    ("The filing bot records every step it takes, with its own ID and the requesting "
     "clerk's name.", "LOG-ACTIONS", "met"),
    ("Nothing the filing bot does goes unrecorded; each entry names the bot and the clerk it "
     "served.", "LOG-ACTIONS", "met"),
    ("audit: log_all_actions=true for every agent; fields: agent_id, principal_id, action",
     "LOG-ACTIONS", "met"),
    # An agent that may advise on access, bounded by a security review in the same sentence
    ("The helpdesk bot may suggest role changes, but a security analyst reviews each one "
     "before it is applied.", "HITL-ACCESS", "met"),
    ("The helpdesk bot may recommend permission changes, but information security must "
     "approve each one first.", "HITL-ACCESS", "met"),
    # ... and a review that is gone
    ("Security review of bot-made access changes was suspended in 2025 and never "
     "reinstated.", "HITL-ACCESS", "missing"),
    ("The provisioning bot grants access directly, with no security review at any stage.",
     "HITL-ACCESS", "missing"),
    ("Under consideration: a security review of agent-proposed permission changes.",
     "HITL-ACCESS", "missing"),
    # Stopping at once, in other words; and no way to stop
    ("Any bot can be switched off on the spot, and bot incidents run through the incident "
     "playbook.", "IR-STOP", "met"),
    ("Suspension of a bot takes effect the moment security asks for it; incidents follow the "
     "incident plan.", "IR-STOP", "met"),
    ("There is no way to switch off the rota bot without taking the whole system offline.",
     "IR-STOP", "missing"),
    ("Nobody knew who could stop the rota bot in an emergency, and the question went no "
     "further.", "IR-STOP", "missing"),
    # The safeguard itself denied, in the control's words for it, or a setting switched off
    ("Agent replies are sent as they are, with no AI marker or footer.", "DISCLOSE",
     "missing"),
    ("The assistant keeps no history of the actions it takes.", "LOG-ACTIONS", "missing"),
    ("The supplier's agents apply role changes themselves. No Client or Supplier security "
     "review of these changes is required.", "HITL-ACCESS", "missing"),
    ("agents:\n  require_human_approval: false  # replies go straight out", "HITL-EXTERNAL",
     "missing"),
    ("We have deliberately not made any one person accountable for the bots.", "ACCT-OWNER",
     "missing"),
    # Invocation as a condition on everything the agent does, or self-starting forbidden
    ("Nothing is sent or booked by the payroll bot unless the requesting administrator "
     "started that job, and it acts only for that administrator.", "AUTH-INVOKE", "met"),
    ("The listing automation may not schedule itself or chain further jobs, and it acts for "
     "no one but the rep who launched it.", "AUTH-INVOKE", "met"),
    ("agents:\n  trigger_mode: on_request  # acts only for the calling developer",
     "AUTH-INVOKE", "met"),
    # Half of what PRIV-LEAST asks, stated of an agent's credential, addresses it
    ("The archive bot connects with a read-only service credential.", "PRIV-LEAST",
     "partial"),
    # A scope with its default deny or its principal's grant, in other words
    ("Each helper works only on the tasks a delegating pharmacist ticks for it, and the "
     "system denies everything that was not ticked.", "AUTH-SCOPE", "met"),
    ("Bots may touch only the class lists and assignments a teacher has delegated to them; "
     "each delegation is recorded and enforced.", "AUTH-SCOPE", "met"),
    # Both parties of a logged action, in other words
    ("Every action Rivet takes is recorded with the bot's name and the engineer's name.",
     "LOG-ACTIONS", "met"),
    ("Every operation of the reconciliation bot is recorded against the bot and its "
     "requesting accountant.", "LOG-ACTIONS", "met"),
    # Least privilege as the agent's credential restricted to what it does
    ("The notes bot holds a credential distinct from any employee's, restricted to reading "
     "and writing consultation notes alone.", "PRIV-LEAST", "met"),
    ("The ledger helper never borrows the controller's login: it has its own account, and "
     "that account can touch only the ledgers being reconciled.", "PRIV-LEAST", "met"),
    # An action's status cell: parked or in the backlog is not in place; open is under way
    ("| A9 | Label AI-written product descriptions on the website. | \u2014 | Backlog, no "
     "date |", "DISCLOSE", "missing"),
    ("| A4 | Every agent must use its own service account with only the rights it needs. | "
     "P. Lind | Open, due 31 January 2027 |", "PRIV-LEAST", "partial"),
    # A rule for staff, with no agent in it, is not an agent control
    ("4.2 Staff must keep their own passwords and sign-ins private.", "PRIV-LEAST",
     "missing"),
])
def test_control_cases(text: str, control: str, expected: str) -> None:
    assert status(text, control) == expected


@pytest.mark.parametrize(("text", "control", "expected"), [
    # Found by review: wordings the kinds above must not over-read.
    ("A human must approve every message before an agent sends it. Every agent action is "
     "logged with the agent and the user who asked.", "HITL-EXTERNAL", "met"),
    ("A human must approve every message before an agent sends it. Staff may delete their own "
     "chat history.", "HITL-EXTERNAL", "met"),
    ("A human must approve every message before an agent sends it. Refunds the agent issues "
     "are also reviewed by a person at month end.", "HITL-EXTERNAL", "partial"),
    ("Agent activity is monitored and unauthorised actions are detected within 15 minutes. "
     "Agents shall not be used to monitor employees.", "MON-DETECT", "met"),
    ("Each bot has a named owner who is accountable for it; the bots are run by the platform "
     "team day to day.", "ACCT-OWNER", "met"),
    ("Meeting notes must be kept to two pages; the tools team prints them.", "AUTH-SCOPE",
     "missing"),
    ("Retention of AI chat logs will be limited to 30 days.", "AUTH-SCOPE", "missing"),
    ("Every agent action is logged with the agent's name. Staff IDs must never be pasted into "
     "prompts.", "LOG-ACTIONS", "partial"),
    ("Bots act only when an employee asks them, and only for that employee. We take a "
     "proactive approach to AI risk.", "AUTH-INVOKE", "met"),
    ("| Control | Status |\n|---|---|\n| The security team must review every permission "
     "change an agent makes | Accepted by the board |", "HITL-ACCESS", "met"),
    ("Every action of every agent, including assistants handling personal data, is logged with "
     "the agent and the user who asked.", "LOG-ACTIONS", "met"),
    ("Bots act only when asked, and only for the person who asked. All bots may also answer "
     "threads they find relevant without being asked.", "AUTH-INVOKE", "missing"),
    ("All agent output is labelled as AI-generated. Internal output samples are not reviewed "
     "by the legal team.", "DISCLOSE", "met"),
    ("Staff, the assistant is here to help. It acts only when an employee asks it, and only "
     "for that employee. Staff may let it answer threads it finds relevant without being "
     "asked.", "AUTH-INVOKE", "missing"),
    # a scope word that is no agent's scope; a deny that is not what an agent may do
    ("The project scope document lists the milestones for the new warehouse.", "AUTH-SCOPE",
     "missing"),
    ("Agents act only when a person asks them, and anything else is denied.", "AUTH-INVOKE",
     "met"),
    # "most" about something other than agents; an agent that recommends
    ("Most incidents are minor. Every agent action is logged with the agent and the user who "
     "asked.", "LOG-ACTIONS", "met"),
    ("The security team must review every permission change an agent recommends.",
     "HITL-ACCESS", "met"),
    # a checklist to tick before go-live states requirements, not open items; an owner
    # missing for some agents is a gap, not a policy without owners
    ("Before go-live:\n\n- [ ] A named owner is recorded for this agent and has signed to "
     "accept accountability for it.", "ACCT-OWNER", "met"),
    ("Each bot has a named owner who is accountable for it. No owner is recorded for three "
     "of the twelve bots.", "ACCT-OWNER", "partial"),
    # "until" in a rule for people; "most" about something other than agents
    ("Until now every agent ran as one shared service user called automation.",
     "AUTH-INVOKE", "missing"),
    ("Most of our staff work in the warehouse. Bots act only when a person asks them, and only "
     "for that person.", "AUTH-INVOKE", "met"),
    # a bot's config switch is no label; "unless asked" is an invocation rule, not an opt-out
    ("To disable a misbehaving bot, open a pull request that sets enabled: false in its "
     "config.", "DISCLOSE", "missing"),
    ("Bots never act unless asked, and only for the person who asked.", "AUTH-INVOKE", "met"),
    # the policy recommending is a hedge; an agent recommending is what is governed
    ("We recommend that a human approve every message before an agent sends it.",
     "HITL-EXTERNAL", "partial"),
    ("The bot may recommend access changes.", "HITL-ACCESS", "missing"),
    # a threat in a threat-model row is not a denial of its mitigation
    ("| T6 | Nobody can show who caused an agent action. | Every agent action is logged "
     "with the agent and the user who asked. |", "LOG-ACTIONS", "met"),
    # records and journals as things, not as logging
    ("The bot may read student records but never journals.", "LOG-ACTIONS", "missing"),
    # a person's read-only access is no agent's credential
    ("Interns get read-only access to the wiki and nothing more.", "PRIV-LEAST", "missing"),
    # a slogan that demands the safeguard, a condition and a prohibition are not denials
    ("No label, no send: every message an agent writes must say it was written by AI.",
     "DISCLOSE", "met"),
    ("Deployment fails if an agent has no named owner; each agent's owner is accountable "
     "for it.", "ACCT-OWNER", "met"),
    ("No posting without approval: a human approves every message an agent sends.",
     "HITL-EXTERNAL", "met"),
    ("No agent action escapes security review: a security analyst reviews every access "
     "change an agent proposes.", "HITL-ACCESS", "met"),
    # a customer's account is not the agent's credential
    ("The booking bot can see the bookings in your account and nothing else.", "PRIV-LEAST",
     "missing"),
    # one party named is not both
    ("Every action Rivet takes is recorded with the bot's name and a timestamp.",
     "LOG-ACTIONS", "partial"),
    # what people may touch is no agent's scope
    ("Staff may use only the laptops the IT desk has assigned to them.", "AUTH-SCOPE",
     "missing"),
    # an approval gate is not an invocation rule
    ("No message from an assistant goes to a patient until a registered clinician has read "
     "it and pressed Approve.", "AUTH-INVOKE", "missing"),
    # a scope limit elsewhere is not least privilege for the agent's credential
    ("Each bot signs in with its own service account. The claims bot is restricted to the "
     "claims system, and only to the claim it was opened on.", "PRIV-LEAST", "partial"),
    # what was so before an incident is not the rule now
    ("Before the incident there was no log of agent actions. Every agent action must now be "
     "logged with the agent and the person who asked.", "LOG-ACTIONS", "met"),
])
def test_kinds_do_not_over_read(text: str, control: str, expected: str) -> None:
    assert status(text, control) == expected



def test_missing_control_explains_why() -> None:
    result = check(
        b"# P\n\nAgents may answer forum threads they find relevant without being asked.\n")
    invoke = next(c for c in result.controls if c.id == "AUTH-INVOKE")
    assert invoke.status == "missing" and invoke.evidence == ("c1",)
    assert "unsolicited" in invoke.explanation and "forum threads" in invoke.explanation


@pytest.mark.parametrize(("body", "said"), [
    ("  - id: BAD-CTL\n    title: Broken\n    evidence: []\n", "BAD-CTL"),
    # YAML keeps the last of two equal keys: the first evidence list would be lost unseen.
    ("    evidence: ['retained']\n", "'evidence' appears twice"),
])
def test_a_users_control_file_is_validated(tmp_path: Path, body: str, said: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("controls:\n  - id: MY-CTL\n    title: Mine\n    evidence: ['ok']\n" + body,
                    encoding="utf-8")
    with pytest.raises(RuleError) as err:
        check(b"# P\n\nAgents must log.\n", path)
    assert "mine.yaml:5" in str(err.value) and said in str(err.value)


def test_a_users_own_controls_are_used(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("controls:\n  - id: RETAIN\n    title: Logs are kept a year\n"
                    "    evidence: ['\\bretain\\w*\\s+(?:\\w+\\s+){0,3}logs?']\n", encoding="utf-8")
    result = check(b"# P\n\nWe must retain agent logs for a year.\n", path)
    assert [(c.id, c.status) for c in result.controls] == [("RETAIN", "met")]


def statuses_of(text: str) -> dict[str, str]:
    result = check_analysis(analyze(text.encode(), name="policy.md"),
                            default_rulebook().controls)
    return {c.id: c.status for c in result.controls}


def test_items_are_read_with_their_lead_in() -> None:
    # "without a person approving it" under "must not:" is the rule, not a waiver of it.
    got = statuses_of("# Automations\n\nAutomations must not:\n\n"
                      "- send anything outside the company without a person approving it first\n"
                      "- delete records without a person approving it first\n"
                      "- change anyone's access without review by the security team\n")
    assert got["HITL-EXTERNAL"] == "met"
    assert got["HITL-ACCESS"] == "met"


def test_a_dont_column_forbids_what_it_lists() -> None:
    table = ("# Bot card\n\n| Do | Don't |\n|---|---|\n"
             "| Read every reply or refund before the bot sends it to a customer "
             "| Let the bot email customers without your approval |\n")
    assert statuses_of(table)["HITL-EXTERNAL"] == "met"
    # The same cells with no "Don't" over them allow what the second one says.
    plain = table.replace("| Do | Don't |", "| First | Second |")
    assert statuses_of(plain)["HITL-EXTERNAL"] != "met"


def test_a_row_of_a_requirements_table_binds() -> None:
    table = ("# Controls\n\n| Area | Control |\n|---|---|\n"
             "| Identity | Own service account per bot, holding only the permissions its task "
             "needs |\n")
    assert statuses_of(table)["PRIV-LEAST"] == "met"
