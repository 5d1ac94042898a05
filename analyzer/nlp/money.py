"""Liability caps: amounts ("$100", "EUR 50", "one hundred dollars") and formulas
("the fees you paid in the 12 months before the claim", "the greater of ... and ...")."""

from __future__ import annotations

import re

from analyzer.model import LiabilityCap

_SYMBOLS = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
            "gbp": "GBP", "dollars": "USD", "euros": "EUR", "pounds": "GBP"}
_AMOUNT = re.compile(
    r"(?P<pre>us\$|\$|€|£|usd|eur|gbp)\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d{1,2}))?"
    r"|(?P<num2>\d{1,3}(?:,\d{3})+|\d+)\s?(?P<post>dollars|euros|pounds|usd|eur|gbp)\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "six": 6, "twelve": 12, "twenty-four": 24}
_PERIOD = re.compile(
    r"\b(?:(?P<n>\d{1,2})|(?P<w>one|two|three|six|twelve|twenty-four))\s*(?:\(\d+\)\s*)?"
    r"(?:calendar\s+)?months?\b|\b(?P<y>one|1)\s*(?:\(\d\)\s*)?year\b",
    re.IGNORECASE,
)
_FEES = re.compile(r"\b(?:fees|amounts?|sums?|charges)\s+(?:\w+\s+){0,4}paid\b", re.IGNORECASE)
_CAP_CONTEXT = re.compile(
    r"(?:not\s+exceed|limited\s+to|(?:greater|lesser)\s+of|up\s+to|maximum|in\s+no\s+event|"
    r"total\s+liability|aggregate\s+liability|cap)", re.IGNORECASE)


def find_liability_cap(text: str) -> LiabilityCap | None:
    """The cap a liability clause states, if it states one."""
    if not _CAP_CONTEXT.search(text):
        return None
    amount_match = _AMOUNT.search(text)
    fees = _FEES.search(text)
    if amount_match is None and fees is None:
        return None
    amount, currency = _amount(amount_match) if amount_match else (None, None)
    period = _period(text) if fees else None
    lowered = text.lower()
    formula: str | None = None
    if fees and amount_match:
        formula = "lesser_of" if "lesser of" in lowered else "greater_of"
    elif fees:
        formula = "fees_paid"
    start = min(m.start() for m in (amount_match, fees) if m is not None)
    return LiabilityCap(text=text[start:start + 160].strip(), amount=amount, currency=currency,
                        formula=formula, period_months=period)


def _amount(match: re.Match[str]) -> tuple[float, str]:
    number = (match.group("num") or match.group("num2")).replace(",", "")
    value = float(number) + (float("0." + match.group("dec")) if match.group("dec") else 0.0)
    unit = (match.group("pre") or match.group("post") or "$").lower()
    return value, _SYMBOLS.get(unit, "USD")


def _period(text: str) -> int | None:
    match = _PERIOD.search(text)
    if match is None:
        return None
    if match.group("y"):
        return 12
    if match.group("n"):
        return int(match.group("n"))
    return _WORD_NUMBERS.get(match.group("w").lower())
