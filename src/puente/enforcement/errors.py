"""Enforcement errors (families from `core.errors`)."""

from __future__ import annotations

from puente.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
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
