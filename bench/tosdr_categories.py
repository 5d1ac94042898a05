"""Category recall on real clause text: ToS;DR points whose case names one of termshift's
categories (a hand-made map from 66 frequent case names), read by the full `analyze` pipeline.

    python bench/tosdr_categories.py [--split dev|held-out|all] [--show-misses CATEGORY]

The points are split in two by a hash of their id: rules may be tuned by reading `dev`
misses; `held-out` is reported as it comes. Data: ../shared/realdata/tosdr (CC BY-SA 3.0,
ToS;DR contributors); nothing of it is copied into the project.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

from analyzer.api import analyze
from analyzer.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
# ToS;DR case name (as written, stripped) -> the termshift categories any of which counts.
CASES: dict[str, set[str]] = {
    "Terms may be changed any time at their discretion, without notice to the user":
        {"unilateral_change"},
    "The service may change its terms at any time, but the user will receive notification "
    "of the changes.": {"unilateral_change"},
    "Users should revisit the terms periodically, although in case of material changes, the "
    "service will notify": {"unilateral_change"},
    "When the service wants to change its terms, users are notified a month or more in "
    "advance.": {"unilateral_change"},
    "The service can delete your account without prior notice and without a reason":
        {"unilateral_termination"},
    "The service can suspend your account for several reasons": {"unilateral_termination"},
    "They may stop providing the service at any time": {"unilateral_termination"},
    "The service is provided 'as is' and to be used at the users' sole risk":
        {"warranty_disclaimer"},
    "The service provider makes no warranty regarding uninterrupted, timely, secure or "
    "error-free service": {"warranty_disclaimer"},
    "The service does not guarantee accuracy or reliability of the information provided":
        {"warranty_disclaimer"},
    "This services gives no guarantee regarding quality": {"warranty_disclaimer"},
    "The court of law governing the terms is in location X": {"governing_law", "jurisdiction"},
    "You are responsible for maintaining the security of your account and for the activities "
    "on your account": {"responsibility", "access_control"},
    "You agree to defend, indemnify, and hold the service harmless in case of a claim "
    "related to your use of the service": {"indemnification"},
    "You waive your right to a class action.": {"arbitration"},
    "This service forces users into binding arbitration in the case of disputes":
        {"arbitration"},
    "The service can delete specific content without prior notice and without a reason":
        {"content_removal"},
    "This service assumes no liability for any losses or damages resulting from any matter "
    "relating to the service": {"liability_limitation"},
    "This service assumes no responsibility and liability for the contents of links to "
    "other websites": {"liability_limitation"},
    "The copyright license maintained by the service over user data and/or content is "
    "broader than necessary.": {"data_use"},
    "This service retains rights to your content even after you stop using your account":
        {"data_use"},
    "The copyright license that users grant to the service is limited for the purposes of "
    "that same service, and not third parties.": {"data_use"},
    "The service can sell or otherwise transfer your personal data as part of a bankruptcy "
    "proceeding or other type of financial transaction.": {"data_use"},
    "This service can share your personal information to third parties": {"data_use"},
    "Your personal data is given to third parties": {"data_use"},
    "The service uses your personal data to employ targeted third-party advertising":
        {"data_use"},
    "This service reserves the right to disclose your personal information without notifying "
    "you": {"data_use"},
    "This service uses your personal information for many different purposes": {"data_use"},
    "The service can read your private messages": {"data_use"},
    "The service uses your personal data for advertising": {"data_use"},
    "This service can use your content for all their existing and future services":
        {"data_use"},
    "This service keeps a license on user-generated content even after users close their "
    "accounts.": {"data_use"},
    "This service employs a broad copyright license over user content including the right to "
    "distribute through any media": {"data_use"},
    "Your private content may be accessed by people working for the service": {"data_use"},
    "This service will continue using anonymized user-generated content even after erasure "
    "of personal information": {"data_use"},
    "This service only shares user information with third parties when given specific consent":
        {"data_use"},
    # Automated access and authorization (added 2026-12-01).
    "Spidering or crawling is not allowed": {"agent_conduct", "access_control"},
    "Users cannot scrape the website of the service": {"agent_conduct", "access_control"},
    "This service prohibits users from attempting to gain unauthorized access to other "
    "computer systems": {"access_control", "agent_conduct"},
    "This service assumes no liability for unauthorized access to your personal information":
        {"liability_limitation"},
    "The service is not responsible for linked or (clearly) quoted content from third-party "
    "content providers": {"liability_limitation"},
    # Accounts, age, data handling and blame (added 2026-12-02): cases whose quotes read as
    # one of the categories; "provides details about", cookies and trackers are left out.
    "This service is only available to users of a certain age": {"access_control"},
    "Service does not allow alternative accounts": {"access_control"},
    "Users who have been permanently banned from this service are not allowed to re-register "
    "under a new account": {"access_control"},
    "You cannot distribute or disclose your account to third parties": {"access_control"},
    "The service provides two factor authentification for your account": {"access_control"},
    "User accounts can be terminated after having been in breach of the terms of service "
    "repeatedly": {"unilateral_termination"},
    "This service can delete your content if you violate the terms": {"content_removal"},
    "If you are the target of a copyright claim, your content may be removed":
        {"content_removal"},
    "You are solely responsible for claims made against the service and agree to indemnify "
    "and hold harmless the service.": {"indemnification", "responsibility"},
    "Users are responsible for any risks, damages, or losses they may incur by downloading "
    "materials": {"responsibility", "liability_limitation"},
    "This service cannot be held responsible for disputes that you may have with other users":
        {"liability_limitation"},
    "Any liability on behalf of the service is only limited to the fees you paid as a user":
        {"liability_limitation"},
    "The court of law governing the terms is in a jurisdiction that is less friendly to user "
    "privacy protection.": {"governing_law", "jurisdiction"},
    "The court of law governing the terms is in a jurisdiction that is friendlier to user "
    "privacy protection.": {"governing_law", "jurisdiction"},
    "The service does not guarantee that software errors will be corrected":
        {"warranty_disclaimer"},
    "This service does not guarantee that it or the products obtained through it meet the "
    "users' expectations or requirements": {"warranty_disclaimer"},
    "If you offer suggestions to the service, they become the owner of the ideas that you give "
    "them": {"data_use"},
    "This service can license user content to third parties": {"data_use"},
    "Your identity is used in ads that are shown to other users": {"data_use"},
    "This service holds onto content that you've deleted": {"data_use"},
    "This service may keep personal data after a request for erasure for business interests "
    "or legal obligations": {"data_use"},
    "Your personal data is aggregated into statistics": {"data_use"},
    "Your data may be processed and stored anywhere in the world": {"data_use"},
    "This service does not sell your personal data": {"data_use"},
    "The service does not share user information with third parties": {"data_use"},
    "This service may collect, use, and share location data": {"data_use"},
    "Your personal data is used for limited purposes": {"data_use"},
}
TAG = re.compile(r"<[^>]+>")


def default_data() -> Path:
    override = os.environ.get("TERMSHIFT_TOSDR_DATA")
    return Path(override) if override else ROOT.parent / "shared" / "realdata" / "tosdr"


def split_of(point_id: str) -> str:
    return "dev" if hashlib.sha256(point_id.encode()).digest()[0] % 2 == 0 else "held-out"


def load(data: Path, split: str) -> list[tuple[str, str, set[str]]]:
    points = []
    for line in (data / "points_with_quotes.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        wanted = CASES.get((row.get("case") or "").strip())
        if not wanted or row.get("irrelevant") or not row.get("quote_text"):
            continue
        if split != "all" and split_of(str(row["id"])) != split:
            continue
        text = html.unescape(TAG.sub(" ", row["quote_text"])).strip()
        points.append((str(row["id"]), text, wanted))
    return points


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "held-out", "all"), default="held-out")
    parser.add_argument("--show-misses", metavar="CATEGORY")
    parser.add_argument("--data", type=Path, default=default_data())
    args = parser.parse_args()
    if not (args.data / "points_with_quotes.jsonl").exists():
        print(f"no ToS;DR data at {args.data} (set TERMSHIFT_TOSDR_DATA)", file=sys.stderr)
        return 3
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, split {args.split}")
    points = load(args.data, args.split)
    total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for point_id, text, wanted in points:
        try:
            found = {c for clause in analyze(text.encode(), name=f"{point_id}.txt").clauses
                     for c in clause.categories}
        except InputError:
            found = set()
        key = "/".join(sorted(wanted))
        total[key] += 1
        if found & wanted:
            hit[key] += 1
        elif args.show_misses and args.show_misses in wanted:
            print(f"  miss {point_id}: {text[:220]!r} -> {sorted(found)}")
    print(f"{'category':40} {'points':>6} {'found':>6} {'recall':>7}")
    for key in sorted(total):
        print(f"{key:40} {total[key]:>6} {hit[key]:>6} {hit[key] / total[key]:>7.2f}")
    all_total, all_hit = sum(total.values()), sum(hit.values())
    print(f"{'all':40} {all_total:>6} {all_hit:>6} {all_hit / all_total:>7.2f}")
    print(f"macro recall over categories: "
          f"{sum(hit[k] / total[k] for k in total) / len(total):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
