"""People errors, each in its family of `core.errors`."""

from __future__ import annotations

from puente.core.errors import Conflict, NotFound, PermissionDenied
from puente.core.i18n import N_


class PersonNotFound(NotFound):
    """Also what a person of another tenant or out of scope answers (never 403)."""

    message = N_("This person was not found.")


class HouseholdNotFound(NotFound):
    message = N_("This household was not found.")


class StaleEdit(Conflict):
    """The record changed since the editor loaded it; nothing was overwritten."""

    message = N_(
        "Someone else changed this record since you opened it. "
        "Your changes were not saved; review the current record and try again."
    )


class AlreadyMember(Conflict):
    message = N_("This person is already a member of the household.")


class SensitiveNotAllowed(PermissionDenied):
    message = N_("Your role may not see sensitive information.")
