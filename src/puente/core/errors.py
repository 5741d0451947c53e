"""Domain errors. Only `app.py` and `cli.py` map them to statuses or exit codes.

```
DomainError            # base: message key + params, never an HTTP status
├── NotFound           # -> 404
├── PermissionDenied   # -> 403
├── Unauthenticated    # -> 401
├── Conflict           # -> 409
└── InvalidInput       # -> 422   business validation beyond Pydantic
```
"""

from __future__ import annotations

from typing import Any

from puente.core.i18n import N_, gettext


class DomainError(Exception):
    """Base of every expected business error.

    `message` is an English msgid (marked with `N_` for extraction); `translated()`
    renders it in the current locale with its named parameters.
    """

    message = N_("Something went wrong.")

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
        return str(self)


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
