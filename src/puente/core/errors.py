"""Domain errors, and the one table that maps their families to HTTP statuses and
CLI exit codes (`app.py`, `cli.py` and every module's `cli.py` read it here).

```
DomainError            # base: message key + params, never an HTTP status
├── NotFound           # -> 404, exit 4
├── PermissionDenied   # -> 403, exit 3
├── Unauthenticated    # -> 401, exit 3
├── Conflict           # -> 409, exit 5
├── InvalidInput       # -> 422, exit 2   business validation beyond Pydantic
└── Unavailable        # -> 503, exit 75  busy: try again (API adds Retry-After)
```

Every error carries a stable machine-readable `code` (Zulip's `ErrorCode`): the
class name in snake_case (`ConsentMissing` -> `consent_missing`) unless the class
sets its own. Clients branch on `code`, never on the localised text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final

import psycopg

from puente.core.i18n import N_, gettext

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """`ConsentMissing` -> `consent_missing`; `CAPInvalid` -> `cap_invalid`."""
    return _WORD_BOUNDARY.sub("_", name).lower()


class DomainError(Exception):
    """Base of every expected business error.

    `message` is an English msgid (marked with `N_` for extraction); `translated()`
    renders it in the current locale with its named parameters. `code` is stable:
    renaming a class that clients know must keep its old code (set `code = ...`).
    """

    message = N_("Something went wrong.")
    code: ClassVar[str] = "domain_error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = snake_case(cls.__name__)

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.params = params
        self.template = message or self.message
        super().__init__(self._fill(self.template))

    def _fill(self, text: str) -> str:
        return text % self.params if self.params and "%(" in text else text

    def translated(self) -> str:
        return self._fill(gettext(self.template))

    @property
    def detail(self) -> Any:
        """What an API error body carries: the message in the current locale
        (subclasses may return a structure that names fields or checks)."""
        return self.translated()


class NotFound(DomainError):
    message = N_("Not found.")


class PermissionDenied(DomainError):
    message = N_("You are not allowed to do this.")


class Unauthenticated(DomainError):
    message = N_("Authentication required.")


class Conflict(DomainError):
    message = N_("The request conflicts with the current state.")


class InvalidInput(DomainError):
    message = N_("The input is not valid.")


class Unavailable(DomainError):
    """Busy right now, nothing was written: the client should retry after
    `retry_after` seconds (the API sends a `Retry-After` header)."""

    message = N_("The service is busy; nothing was saved. Try again in a moment.")
    retry_after: ClassVar[int] = 2


class WriteQueueFull(Unavailable):
    """Writers to the embedded database waited longer than the limit (or too many
    were already waiting)."""


class DatabaseBusy(Unavailable):
    """The database answered locked/busy (another process held the write lock)."""


def is_lock_error(error: BaseException) -> bool:
    """True for SQLite `database is locked`/`busy` and PostgreSQL lock timeouts,
    deadlocks and serialization failures: worth a 503 and a retry, never a 500."""
    from sqlalchemy.exc import DBAPIError

    orig = error.orig if isinstance(error, DBAPIError) else error
    text = str(orig).lower()
    code = orig.sqlstate if isinstance(orig, psycopg.Error) else None
    return (
        "database is locked" in text
        or "database is busy" in text
        or "database table is locked" in text
        or code in {"55P03", "40P01", "40001"}
    )


# Family -> (HTTP status, CLI exit code). The first family that matches wins.
FAMILIES: Final[tuple[tuple[type[DomainError], int, int], ...]] = (
    (NotFound, 404, 4),
    (PermissionDenied, 403, 3),
    (Unauthenticated, 401, 3),
    (Conflict, 409, 5),
    (InvalidInput, 422, 2),
    (Unavailable, 503, 75),
)
UNKNOWN_FAMILY_STATUS: Final = 400
UNKNOWN_FAMILY_EXIT: Final = 1
EXIT_CODES: Final[Mapping[int, int]] = MappingProxyType(
    {status: exit_code for _family, status, exit_code in FAMILIES}
)


def status_for(error: DomainError) -> int:
    """The HTTP status of `error`'s family (400 for a bare `DomainError`)."""
    for family, status, _exit_code in FAMILIES:
        if isinstance(error, family):
            return status
    return UNKNOWN_FAMILY_STATUS


def exit_code_for(error: DomainError) -> int:
    """The CLI exit code of `error`'s family (1 for a bare `DomainError`)."""
    for family, _status, exit_code in FAMILIES:
        if isinstance(error, family):
            return exit_code
    return UNKNOWN_FAMILY_EXIT


def error_body(error: DomainError) -> dict[str, Any]:
    """The JSON body of an API error: `{"error", "code", "detail"}`."""
    return {"error": type(error).__name__, "code": error.code, "detail": error.detail}
