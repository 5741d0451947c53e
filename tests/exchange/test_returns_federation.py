"""Must-show, over real HTTP between two nodes (`puente federation up`, one uvicorn
process per node): COL and PAN sign a returns agreement through their own APIs; a
return approved in COL toward PAN becomes a return case that PAN's node stores for
its reception; both logs show it, and no name or person id crossed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.exchange.loopback import Federation, federation_up, until
from tests.protection.test_service_returns import ALL_CLEAR

pytestmark = pytest.mark.slow

PERSON = {"given_name": "Rubiela", "family_name": "Ospino Mejía", "sex": "F"}


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    with federation_up(
        tmp_path_factory.mktemp("returns"), ["COL", "PAN"], agreement=False
    ) as fed:
        yield fed


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _returns_agreement(fed: Federation) -> str:
    drafted = _ok(
        fed.call(
            "COL",
            "focal_point.col",
            "POST",
            "/api/v1/exchange/agreements",
            {
                "parties": ["COL", "PAN"],
                "purpose": "returns",
                "categories": ["return_case"],
                "legal_basis": "Readmission and reintegration memorandum",
                "dpia_reference": "DPIA-RET-1",
                "retention_days": 365,
                "expires_on": (
                    dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)
                ).isoformat(),
            },
        ),
        201,
    )
    agreement_id: str = drafted["id"]
    path = f"/api/v1/exchange/agreements/{agreement_id}"
    _ok(fed.call("COL", "focal_point.col", "POST", path + "/sign"))
    until(lambda: fed.call("PAN", "focal_point.pan", "GET", path).status_code == 200)
    _ok(fed.call("PAN", "focal_point.pan", "POST", path + "/sign"))
    until(
        lambda: (
            fed.call("COL", "focal_point.col", "GET", path).json()["status"] == "active"
        )
    )
    return agreement_id


class TestReturnCaseAcrossNodes:
    def test_an_approved_return_reaches_the_state_of_return(
        self, federation: Federation
    ) -> None:
        agreement_id = _returns_agreement(federation)
        person = _ok(
            federation.call(
                "COL",
                "caseworker.col",
                "POST",
                "/api/v1/people",
                PERSON | {"birth_date": "1988-07-09", "nationality": "PAN"},
            ),
            201,
        )["id"]
        decision = _ok(
            federation.call(
                "COL",
                "supervisor.col",
                "POST",
                "/api/v1/protection/returns",
                {"person_id": person, "destination": "PAN", "facts": ALL_CLEAR},
            ),
            201,
        )["id"]
        _ok(
            federation.call(
                "COL",
                "supervisor.col",
                "POST",
                f"/api/v1/protection/returns/{decision}/approve",
            )
        )
        case = _ok(
            federation.call(
                "COL",
                "supervisor.col",
                "POST",
                f"/api/v1/protection/returns/{decision}/case",
            )
        )
        assert case["shared_via"] == "exchange"

        def incoming() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = _ok(
                federation.call(
                    "PAN",
                    "supervisor.pan",
                    "GET",
                    "/api/v1/protection/incoming-returns",
                )
            )
            return [r for r in rows if r["reference"] == case["id"]]

        [stored] = until(incoming)
        assert stored["sender_state"] == "COL"
        assert stored["status"] == "awaiting_reception"
        assert stored["is_child"] is False
        sent = [e for e in federation.log("COL") if e["kind"] == "return_case"]
        received = [e for e in federation.log("PAN") if e["kind"] == "return_case"]
        assert [(e["direction"], e["peer"]) for e in sent] == [("sent", "PAN")]
        assert [(e["direction"], e["peer"]) for e in received] == [("received", "COL")]
        assert sent[0]["envelope_id"] == received[0]["envelope_id"]
        assert received[0]["agreement_id"] == agreement_id
        bodies = json.dumps([sent[0]["body"], received[0]["body"]])
        for value in [person, *PERSON.values(), "Ospino", "1988-07-09"]:
            if value == "F":
                continue
            assert value not in bodies, value

        # Panama receives her; Colombia's case reads received, told by Panama.
        place, receiver = "Aeropuerto de Tocumen", "Migración Panamá " + person[:4]
        _ok(
            federation.call(
                "PAN",
                "supervisor.pan",
                "PUT",
                f"/api/v1/protection/incoming-returns/{stored['id']}/reception",
                {"arrival_date": "2026-12-20", "place": place,
                 "receiving_party": receiver},
            )
        )  # fmt: skip

        def confirmed() -> dict[str, Any] | None:
            read: dict[str, Any] = _ok(
                federation.call(
                    "COL",
                    "supervisor.col",
                    "GET",
                    f"/api/v1/protection/return-cases/{case['id']}",
                )
            )
            return read if read["reception_confirmed_at"] else None

        done = until(confirmed)
        assert (done["status"], done["arrival_date"]) == ("received", "2026-12-20")
        reported = [e for e in federation.log("COL") if e["kind"] == "return_reception"]
        assert [(e["direction"], e["peer"]) for e in reported] == [("received", "PAN")]
        assert reported[0]["body"]["payload"]["reference"] == case["id"]
        for value in (place, receiver):
            assert value not in json.dumps(reported[0]["body"])
