"""Exchange errors (families from `core.errors`)."""

from __future__ import annotations

from puente.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from puente.core.i18n import N_


class AgreementNotFound(NotFound):
    message = N_("This agreement does not exist.")


class PeerNotFound(NotFound):
    message = N_("This state is not a peer of this node.")


class InvalidTerms(InvalidInput):
    message = N_("These agreement terms are not valid: check %(field)s.")


class NotAParty(PermissionDenied):
    message = N_("Your state is not a party to this agreement.")


class AlreadySigned(Conflict):
    message = N_("Your state has already signed this agreement.")


class AgreementClosed(Conflict):
    message = N_("This agreement is revoked or expired.")


class EnvelopeRefused(PermissionDenied):
    # Says nothing about why: the answer reaches the sender.
    message = N_("This envelope was refused.")


class NodeKeyMissing(Conflict):
    message = N_("This node's exchange key is missing or unreadable.")
