"""Registry-wide duplicates: scan with a model trained once, review queue with
the field-by-field comparison, merge that keeps both histories, undo, walls."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.errors import PermissionDenied
from puente.identity import Actor
from puente.identity.service import actor_for, get_user_by_username
from puente.people import PersonCreate, register_person
from puente.people.errors import CandidateNotFound
from puente.people.models import (
    DuplicateCandidate,
    DuplicateModel,
    PersonMerge,
    Registration,
)
from puente.people.service import duplicates
from tests.conftest import CSRF

GIVEN = [
    "María",
    "José",
    "Luis",
    "Ana",
    "Carlos",
    "Rosa",
    "Jean",
    "Wideline",
    "Pedro",
    "Lucía",
    "Miguel",
    "Carmen",
    "Jorge",
    "Elena",
    "Raúl",
    "Yelitza",
    "Andreína",
    "Wilmer",
    "Fabienne",
    "Roseline",
    "Daniela",
    "Jesús",
    "Sofía",
    "Valentina",
    "Mateo",
    "Santiago",
    "Camila",
    "Isabela",
    "Thiago",
    "Gabriel",
]
FAMILY = [
    "García",
    "Rodríguez",
    "Pérez",
    "Gómez",
    "Silva",
    "Pierre",
    "Joseph",
    "Martínez",
    "López",
    "Díaz",
    "Torres",
    "Ramírez",
    "Flores",
    "Désir",
    "Saint-Fleur",
    "Mendoza",
    "Castillo",
    "Rojas",
    "Vargas",
    "Souza",
    "Lima",
    "Oliveira",
    "Jean-Baptiste",
    "Charles",
    "Morales",
    "Ortiz",
    "Herrera",
]


def actor(session: Session, username: str) -> Actor:
    return actor_for(get_user_by_username(session, username))


def _variant(row: tuple[str, ...], *, strip: bool) -> tuple[str, str]:
    """The same name as re-typed elsewhere: accents lost, second surname dropped."""
    given, family = row[1], row[2].split(" ")[0]
    if strip:
        table = str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU")
        given, family = given.translate(table), family.translate(table)
    return given, family


def _swap(birth: str) -> str:
    year, month, day = birth.split("-")
    return f"{year}-{day}-{month}" if int(day) <= 12 else birth


def _registry(session: Session, who: Actor) -> list[tuple[str, ...]]:
    """30 distinct persons and three re-registrations with typical variations."""
    rng = random.Random(5)  # noqa: S311 - test data
    made: list[tuple[str, ...]] = []
    for index in range(30):
        given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}"
        birth = f"{1950 + index}-{index % 12 + 1:02d}-{index % 27 + 1:02d}"
        person = register_person(
            session,
            actor=who,
            data=PersonCreate(
                given_name=given, family_name=family, sex="F" if index % 2 else "M",
                birth_date=birth, country_of_birth="VEN",
            ),
        )  # fmt: skip
        made.append((str(person.id), given, family, birth, "F" if index % 2 else "M"))
    for source, given, family, birth in (
        (1, *_variant(made[1], strip=True), made[1][3][:4]),  # year only
        (10, *_variant(made[10], strip=True), made[10][3]),  # no accents
        (20, *_variant(made[20], strip=False), _swap(made[20][3])),
    ):
        register_person(
            session,
            actor=who,
            data=PersonCreate(
                given_name=given, family_name=family, sex=made[source][4],
                birth_date=birth, country_of_birth="VEN",
            ),
        )  # fmt: skip

    return made


@pytest.fixture
def supervisor(session: Session) -> Actor:
    return actor(session, "supervisor.col")


@pytest.mark.slow
def test_scan_queue_merge_and_undo(session: Session, supervisor: Actor) -> None:
    _registry(session, supervisor)
    # Re-register a copy of person 0 exactly as written, the clearest duplicate.
    first = session.scalars(
        select(DuplicateCandidate).where(DuplicateCandidate.tenant_code == "XXX")
    ).all()
    assert first == []
    scan = duplicates.find_duplicates(session, actor=supervisor)
    assert scan.model_trained
    assert scan.persons >= 33
    assert scan.pairs_compared > 0
    stored = session.scalars(
        select(DuplicateModel).where(DuplicateModel.tenant_code == "COL")
    ).one()
    trained_at = stored.trained_at
    again = duplicates.find_duplicates(session, actor=supervisor)
    assert not again.model_trained  # the model is reused, not trained again
    assert again.candidates_new == 0  # nothing is queued twice
    assert stored.trained_at == trained_at

    queue = duplicates.list_duplicates(session, actor=supervisor)
    assert queue, "the re-registrations are found"
    item = queue[0]
    fields = {f.field: f.outcome for f in item.fields}
    assert set(fields) == {
        "given_name",
        "family_name",
        "birth_date",
        "sex",
        "nationality",
    }

    kept, merged = item.person_a.id, item.person_b.id
    before = session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.person_id == kept)
    )
    merge = duplicates.merge_duplicate(
        session, actor=supervisor, candidate_id=item.id, keep_person_id=kept
    )
    assert merge.moved >= 1
    after = session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.person_id == kept)
    )
    assert after == (before or 0) + 1  # the other registration now belongs here
    assert item.id not in {
        c.id for c in duplicates.list_duplicates(session, actor=supervisor)
    }

    undone = duplicates.undo_merge(session, actor=supervisor, merge_id=merge.id)
    assert undone.undone_at is not None
    back = session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.person_id == merged)
    )
    assert back == 1
    assert item.id in {
        c.id for c in duplicates.list_duplicates(session, actor=supervisor)
    }
    tags = set(
        session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("people:%merge%"))
        )
    )
    assert {"people:person:merge", "people:person:merge_undo"} <= tags


@pytest.mark.slow
def test_other_tenant_sees_nothing_and_cannot_merge(
    session: Session, supervisor: Actor
) -> None:
    _registry(session, supervisor)
    duplicates.find_duplicates(session, actor=supervisor)
    item = duplicates.list_duplicates(session, actor=supervisor)[0]
    stranger = actor(session, "caseworker.pan")
    assert duplicates.list_duplicates(session, actor=stranger) == []
    with pytest.raises(CandidateNotFound):
        duplicates.merge_duplicate(
            session,
            actor=stranger,
            candidate_id=item.id,
            keep_person_id=item.person_a.id,
        )
    assert session.scalar(select(func.count()).select_from(PersonMerge)) == 0
    status = session.scalar(
        select(DuplicateCandidate.status).where(DuplicateCandidate.id == item.id)
    )
    assert status == "open"


def test_a_caseworker_cannot_scan_the_whole_registry(session: Session) -> None:
    caseworker = actor(session, "caseworker.col")
    with pytest.raises(PermissionDenied):
        duplicates.find_duplicates(session, actor=caseworker)
    assert session.scalar(select(func.count()).select_from(DuplicateModel)) == 0


@pytest.mark.slow
def test_review_screen_in_words_merge_and_undo(
    session: Session,
    supervisor: Actor,
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
) -> None:
    _registry(session, supervisor)
    duplicates.find_duplicates(session, actor=supervisor)
    session.commit()
    item = duplicates.list_duplicates(session, actor=supervisor)[0]
    login_as(client, "supervisor.col")
    client.cookies.set("puente_lang", "es")
    page = client.get("/people/duplicates/queue")
    assert page.status_code == 200
    text = page.text
    assert "Fecha de nacimiento" in text  # field names in words, in Spanish
    visible_text = re.sub(r"<[^>]+>", " ", text)
    for code in (">match<", ">partial<", ">mismatch<", ">blank<", str(item.id)):
        assert code not in visible_text
    merged = client.post(
        f"/people/duplicates/{item.id}/merge",
        data={**CSRF, "keep": str(item.person_a.id)},
        follow_redirects=False,
    )
    assert merged.status_code == 303
    merge = session.scalars(select(PersonMerge)).one()
    assert merge.kept_person_id == item.person_a.id
    undone = client.post(
        f"/people/merges/{merge.id}/undo", data=CSRF, follow_redirects=False
    )
    assert undone.status_code == 303
    session.refresh(merge)
    assert merge.undone_at is not None


def test_the_queue_page_is_refused_to_roles_without_review(
    client: TestClient, login_as: Callable[[TestClient, str], TestClient]
) -> None:
    login_as(client, "analyst.hub")
    assert client.get("/people/duplicates/queue").status_code == 403
