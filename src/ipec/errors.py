"""The one exception tree of ipec.

Every error a user can cause is an :class:`IpecError`. The command line prints it as one line
and exits non-zero; the web API turns it into one JSON shape with :attr:`IpecError.http_status`.

::

    IpecError
    ├── DataError            input data is unusable (file, column, rows)
    ├── DesignError          the survey design cannot support the estimate
    ├── ProfileError         a standards profile is unknown or invalid
    ├── NotFound             a record does not exist, or is outside the user's scope
    ├── PermissionDenied     the user may not do this
    ├── Conflict             a stale write: the record changed since it was read
    ├── InvalidTransition    a case workflow step that is not allowed
    ├── DatabaseUnavailable  the database cannot be reached or opened
    ├── NotAuthenticated     no valid credentials came with the request
    ├── TooManyAttempts      too many sign-in attempts: wait before trying again
    └── ConfigurationError   the settings are unsafe or unusable
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AccountLocked",
    "ConfigurationError",
    "Conflict",
    "DataError",
    "DatabaseUnavailable",
    "DesignError",
    "InvalidTransition",
    "IpecError",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "ProfileError",
    "TooManyAttempts",
]


class IpecError(Exception):
    """Root of every error ipec raises on purpose."""

    http_status: int = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message and its fix, as one line for a terminal or a log."""
        text = " ".join(self.message.split())
        if self.hint:
            text = f"{text}; fix: {' '.join(self.hint.split())}"
        return text


def _describe_rows(rows: Sequence[int], total: int | None) -> str:
    """Render the first offending row numbers, 1-based as a person counts data rows."""
    shown = ", ".join(str(r + 1) for r in rows)
    more = total if total is not None else len(rows)
    if more > len(rows):
        shown += f" (and {more - len(rows)} more)"
    return shown


class DataError(IpecError):
    """Input data is unusable: an unreadable file, a missing column, bad values in rows."""

    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: str | None = None,
        rows: Sequence[int] = (),
        row_count: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.column = column
        self.rows = tuple(rows)
        self.row_count = row_count if row_count is not None else len(self.rows)
        where = []
        if source:
            where.append(source)
        if column:
            where.append(f"column '{column}'")
        if self.rows:
            noun = "row" if self.row_count == 1 else "rows"
            where.append(f"{noun} {_describe_rows(self.rows, self.row_count)}")
        prefix = f"{': '.join(where)}: " if where else ""
        super().__init__(f"{prefix}{message}", hint=hint)


class DesignError(IpecError):
    """The survey design cannot support the requested estimate (no weights, a lonely PSU)."""

    http_status = 422


class ProfileError(IpecError):
    """A standards profile is unknown, unreadable or invalid."""

    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.key = key
        where = [part for part in (source, f"key '{key}'" if key else None) if part]
        prefix = f"{': '.join(where)}: " if where else ""
        super().__init__(f"{prefix}{message}", hint=hint)


class NotFound(IpecError):
    """A record does not exist, or lies outside the caller's scope (the two are not told apart)."""

    http_status = 404


class PermissionDenied(IpecError):
    """The caller is known but may not do this."""

    http_status = 403


class AccountLocked(PermissionDenied):
    """Too many failed sign-ins: the account waits before it accepts the right password."""


class Conflict(IpecError):
    """A stale write: the record changed since the caller read it."""

    http_status = 409


class InvalidTransition(IpecError):
    """A case workflow step that the transition table does not allow."""

    http_status = 409


class DatabaseUnavailable(IpecError):
    """The database cannot be reached or opened (wrong URL, server down, bad credentials)."""

    http_status = 503


class NotAuthenticated(IpecError):
    """No valid credentials came with the request."""

    http_status = 401


class TooManyAttempts(IpecError):
    """Too many sign-in attempts from one address, or from everywhere at once: refused
    before any password is checked; ``retry_after`` says in how many seconds to try again."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, hint=hint)


class ConfigurationError(IpecError):
    """The settings are unsafe or unusable (a default secret outside demo mode, say)."""

    http_status = 500
