"""The people, case and service pickers: found by what a person knows, shown in
words (never an id), and walled by tenant and role like every read (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from structlog.testing import capture_logs

from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.models import Case
from tests.protection.conftest import Register
from tests.web.test_pickers import UUID_RE, radio_values, visible_text

Login = Callable[[TestClient, str], TestClient]


def pick(client: TestClient, kind: str, words: str) -> str:
    response = client.get(f"/pick/{kind}", params={"name": "f", "f__q": words})
    assert response.status_code == 200, response.text
    return response.text


class TestPeople:
    def test_found_by_name_and_birth_year_with_words_not_ids(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        family = f"Quispe{uuid.uuid4().hex[:5]}"
        older = register(given_name="Rosa", family_name=family, birth_date="1961-02-03")
        younger = register(given_name="Rosa", family_name=family, birth_date="1999")
        session.commit()
        login_as(client, "caseworker.col")
        html = pick(client, "people", f"rosa {family}")
        assert set(radio_values(html, "f")) == {str(older), str(younger)}
        text = visible_text(html)
        assert "born 1961" in text
        assert "Venezuela" in text
        assert not UUID_RE.search(text)
        assert radio_values(pick(client, "people", f"{family} 1999"), "f") == [
            str(younger)
        ]

    def test_a_colombian_caseworker_never_gets_a_panamanian_person(
        self,
        client: TestClient,
        login_as: Login,
        session: Session,
        register: Register,
        caseworker_pan: Actor,
    ) -> None:
        family = f"Wall{uuid.uuid4().hex[:6]}"
        theirs = register(caseworker_pan, given_name="Ana", family_name=family)
        session.commit()
        login_as(client, "caseworker.col")
        assert radio_values(pick(client, "people", family), "f") == []
        # Nor by posting the Panamanian's id as if chosen: it reads as nothing.
        response = client.get(
            "/pick/people", params={"name": "f", "f": str(theirs), "f__q": ""}
        )
        assert str(theirs) not in response.text
        login_as(client, "caseworker.pan")
        assert radio_values(pick(client, "people", family), "f") == [str(theirs)]

    def test_roles_without_person_read_are_refused(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        assert client.get("/pick/people", params={"f__q": "ana"}).status_code == 403

    def test_the_words_typed_are_never_logged(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        family = f"Secreto{uuid.uuid4().hex[:6]}"
        register(family_name=family)
        session.commit()
        login_as(client, "caseworker.col")
        with capture_logs() as logs:
            pick(client, "people", family)
        assert logs
        assert family.lower() not in repr(logs).lower()


class TestCases:
    def test_a_case_by_the_name_of_its_person(
        self,
        client: TestClient,
        login_as: Login,
        session: Session,
        register: Register,
        caseworker: Actor,
        caseworker_pan: Actor,
    ) -> None:
        family = f"Caso{uuid.uuid4().hex[:6]}"
        mine = service.open_case(
            session, actor=caseworker, person_id=register(family_name=family)
        )
        theirs = service.open_case(
            session,
            actor=caseworker_pan,
            person_id=register(caseworker_pan, family_name=family),
        )
        session.commit()
        login_as(client, "caseworker.col")
        html = pick(client, "cases", family)
        assert radio_values(html, "f") == [str(mine.id)]
        assert str(theirs.id) not in html
        text = visible_text(html)
        assert mine.number in text
        assert not UUID_RE.search(text)

    def test_an_old_case_behind_many_newer_ones_is_found_by_name(
        self,
        client: TestClient,
        login_as: Login,
        session: Session,
        register: Register,
        caseworker: Actor,
    ) -> None:
        """The search runs in the database: a case opened long ago, behind more
        newer cases than any screen would scan, is found by its person's name
        and by a piece of its number."""
        family = f"Antiguo{uuid.uuid4().hex[:6]}"
        old = service.open_case(
            session, actor=caseworker, person_id=register(family_name=family)
        )
        row = session.get(Case, old.id)
        assert row is not None
        row.opened_at = dt.datetime(2019, 1, 2, tzinfo=dt.UTC)
        now = dt.datetime.now(dt.UTC)
        session.add_all(
            Case(
                tenant_code="COL",
                number=f"COL-Z{uuid.uuid4().hex[:7].upper()}",
                person_id=uuid.uuid4(),
                opened_at=now,
                updated_at=now,
            )
            for _ in range(600)
        )
        session.commit()
        login_as(client, "caseworker.col")
        assert radio_values(pick(client, "cases", family), "f") == [str(old.id)]
        number = old.number.lower()  # typed without capitals
        assert radio_values(pick(client, "cases", number), "f") == [str(old.id)]


class TestServices:
    def test_a_service_by_kind_or_place(
        self, client: TestClient, login_as: Login, session: Session, caseworker: Actor
    ) -> None:
        entry = service.add_service(
            session,
            actor=caseworker,
            slug=f"pick-{uuid.uuid4().hex[:8]}",
            organisation_name="Casa Refugio",
            state="COL",
            service_type="shelter",
            place="Cúcuta",
            languages=["es"],
        )
        session.commit()
        login_as(client, "caseworker.col")
        html = pick(client, "services", "cucuta refugio")
        assert str(entry.id) in radio_values(html, "f")
        text = visible_text(html)
        assert "Shelter · Casa Refugio" in text
        assert not re.search(r"\bshelter\b", text)
        login_as(client, "caseworker.pan")
        assert str(entry.id) not in pick(client, "services", "cucuta refugio")
