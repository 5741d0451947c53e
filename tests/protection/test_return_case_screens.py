"""Return case screens: reached from the protection pages by clicking, a child is
marked received only with a named caregiver or authority, forms keep what was
typed and name the field at fault, follow-ups show the sustainability score."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.identity.permissions import Actor
from tests.conftest import CSRF
from tests.protection.conftest import Register
from tests.protection.test_return_cases import _approved_child

LoginAs = Callable[[TestClient, str], TestClient]
PLACE = "Centro de Atención al Migrante Retornado, San Pedro Sula"


def _open_from_decision(client: TestClient, decision_id: object) -> str:
    page = client.get(f"/protection/returns/{decision_id}")
    assert page.status_code == 200
    assert 'id="open-return-case"' in page.text
    opened = client.post(
        f"/protection/returns/{decision_id}/case", data=CSRF, follow_redirects=False
    )
    assert opened.status_code == 303
    url = opened.headers["location"]
    assert re.fullmatch(r"/protection/return-cases/[0-9a-f-]{36}", url)
    return url


def test_child_reception_plan_and_follow_up_through_the_screens(
    session: Session,
    caseworker: Actor,
    supervisor: Actor,
    register: Register,
    client: TestClient,
    login_as: LoginAs,
) -> None:
    decision_id = _approved_child(session, caseworker, supervisor, register)
    session.commit()
    login_as(client, "supervisor.col")
    assert 'href="/protection/return-cases"' in client.get("/protection").text
    url = _open_from_decision(client, decision_id)
    listing = client.get("/protection/return-cases")
    assert url in listing.text
    assert "Waiting for reception" in listing.text

    # No caregiver or authority: refused, the typed place kept, the field named.
    refused = client.post(
        f"{url}/reception",
        data={
            **CSRF,
            "arrival_date": "2026-11-02",
            "place": PLACE,
            "receiving_party": "DINAF",
            "mark_received": "yes",
        },
    )
    assert refused.status_code == 409
    assert 'id="caregiver-error"' in refused.text
    assert PLACE in refused.text
    assert 'data-status="opened"' in refused.text
    # A missing place names the place; what was typed stays.
    missing = client.post(
        f"{url}/reception",
        data={**CSRF, "arrival_date": "2026-11-02", "receiving_party": "DINAF"},
    )
    assert missing.status_code == 422
    assert 'id="place-error"' in missing.text
    assert 'value="DINAF"' in missing.text
    received = client.post(
        f"{url}/reception",
        data={
            **CSRF,
            "arrival_date": "2026-11-02",
            "place": PLACE,
            "receiving_party": "DINAF",
            "caregiver": "Abuela materna",
            "mark_received": "yes",
        },
    )
    assert received.status_code == 200  # followed the redirect
    assert 'data-status="received"' in received.text
    assert 'value="Abuela materna"' in received.text

    # A referral without its dimension is named; the plan text stays.
    plan = {
        **CSRF,
        "economic": "Capital semilla para un puesto de comida",
        "social": "Reinscripción escolar",
        "psychosocial": "",
        "referral-0-service": "Centro de salud mental comunitario",
    }
    bad_plan = client.post(f"{url}/plan", data=plan)
    assert bad_plan.status_code == 422
    assert 'id="referral-0-dimension-error"' in bad_plan.text
    assert "Capital semilla para un puesto de comida" in bad_plan.text
    good_plan = client.post(
        f"{url}/plan", data={**plan, "referral-0-dimension": "psychosocial"}
    )
    assert 'data-status="plan_agreed"' in good_plan.text

    # A follow-up before arrival is refused on its date; a good one shows the score.
    scores = {"economic": "0.5", "social": "1", "psychosocial": "0.75"}
    early = client.post(
        f"{url}/follow-ups",
        data={**CSRF, "month": "3", "done_on": "2026-10-01", **scores},
    )
    assert early.status_code == 422
    assert 'id="done_on-error"' in early.text
    assert 'value="2026-10-01"' in early.text
    done = client.post(
        f"{url}/follow-ups",
        data={**CSRF, "month": "3", "done_on": "2027-02-02", **scores},
    )
    assert done.status_code == 200
    table = done.text.split('id="follow-ups"', 1)[1].split("</table>", 1)[0]
    assert "0.75" in table  # (0.5 + 1 + 0.75) / 3


def test_screens_speak_spanish_and_odd_input_is_4xx(
    session: Session,
    caseworker: Actor,
    supervisor: Actor,
    register: Register,
    client: TestClient,
    login_as: LoginAs,
) -> None:
    decision_id = _approved_child(session, caseworker, supervisor, register)
    session.commit()
    login_as(client, "supervisor.col")
    client.cookies.set("puente_lang", "es")
    url = _open_from_decision(client, decision_id)
    page = client.get(url)
    assert "Recepción" in page.text
    assert "Plan de reintegración" in page.text
    odd = client.post(
        f"{url}/follow-ups",
        data={**CSRF, "month": "7", "done_on": "mañana", "economic": "9"},
    )
    assert odd.status_code == 422
    assert 'id="month-error"' in odd.text
    assert 'id="fu_economic-error"' in odd.text
    assert client.get("/protection/return-cases/not-a-case").status_code == 404
