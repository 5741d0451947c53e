"""Events the people module publishes (ids only, never personal data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from puente.identity import Actor


@dataclass(frozen=True)
class TracingConsentWithdrawn:
    """Published (in the same transaction) when a person withdraws consent to
    family tracing: whatever was sent about them to another state is withdrawn
    there too (the exchange module tells each node that received it)."""

    person_id: uuid.UUID
    tenant_code: str


@dataclass(frozen=True)
class ProtectionFactRecorded:
    """Published (in the same transaction) when a fact that bars disclosure is
    recorded: an asylum claim, refugee or stateless status, feared states, a
    protection flag. Protection withdraws at once what the fact forbids."""

    person_id: uuid.UUID
    tenant_code: str


@dataclass(frozen=True)
class OriginsNarrowing:
    """Published (in the same transaction, before anything is written) when an
    edit would replace or remove a person's nationality, other nationality,
    country of birth or habitual residence. For a protected person these bar
    disclosure toward those states (DP-1): protection refuses the edit unless
    `actor` may withdraw a protection fact and gave a `reason`. `protected` says
    whether people's own facts (flag, claim, status) already protect them."""

    person_id: uuid.UUID
    tenant_code: str
    actor: Actor
    reason: str = ""
    protected: bool = False


@dataclass(frozen=True)
class DuplicateCheckRequested:
    """Published (in the same transaction) when a person is registered, or a
    caseworker asks again: the exchange module sends the person's keyed
    encodings (never a name) to every state under an active duplicate-check
    agreement, except a state the person fled."""

    person_id: uuid.UUID
    tenant_code: str
