"""Protection screens: render for the right roles, forms need CSRF, a stale case
edit answers 409 and keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.identity.permissions import Actor
from puente.protection import service
from tests.conftest import CSRF
from tests.protection.conftest import Register


def test_case_list_and_detail_render(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    session: Session,
    caseworker: Actor,
    register: Register,
) -> None:
    case = service.open_case(session, actor=caseworker, person_id=register())
    session.commit()
    login_as(client, "caseworker.col")
    listing = client.get("/protection")
    assert listing.status_code == 200
    assert case.number in listing.text
    detail = client.get(f"/protection/cases/{case.id}")
    assert detail.status_code == 200
    assert 'id="timeline"' in detail.text


def test_screening_form_shows_the_versioned_questions(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    session: Session,
    register: Register,
) -> None:
    person = register()
    session.commit()
    login_as(client, "caseworker.col")
    page = client.get(f"/protection/screen/{person}")
    assert page.status_code == 200
    assert 'name="is_separated"' in page.text
    assert 'name="sa_lgbtqi"' in page.text
    result = client.post(
        f"/protection/screen/{person}",
        data={**CSRF, "is_child": "yes", "is_separated": "yes", "sa_lgbtqi": "yes"},
    )
    # The consent-gated answer was dropped: no consent was given.
    assert result.status_code == 201
    assert 'data-flag="separated_child"' in result.text


def test_a_stale_edit_answers_409_and_keeps_the_input(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    session: Session,
    caseworker: Actor,
    register: Register,
) -> None:
    case = service.open_case(session, actor=caseworker, person_id=register())
    stale_version = case.version
    service.update_case(
        session,
        actor=caseworker,
        case_id=case.id,
        expected_version=stale_version,
        summary="someone else",
    )
    session.commit()
    login_as(client, "caseworker.col")
    response = client.post(
        f"/protection/cases/{case.id}/edit",
        data={**CSRF, "version": str(stale_version), "summary": "my careful words"},
    )
    assert response.status_code == 409
    assert "my careful words" in response.text


def test_an_analyst_cannot_open_the_case_list(
    client: TestClient, login_as: Callable[[TestClient, str], TestClient]
) -> None:
    login_as(client, "analyst.hub")
    assert client.get("/protection", follow_redirects=False).status_code == 403
