"""People errors, each in its family of `core.errors`."""

from __future__ import annotations

from puente.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
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


# --- duplicate review queue ------------------------------------------------------


class CandidateNotFound(NotFound):
    message = N_("This possible duplicate was not found.")


class MergeNotFound(NotFound):
    message = N_("This merge was not found.")


class AlreadyDecided(Conflict):
    message = N_("This possible duplicate has already been decided.")


class MergeAlreadyUndone(Conflict):
    message = N_("This merge has already been undone.")


class OriginChangeReasonMissing(InvalidInput):
    """Replacing or removing a protected person's nationality or former residence
    weakens a protection fact: like any withdrawal, it needs a reason."""

    message = N_(
        "This person is under protection: replacing or removing a nationality, "
        "country of birth or habitual residence needs a reason."
    )


class TooFewPersons(InvalidInput):
    message = N_("At least %(count)s persons are needed to look for duplicates.")
