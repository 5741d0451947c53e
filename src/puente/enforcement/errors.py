"""Enforcement errors (families from `core.errors`)."""

from __future__ import annotations

from puente.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from puente.core.i18n import N_


class NetworkNotFound(NotFound):
    message = N_("Network not found.")


class EntityNotFound(NotFound):
    message = N_("Network entity not found.")


class NoEnforcementAgreement(PermissionDenied):
    message = N_("No enforcement agreement in force with that state.")


class BadEntity(InvalidInput):
    message = N_("An entity needs a known kind and a label.")


class LinkToItself(Conflict):
    message = N_("A link joins two different entities of the same network.")


class EnforcementWallMissing(Unavailable):
    """PostgreSQL: the enforcement database role is missing, the application may
    not take it, or its grants are wrong; enforcement is not served until an
    administrator fixes it (the message names the role and the command)."""

    message = N_(
        "The enforcement screens are closed: the database role %(role)s is missing "
        "or lacks its grants, so they cannot run walled off from people, protection "
        "and pathways. An administrator runs: %(command)s"
    )
    retry_after = 60
