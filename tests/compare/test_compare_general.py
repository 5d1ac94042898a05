"""Change-first findings: every substantive change is a finding; wording that changes
nothing stays at info (analyzer/compare/general.py)."""

from __future__ import annotations

import io
import subprocess
import sys

import pdfplumber
import pytest

from analyzer.api import analyze, compare_versions
from analyzer.compare.general import _content, canon, words
from analyzer.model import Comparison, Finding
from analyzer.report.render import render_comparison
from analyzer.serialize import finding_to_json

HEAD = '# Terms\n\nAcme Inc. ("Acme", "we", "us") runs the Service.\n\n## 3. Rules\n\n'
TAIL = "\n\nFees are billed monthly and are set out on the pricing page."


def run(old: str, new: str) -> Comparison:
    return compare_versions(analyze((HEAD + old + TAIL).encode()),
                            analyze((HEAD + new + TAIL).encode()))


def above_info(comparison: Comparison) -> list[Finding]:
    return [f for f in comparison.findings if f.severity != "info"]


def test_a_clause_with_no_category_still_gets_a_finding_that_says_what_changed() -> None:
    (finding,) = above_info(run(
        "Your profile picture is shown next to your posts.",
        "Your profile picture and your full name are shown next to your posts."))
    assert finding.type == "clause_modified" and finding.severity == "low"
    assert "and your full name" in finding.explanation


def test_a_widening_inside_a_category_the_document_already_has_is_reported() -> None:
    old = "We may suspend your account if you breach these Terms."
    new = "We may restrict, suspend, or terminate your account if you breach these Terms."
    findings = above_info(run(f"{old}\n\nWe may suspend the Service for maintenance.",
                              f"{new}\n\nWe may suspend the Service for maintenance."))
    assert findings, "a clause that gains 'restrict' and 'terminate' must be reported"
    assert any(f.new_clause and "terminate" in (f.evidence_new or "") for f in findings)


def test_a_one_word_qualifier_in_a_categorised_clause_is_medium() -> None:
    (finding,) = above_info(run(
        "You may not access the Services through automated means such as bots or scripts.",
        "You may not access the Services through unauthorized automated means such as bots "
        "or scripts."))
    assert finding.severity in ("medium", "high")
    assert "unauthorized" in finding.title + finding.explanation


def test_changed_numbers_are_named() -> None:
    findings = above_info(run("You may cancel within 30 days and we will refund you in full.",
                              "You may cancel within 10 days and we will refund you in full."))
    assert findings and findings[0].severity == "medium"  # money that binds someone
    assert "Numbers: 30 became 10" in findings[0].explanation


def test_numbers_that_swap_places_are_named() -> None:
    findings = above_info(run("You may cancel within 30 days and we refund within 10 days.",
                              "You may cancel within 10 days and we refund within 30 days."))
    assert any("Numbers: 30, 10 became 10, 30" in f.explanation for f in findings)


def test_a_number_said_once_more_is_no_changed_number() -> None:
    findings = run("Office 365 Home and Office 365 Personal are for personal use.",
                   "Office 365 Family, Office 365 Personal and Office 365 Basic are for "
                   "personal use.").findings
    assert findings and not any("Numbers:" in f.explanation for f in findings)


@pytest.mark.parametrize(("old", "new"), [
    ("You must not infringe any licence we grant you.",
     "You must not infringe any license we grant you."),
    ("Your organisation is responsible for its members.",
     "Your organization is responsible for its members."),
    ("You'll need an account to use the Service.", "You will need an account to use the Service."),
    ("We will not sell data of U.S. residents.", "We will not sell data of US residents."),
    ("You represent and warrants that you are an adult.",
     "You represent and warrant that you are an adult."),
    ("You are responsible for teh content you post.",
     "You are responsible for the content you post."),
    ("You may use the content for noncommercial purposes only.",
     "You may use the content for non commercial purposes only."),
    ("Send notices by e-mail to the address on file.",
     "Send notices by email to the address on file."),
], ids=["licence", "organisation", "contraction", "abbreviation", "inflection", "short-typo",
        "spacing", "hyphen"])
def test_spelling_and_grammar_fixes_stay_at_info(old: str, new: str) -> None:
    findings = run(old, new).findings
    assert above_info(run(old, new)) == []
    assert [f.type for f in findings] == ["clause_modified"]
    assert findings[0].explanation.startswith("Wording only:")


def test_a_date_line_is_wording_only() -> None:
    assert above_info(run("Last updated: March 1, 2025.\n\nYou are responsible for your posts.",
                          "Last updated: June 12, 2026.\n\nYou are responsible for your posts.")
                      ) == []


