"""A person's nationalities, country of birth and habitual residence are
protection facts for a protected person (DP-1: nothing toward any of them), so
an edit of them is judged like one (issue 9, proof9; the state machine's
`edit_origins` rule). Each sequence is replayed through the HTTP API:

- replacing a protected person's nationality is a withdrawal: a caseworker's
  plain edit is refused (403) and writes nothing, so nothing can then go toward
  the state they fled; a role with `protection:withdraw_fact` may, audited;
- a new nationality is a new feared state: what is open toward it (a referral)
  is withdrawn at once, and no tracing goes there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.protection import service
from puente.protection.models import Referral
from tests.pathways.helpers import actor as actor_of

API = "/api/v1/protection"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _protected_person(client: TestClient, token_for: Callable[[str], str]) -> str:
    """Registered with nationality NIC; a supervisor records a pending claim
    (no persecutor named: the nationality is what bars NIC)."""
    person = client.post(
        "/api/v1/people",
        json={
            "given_name": "Ana",
            "family_name": f"Lugo {uuid.uuid4().hex[:6]}",
            "sex": "F",
            "birth_date": "1988",
            "nationality": "NIC",
        },
        headers=_h(token_for("caseworker.col")),
    )
    assert person.status_code == 201, person.text
    pid = str(person.json()["id"])
    profile = client.patch(
        f"{API}/people/{pid}/profile",
        json={"claim_status": "pending"},
        headers=_h(token_for("supervisor.col")),
    )
    assert profile.status_code == 204, profile.text
    return pid


def _edit(client: TestClient, token: str, pid: str, **changes: Any) -> Any:
    seen = client.get(f"/api/v1/people/{pid}", headers=_h(token))
    assert seen.status_code == 200, seen.text
    return client.patch(
        f"/api/v1/people/{pid}",
        json={"expected_version": seen.json()["version"], **changes},
        headers=_h(token),
    )


def _trace(client: TestClient, token: str, pid: str, state: str) -> Any:
    return client.post(
        f"{API}/tracing",
        json={
            "requester_person_id": pid,
            "relationship": "sibling",
            "sought_given_name": "Rosa",
            "search_state": state,
        },
        headers=_h(token),
    )


def test_a_caseworker_cannot_move_a_protected_persons_nationality_away(
    client: TestClient, session: Session, token_for: Callable[[str], str]
) -> None:
    caseworker = token_for("caseworker.col")
    pid = _protected_person(client, token_for)
    assert _trace(client, caseworker, pid, "NIC").status_code == 403
    for changes in (
        {"nationality": "VEN"},
        {"nationality": None},
    ):
        refused = _edit(client, caseworker, pid, **changes)
        assert refused.status_code == 403, refused.text
    after = client.get(f"/api/v1/people/{pid}", headers=_h(caseworker)).json()
    assert after["nationality"] == "NIC"
    # Still barred: the edit that would have opened the way wrote nothing.
    assert _trace(client, caseworker, pid, "NIC").status_code == 403
    edits = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_id == pid, AuditEvent.action == "people:person:update"
        )
    ).all()
    assert edits == []
    # The supervisor (protection:withdraw_fact) may correct it, audited.
    supervisor = token_for("supervisor.col")
    unexplained = _edit(client, supervisor, pid, nationality="VEN")
    assert unexplained.status_code == 422, unexplained.text
    reason = "Birth certificate shows VEN " + uuid.uuid4().hex[:6]
    corrected = _edit(client, supervisor, pid, nationality="VEN", change_reason=reason)
    assert corrected.status_code == 200, corrected.text
    assert session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_id == pid, AuditEvent.action == "people:person:update"
        )
    ).all()
    # Its own act: a withdrawal of the origins fact, audited without the reason,
    # the reason kept (encrypted) in the withdrawal history.
    withdrawn = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_id == pid,
            AuditEvent.action == "protection:profile:withdraw_fact",
        )
    ).all()
    assert len(withdrawn) == 1
    assert reason not in str(withdrawn[0].details)
    history = service.withdrawals(
        session, actor=actor_of(session, "supervisor.col"), person_id=uuid.UUID(pid)
    )
    assert [(h["fact"], h["reason"]) for h in history] == [("origins", reason)]


def test_a_new_nationality_withdraws_what_is_open_toward_it(
    client: TestClient, session: Session, token_for: Callable[[str], str]
) -> None:
    caseworker = token_for("caseworker.col")
    pid = _protected_person(client, token_for)
    case = client.post(f"{API}/cases", json={"person_id": pid}, headers=_h(caseworker))
    assert case.status_code == 201, case.text
    entry = service.add_service(
        session,
        actor=actor_of(session, "supervisor.col"),
        slug=f"ven-legal-{uuid.uuid4().hex[:6]}",
        organisation_name="Legal aid VEN",
        state="VEN",
        service_type="legal_aid",
        place="Caracas",
        languages=["es"],
    )
    session.commit()
    referral = client.post(
        f"{API}/referrals",
        json={
            "case_id": case.json()["id"],
            "service_id": str(entry.id),
            "purpose": "legal aid",
            "shared_fields": ["identity"],
            "consent_until": str(
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
            ),
        },
        headers=_h(caseworker),
    )
    assert referral.status_code == 201, referral.text
    assert referral.json()["status"] == "sent"
    widened = _edit(client, caseworker, pid, other_nationalities=["VEN"])
    assert widened.status_code == 200, widened.text
    stored = session.get(Referral, uuid.UUID(referral.json()["id"]))
    assert stored is not None
    session.refresh(stored)
    assert stored.status == "withdrawn"
    assert _trace(client, caseworker, pid, "VEN").status_code == 403
    assert _trace(client, caseworker, pid, "HND").status_code == 201
