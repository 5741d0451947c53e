"""Plan tasks through the JSON API: assignable organisations, move and reassign."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.early_warning.service import alerts as alert_service
from puente.identity import Organisation, system_actor
from tests.conftest import unique
from tests.early_warning.alert_factories import Firing

Token = Callable[[str], str]


def _auth(token_for: Token, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(username)}"}


def _plan(client: TestClient, session: Session, token_for: Token) -> dict[str, Any]:
    [alert] = alert_service.raise_alerts(
        session, actor=system_actor(), firings=[Firing()]
    )
    session.commit()
    created = client.post(
        f"/api/v1/early-warning/alerts/{alert.id}/plan",
        headers=_auth(token_for, "coordinator.hub"),
    )
    assert created.status_code == 201
    plan: dict[str, Any] = created.json()
    return plan


def _hub_org(session: Session) -> uuid.UUID:
    # A regional organisation besides the demo's hub secretariat.
    org = Organisation(
        tenant_code="HUB", slug=unique("ngo-hub"), name="Regional NGO", kind="ngo"
    )
    session.add(org)
    session.commit()
    return org.id


class TestPlanTasksApi:
    def test_lists_assignable_organisations(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        regional = _hub_org(session)
        plan = _plan(client, session, token_for)
        found = client.get(
            f"/api/v1/early-warning/plans/{plan['id']}/organisations",
            headers=_auth(token_for, "coordinator.hub"),
        )
        assert found.status_code == 200
        orgs = found.json()
        assert str(regional) in [org["id"] for org in orgs]
        # The responding state's organisations too, on PostgreSQL under RLS
        # (organisations are a read-only regional directory, migration 0010).
        assert {org["tenant_code"] for org in orgs} == {"HUB", "PAN"}
        assert "UNHCR Panama" in {org["name"] for org in orgs}
        assert set(orgs[0]) == {"id", "name", "tenant_code", "kind", "is_regional"}

    def test_moves_and_reassigns_a_task(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        regional = _hub_org(session)
        plan = _plan(client, session, token_for)
        task = plan["tasks"][0]
        moved = client.post(
            f"/api/v1/early-warning/plans/{plan['id']}/tasks/{task['id']}",
            json={"status": "in_progress", "organisation_id": str(regional)},
            headers=_auth(token_for, "coordinator.hub"),
        )
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert (body["status"], body["organisation_id"], body["organisation"]) == (
            "in_progress",
            str(regional),
            "Regional NGO",
        )

    def test_refuses_another_states_organisation(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        plan = _plan(client, session, token_for)
        task = plan["tasks"][0]
        colombia = session.scalars(
            select(Organisation.id).where(
                Organisation.tenant_code == "COL", Organisation.slug == "unhcr"
            )
        ).one()
        refused = client.post(
            f"/api/v1/early-warning/plans/{plan['id']}/tasks/{task['id']}",
            json={"status": "in_progress", "organisation_id": str(colombia)},
            headers=_auth(token_for, "coordinator.hub"),
        )
        assert refused.status_code == 422
        assert refused.json()["error"] == "OrganisationNotAssignable"
        after = client.get(
            f"/api/v1/early-warning/plans/{plan['id']}",
            headers=_auth(token_for, "coordinator.hub"),
        ).json()["tasks"][0]
        assert (after["status"], after["organisation_id"]) == (
            "open",
            task["organisation_id"],
        )

    def test_a_donor_cannot_move_a_task(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        plan = _plan(client, session, token_for)
        response = client.post(
            f"/api/v1/early-warning/plans/{plan['id']}/tasks/{plan['tasks'][0]['id']}",
            json={"status": "done"},
            headers=_auth(token_for, "donor.can"),
        )
        assert response.status_code == 403