def test_a_rename_throughout_is_one_low_finding_and_the_rest_info() -> None:
    old = ("You are solely responsible for actions you take using Connectors.\n\n"
           "Connectors may send your content to other services.\n\n"
           "We do not review Connectors built by others.")
    comparison = run(old, old.replace("Connectors", "Plugins"))
    loud = above_info(comparison)
    assert [f.severity for f in loud] == ["low"]
    assert loud[0].title == "“Connectors” renamed “Plugins” throughout (3 clauses)"
    assert loud[0].category == "responsibility"  # anchored on the clause that allocates
    assert sum(f.severity == "info" for f in comparison.findings) == 2


def test_a_substantive_edit_next_to_a_rename_is_not_hidden_by_it() -> None:
    old = ("Connectors may read your files.\n\nWe do not review Connectors built by others.\n\n"
           "You may remove Connectors at any time.")
    new = ("Plugins may read your files.\n\nWe do not review Plugins built by others.\n\n"
           "You may remove Plugins only with our approval.")
    titles = [f.title for f in above_info(run(old, new))]
    assert any("approval" in t for t in titles) or any(
        "approval" in f.explanation for f in above_info(run(old, new)))


def test_numbered_headings_and_revision_notes_raise_nothing() -> None:
    old = "8.4 Reliance.\n\nYou rely on outputs at your own risk."
    new = ("We've rewritten our Terms to be clearer.\n\n**8.4 Reliance**\n\n"
           "You rely on outputs at your own risk.")
    assert above_info(run(old, new)) == []


def test_a_list_merged_into_one_sentence_raises_nothing() -> None:
    old = ("The following documents govern your use of the Service:\n\n"
           "- the Acme Terms of Service;\n- the Acme Privacy Policy; and\n"
           "- these Additional Terms.")
    new = ("The following documents govern your use of the Service: a. the Acme Terms of "
           "Service; b. the Acme Privacy Policy; and c. these Additional Terms.")
    assert above_info(run(old, new)) == []


def test_a_new_list_item_is_read_with_its_lead_in() -> None:
    old = "You may not use the Service to:\n\n- (a) send spam;\n- (b) harass others."
    new = ("You may not use the Service to:\n\n- (a) send spam;\n- (b) harass others; or\n"
           "- (c) make automated decisions with legal effects on people.")
    findings = above_info(run(old, new))
    assert any("automated decisions" in (f.evidence_new or "") for f in findings)
    # The item alone names no party; its lead-in does, so it is not a bare description.
    assert all(f.severity != "info" for f in findings)


@pytest.mark.parametrize("pointer", [
    "For more information, see our Help Center.",
    "A further explanation of the appeal steps, including how to ask for a second look, may "
    "be found at our Help Center.",
    "Additional details on fees can be found in the pricing page.",
])
def test_a_pointer_to_more_information_is_info(pointer: str) -> None:
    assert above_info(run("You are responsible for your posts.",
                          f"You are responsible for your posts.\n\n{pointer}")) == []


def test_a_pointer_that_goes_on_to_bind_someone_is_a_change() -> None:
    added = ("Additional details can be found in the help pages, and you must pay a "
             "cancellation fee of $50.")
    assert above_info(run("You are responsible for your posts.",
                          f"You are responsible for your posts.\n\n{added}"))


@pytest.mark.parametrize(("added", "info"), [
    ("These Guidelines are intended to help our members stay safe.", True),
    ("The purpose of this Policy is to explain how the club works.", True),
    ("This page is written to help you find your way around.", True),
    ("The Club Rules are intended to help members stay safe and promote the responsible use "
     "of the courts.", True),
    ("This Policy is intended to help, and you remain responsible for your guests.", False),
    ("This Policy is intended to help members; members are personally liable.", False),
    ("This Policy is intended to help, and you're responsible if a guest breaks it.", False),
    ("These Terms are intended to bind you and every member of your household.", False),
    ("This Policy is intended to help us comply with the law, and you must pay a late fee.",
     False),
])
def test_a_statement_of_the_documents_purpose_is_info(added: str, info: bool) -> None:
    loud = above_info(run("You are responsible for your posts.",
                          f"You are responsible for your posts.\n\n{added}"))
    assert (not loud) == info, [f.title for f in loud]


def test_words_fold_spelling_variants_and_numbers() -> None:
    assert words("We'll cancel the Programme") == words("We will cancel the program")
    assert canon("10.000") == canon("10,000") == "10000"
    assert words("p0st") != words("post")


