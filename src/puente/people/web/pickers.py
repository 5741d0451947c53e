"""The people picker: a person found by name (any order, accents folded) and
optionally a birth year typed among the words; shown as the name with the birth
year and nationality, never an id. Tenant walls and roles apply through
`people.service`; the words typed are never logged."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.orm import Session

from puente.core import i18n
from puente.identity import Actor
from puente.people import service
from puente.people.schemas import PersonFilter, PersonSummary
from puente.reference import country_name
from puente.web.pickers import Choice, PickerSource, register_picker

_YEAR = re.compile(r"^(1[89]|20)[0-9]{2}$")
_SCAN = 50


def person_hint(birth_date: str | None, nationality: str | None) -> str:
    """The words that tell two people of one name apart: birth year, nationality."""
    parts = []
    if birth_date:
        parts.append(i18n.gettext("born %(year)s", year=birth_date[:4]))
    if nationality:
        parts.append(country_name(nationality))
    return " · ".join(parts)


def _choice(person: PersonSummary) -> Choice:
    name = f"{person.given_name} {person.family_name}".strip()
    return Choice(
        str(person.id), name, person_hint(person.birth_date, person.nationality)
    )


def _search(session: Session, actor: Actor, query: str) -> list[Choice]:
    words = query.split()
    years = [w for w in words if _YEAR.match(w)]
    names = " ".join(w for w in words if not _YEAR.match(w))
    if not names:
        return []
    page = service.list_people(
        session, actor=actor, filters=PersonFilter(name=names, limit=_SCAN)
    )
    found = [
        p
        for p in page.items
        if not years or (p.birth_date or "").startswith(tuple(years))
    ]
    return [_choice(p) for p in found]


def _resolve(session: Session, actor: Actor, value: str) -> Choice | None:
    try:
        person_id = uuid.UUID(value)
    except ValueError:
        return None
    found = service.get_people(session, actor=actor, person_ids=[person_id])
    return _choice(found[0]) if found else None


register_picker(PickerSource("people", "person:read", _search, _resolve))
