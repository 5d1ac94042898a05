"""The project's exception tree. Nothing else may escape to a user.

Every error has a stable `code` ("<stage>.<what>") that the CLI prints and the API returns,
and a message written for a person: what was wrong with which input and what to do.
"""

from __future__ import annotations


class TermshiftError(Exception):
    """Base of every error termshift raises on purpose."""

    code = "termshift.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InputError(TermshiftError):
    """An input could not be read: unknown format, damaged, encrypted, hostile (exit 3, 4xx)."""

    code = "ingest.unreadable"


class LimitExceeded(InputError):
    """An input is larger than a configured limit; the message names the limit and setting."""

    code = "limit.exceeded"

    def __init__(self, limit: str, value: int, maximum: int, setting: str) -> None:
        super().__init__(
            f"{limit} is {value:,}, above the limit of {maximum:,} (raise it with {setting})",
            code=f"limit.{limit.replace(' ', '_')}",
        )
        self.limit = limit
        self.value = value
        self.maximum = maximum
        self.setting = setting


class RuleError(TermshiftError):
    """A rule file is malformed; the message names the file, the line and the rule id."""

    code = "rules.invalid"

    def __init__(self, message: str, *, path: str, line: int | None = None,
                 rule_id: str | None = None) -> None:
        where = path if line is None else f"{path}:{line}"
        who = f" (rule {rule_id})" if rule_id else ""
        super().__init__(f"{where}{who}: {message}")
        self.path = path
        self.line = line
        self.rule_id = rule_id


class UsageError(TermshiftError):
    """The caller asked for something that cannot be done (bad option combination)."""

    code = "usage.invalid"


class NotFound(TermshiftError):
    """No such object in this workspace (another workspace's object looks exactly the same)."""

    code = "store.not_found"


class StoreError(TermshiftError):
    """The store (database or originals folder) cannot be used; the message says which."""

    code = "store.unavailable"


class AuthError(TermshiftError):
    """A missing or wrong API key."""

    code = "auth.invalid_key"


class NotReady(TermshiftError):
    """A document is still being parsed; ask again shortly."""

    code = "document.processing"