def test_a_data_keyword_without_its_actor_is_no_data_use_expansion() -> None:
    types = {f.type for f in run("Outputs may be inaccurate.",
                                 "Outputs may be inaccurate. Data used to train AI models may "
                                 "be biased.").findings}
    assert "data_use_expanded" not in types
    types = {f.type for f in run("Outputs may be inaccurate.",
                                 "Outputs may be inaccurate. Your prompts may be used to train "
                                 "our models.").findings}
    assert "data_use_expanded" in types


def test_a_cap_written_with_thousands_dots_is_read_and_compared() -> None:
    (finding,) = above_info(run("Our total liability shall not exceed 1.000 euros.",
                                "Our total liability shall not exceed 10.000 euros."))
    assert finding.type == "liability_expanded"  # the cap went up tenfold


@pytest.mark.parametrize(("old", "new", "shape"), [
    ("We may suspend your account.", "We may restrict, suspend, or terminate your account.",
     "Widened: more items in a list."),
    ("We may remove content that violates these Terms at any time.",
     "We may remove content at any time.",
     "Widened: a condition or qualifier was removed (“that violates these Terms”)."),
    ("You may not access the Services through automated means such as bots.",
     "You may not access the Services through unauthorized automated means such as bots.",
     "Narrowed: a condition or qualifier was added (“unauthorized”)."),
    ("We will sell your data to advertisers.", "We will not sell your data to advertisers.",
     "Reversed: a negation was added or removed."),
    # a condition reworded is neither added nor dropped: the new one is
    ("Except where we close your account for a breach of these Terms, we will refund any "
     "unused credit within thirty days.",
     "If you are a business customer, we will refund any unused credit within thirty days "
     "unless we closed your account for a breach of these Terms.",
     "Narrowed: a condition or qualifier was added (“If you are a business customer”)."),
], ids=["list-item-added", "condition-dropped", "qualifier-added", "negation",
        "condition-reworded"])
def test_the_explanation_says_how_the_clause_moved(old: str, new: str, shape: str) -> None:
    findings = [f for f in run(old, new).findings if shape in f.explanation]
    assert findings, [f.explanation for f in run(old, new).findings]
    # and the title says which way, where the edit alone shows it
    verb = shape.split(":")[0].lower()
    assert any(f" {verb}: " in f.title for f in findings if f.type == "clause_modified") or not [
        f for f in findings if f.type == "clause_modified"]


@pytest.mark.parametrize(("old", "new"), [
    ("You may bring guests to the open evenings, such as friends.",
     "You may bring guests to the open evenings, including but not limited to friends and "
     "family."),
    ("Members may borrow three books at a time from the main library and keep them for "
     "three weeks.",
     "Members may borrow three books at a time from the main library and keep them for "
     "three weeks, and books not returned on time incur a small fine."),
], ids=["not-limited-to", "a-not-in-a-longer-addition"])
def test_a_not_that_negates_nothing_of_the_old_clause_is_no_reversal(old: str,
                                                                      new: str) -> None:
    findings = run(old, new).findings
    assert [f for f in findings if f.type == "clause_modified"]
    assert not [f for f in findings if "Reversed" in f.explanation or " reversed:" in f.title]
    # nor is a clause joined on with "and" one more item of a list
    assert not [f for f in findings if "fine" in (f.evidence_new or "")
                and "more items in a list" in f.explanation]


@pytest.mark.parametrize(("old", "new", "shape"), [
    # a word the new condition repeats does not make it an old one reworded
    ("You may cancel your monthly plan at any time.",
     "You may cancel your monthly plan at any time, but only if you have paid every monthly "
     "fee due.", "Narrowed: a condition or qualifier was added (“but only if you have paid"),
    ("We may modify the fees and we will notify you.", "We may modify the fees if we notify you.",
     "Narrowed: a condition or qualifier was added"),
    # another case joined with "or" widens
    ("We may suspend your account if you breach these Terms.",
     "We may suspend your account if you breach these Terms or if we suspect fraud.",
     "Widened: another case was added (“or if we suspect fraud”)"),
    ("You may not post content that is illegal or that violates the rights of others.",
     "You may not post content that is illegal.",
     "Narrowed: one case was dropped (“or that violates the rights of others”)"),
    # words that free a right from limits
    ("You can stop the agent at any time from the dashboard.",
     "You can stop the agent from the dashboard.",
     "Narrowed: it no longer holds “at any time”."),
    ("Members may return library books within three weeks.",
     "Members may return library books at any time.",
     "Widened: it now holds “at any time”."),
    # a negation on one side only, in a passage of its own
    ("You may use the content for commercial purposes.",
     "You may not use the content for commercial purposes or resell it in any form.",
     "Reversed: a negation was added or removed."),
    ("You can transfer your licence to another person.",
     "You cannot transfer your licence to another person or company without paying a fee.",
     "Reversed: a negation was added or removed."),
    ("Your use of the software is for personal purposes.",
     "Your use of the software is not limited to personal purposes.",
     "Reversed: a negation was added or removed."),
    # one edit, one small word apart, is quoted as one
    ("Your business is responsible for the accuracy of that information.",
     "You or your organization are responsible for the accuracy of that information.",
     "Removed words: “Your business is”."),
], ids=["repeated-word", "and-became-if", "or-another-case", "or-case-dropped",
        "at-any-time-dropped", "at-any-time-added", "not-added", "cannot-added",
        "not-limited-to-negates", "one-edit"])
