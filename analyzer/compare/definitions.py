"""Redefined terms: when "You" or "User" comes to include AI agents acting for the user,
every clause that makes the user responsible inherits the shift."""

from __future__ import annotations

import re

from analyzer.model import Clause, Finding

_DEFINITION = re.compile(
    r"[\"“](you|your|user|users|customer|member)[\"”]\s*(?:,[^.]{0,60})?\s*"
    r"(?:means|refers\s+to|includes?|shall\s+(?:mean|include))", re.IGNORECASE)
RULE = "rules/shifts/responsibility.yaml#agent-scope-added"


def _definition(clauses: tuple[Clause, ...]) -> tuple[str, Clause] | None:
    for clause in clauses:
        match = _DEFINITION.search(clause.text)
        if match:
            return match.group(1).lower(), clause
    return None


def redefinition_findings(old: tuple[Clause, ...], new: tuple[Clause, ...]) -> list[Finding]:
    """A finding when the user's defined term newly covers AI agents."""
    found_new = _definition(new)
    if found_new is None or not found_new[1].attributes.agent_scope:
        return []
    term, clause = found_new
    found_old = _definition(old)
    if found_old is not None and found_old[1].attributes.agent_scope:
        return []
    affected = [c.id for c in new if c.attributes.bearer == "user" and c is not clause]
    return [Finding(
        id="", type="agent_scope_added", category="responsibility", severity="high",
        direction="against_user",
        title=f'"{term.capitalize()}" now includes AI agents acting for the user',
        explanation=(
            f'The definition of "{term}" now covers agents or software acting on the user\'s '
            f"behalf, so every clause that makes the user responsible ({len(affected)} in this "
            "version) also makes the user answer for those agents."),
        rule=RULE, old_clause=found_old[1].id if found_old else None, new_clause=clause.id,
        evidence_old=found_old[1].text if found_old else None, evidence_new=clause.text,
    )]
