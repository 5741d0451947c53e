"""Amounts and quantities that no ledger holds (issue 9, sec9 brief item 3):
1e308, inf, nan, negative, absurdly large or 5,000 digits in financing and
coordination, through the JSON API and the forms: 422 naming the field (API) or
an error next to the field with the input kept (form); never a 500, never stored.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.coordination.models import ActivityReport
from puente.core import db as core_db
from puente.core import inputs
from puente.financing import service
from puente.financing.models import FundingFlow
from tests.conftest import CSRF
from tests.financing.test_pledges import plan_id  # noqa: F401 - fixture

Login = Callable[[TestClient, str], TestClient]


def _raw(body: dict[str, Any], field: str, literal: str) -> str:
    """`body` as JSON with `field` set to a bare literal (NaN, Infinity, 1e308)."""
    text = json.dumps({**body, field: "__X__"})
    return text.replace('"__X__"', literal)


HOSTILE_TEXT = ["1e308", "inf", "Infinity", "NaN", "-5", "0", "1" + "0" * 5000, "1e20"]
HOSTILE_JSON = ["1e308", "Infinity", "NaN", "-5", "0", "1e20", "1e999"]
# A bare 5,000-digit number cannot be read as JSON at all (Python's int limit):
# 400 "could not be read", still never a 500 and never stored.
HUGE = "1" + "0" * 5000


@pytest.mark.parametrize("field", ["amount", "quantity"])
def test_a_number_too_long_to_read_is_a_400(
    client: TestClient, token_for: Callable[[str], str], field: str
) -> None:
    answer = client.post(
        "/api/v1/financing/flows",
        content=_raw({"currency": "USD"}, field, HUGE),
        headers={
            "Authorization": f"Bearer {token_for('coordinator.hub')}",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "BadRequest"


def _flows(session: Session) -> int:
    session.expire_all()
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    return session.scalar(select(func.count()).select_from(FundingFlow)) or 0


def _reports(session: Session) -> int:
    session.expire_all()
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    return session.scalar(select(func.count()).select_from(ActivityReport)) or 0


def _fields(answer: Any) -> set[str]:
    return {str(error["loc"][-1]) for error in answer.json()["detail"]}


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_the_parsers_refuse_what_no_ledger_holds(text: str) -> None:
    assert inputs.amount(text) is None
    if text not in ("0",):
        assert inputs.quantity(text) is None or text == "1e20"
    assert inputs.amount("12,500.50") is not None
    assert inputs.quantity("2,5") == 2.5


@pytest.mark.parametrize("literal", HOSTILE_JSON)
@pytest.mark.parametrize("field", ["amount", "amount_usd", "usd_per_unit"])
def test_the_flow_api_answers_422_naming_the_field(
    financing_demo: str,
    client: TestClient,
    token_for: Callable[[str], str],
    session: Session,
    field: str,
    literal: str,
) -> None:
    org = service.find_organisation(session, "Government of Canada")
    assert org is not None
    body = {
        "source_organisation_id": str(org.id),
        "amount": "100",
        "currency": "USD",
        "flow_date": "2024-07-01",
    }
    before = _flows(session)
    answer = client.post(
        "/api/v1/financing/flows",
        content=_raw(body, field, literal),
        headers={
            "Authorization": f"Bearer {token_for('coordinator.hub')}",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 422, answer.text
    assert field in _fields(answer)
    assert _flows(session) == before


@pytest.mark.parametrize("literal", HOSTILE_JSON)
def test_the_pledge_api_answers_422(
    financing_demo: str,
    client: TestClient,
    token_for: Callable[[str], str],
    session: Session,
    plan_id: uuid.UUID,  # noqa: F811 - the fixture
    literal: str,
) -> None:
    before = _flows(session)
    headers = {
        "Authorization": f"Bearer {token_for('donor.can')}",
        "Content-Type": "application/json",
    }
    url = f"/api/v1/financing/early-warning-plans/{plan_id}/pledges"
    amount = client.post(
        url, content=_raw({"sector": "wash"}, "amount", literal), headers=headers
    )
    assert amount.status_code == 422, amount.text
    assert "amount" in _fields(amount)
    line = {"line_id": str(uuid.uuid4()), "quantity": "__Q__"}
    quantity = client.post(
        url,
        content=json.dumps({"sector": "wash", "amount": 10, "lines": [line]}).replace(
            '"__Q__"', literal
        ),
        headers=headers,
    )
    assert quantity.status_code in (422, 404), quantity.text
    if literal not in ("1e20",):  # 1e20 is a number: the line is then unknown
        assert quantity.status_code == 422
        assert "quantity" in _fields(quantity)
    assert _flows(session) == before


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_the_flow_form_keeps_the_input_and_names_the_field(
    financing_demo: str,
    client: TestClient,
    login_as: Login,
    session: Session,
    text: str,
) -> None:
    login_as(client, "coordinator.hub")
    org = service.find_organisation(session, "Government of Canada")
    assert org is not None
    before = _flows(session)
    answer = client.post(
        "/financing/flows/new",
        data={
            **CSRF,
            "source_organisation_id": str(org.id),
            "amount": text,
            "currency": "USD",
            "flow_date": "2024-07-01",
            "description": "Kept text",
        },
    )
    assert answer.status_code == 422
    assert 'id="amount-error"' in answer.text
    assert f'value="{text}"' in answer.text
    assert "Kept text" in answer.text
    assert _flows(session) == before


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_the_pledge_form_refuses_with_its_message(
    financing_demo: str,
    client: TestClient,
    login_as: Login,
    session: Session,
    plan_id: uuid.UUID,  # noqa: F811 - the fixture
    text: str,
) -> None:
    login_as(client, "donor.can")
    before = _flows(session)
    url = f"/financing/response-plans/{plan_id}/pledge"
    amount = client.post(url, data={**CSRF, "sector": "wash", "amount": text})
    assert amount.status_code == 422, amount.text[:300]
    assert "greater than zero" in amount.text
    assert 'value="' + text[:200] + '"' in amount.text  # the form keeps it
    if text != "0":  # a zero quantity is an empty line, not an error
        line = f"q_{uuid.uuid4()}"
        quantity = client.post(
            url, data={**CSRF, "sector": "wash", "amount": "10", line: text}
        )
        assert quantity.status_code == 422, quantity.text[:300]
        assert "Write quantities as numbers" in quantity.text
    assert _flows(session) == before


@pytest.mark.parametrize("literal", HOSTILE_JSON)
def test_the_5w_api_answers_422_naming_the_field(
    client: TestClient,
    token_for: Callable[[str], str],
    session: Session,
    literal: str,
) -> None:
    body = {
        "organisation": "UNHCR",
        "indicator": "PRO-01",
        "country": "COL",
        "month": "2024-01-01",
        "population_type": "in_destination",
        "women": 10,
    }
    before = _reports(session)
    answer = client.post(
        "/api/v1/coordination/reports",
        content=_raw(body, "women", literal),
        headers={
            "Authorization": f"Bearer {token_for('coordinator.hub')}",
            "Content-Type": "application/json",
        },
    )
    if literal == "0":
        return  # zero women is a count
    assert answer.status_code == 422, answer.text
    assert "women" in _fields(answer)
    assert _reports(session) == before