def test_how_the_clause_moved_in_harder_cases(old: str, new: str, shape: str) -> None:
    findings = [f for f in run(old, new).findings if f.type == "clause_modified"]
    assert any(shape in f.explanation for f in findings), [f.explanation for f in findings]


@pytest.mark.parametrize(("old", "new"), [
    ("You must not share your password.", "You must never share your password."),
    ("You cannot export the reports.", "You may not export the reports."),
    ("We may share your data with our affiliates.",
     "We may share your data not only with our affiliates but also with advertisers."),
    ("You may cancel at any time.", "You may cancel at any time, and we will keep your fees."),
], ids=["not-never", "cannot-may-not", "not-only", "a-clause-joined-on"])
def test_no_reversal_narrowing_or_list_where_there_is_none(old: str, new: str) -> None:
    findings = [f for f in run(old, new).findings if f.type == "clause_modified"]
    assert findings and not [f for f in findings if any(
        word in f.explanation for word in ("Reversed", "Narrowed", "more items"))], [
        f.explanation for f in findings]


def test_a_condition_reworded_in_place_is_not_read_as_new() -> None:
    old = ("Except where we close your account for a breach of these Terms, we will refund "
           "any unused credit within thirty days.")
    new = ("We will refund any unused credit within thirty days unless we closed your account "
           "for a breach of these Terms.")
    assert not [f for f in run(old, new).findings if "Narrowed" in f.explanation
                or "Widened" in f.explanation]


def test_two_unrelated_documents_carry_a_warning() -> None:
    terms = ("You are responsible for your account.\n\nWe may suspend the Service at any "
             "time.\n\nOur liability is limited to fifty dollars.\n\nThese terms are governed "
             "by the laws of Ireland.\n\nDisputes go to arbitration in Dublin.\n\nWe may "
             "change these terms with notice.")
    policy = ("Every agent has a named owner.\n\nAgents log each action with the requester."
              "\n\nA human approves posts to customers.\n\nSecurity reviews permission "
              "changes.\n\nMonitoring flags unusual agent behaviour within an hour.\n\n"
              "Agent output is labelled as generated.")
    unrelated = compare_versions(analyze(terms.encode()), analyze(policy.encode()))
    assert unrelated.warning and "share almost nothing" in unrelated.warning
    assert run(terms, terms.replace("fifty", "forty")).warning is None


def test_a_block_of_added_clauses_is_one_finding() -> None:
    appended = "\n\n".join(f"## Part {n}\n\nYou must keep record {n} of the partner programme "
                           f"for {n + 2} years." for n in range(45))
    comparison = run("You are responsible for your posts.",
                     f"You are responsible for your posts.\n\n# Partner terms\n\n{appended}")
    blocks = [f for f in comparison.findings if "clauses added" in f.title]
    assert len(blocks) == 1 and blocks[0].severity != "info"
    assert blocks[0].title.startswith("45 clauses added in Partner terms")
    loud = [f for f in comparison.findings if f.severity != "info"
            and f.type == "clause_added"]
    assert loud == blocks  # the others are listed at info


def test_a_word_put_before_a_name_throughout_is_named_once() -> None:
    old = ("You are responsible for your Content.\n\nWe may remove Content that breaks the "
           "rules.\n\nWe have no other duties about Content.")
    comparison = run(old, old.replace("Content", "Customer Content"))
    loud = above_info(comparison)
    assert [f.title for f in loud] == ["“Customer” added to a name throughout (3 clauses)"]


