"""What cross-border tracing may encode of a person (used by the exchange module)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.identity import Actor, visible
from puente.people.models import Person
from puente.people.service._common import READ, birth_of, require


@dataclass(frozen=True)
class TracingRecord:
    """What cross-border tracing encodes of a person who consented to tracing;
    the encodings leave the node, these values never do."""

    person_id: uuid.UUID
    given_name: str
    family_name: str
    sex: str
    birth_date: str | None


def tracing_registry(session: Session, *, actor: Actor) -> list[TracingRecord]:
    """Every visible, not erased person who consented to tracing (`person:read`)."""
    require(actor, READ)
    stmt = select(Person).where(
        Person.consent_to_tracing.is_(True), Person.erased_at.is_(None)
    )
    rows = session.scalars(visible(actor, stmt, Person, READ))
    records = []
    for p in rows:
        birth = birth_of(p)
        records.append(
            TracingRecord(
                person_id=p.id,
                given_name=p.given_name,
                family_name=p.family_name,
                sex=p.sex,
                birth_date=str(birth) if birth else None,
            )
        )
    return records
