"""Must-show: three nodes on loopback (`puente federation up`, real HTTP, one
uvicorn process per node, started once for this module). A child registered in
PAN is found from COL under the active tracing agreement; no name, birth date or
document number crosses; a request about a refugee toward the state they fled
sends nothing; consent to tracing withdrawn in PAN erases the candidate COL
holds; a peer that is down gets the envelope once back, exactly once; with the
agreement revoked nothing is sent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from puente.exchange.cli import node_command, node_env
from tests.exchange.loopback import NODES, Federation, federation_up, until

pytestmark = pytest.mark.slow

CHILD = {"given_name": "Yuleisy", "family_name": "Quintero Barrios", "sex": "F"}
CHILD_BIRTH = "2016-03-14"
CHILD_DOCUMENT = "PA-77881234"
PARENT = {"given_name": "Marisol", "family_name": "Barrios Peña", "sex": "F"}


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    with federation_up(tmp_path_factory.mktemp("federation"), NODES) as fed:
        yield fed


def _register(fed: Federation, node: str, user: str, body: dict[str, Any]) -> str:
    answer = fed.call(node, user, "POST", "/api/v1/people", body)
    assert answer.status_code == 201, answer.text
    person_id: str = answer.json()["id"]
    return person_id


def _trace(fed: Federation, requester: str, state: str = "PAN") -> httpx.Response:
    return fed.call(
        "COL",
        "caseworker.col",
        "POST",
        "/api/v1/protection/tracing",
        {
            "requester_person_id": requester,
            "relationship": "child",
            "sought_given_name": "Yuleisi",
            "sought_family_name": "Quintero Barrios",
            "sought_sex": "F",
            "sought_birth_date": "2016",
            "search_state": state,
        },
    )


@pytest.fixture(scope="module")
def child_in_pan(federation: Federation) -> str:
    return _register(
        federation,
        "PAN",
        "caseworker.pan",
        CHILD
        | {
            "birth_date": CHILD_BIRTH,
            "nationality": "VEN",
            "consent_to_tracing": True,
            "documents": [{"document_type": "passport", "number": CHILD_DOCUMENT}],
        },
    )


def _captured_bodies(fed: Federation) -> str:
    return json.dumps([e["body"] for n in ("COL", "PAN") for e in fed.log(n)])


class TestCrossBorderTracing:
    def test_a_child_in_pan_is_found_from_col(
        self, federation: Federation, child_in_pan: str
    ) -> None:
        parent = _register(
            federation, "COL", "caseworker.col", PARENT | {"nationality": "VEN"}
        )
        answer = _trace(federation, parent)
        assert answer.status_code == 201, answer.text
        request_id = answer.json()["id"]

        def candidates() -> list[dict[str, Any]]:
            read = federation.call(
                "COL",
                "caseworker.col",
                "GET",
                f"/api/v1/protection/tracing/{request_id}",
            )
            found: list[dict[str, Any]] = read.json()["candidates"]
            return found

        found = until(candidates)
        assert found[0]["state"] == "PAN"
        assert found[0]["score"] >= 0.8
        assert found[0]["likelihood"] == "high"
        assert found[0]["reference"] != child_in_pan
        confirmed = federation.call(
            "COL",
            "caseworker.col",
            "POST",
            f"/api/v1/protection/tracing/{request_id}/candidates/{found[0]['id']}",
            {"confirm": True},
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["status"] == "matched"
        received = until(
            lambda: [
                e for e in federation.log("PAN") if e["kind"] == "tracing_decision"
            ]
        )
        assert received[0]["body"]["payload"]["confirmed"] is True
        kinds_col = {(e["direction"], e["kind"]) for e in federation.log("COL")}
        assert {
            ("sent", "tracing_request"),
            ("received", "tracing_candidates"),
            ("sent", "tracing_decision"),
        } <= kinds_col

    def test_no_name_birth_date_or_document_number_in_any_body(
        self, federation: Federation, child_in_pan: str
    ) -> None:
        bodies = _captured_bodies(federation)
        assert "tracing_request" in bodies  # the bodies are there to look into
        for value in [
            *CHILD.values(),
            *PARENT.values(),
            "Yuleisi",
            "Quintero",
            "Barrios",
            CHILD_BIRTH,
            "2016",
            CHILD_DOCUMENT,
            child_in_pan,
        ]:
            if value in ("F",):
                continue
            assert value not in bodies, value

    def test_a_request_toward_the_feared_state_sends_nothing(
        self, federation: Federation
    ) -> None:
        refugee = _register(
            federation, "COL", "caseworker.col", PARENT | {"nationality": "PAN"}
        )
        profile = federation.call(
            "COL",
            "caseworker.col",
            "PUT",
            f"/api/v1/protection/people/{refugee}/profile",
            {
                "is_refugee": True,
                "country_of_origin": "PAN",
                "persecutor_states": ["PAN"],
            },
        )
        assert profile.status_code == 204, profile.text
        before = len(federation.log("PAN"))
        answer = _trace(federation, refugee)
        assert answer.status_code == 403
        time.sleep(3)  # two sender runs
        assert len(federation.log("PAN")) == before
        assert refugee not in _captured_bodies(federation)

    def test_withdrawn_tracing_consent_erases_the_candidate_at_the_peer(
        self, federation: Federation, child_in_pan: str
    ) -> None:
        answered = [
            e
            for e in federation.log("COL")
            if e["kind"] == "tracing_candidates" and e["body"]["payload"]["candidates"]
        ]
        assert len(answered) == 1
        request_ref = answered[0]["body"]["payload"]["request_ref"]
        given = {c["reference"] for c in answered[0]["body"]["payload"]["candidates"]}

        def held() -> set[str]:
            read = federation.call(
                "COL",
                "caseworker.col",
                "GET",
                f"/api/v1/protection/tracing/{request_ref}",
            )
            return {c["reference"] for c in read.json()["candidates"]}

        assert held() == given
        person = federation.call(
            "PAN", "caseworker.pan", "GET", f"/api/v1/people/{child_in_pan}"
        ).json()
        withdrawn = federation.call(
            "PAN",
            "caseworker.pan",
            "PATCH",
            f"/api/v1/people/{child_in_pan}",
            {"expected_version": person["version"], "consent_to_tracing": False},
        )
        assert withdrawn.status_code == 200, withdrawn.text
        told = until(
            lambda: [
                e for e in federation.log("COL") if e["kind"] == "consent_withdrawn"
            ]
        )
        assert [(e["direction"], e["peer"]) for e in told] == [("received", "PAN")]
        assert set(told[0]["body"]["payload"]["references"]) == given
        assert held() == set()
        sent = [e for e in federation.log("PAN") if e["kind"] == "consent_withdrawn"]
        assert [e["envelope_id"] for e in sent] == [told[0]["envelope_id"]]
        assert child_in_pan not in json.dumps(told[0]["body"])


class TestDelivery:
    def test_a_peer_down_gets_the_envelope_once_back_exactly_once(
        self, federation: Federation, child_in_pan: str
    ) -> None:
        pids = json.loads((federation.root / "pids.json").read_text("utf-8"))
        os.kill(pids["PAN"], signal.SIGTERM)
        port = federation.port("PAN")
        until(lambda: _refused(port), 30)
        parent = _register(
            federation, "COL", "caseworker.col", PARENT | {"given_name": "Rosa"}
        )
        assert _trace(federation, parent).status_code == 201

        def waiting() -> list[dict[str, Any]]:
            rows = federation.call(
                "COL", "auditor.col", "GET", "/api/v1/exchange/outbound"
            ).json()
            return [r for r in rows if r["status"] == "queued" and r["attempts"] >= 2]

        pending = until(waiting, 60)[0]
        restarted = subprocess.Popen(
            node_command(port), env=node_env(federation.root, "PAN", port)
        )
        federation.extra.append(restarted)
        until(lambda: not _refused(port), 120)
        received = until(
            lambda: [
                e
                for e in federation.log("PAN")
                if e["envelope_id"] == pending["envelope_id"]
            ],
            120,
        )
        time.sleep(3)
        again = [
            e
            for e in federation.log("PAN")
            if e["envelope_id"] == pending["envelope_id"]
        ]
        assert len(received) == len(again) == 1
        sent = [
            e
            for e in federation.log("COL")
            if e["envelope_id"] == pending["envelope_id"]
        ]
        assert len(sent) == 1
        # The same signed envelope posted again is answered, not acted on twice.
        replay = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/exchange/envelopes",
            json={"envelope": sent[0]["body"], "signature": sent[0]["signature"]},
            timeout=30,
        )
        assert replay.json()["status"] == "duplicate"
        assert (
            len(
                [
                    e
                    for e in federation.log("PAN")
                    if e["envelope_id"] == pending["envelope_id"]
                ]
            )
            == 1
        )

    def test_a_forged_envelope_is_refused_and_not_stored(
        self, federation: Federation
    ) -> None:
        body = federation.log("COL")[0]["body"]
        before = len(federation.log("PAN"))
        forged = httpx.post(
            f"http://127.0.0.1:{federation.port('PAN')}/api/v1/exchange/envelopes",
            json={
                "envelope": body | {"kind": "tracing_request"},
                "signature": "0" * 128,
            },
            timeout=30,
        )
        assert forged.status_code == 403
        assert len(federation.log("PAN")) == before


class TestRevokedAgreement:
    def test_with_the_agreement_revoked_nothing_is_sent(
        self, federation: Federation
    ) -> None:
        agreements = federation.call(
            "COL", "focal_point.col", "GET", "/api/v1/exchange/agreements"
        ).json()
        assert agreements[0]["status"] == "active"
        revoked = federation.call(
            "COL",
            "focal_point.col",
            "POST",
            f"/api/v1/exchange/agreements/{agreements[0]['id']}/revoke",
        )
        assert revoked.json()["status"] == "revoked"
        until(
            lambda: [
                e for e in federation.log("PAN") if e["kind"] == "agreement_revocation"
            ]
        )
        before = len(federation.log("PAN"))
        parent = _register(
            federation, "COL", "caseworker.col", PARENT | {"given_name": "Luz"}
        )
        answer = _trace(federation, parent)
        assert answer.status_code == 201
        time.sleep(3)
        assert len(federation.log("PAN")) == before
        rows = federation.call(
            "COL", "auditor.col", "GET", "/api/v1/exchange/outbound"
        ).json()
        # Envelopes carry whole-second times, so order among rows queued in
        # the same second is not defined: find the refused request by its kind.
        refused = [
            r
            for r in rows
            if r["kind"] == "tracing_request" and r["refusal"] == "agreement_not_active"
        ]
        assert len(refused) == 1, rows
        assert refused[0]["status"] == "refused"


def _refused(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.HTTPError:
        return True
    return False
