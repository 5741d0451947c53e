"""Return, consular and tracing forms pick the person by name (never a record id)
and keep everything typed when a field is wrong, with the error beside it; a no-JS
search posts the form back with the choices and writes nothing (issue 11)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.protection.models import (
    ConsularNotification,
    ReturnDecision,
    TracingRequest,
)
from tests.conftest import CSRF
from tests.protection.conftest import Register

Login = Callable[[TestClient, str], TestClient]


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestReturnForm:
    def test_no_record_id_is_asked(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "protection.col")
        page = client.get("/protection/returns").text
        assert 'name="person_id__q"' in page
        assert 'hx-get="/pick/people"' in page
        assert "record id" not in page

    def test_search_without_js_lists_people_and_keeps_the_form(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        family = f"Retorno{uuid.uuid4().hex[:6]}"
        person = register(family_name=family)
        session.commit()
        login_as(client, "protection.col")
        before = _count(session, ReturnDecision)
        response = client.post(
            "/protection/returns",
            data={
                **CSRF,
                "_pick": "person_id",
                "person_id__q": family,
                "destination": "VEN",
                "expressed_fear": "yes",
            },
        )
        assert response.status_code == 200
        page = response.text
        assert f'name="person_id" value="{person}"' in page
        assert '<option value="VEN" selected>' in page
        assert 'name="expressed_fear" value="yes" checked' in page
        assert _count(session, ReturnDecision) == before

    def test_a_missing_person_is_named_beside_the_field_and_the_rest_kept(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "protection.col")
        before = _count(session, ReturnDecision)
        response = client.post(
            "/protection/returns",
            data={**CSRF, "destination": "VEN", "child_heard": "yes"},
        )
        assert response.status_code == 422
        assert 'id="person_id-error"' in response.text
        assert '<option value="VEN" selected>' in response.text
        assert 'name="child_heard" value="yes" checked' in response.text
        assert _count(session, ReturnDecision) == before


class TestConsularForm:
    def test_a_bad_field_keeps_the_chosen_person_and_writes_nothing(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        person = register(given_name="Lucía", family_name="Consular Test")
        session.commit()
        login_as(client, "caseworker.col")
        assert "record id" not in client.get("/protection/consular").text
        before = _count(session, ConsularNotification)
        response = client.post(
            "/protection/consular",
            data={
                **CSRF,
                "person_id": str(person),
                "detained_at": "not a time",
                "wish": "declines",
            },
        )
        assert response.status_code == 422
        assert 'id="c-detained-error"' in response.text
        assert "Lucía Consular Test" in response.text
        assert '<option value="declines" selected>' in response.text
        assert _count(session, ConsularNotification) == before


class TestTracingForm:
    def test_without_the_person_asking_everything_typed_stays(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        assert "record id" not in client.get("/protection/tracing").text
        before = _count(session, TracingRequest)
        response = client.post(
            "/protection/tracing",
            data={
                **CSRF,
                "relationship": "sibling",
                "sought_given_name": "Yohana",
                "sought_family_name": "Pérez",
                "last_seen_place": "Necoclí",
            },
        )
        assert response.status_code == 422
        assert 'id="requester_person_id-error"' in response.text
        assert 'value="Yohana"' in response.text
        assert 'value="Necoclí"' in response.text
        assert '<option value="sibling" selected>' in response.text
        assert _count(session, TracingRequest) == before

    def test_the_person_asking_is_picked_and_the_request_opens(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        person = register()
        session.commit()
        login_as(client, "caseworker.col")
        before = _count(session, TracingRequest)
        response = client.post(
            "/protection/tracing",
            data={
                **CSRF,
                "requester_person_id": str(person),
                "relationship": "sibling",
                "sought_given_name": "Yohana",
                "sought_family_name": "Pérez",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert _count(session, TracingRequest) == before + 1


class TestScreeningForm:
    def test_specific_needs_are_ticked_by_label_not_typed(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        person = register()
        session.commit()
        login_as(client, "caseworker.col")
        page = client.get(f"/protection/screen/{person}").text
        assert 'type="checkbox" id="q-specific_needs-CR" name="specific_needs"' in page
        assert "UNHCR codes separated by commas" not in page
        assert "Child at risk" in page

    def test_one_bad_code_keeps_every_answer_and_writes_nothing(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        from puente.protection.models import Screening

        person = register()
        session.commit()
        login_as(client, "caseworker.col")
        before = _count(session, Screening)
        response = client.post(
            f"/protection/screen/{person}",
            data={
                **CSRF,
                "is_child": "yes",
                "is_separated": "yes",
                "specific_needs": ["CR", "ZZ-NOPE"],
            },
        )
        assert response.status_code == 422
        page = response.text
        assert 'id="screening-error"' in page
        assert 'id="q-is_child" name="is_child" value="yes" checked' in page
        assert 'id="q-is_separated" name="is_separated" value="yes" checked' in page
        assert 'name="specific_needs" value="CR" checked' in page
        assert _count(session, Screening) == before

    def test_ticked_needs_are_saved(
        self, client: TestClient, login_as: Login, session: Session, register: Register
    ) -> None:
        person = register()
        session.commit()
        login_as(client, "caseworker.col")
        response = client.post(
            f"/protection/screen/{person}",
            data={**CSRF, "specific_needs": ["CR", "SC-UM"]},
        )
        assert response.status_code == 201
