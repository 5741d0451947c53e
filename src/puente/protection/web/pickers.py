"""The protection pickers: a case found by the name of its person or its number,
and a service of the directory found by its kind, provider or place. Reads go
through `protection.service` (visible cases and services only); a picker lists
and never opens a case, so it writes no "case read" audit row."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session

from puente.core import i18n
from puente.identity import Actor
from puente.protection import service
from puente.protection.errors import CaseNotFound
from puente.protection.models import Case
from puente.protection.schemas import CaseView, ServiceView
from puente.protection.service._common import visible_case
from puente.protection.service._people import PersonLabel, person_labels
from puente.protection.web._shared import SERVICE_LABELS, STATE_LABELS, TYPE_LABELS
from puente.reference import country_name
from puente.reference.occupations import fold
from puente.web.pickers import LIMIT, Choice, PickerSource, register_picker


def _word(labels: Mapping[str, object], code: str) -> str:
    label = labels.get(code)
    return str(label) if label is not None else ""


def _case_choice(case: Case | CaseView, person: PersonLabel | None) -> Choice:
    name = person.name if person is not None else i18n.gettext("Case")
    hint = " · ".join(
        part
        for part in (
            i18n.gettext("case %(number)s", number=case.number),
            _word(TYPE_LABELS, case.case_type),
            _word(STATE_LABELS, case.state),
        )
        if part
    )
    return Choice(str(case.id), name, hint)


def _cases(session: Session, actor: Actor, query: str) -> list[Choice]:
    cases = service.find_cases(session, actor=actor, words=query, limit=LIMIT)
    people = person_labels(session, actor, list({c.person_id for c in cases}))
    return [_case_choice(case, people.get(case.person_id)) for case in cases]


def _case(session: Session, actor: Actor, value: str) -> Choice | None:
    try:
        case = visible_case(session, actor, uuid.UUID(value))
    except (ValueError, CaseNotFound):
        return None
    people = person_labels(session, actor, [case.person_id])
    return _case_choice(case, people.get(case.person_id))


def _service_choice(entry: ServiceView) -> Choice:
    kind = _word(SERVICE_LABELS, entry.service_type)
    label = f"{kind} · {entry.organisation_name}" if kind else entry.organisation_name
    return Choice(str(entry.id), label, f"{entry.place} · {country_name(entry.state)}")


def _services(session: Session, actor: Actor, query: str) -> list[Choice]:
    words = fold(query).split()
    found = []
    for entry in service.list_services(session, actor=actor):
        choice = _service_choice(entry)
        if all(word in fold(f"{choice.label} {choice.hint}") for word in words):
            found.append(choice)
    return found


def _service(session: Session, actor: Actor, value: str) -> Choice | None:
    for entry in service.list_services(session, actor=actor):
        if str(entry.id) == value:
            return _service_choice(entry)
    return None


register_picker(PickerSource("cases", "case:read", _cases, _case))
register_picker(PickerSource("services", "case:read", _services, _service))
