"""Saved totalisations over the JSON API: computed and kept by officers who screen
people (`pathway:screen`, as on the screens), listed per person or worker, walled to
the tenant, refused to every other role."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente import people
from puente.core.audit import AuditEvent
from puente.pathways import service
from puente.pathways.models import SavedTotalisation
from puente.pathways.rules.totalisation import RULES_VERSION
from tests.pathways.helpers import actor, workers

URL = "/api/v1/pathways/totalisations"
PERIODS: list[dict[str, Any]] = [
    {
        "state": "A",
        "years": "9",
        "scheme": {
            "minimum_years": "20",
            "reference_wage": "2000",
            "base_rate": "0.40",
            "base_years": "20",
            "rate_per_year": "0.02",
        },
    },
    {
        "state": "B",
        "years": "13",
        "scheme": {
            "minimum_years": "15",
            "reference_wage": "1500",
            "rate_per_year": "0.016",
        },
    },
]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _person(session: Session, username: str = "caseworker.col") -> uuid.UUID:
    created = people.register_person(
        session,
        actor=actor(session, username),
        data=people.PersonCreate(given_name="Ana", family_name="Pérez", sex="F"),
    )
    session.commit()
    return created.id


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count(SavedTotalisation.id))) or 0)


class TestRoundTrip:
    def test_saved_then_read_and_listed_for_the_person(
        self, client: TestClient, token_for: Callable[[str], str], session: Session
    ) -> None:
        headers = auth(token_for("pathways.col"))
        person_id = _person(session)
        computed = client.post(
            "/api/v1/pathways/totalisation", json={"periods": PERIODS}, headers=headers
        )
        assert computed.status_code == 200
        response = client.post(
            URL,
            json={"periods": PERIODS, "person_id": str(person_id)},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        saved = response.json()
        assert saved["person_id"] == str(person_id)
        assert saved["worker_id"] is None
        assert saved["rule_version"] == RULES_VERSION
        assert saved["result"] == computed.json()  # computed here, the same way
        assert saved["request"]["periods"][0]["state"] == "A"
        again = client.get(f"{URL}/{saved['id']}", headers=headers)
        assert again.status_code == 200
        assert again.json() == saved
        listed = client.get(URL, params={"person_id": str(person_id)}, headers=headers)
        assert listed.status_code == 200
        assert [t["id"] for t in listed.json()] == [saved["id"]]
        other = client.get(
            URL, params={"person_id": str(uuid.uuid4())}, headers=headers
        )
        assert other.json() == []
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.action.like("pathways:totalisation:%")
            )
        ).all()
        assert {
            "pathways:totalisation:create",
            "pathways:totalisation:read",
            "pathways:totalisation:list",
        } <= set(actions)

    def test_listed_for_a_worker(
        self, client: TestClient, token_for: Callable[[str], str], session: Session
    ) -> None:
        workers(session)
        officer = actor(session, "pathways.col")
        worker = service.find_worker(session, actor=officer, worker_ref="T-W0-9211")
        session.commit()
        headers = auth(token_for("pathways.col"))
        for_worker = client.post(
            URL,
            json={"periods": PERIODS, "worker_id": str(worker.id)},
            headers=headers,
        )
        assert for_worker.status_code == 201, for_worker.text
        assert for_worker.json()["worker_ref"] == "T-W0-9211"
        unrelated = client.post(URL, json={"periods": PERIODS}, headers=headers)
        assert unrelated.status_code == 201
        listed = client.get(URL, params={"worker_id": str(worker.id)}, headers=headers)
        assert [t["id"] for t in listed.json()] == [for_worker.json()["id"]]
        everything = client.get(URL, headers=headers).json()
        assert {t["id"] for t in everything} >= {
            for_worker.json()["id"],
            unrelated.json()["id"],
        }


class TestRefusals:
    def test_another_state_gets_404_and_an_empty_list(
        self, client: TestClient, token_for: Callable[[str], str], session: Session
    ) -> None:
        saved = client.post(
            URL, json={"periods": PERIODS}, headers=auth(token_for("pathways.col"))
        ).json()
        brazil = auth(token_for("pathways.bra"))
        response = client.get(f"{URL}/{saved['id']}", headers=brazil)
        assert response.status_code == 404
        assert response.json()["error"] == "TotalisationNotFound"
        assert client.get(URL, headers=brazil).json() == []

    def test_a_person_of_another_state_is_not_found_and_nothing_is_kept(
        self, client: TestClient, token_for: Callable[[str], str], session: Session
    ) -> None:
        panama_person = _person(session, "caseworker.pan")
        before = _count(session)
        response = client.post(
            URL,
            json={"periods": PERIODS, "person_id": str(panama_person)},
            headers=auth(token_for("pathways.col")),
        )
        assert response.status_code == 404
        assert _count(session) == before

    @pytest.mark.parametrize("username", ["employer.can", "focal_point.col"])
    def test_roles_without_the_permission_get_403(
        self,
        client: TestClient,
        token_for: Callable[[str], str],
        session: Session,
        username: str,
    ) -> None:
        saved = client.post(
            URL, json={"periods": PERIODS}, headers=auth(token_for("pathways.col"))
        ).json()
        before = _count(session)
        headers = auth(token_for(username))
        assert client.get(URL, headers=headers).status_code == 403
        assert client.get(f"{URL}/{saved['id']}", headers=headers).status_code == 403
        posted = client.post(URL, json={"periods": PERIODS}, headers=headers)
        assert posted.status_code == 403
        assert _count(session) == before
        # the calculator itself stays open to them (`pathway:read`)
        calculated = client.post(
            "/api/v1/pathways/totalisation", json={"periods": PERIODS}, headers=headers
        )
        assert calculated.status_code == 200

    def test_without_a_token_401(self, client: TestClient) -> None:
        assert client.get(URL).status_code == 401
        assert client.post(URL, json={"periods": PERIODS}).status_code == 401

    def test_bad_input_is_a_422(
        self, client: TestClient, token_for: Callable[[str], str], session: Session
    ) -> None:
        headers = auth(token_for("pathways.col"))
        unknown = client.post(
            URL, json={"periods": PERIODS, "name": "Ana"}, headers=headers
        )
        assert unknown.status_code == 422
        scheme = dict(PERIODS[0]["scheme"], reference_wage="1e15")
        huge = [dict(PERIODS[0], years="30", scheme=scheme)]
        too_large = client.post(URL, json={"periods": huge}, headers=headers)
        assert too_large.status_code == 422
        assert too_large.json()["error"] == "TotalisationTooLarge"
        assert _count(session) == 0