@pytest.mark.parametrize(("old", "new", "info"), [
    ("Disputes are settled as described in Section 14.", "Disputes are settled as described "
     "in Section 15.", True),
    ("Fees are refunded under Section 4.2(a) of these Terms.",
     "Fees are refunded under Section 4.2(b) of these Terms.", True),
    ("You may cancel within 14 days of purchase.", "You may cancel within 15 days of purchase.",
     False),
], ids=["section-renumbered", "sub-item-renumbered", "a-real-number"])
def test_a_renumbered_cross_reference_is_numbering(old: str, new: str, info: bool) -> None:
    assert (above_info(run(old, new)) == []) is info


@pytest.mark.parametrize(("old", "new", "info"), [
    ("You must not collect personal data without permission from other users.",
     "You must not collect without permission personal data from other users.", True),
    ("You may only use the API for your own projects.",
     "You may use only the API for your own projects.", False),
], ids=["a-phrase-moved", "only-moved"])
def test_words_that_only_moved_are_wording_unless_they_decide_scope(old: str, new: str,
                                                                     info: bool) -> None:
    comparison = run(old, new)
    assert (above_info(comparison) == []) is info
    (finding,) = [f for f in comparison.findings if f.type == "clause_modified"]
    assert "became" not in finding.title
    assert "moved" in finding.title


def test_two_words_that_swap_places_are_a_change() -> None:
    comparison = run("“Actions” refers to the set of tasks the assistant takes for you.",
                     "“Tasks” refers to the set of actions the assistant takes for you.")
    assert above_info(comparison) != []



_PARTS = {
    "Fees": ["We will send invoices by email on the first working day of the month.",
             "You may pay in euros, and prices include the sales tax of your country.",
             "We will keep a receipt for each payment in the billing page of your profile.",
             "You may enter discount codes on the checkout page before paying."],
    "Events": ["Members may meet on the second Tuesday of every month in the main hall.",
               "We will post the programme of talks on the notice board a week ahead.",
               "Guests may attend the open evenings held twice a year."],
    "Library": ["You may use the reading room from nine to six on weekdays.",
                "You may borrow books for three weeks and renew them twice.",
                "You must read maps and rare prints only in the reading room."],
}


def _sectioned(parts: dict[str, list[str]]) -> bytes:
    body = "\n\n".join(f"## {name}\n\n" + "\n\n".join(texts) for name, texts in parts.items())
    return f"# Club terms\n\n{body}\n".encode()


