"""Change-first findings: every substantive change is a finding; wording that changes
nothing stays at info (analyzer/compare/general.py)."""

from __future__ import annotations

import pytest

from analyzer.api import analyze, compare_versions
from analyzer.compare.general import canon, words
from analyzer.model import Comparison, Finding

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


def test_a_pointer_to_more_information_is_info() -> None:
    assert above_info(run("You are responsible for your posts.",
                          "You are responsible for your posts.\n\n"
                          "For more information, see our Help Center.")) == []


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
     "We may remove content at any time.", "Widened: a condition or qualifier was removed."),
    ("You may not access the Services through automated means such as bots.",
     "You may not access the Services through unauthorized automated means such as bots.",
     "Narrowed: a condition or qualifier was added."),
    ("We will sell your data to advertisers.", "We will not sell your data to advertisers.",
     "Reversed: a negation was added or removed."),
], ids=["list-item-added", "condition-dropped", "qualifier-added", "negation"])
def test_the_explanation_says_how_the_clause_moved(old: str, new: str, shape: str) -> None:
    assert any(shape in f.explanation for f in run(old, new).findings)


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
