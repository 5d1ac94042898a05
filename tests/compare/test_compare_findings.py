"""A hand-written old/new pair for every finding type, and cosmetic pairs that stay quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze, compare_versions
from analyzer.model import Comparison
from analyzer.rulebook import default_rulebook

HEAD = '# Terms\n\nAcme Inc. ("Acme", "we", "us") runs the Service.\n\n## 3. Rules\n\n'


def run(old: str, new: str) -> Comparison:
    return compare_versions(analyze((HEAD + old).encode()), analyze((HEAD + new).encode()))


PAIRS = [
    ("responsibility_shifted", "high", "against_user",
     "We are responsible for the security of agent credentials.",
     "You are responsible for the security of agent credentials."),
    ("responsibility_added", "medium", "against_user",
     "The Service stores your files.",
     "The Service stores your files. You are responsible for backing up your files."),
    ("responsibility_removed", "medium", "against_user",
     "We are responsible for keeping the Service secure. Fees are monthly.",
     "Fees are monthly."),
    ("exclusivity_added", "high", "against_user",
     "You are responsible for content you post.",
     "You are solely responsible for content you post."),
    ("exclusivity_removed", "low", "for_user",
     "You are solely responsible for content you post.",
     "You are responsible for content you post."),
    ("agent_scope_added", "high", "against_user",
     "You are responsible for all content posted from your account.",
     "You are responsible for all content posted from your account, including by AI agents."),
    ("agent_scope_removed", "low", "for_user",
     "You are responsible for all content posted from your account, including by AI agents.",
     "You are responsible for all content posted from your account."),
    ("liability_limited", "high", "against_user",
     "Our total liability shall not exceed $500.",
     "Our total liability shall not exceed $50."),
    ("liability_expanded", "medium", "for_user",
     "Our total liability shall not exceed $50.",
     "Our total liability shall not exceed $5,000."),
    ("indemnity_expanded", "high", "against_user",
     "You agree to indemnify us against claims arising from your content.",
     "You agree to indemnify us against claims arising from your content, your AI agents, "
     "your integrations and any breach of these Terms."),
    ("indemnity_narrowed", "low", "for_user",
     "You agree to indemnify us against claims arising from your content, your AI agents, "
     "your integrations and any breach of these Terms.",
     "You agree to indemnify us against claims arising from your content."),
    ("warranty_disclaimed", "medium", "against_user",
     "We provide the Service with reasonable care.",
     "We provide the Service with reasonable care. The Service is provided as is, without "
     "warranties of any kind."),
    ("authorization_weakened", "high", "against_user",
     "Agents must obtain your approval before making purchases on your behalf.",
     "Agents may ask for your approval before making purchases on your behalf."),
    ("authorization_strengthened", "low", "for_user",
     "Agents may ask for your approval before making purchases on your behalf.",
     "Agents must obtain your approval before making purchases on your behalf."),
    ("oversight_removed", "high", "against_user",
     "Fees are monthly. A human reviewer must approve agent posts before they are published.",
     "Fees are monthly."),
    ("oversight_added", "low", "for_user",
     "Fees are monthly.",
     "Fees are monthly. A human reviewer must approve agent posts before they are published."),
    ("emphasis_added", "medium", "neutral",
     "You are responsible for content you post.",
     "**YOU ARE RESPONSIBLE FOR CONTENT YOU POST.**"),
    ("emphasis_removed", "info", "neutral",
     "**YOU ARE RESPONSIBLE FOR CONTENT YOU POST.**",
     "You are responsible for content you post."),
    ("unilateral_change_added", "high", "against_user",
     "We may change these Terms after giving you 30 days notice.",
     "We may change these Terms at any time without notice."),
    ("termination_broadened", "high", "against_user",
     "We may suspend your account if you breach these Terms.",
     "We may suspend your account at any time, for any reason."),
    ("content_removal_broadened", "medium", "against_user",
     "We may remove content that breaks the law.",
     "We may remove any content at any time, for any reason."),
    ("arbitration_added", "high", "against_user",
     "Fees are monthly.",
     "Fees are monthly. Any dispute will be resolved by binding arbitration."),
    ("class_waiver_added", "high", "against_user",
     "Any dispute will be resolved by binding arbitration.",
     "Any dispute will be resolved by binding arbitration, and you waive any class action."),
    ("governing_law_changed", "medium", "neutral",
     "These Terms are governed by the laws of the State of California.",
     "These Terms are governed by the laws of the State of Delaware."),
    ("jurisdiction_changed", "medium", "neutral",
     "You agree to submit to the exclusive jurisdiction of the courts of Paris.",
     "You agree to submit to the exclusive jurisdiction of the courts of Dublin."),
    ("data_use_expanded", "high", "against_user",
     "We use your data to provide the Service.",
     "We use your data to provide the Service and to train our machine learning models."),
    ("contract_by_using_added", "low", "against_user",
     "You accept these Terms by signing the order form.",
     "By using the Service, you agree to these Terms."),
]


@pytest.mark.parametrize(("kind", "severity", "direction", "old", "new"), PAIRS,
                         ids=[p[0] for p in PAIRS])
def test_finding_type(kind: str, severity: str, direction: str, old: str, new: str) -> None:
    findings = run(old, new).findings
    matching = [f for f in findings if f.type == kind]
    assert matching, [(f.type, f.title) for f in findings]
    assert (matching[0].severity, matching[0].direction) == (severity, direction)
    assert matching[0].title and matching[0].explanation
    assert matching[0].old_clause or matching[0].new_clause


def test_every_contract_finding_type_has_a_pair() -> None:
    from analyzer.compare.shifts import FINDING_TYPES
    assert {p[0] for p in PAIRS} == set(FINDING_TYPES)


def test_redefined_you_carries_agent_scope() -> None:
    comparison = run('"You" means the account holder. You are responsible for your content.',
                     '"You" means the account holder and any AI agent acting on your behalf. '
                     "You are responsible for your content.")
    finding = next(f for f in comparison.findings if f.rule.endswith("#agent-scope-added")
                   and "now includes" in f.title)
    assert finding.severity == "high" and "1 in this version" in finding.explanation


BODY = ("You are responsible for content you post. We may suspend your account if you breach "
        "these Terms. Our total liability shall not exceed $500.\n\nAgents must obtain your "
        "approval before posting on your behalf. See [the rules](https://a.example/rules).\n")
COSMETIC = [
    ("whitespace", BODY.replace(". ", ".   ")),
    ("renumbered", BODY.replace("## 3. Rules", "## 4. Rules")),
    ("punctuation", BODY.replace("these Terms.", "these Terms;").replace("$500.", "$500!")),
    ("link", BODY.replace("https://a.example/rules", "https://b.example/new-rules")),
    ("typo", BODY.replace("content you post", "content you p0st")),
    ("moved", BODY.split("\n\n")[1] + "\n" + BODY.split("\n\n")[0] + "\n"),
    ("zero-width", BODY.replace("responsible", "respon\u200bsible")),
]


@pytest.mark.parametrize(("name", "new"), COSMETIC, ids=[c[0] for c in COSMETIC])
def test_cosmetic_changes_yield_nothing_above_info(name: str, new: str) -> None:
    findings = run(BODY, new).findings
    assert [f.title for f in findings if f.severity != "info"] == []


def test_renumbering_every_section_changes_nothing() -> None:
    old = "".join(f"## {i}. Part {i}\n\nClause number {i} binds you.\n\n" for i in range(1, 40))
    new = "".join(f"## {i + 1}. Part {i}\n\nClause number {i} binds you.\n\n" for i in range(1, 40))
    comparison = compare_versions(analyze(old.encode()), analyze(new.encode()))
    assert {c.kind for c in comparison.changes} == {"unchanged"}


def test_a_table_of_contents_entry_is_not_a_new_limitation() -> None:
    findings = run("Our total liability shall not exceed $50.",
                   "- 13. Limitation of Liability\n- 14. Arbitration\n\n"
                   "Our total liability shall not exceed $50.").findings
    assert [f.title for f in findings if f.severity != "info"] == []


def test_a_promise_not_to_use_data_is_not_data_use_expanded() -> None:
    promise = ("Notwithstanding the above, Acme will not use your chat content to train its "
               "models without your consent.")
    findings = run("We may share usage statistics.", "We may share usage statistics.\n\n" + promise)
    assert "data_use_expanded" not in {f.type for f in findings.findings}
    loosened = run("We may share usage statistics.",
                   "We may share usage statistics.\n\nAcme may use your chat content to train "
                   "its models.").findings
    assert "data_use_expanded" in {f.type for f in loosened}


def test_a_new_consent_over_a_use_of_data_is_one_finding_for_the_user() -> None:
    base = "We may share usage statistics.\n\n"
    promise = run(base, base + "Acme will not use your chat content to train its models "
                  "without your consent.").findings
    assert [(f.type, f.severity, f.direction) for f in promise] == [
        ("authorization_strengthened", "medium", "for_user")]
    assert "will not use your chat content" in promise[0].title
    opt_in = run(base + "We use your chats to improve the Service.",
                 base + "We use your chats to improve the Service only if you opt in.").findings
    assert [(f.type, f.direction) for f in opt_in] == [("authorization_strengthened", "for_user")]
    # Using data without consent grants the user nothing; a new use with an opt-out is the
    # new use, said once.
    plain = run(base, base + "We may use your data without your consent.").findings
    assert [(f.type, f.category) for f in plain] == [("clause_added", "data_use")]
    widened = run(base, base + "Acme may use your chats to train its models unless you opt "
                  "out.").findings
    assert [f.type for f in widened] == ["data_use_expanded"]



def test_a_softened_access_limit_is_medium_and_a_stricter_data_promise_is_no_weakening() -> None:
    softened = run("You must obtain the approval of your administrator before you invite guests "
                   "to the workspace.",
                   "You may invite guests to the workspace without the approval of your "
                   "administrator.").findings
    assert [(f.type, f.severity, f.title) for f in softened] == [
        ("authorization_weakened", "medium", "A permission or access limit was softened")]
    # A consent over the provider's use of data replaced by "does not use at all" is in the
    # user's favour: no authorization finding.
    stricter = run("Acme will not use your chat content to train its models without your "
                   "consent.",
                   "Acme does not use any of your chat content to train its models.").findings
    assert "authorization_weakened" not in {f.type for f in stricter}


@pytest.mark.parametrize("old", [
    "We are responsible for the security of agent credentials.",
    "Keeping agent credentials secure is our responsibility.",
])
def test_a_responsibility_moved_to_the_user_is_one_finding(old: str) -> None:
    new = "Keeping agent credentials secure is your responsibility."
    findings = run(old, new).findings
    assert [(f.type, f.severity) for f in findings] == [("responsibility_shifted", "high")]


def test_a_responsibility_turned_into_a_denial_is_one_liability_finding() -> None:
    findings = run("We are responsible for carrying out confirmed actions.",
                   "We are not responsible for actions carried out in connected services.")
    assert [(f.type, f.severity) for f in findings.findings] == [("liability_limited", "high")]


@pytest.mark.parametrize(("old", "new", "expected"), [
    # A promise is no new use, and "not" governs the verb right after it.
    ("", "We will not sell your data without your consent.",
     [("authorization_strengthened", "for_user")]),
    # "but" opens a new part of the sentence: the "not" before it governs nothing after.
    ("", "We do not sell your data, but we may share it with partners.",
     [("data_use_expanded", "against_user")]),
    # A new use that is on until the user objects is a new use.
    ("", "We may use your health data for research purposes unless you object.",
     [("data_use_expanded", "against_user")]),
    # An opt-out added to a use the old clause already made is a new choice.
    ("We use your data to provide the Service.",
     "We use your data to provide the Service unless you opt out.",
     [("authorization_strengthened", "for_user")]),
])
def test_promises_choices_and_new_uses_of_data(old: str, new: str,
                                               expected: list[tuple[str, str]]) -> None:
    base = "We may share usage statistics.\n\n"
    findings = run(base + old, base + new).findings
    assert [(f.type, f.direction) for f in findings] == expected


def test_consent_and_opt_out_have_their_own_titles() -> None:
    base = "We may share usage statistics.\n\n"
    consent = run(base, base + "We will not sell your data without your consent.").findings
    opt_out = run(base + "We use your data to provide the Service.",
                  base + "We use your data to provide the Service unless you opt out.").findings
    assert consent[0].title.startswith("A use of user data now needs the user's consent")
    assert opt_out[0].title == "Users can now opt out of a use of their data (unless you opt out)"


CORPORA = Path(__file__).resolve().parents[2] / "corpora"


def _control_findings(comparison: Comparison) -> list[str]:
    return [f.title for f in comparison.findings if " went from " in f.title]


def test_agent_policy_versions_compare_control_by_control() -> None:
    strong = analyze(CORPORA / "agent-policy-strong.md")
    weak = analyze(CORPORA / "agent-policy-weak.md")
    assert _control_findings(compare_versions(strong, weak))


def test_terms_of_service_that_mention_agents_get_no_control_findings() -> None:
    policy = (CORPORA / "agent-policy-strong.md").read_text("utf-8")
    weak = (CORPORA / "agent-policy-weak.md").read_text("utf-8")
    filler = "".join(f"## {i}. Fees part {i}\n\nYou pay the fee number {i} each month.\n\n"
                     for i in range(1, 60))
    comparison = compare_versions(analyze((filler + policy).encode()),
                                  analyze((filler + weak).encode()))
    assert _control_findings(comparison) == []


def test_a_new_user_warranty_is_a_new_responsibility_for_the_user() -> None:
    old = "You represent and warrant that:\n\n- you are over 18."
    new = ("You represent and warrant that:\n\n- you are over 18.\n- you have obtained all "
           "necessary rights and consents to upload the prompts.")
    findings = run(old, new).findings
    assert [(f.type, f.direction) for f in findings] == [("responsibility_added", "against_user")]


@pytest.mark.parametrize("clause", [
    "We may share your chat content with advertising partners, but we will not sell it.",
    "We may use your chat content to train our models and will not ask for consent.",
    "You must not object: we may sell your data to third parties.",
    "The service may include automated and manual (human) processing of your chats.",
])
def test_data_use_expanded_sees_a_use_beside_a_negation(clause: str) -> None:
    findings = run("We may share usage statistics.",
                   "We may share usage statistics.\n\n" + clause).findings
    assert "data_use_expanded" in {f.type for f in findings}


def test_human_review_of_data_is_its_own_medium_finding_unless_a_purpose_is_gained() -> None:
    base = "We may share usage statistics.\n\n"
    review = run(base, base + "Your conversations may be reviewed by humans for quality.").findings
    assert [(f.type, f.severity, f.title) for f in review if f.type == "data_use_expanded"] == [
        ("data_use_expanded", "medium",
         "People may now review user data or content")]
    both = run(base, base + "Your conversations may be reviewed by humans and used to "
                            "train our models.").findings
    assert [(f.severity, f.title) for f in both if f.type == "data_use_expanded"] == [
        ("high", "The provider may now use user data or content for more purposes (train)")]
    none = run(base, base + "Your conversations will not be reviewed by humans.").findings
    assert "data_use_expanded" not in {f.type for f in none}


def test_a_rewritten_arbitration_clause_is_not_arbitration_appearing() -> None:
    had = ("# Terms\n\n## Disputes\n\nAny dispute will be resolved by binding arbitration "
           "on an individual basis.\n\n## Fees\n\nFees are monthly.\n")
    rewritten = ("# Terms\n\n## Disputes\n\nDisputes are heard by a court in Dublin.\n\n"
                 "## Fees\n\nFees are monthly. You agree to resolve certain disputes with us "
                 "through binding arbitration.\n")
    types = {f.type for f in run(had, rewritten).findings}
    assert "arbitration_added" not in types  # the old version already had arbitration
    never = had.replace("Any dispute will be resolved by binding arbitration on an "
                        "individual basis.", "Disputes are heard by a court in Dublin.")
    assert "arbitration_added" in {f.type for f in run(never, rewritten).findings}


def test_one_finding_per_list_names_the_other_items() -> None:
    old = "We are responsible for the service."
    new = ("We are responsible for the service.\n\nWe will not be liable for any losses "
           "caused by:\n\n- outages of our network;\n- failures of third-party software;\n"
           "- maintenance we announced in advance.")
    findings = [f for f in run(old, new).findings if f.type == "liability_limited"]
    assert len(findings) == 1
    assert "3 more items of this list" in findings[0].explanation


def test_a_clause_split_with_edits_is_read_as_one_change() -> None:
    old = "You are solely responsible for your agents, and we are not liable for what they post."
    split = ("You are solely responsible for your agents.\n\n"
             "We are not liable for anything they post.")
    # Read apart, the first half looked new: "users became solely responsible" (high). Read
    # as one change, what is left is the wording "what" -> "anything", a general finding.
    assert [f.type for f in run(old, split).findings if f.severity != "info"] == [
        "clause_modified"]
    (general,) = [f for f in run(old, split).findings if f.severity != "info"]
    assert "“what” became “anything”" in general.title
    # And merging two clauses with edits is read the same way.
    assert [f.type for f in run(split, old).findings if f.severity != "info"] == [
        "clause_modified"]
    # A real change inside the split still counts: here the exclusion is gone.
    gone = ("You are solely responsible for your agents.\n\n"
            "We are liable for anything they post.")
    assert "liability_expanded" in {f.type for f in run(old, gone).findings}


def test_a_sentence_set_in_capitals_without_its_full_stop_is_still_emphasis() -> None:
    findings = run("Fees are monthly.\n\nWe are not liable for outages.",
                   "Fees are monthly.\n\nWE ARE NOT LIABLE FOR OUTAGES").findings
    assert "emphasis_added" in {f.type for f in findings}


def test_a_provider_denial_raises_the_liability_finding_only() -> None:
    findings = run("Fees are monthly.",
                   "Fees are monthly.\n\nWe cannot be held responsible for outages of the network.")
    types = [f.type for f in findings.findings if f.severity != "info"]
    assert "liability_limited" in types and "responsibility_removed" not in types


def test_a_class_waiver_already_in_the_old_version_is_not_added_again() -> None:
    waiver = "You may bring claims only individually and not in any class action."
    old = f"## Disputes\n\n{waiver}\n\n## Fees\n\nFees are monthly."
    new = ("## Disputes\n\nClaims go to the courts of Dublin.\n\n## Fees\n\nFees are monthly. "
           "You waive any right to take part in a class action against us.")
    assert "class_waiver_added" not in {f.type for f in run(old, new).findings}
    never = old.replace(waiver, "Claims go to the courts of Dublin.")
    assert "class_waiver_added" in {f.type for f in run(never, new).findings}


def test_emphasis_titles_name_the_new_style() -> None:
    findings = run("Fees are monthly.\n\nWe may share your data with partners.",
                   "Fees are monthly.\n\n**We may share your data with partners.**").findings
    assert "A clause is now set in bold" in {f.title for f in findings}


@pytest.mark.parametrize(("old", "new", "kind", "severity"), [
    ("We may close your account for good cause.", "We may close your account.",
     "termination_broadened", "medium"),
    ("We may suspend your access if you breach these terms.", "We may suspend your access.",
     "termination_broadened", "medium"),
    ("We may share your chats with partners with your consent.",
     "We may share your chats with partners.", "data_use_expanded", "high"),
])
def test_a_dropped_condition_is_a_shift(old: str, new: str, kind: str, severity: str) -> None:
    found = [(f.type, f.severity) for f in run(old, new).findings]
    assert (kind, severity) in found
    assert kind not in {f.type for f in run(new, old).findings}  # adding it back is not
    assert kind not in {f.type for f in run(old, old.replace("We may", "We can")).findings}


def test_a_condition_moved_to_the_sentence_before_is_not_dropped() -> None:
    old = "If you violate these terms, we may take action, including closing your account."
    new = ("We may take action if you violate these terms. This could include closing your "
           "account immediately.")
    assert "A condition on the provider's right" not in " ".join(
        f.title for f in run(old, new).findings)


def test_a_data_use_that_reaches_more_kinds_of_data_is_a_shift() -> None:
    old = "You grant us a worldwide licence to use your prompts to improve the service."
    new = ("You grant us a worldwide licence to use your prompts, outputs and input data to "
           "improve the service.")
    found = {(f.type, f.title) for f in run(old, new).findings}
    assert ("data_use_expanded",
            "The provider's use of data now reaches more kinds of user data (outputs)") in found
    assert "data_use_expanded" not in {f.type for f in run(new, old).findings}


def test_an_assistant_that_newly_acts_for_the_user_is_a_widened_authorization() -> None:
    old = "The assistant answers questions and drafts text for you."
    new = ("The assistant answers questions, drafts text and can take actions for you, such as "
           "booking tables.")
    found = [f for f in run(old, new).findings if f.rule.endswith("#agent-acts-for-user")]
    assert [(f.type, f.severity, f.direction) for f in found] == [
        ("authorization_weakened", "medium", "against_user")]
    assert "take actions for you" in found[0].explanation


@pytest.mark.parametrize(("old", "new"), [
    # A denial is no grant.
    ("The assistant answers questions.",
     "The assistant answers questions. It does not take actions for you."),
    ("The assistant answers questions.",
     "The assistant answers questions. Nothing in these Terms allows the assistant to act on "
     "your behalf without your confirmation."),
    ("The assistant answers questions.",
     "The assistant answers questions. Under no circumstances will the assistant act on your "
     "behalf without asking you first."),
    # The old version already let the assistant act for the user elsewhere.
    ("The assistant can take actions for you. Fees are monthly.",
     "The assistant can take actions for you. Fees are monthly. Its agents may also complete "
     "purchases on your behalf."),
])
def test_no_widened_authorization_without_a_new_grant(old: str, new: str) -> None:
    assert not [f for f in run(old, new).findings if f.rule.endswith("#agent-acts-for-user")]


@pytest.mark.parametrize(("old", "new", "kind"), [
    ("Agents must obtain your approval before posting on your behalf.",
     "Agents may ask for your approval before posting on your behalf.", "authorization_weakened"),
    ("Agents post for you.",
     "Agents post for you. Agents must obtain your approval before posting on your behalf.",
     "authorization_strengthened"),
])
def test_the_users_approval_of_an_agent_is_one_finding_not_two(old: str, new: str,
                                                                 kind: str) -> None:
    kinds = [f.type for f in run(old, new).findings]
    assert kind in kinds and "oversight_removed" not in kinds and "oversight_added" not in kinds


@pytest.mark.parametrize(("old", "new", "kind"), [
    ("You are responsible for content you post.",
     "You are solely responsible for content you post and for all actions of your AI agents.",
     "exclusivity_added"),
    ("You agree to indemnify us against claims arising from your content.",
     "You agree to indemnify us against claims and losses arising from your content or from "
     "the actions of your AI agents.", "indemnity_expanded"),
])
def test_a_title_that_names_the_agents_is_not_repeated_as_agent_scope(old: str, new: str,
                                                                       kind: str) -> None:
    findings = run(old, new).findings
    named = [f for f in findings if f.type == kind]
    assert named and "AI agents" in named[0].title
    assert "agent_scope_added" not in [f.type for f in findings]


def test_every_shift_rule_has_its_own_title() -> None:
    """Two rules with one title read as the same finding in the report's list."""
    seen: dict[str, str] = {}
    for rule in default_rulebook().shifts:
        title = rule.spec.title
        assert title not in seen, f"{rule.source} repeats the title of {seen[title]}"
        seen[title] = rule.source


def test_within_a_severity_who_answers_comes_before_the_providers_rights() -> None:
    # Both high; the reader sees the shift of responsibility first, as the contract's
    # category order puts it, whatever order the clauses or the rules come in.
    found = run("# Terms\n\nWe may change these terms with thirty days notice.\n\n"
                "You are responsible for your account.\n",
                "# Terms\n\nWe may change these terms at any time without notice.\n\n"
                "You are solely responsible for your account and for everything your AI "
                "agents do.\n").findings
    assert [(f.severity, f.category) for f in found[:2]] == [
        ("high", "responsibility"), ("high", "unilateral_change")]