def test_a_rewritten_section_is_one_finding_with_its_changes_listed_at_info() -> None:
    fees = ["We will send invoices by post on the last working day of the month.",
            "You may pay in euros or dollars, and prices include the sales tax of your country.",
            "You may ask for a refund of a cancelled year within thirty days.",
            "You must pay ten euros for each paper invoice.",
            "You may enter discount codes on the checkout page before paying.",
            "You are solely responsible for any bank charges on your payments."]
    comparison = compare_versions(analyze(_sectioned(_PARTS)),
                                  analyze(_sectioned({**_PARTS, "Fees": fees})))
    loud = above_info(comparison)
    (section,) = [f for f in loud if f.type == "section_changed"]
    assert section.title.startswith("Section “Fees” rewritten:")
    assert section.old_clause is None and section.new_clause is None
    assert section.direction == "against_user"  # as its one-sided change (a new charge) leans
    for text in ("by post on the last working day", "euros or dollars", "refund of a cancelled"):
        assert text in (section.evidence_new or "")
    assert "first working day" in (section.evidence_old or "")
    # who answers for what is never folded away: the new duty stands on its own
    assert any(f.category == "responsibility" and f.type != "section_changed" for f in loud)
    members = [f for f in comparison.findings if f.severity == "info"
               and f.explanation.startswith("Part of the changes to one section")]
    assert len(members) >= 3
    assert all(f.type in ("clause_added", "clause_removed", "clause_modified") for f in members)
    # the finding names the clauses it covers, in the JSON and in every report
    assert set(section.new_clauses) == {f.new_clause for f in members if f.new_clause}
    data = finding_to_json(section)
    assert data["old_clause"] is None and data["new_clauses"] == list(section.new_clauses)
    markdown = render_comparison(comparison, "md")
    assert "(None)" not in markdown and f"after ({', '.join(section.new_clauses)})" in markdown
    html = render_comparison(comparison, "html")
    assert all(f'href="#new-{cid}"' in html for cid in section.new_clauses)
    with pdfplumber.open(io.BytesIO(render_comparison(comparison, "pdf"))) as pdf:
        lines = [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    after = next(i for i, line in enumerate(lines) if line.startswith("After: We will send"))
    assert lines[after + 1].startswith("You may pay in euros or dollars")  # one per line


def test_changes_spread_over_sections_or_under_the_title_alone_are_not_folded() -> None:
    edits = {"Fees": ("email", "post"), "Events": ("second", "first"), "Library": ("nine", "ten")}
    spread = {name: [texts[0].replace(*edits[name]), *texts[1:]]
              for name, texts in _PARTS.items()}
    comparison = compare_versions(analyze(_sectioned(_PARTS)), analyze(_sectioned(spread)))
    assert len(above_info(comparison)) == 3
    assert not [f for f in comparison.findings if f.type == "section_changed"]
    # one heading over the whole document is no section to fold by
    flat = b"# Club terms\n\n" + "\n\n".join(t for ts in _PARTS.values() for t in ts).encode()
    changed = flat.replace(b"email", b"post").replace(b"euros", b"pounds").replace(
        b"nine", b"ten").replace(b"three weeks", b"two weeks")
    comparison = compare_versions(analyze(flat), analyze(changed))
    assert not [f for f in comparison.findings if f.type == "section_changed"]
    assert len(above_info(comparison)) == 4
    # subsections of one part are sections of their own: a fee, an age limit and a support
    # promise changed under "Part A" are three findings, not one
    nested = ("# Club terms\n\n# Part A\n\n" + "".join(
        f"## {name}\n\n" + "\n\n".join(texts) + "\n\n" for name, texts in _PARTS.items())
        + "# Part B\n\n" + "\n\n".join(f"Members may bring guest {n} on open days."
                                            for n in range(12)) + "\n")
    comparison = compare_versions(analyze(nested.encode()), analyze(nested.replace(
        "email", "post").replace("second", "first").replace("nine", "ten").encode()))
    assert not [f for f in comparison.findings if f.type == "section_changed"]
    assert len(above_info(comparison)) == 3


def test_a_part_redone_across_its_small_sections_is_one_finding() -> None:
    part = ("# Club terms\n\n# Part A\n\n" + "".join(
        f"## {name}\n\n" + "\n\n".join(texts) + "\n\n" for name, texts in _PARTS.items())
        + "# Part B\n\n" + "\n\n".join(f"Members may bring guest {n} on open days."
                                            for n in range(20)) + "\n")
    redone = part
    for was, now in (("email", "post"), ("euros", "pounds"), ("second", "first"),
                     ("a week ahead", "two weeks ahead"), ("nine", "ten"),
                     ("three weeks", "two weeks")):
        redone = redone.replace(was, now)
    comparison = compare_versions(analyze(part.encode()), analyze(redone.encode()))
    (section,) = [f for f in above_info(comparison) if f.type == "section_changed"]
    assert section.title.startswith("Section “Part A” rewritten:")
    assert len(section.new_clauses) == 6 and len(above_info(comparison)) == 1


@pytest.mark.parametrize(("old", "new", "info"), [
    ("Your Feedback stays your Feedback, and you may withdraw it at any time.",
     "Your Feedback stays yours, and you may withdraw it at any time.", True),
    ("Your Feedback stays yours, and you may withdraw it at any time.",
     "Your Feedback stays your Feedback, and you may withdraw it at any time.", True),
    # whose it is changes, or the pronoun may stand for more than the name did
    ("Your Feedback stays your Feedback.", "Your Feedback stays ours.", False),
    ("We share data with Partners and Advertisers, and Advertisers may sell your data.",
     "We share data with Partners and Advertisers, and they may sell your data.", False),
    ("You may export your Reports at any time.", "You may export yours at any time.", False),
])
def test_yours_for_a_name_of_yours_the_clause_repeats_is_wording(old: str, new: str,
                                                             info: bool) -> None:
    loud = above_info(run(old, new))
    assert (not loud) == info, [f.title for f in loud]


def test_a_section_folds_with_a_change_left_over_from_its_subsection_and_leans_neutral(
        ) -> None:
    old = ("# Club terms\n\n## Conduct\n\nMembers may post notices on the board.\n\n"
           "### Spam\n\nMembers may send one newsletter a month.\n\n## Other\n\n"
           + "\n\n".join(f"Members may bring guest {n} on open days." for n in range(12)))
    new = old.replace("Members may post notices on the board.", (
        "Members may post notices on the board.\n\n"
        "We must refund the $10 fee for a cancelled event within a week.\n\n"
        "You must pay a $25 fee for each cancelled booking.\n\n"
        "We may publish the list of events on the club website.")).replace(
        "one newsletter a month.", "one newsletter a month.\n\nYou must not send chain letters.")
    comparison = compare_versions(analyze(old.encode()), analyze(new.encode()))
    (section,) = [f for f in above_info(comparison) if f.type == "section_changed"]
    assert section.title.startswith("Section “Conduct”") and len(section.new_clauses) == 4
    leaning = {f.direction for f in comparison.findings
               if f.explanation.startswith("Part of the changes")}
    # a refund owed to the user and a fee charged to them, both about money (medium): it
    # leans neither way
    assert {"for_user", "against_user"} <= leaning and section.severity == "medium"
    assert section.direction == "neutral"


def test_a_rewritten_section_takes_the_category_most_of_its_changes_have() -> None:
    old = ["You must keep your password secret.",
           "You must not share your account with anyone.",
           "You must sign in with two-factor authentication.",
           "Do not use bots to access the forum."]
    new = ["You must keep your password and recovery codes secret.",
           "You must not share your account or your login with anyone.",
           "You must sign in with two-factor authentication from a registered device.",
           "Do not use bots or scrapers to access the forum."]
    comparison = compare_versions(analyze(_sectioned({**_PARTS, "Accounts": old})),
                                  analyze(_sectioned({**_PARTS, "Accounts": new})))
    (section,) = [f for f in above_info(comparison) if f.type == "section_changed"]
    # three access rules and one rule on bots: an access section, the bots' rule still read
    assert section.category == "access_control"
    assert "Read as access control, agent conduct." in section.explanation


def test_a_rename_stays_its_own_finding_beside_a_changed_section() -> None:
    fees = ["The Treasurer will send invoices on the first working day.",
            "The Treasurer will keep a receipt for each payment in your profile.",
            "You may enter discount codes on the checkout page before paying.",
            "You may pay by card or by bank transfer.",
            "You may ask for a printed invoice once a year."]
    parts = {**_PARTS, "Fees": fees}
    changed = [fees[0].replace("Treasurer", "Bursar"), fees[1].replace("Treasurer", "Bursar"),
               fees[2].replace("checkout page", "basket"), "You may pay by card only.",
               fees[4].replace("once a year", "twice a year")]
    comparison = compare_versions(analyze(_sectioned(parts)),
                                  analyze(_sectioned({**parts, "Fees": changed})))
    loud = above_info(comparison)
    assert any(f.title.startswith("“Treasurer” renamed “Bursar”") for f in loud)
    (section,) = [f for f in loud if f.type == "section_changed"]
    assert len(section.new_clauses) == 3  # the rename speaks for its own clauses


def test_a_part_rewritten_with_its_own_sections_is_one_finding_naming_them() -> None:
    own = ["You may earn points for each event you attend.",
           "You may spend points in the club shop.",
           "You must use your points by the end of each year."]
    sub = {"Earning": ["You may earn one point for each talk you attend.",
                       "You may earn two points for each workshop.",
                       "You may earn a point for bringing a guest."],
           "Spending": ["You may buy a club mug for ten points.",
                        "You may buy a club scarf for twenty points.",
                        "You may buy a year's membership for fifty points."]}
    rest = "\n\n".join(f"Members may bring guest {n} on open days." for n in range(40))

    def doc(own: list[str], sub: dict[str, list[str]]) -> bytes:
        body = "\n\n".join(own) + "\n\n" + "".join(
            f"### {name}\n\n" + "\n\n".join(texts) + "\n\n" for name, texts in sub.items())
        return f"# Club terms\n\n## Rewards\n\n{body}## Guests\n\n{rest}\n".encode()

    new_own = ["You may earn points for each event you attend in person.",
               "You may spend points in the club shop or at the bar.",
               "You must use your points by the end of each month."]
    new_sub = {"Earning": ["You may earn one point for each talk you stay to the end of.",
                           "You may earn three points for each workshop.",
                           "You may earn a point for bringing a new guest."],
               "Spending": ["You may buy a club mug for fifteen points.",
                            "You may buy a club hat for twenty points.",
                            "You may buy half a year's membership for fifty points."]}
    comparison = compare_versions(analyze(doc(own, sub)), analyze(doc(new_own, new_sub)))
    (section,) = [f for f in above_info(comparison) if f.type == "section_changed"]
    assert section.title.startswith("Section “Rewards” rewritten:")
    assert len(section.new_clauses) == 9
    assert "Its sections “Earning” and “Spending” changed too" in section.explanation
    # a subsection that changed on its own, its part untouched, stays its own finding
    comparison = compare_versions(analyze(doc(own, sub)),
                                  analyze(doc(own, {**sub, "Spending": new_sub["Spending"]})))
    (section,) = [f for f in above_info(comparison) if f.type == "section_changed"]
    assert section.title.startswith("Section “Spending”") and "Its section" not in (
        section.explanation)


_REMOVABLE = ("Posts that break these rules may be removed from the public gallery. This "
              "includes:\n\n- spam;\n- scams;\n")


def test_an_item_added_to_a_list_the_old_version_had_says_the_list_grew() -> None:
    findings = above_info(run(_REMOVABLE, _REMOVABLE + "- deepfakes of real people;\n"))
    (finding,) = [f for f in findings if f.category == "content_removal"]
    assert finding.title.startswith("Content removal widened: one more item")
    assert "already had" in finding.explanation and "deepfakes" in (finding.evidence_new or "")


def test_a_new_list_with_the_right_is_still_a_new_right() -> None:
    findings = above_info(run("Be kind to other members.", "Be kind to other members.\n\n"
                              + _REMOVABLE))
    assert any(f.category == "content_removal" and "widened" not in f.title
               for f in findings)


def test_a_gained_purpose_is_named_in_whole_words() -> None:
    findings = above_info(run("We use your content to provide the Service.",
                              "We use your content to provide the Service and disclose it to "
                              "third parties."))
    (finding,) = [f for f in findings if f.type == "data_use_expanded"]
    assert finding.title.endswith("(third parties)"), finding.title


@pytest.mark.parametrize(("new", "changed", "binds"), [
    ("We may change these Terms at any time without notice.", "the terms", True),
    ("We reserve the right to change, modify, discontinue or cancel the Rewards Programme or "
     "any part thereof at any time, in our sole discretion.", "the Rewards Programme", False),
    # the terms among what it changes still bind the user to versions they never saw
    ("We may modify these Terms or discontinue the Beta Programme at any time without notice.",
     "these Terms or the Beta Programme", True),
])
def test_a_right_to_change_names_what_it_changes(new: str, changed: str, binds: bool) -> None:
    findings = [f for f in above_info(run("Be kind to other members.", f"Be kind to other "
                                          f"members.\n\n{new}"))
                if f.type == "unilateral_change_added"]
    assert findings and all(changed in f.title for f in findings), findings
    assert any(("continued use may bind" in f.explanation) == binds for f in findings)


@pytest.mark.parametrize(("old", "new", "ended"), [
    ("We may suspend your account if you breach these Terms.",
     "We may suspend your account at any time for any reason.", "the service or an account"),
    ("We may suspend or terminate your access to the Services if you break the law.",
     "We may suspend or terminate your access to the Services at any time.",
     "the service or an account"),
    ("We may discontinue the Beta Programme if it is no longer viable.",
     "We may discontinue the Beta Programme at any time, in our sole discretion.",
     "the Beta Programme"),
    # removing content is another right: the account is what is ended
    ("We may remove your content and terminate your account if you break these Terms.",
     "We may remove your content and terminate your account at any time.",
     "the service or an account"),
    ("We may disable the chat feature and suspend your account if you break these Terms.",
     "At any time, we may disable the chat feature and suspend your account.",
     "the chat feature or your account"),
    ("We may suspend or terminate your use of the Services if you break the law.",
     "We may suspend or terminate your use of the Services at any time.",
     "the service or an account"),
])
def test_a_broader_right_to_end_names_what_it_ends(old: str, new: str, ended: str) -> None:
    findings = [f for f in above_info(run(old, new)) if f.type == "termination_broadened"
                and f.title.startswith("The provider may now suspend or end")]
    assert findings and all(f"suspend or end {ended} (" in f.title for f in findings), [
        f.title for f in above_info(run(old, new))]


def test_a_long_list_of_verbs_is_read_in_bounded_time() -> None:
    # "suspend, suspend, ... now": a pattern that could read each verb as a list word or as a
    # verb backtracks exponentially (22 verbs took seconds, 40 would take hours)
    code = ("from analyzer.compare.shifts import _CHANGED, _ENDED\n"
            "line = 'We may ' + 'suspend or change, ' * 300 + 'now.'\n"
            "assert _ENDED.search(line) is None and _CHANGED.search(line) is None\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_the_words_that_open_a_condition_do_not_make_two_conditions_one() -> None:
    # "unless", "provided", "for": shared by any two conditions, so they cannot show that one
    # is the other reworded
    assert not _content("unless you pay") & _content("unless approved")
    assert not _content("provided for by law") & _content("provided that you agree")
    assert _content("for breach of these Terms") & _content("violation or breach of the Terms")
