"""No dead ends: a person's page leads to screening and a case, a case to its
person, each action confirms itself and offers what comes next; closing a case
asks for a confirmation and a reason, kept on its timeline."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.identity.permissions import Actor
from puente.protection import service
from tests.conftest import CSRF
from tests.protection.conftest import Register


def test_person_page_leads_to_screening_and_to_a_case(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    session: Session,
    register: Register,
) -> None:
    person = register()
    session.commit()
    login_as(client, "caseworker.col")
    page = client.get(f"/people/{person}").text
    assert f'href="/protection/screen/{person}"' in page
    assert 'id="open-case"' in page
    opened = client.post(
        "/protection/cases",
        data={**CSRF, "person_id": str(person)},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    assert opened.headers["location"].endswith("?done=opened")
    case_page = client.get(opened.headers["location"]).text
    assert 'data-done="opened"' in case_page
    assert f'href="/people/{person}" id="case-person"' in case_page
    assert "Case opened" in case_page  # the timeline, in words
    assert "opened ·" not in case_page


def test_the_case_list_offers_a_new_case_and_the_menu_approvals(
    client: TestClient, login_as: Callable[[TestClient, str], TestClient]
) -> None:
    login_as(client, "caseworker.col")
    listing = client.get("/protection").text
    assert 'id="new-case"' in listing
    assert 'href="/protection/approvals"' not in listing  # not a caseworker's job
    login_as(client, "supervisor.col")
    assert '<li><a href="/protection/approvals"' in client.get("/protection").text


def test_closing_a_case_needs_a_confirmed_reason_kept_on_its_timeline(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    session: Session,
    caseworker: Actor,
    supervisor: Actor,
    register: Register,
) -> None:
    case = service.open_case(session, actor=caseworker, person_id=register())
    service.move_case(session, actor=caseworker, case_id=case.id, target="closure")
    service.request_approval(session, actor=caseworker, case_id=case.id, kind="closure")
    service.decide_approval(
        session, actor=supervisor, case_id=case.id, kind="closure", approve=True
    )
    session.commit()
    login_as(client, "caseworker.col")
    page = client.get(f"/protection/cases/{case.id}").text
    assert 'id="close-form"' in page
    assert 'id="close-confirm"' in page
    url = f"/protection/cases/{case.id}/move"
    refused = client.post(url, data={**CSRF, "target": "closed", "reason": "  "})
    assert refused.status_code == 422
    assert 'id="case-error"' in refused.text
    assert 'id="close-form"' in refused.text  # the same page, not an error page
    closed = client.post(
        url,
        data={**CSRF, "target": "closed", "reason": "Moved on", "confirm": "yes"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    after = client.get(closed.headers["location"]).text
    assert 'data-done="closed"' in after
    assert "Reason for closing: Moved on" in after
    assert "Closure → Closed" in after


def test_the_return_form_keeps_what_was_typed_and_words_its_facts(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    session: Session,
    register: Register,
) -> None:
    person = register()
    session.commit()
    login_as(client, "protection.col")
    form = client.get(f"/protection/returns?person_id={person}").text
    assert 'id="return-person"' in form  # the person by name, no id to type
    assert "Risk of torture found" in form
    assert ">torture_risk_found<" not in form
    bad = client.post(
        "/protection/returns",
        data={**CSRF, "person_id": str(person), "expressed_fear": "yes"},
    )
    assert bad.status_code == 422
    assert 'id="destination-error"' in bad.text
    assert (
        'id="fact-expressed_fear" name="expressed_fear" value="yes" checked' in bad.text
    )
    good = client.post(
        "/protection/returns",
        data={**CSRF, "person_id": str(person), "destination": "VEN"},
        follow_redirects=False,
    )
    assert good.status_code == 303
