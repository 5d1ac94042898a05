"""Worst-case cost of the category rules: every rule of rules/categories on long clauses made
of one phrase repeated (the shape that makes a careless pattern backtrack), at three lengths,
so a rule whose cost grows faster than the text shows. Prints the slowest rules.

    python bench/rule_worst_case.py [--chars 40000] [--top 10]

A real clause is a few hundred characters; these are 100 times longer on purpose.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

from analyzer.rulebook import default_rulebook
from analyzer.rules import fold

# Phrases that many patterns start on and few finish: modal verbs, negations, parties,
# consent and access words, list commas.
PHRASES = [
    "you may not use access without ", "we will not use your data and ", "consent to the use of ",
    "neither we nor ", "the agent can may ", "a ", "information is accurate , ", "only with ",
    "who may grant ", "account we may ", "ai models not ", "can modify ", "we may remove ",
    "you are responsible for ", "not liable for ", "as is ", "the service will be ",
]


def slowest(chars: int) -> list[tuple[float, str, str]]:
    rows = []
    for phrase in PHRASES:
        text = fold((phrase * (chars // len(phrase) + 1))[:chars])
        for file in default_rulebook().reading.categories:
            for rule in file.rules:
                start = time.perf_counter()
                rule.matches_lowered(text)
                rows.append((time.perf_counter() - start, f"{file.category}#{rule.id}",
                             phrase.strip()))
    return sorted(rows, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=40_000)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    print("command: python bench/rule_worst_case.py " + " ".join(sys.argv[1:]))
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}")
    worst = slowest(args.chars)
    print(f"\nslowest rule and phrase pairs at {args.chars:,} characters")
    for seconds, rule, phrase in worst[:args.top]:
        print(f"  {seconds * 1000:8.1f} ms  {rule:<50} '{phrase}'")
    # The same pairs at a quarter and half the length: linear cost doubles with the text.
    at = {(rule, phrase): seconds for seconds, rule, phrase in worst[:args.top]}
    print("\ngrowth of those pairs (ms at 1/4, 1/2 and full length)")
    shorter = {n: {(r, p): s for s, r, p in slowest(n)} for n in (args.chars // 4,
                                                                 args.chars // 2)}
    for (rule, phrase), seconds in at.items():
        quarter, half = (shorter[n][(rule, phrase)] for n in sorted(shorter))
        print(f"  {rule:<50} {quarter * 1000:7.1f} {half * 1000:7.1f} {seconds * 1000:7.1f}")


if __name__ == "__main__":
    main()
