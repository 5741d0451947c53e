"""Duplicate checks between two nodes on loopback (`puente federation up`, real
HTTP): a duplicate-check agreement drafted and signed by both focal points; a
person registered in COL who is already registered in PAN reads "possibly
already registered in Panama"; no name, birth date or document number crosses;
nothing toward the state a refugee fled; PAN down: "could not be checked now",
then the envelope arrives once. And the wind-down sequence: tracing agreement
active → data sent → agreement revoked → consent withdrawn → the peer erases."""

from __future__ import annotations

import datetime as dt
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
from tests.exchange.loopback import Federation, federation_up, until

pytestmark = pytest.mark.slow

ANA = {"given_name": "Ana Lucía", "family_name": "Rengifo Torres", "sex": "F"}
ANA_BIRTH = "1991-05-23"
ANA_DOCUMENT = "VE-55102938"


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    with federation_up(tmp_path_factory.mktemp("duplicates"), ["COL", "PAN"]) as fed:
        yield fed


def _register(fed: Federation, node: str, body: dict[str, Any]) -> str:
    answer = fed.call(
        node, f"caseworker.{node.lower()}", "POST", "/api/v1/people", body
    )
    assert answer.status_code == 201, answer.text
    person_id: str = answer.json()["id"]
    return person_id


def _checks(fed: Federation, person: str) -> list[dict[str, Any]]:
    answer = fed.call(
        "COL", "caseworker.col", "GET", f"/api/v1/people/{person}/remote-checks"
    )
    assert answer.status_code == 200, answer.text
    checks: list[dict[str, Any]] = answer.json()
    return checks


def _agreements(fed: Federation, node: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = fed.call(
        node, f"focal_point.{node.lower()}", "GET", "/api/v1/exchange/agreements"
    ).json()
    return found


@pytest.fixture(scope="module")
def duplicate_agreement(federation: Federation) -> str:
    drafted = federation.call(
        "COL",
        "focal_point.col",
        "POST",
        "/api/v1/exchange/agreements",
        {
            "parties": ["COL", "PAN"],
            "purpose": "duplicate_check",
            "categories": ["linkage_encodings", "match_candidates"],
            "legal_basis": "Memorandum on registration",
            "dpia_reference": "DPIA-12",
            "retention_days": 30,
            "expires_on": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)
            ).isoformat(),
        },
    )
    assert drafted.status_code == 201, drafted.text
    agreement_id: str = drafted.json()["id"]
    signed = federation.call(
        "COL",
        "focal_point.col",
        "POST",
        f"/api/v1/exchange/agreements/{agreement_id}/sign",
    )
    assert signed.status_code == 200, signed.text
    until(
        lambda: [a for a in _agreements(federation, "PAN") if a["id"] == agreement_id]
    )
    countersigned = federation.call(
        "PAN",
        "focal_point.pan",
        "POST",
        f"/api/v1/exchange/agreements/{agreement_id}/sign",
    )
    assert countersigned.json()["status"] == "active", countersigned.text
    until(
        lambda: [
            a
            for a in _agreements(federation, "COL")
            if a["id"] == agreement_id and a["status"] == "active"
        ]
    )
    return agreement_id


@pytest.fixture(scope="module")
def ana_in_pan(federation: Federation, duplicate_agreement: str) -> str:
    return _register(
        federation,
        "PAN",
        ANA
        | {
            "birth_date": ANA_BIRTH,
            "nationality": "VEN",
            "documents": [{"document_type": "passport", "number": ANA_DOCUMENT}],
        },
    )


def _bodies(fed: Federation) -> str:
    return json.dumps([e["body"] for n in ("COL", "PAN") for e in fed.log(n)])


class TestDuplicateCheckAcrossBorders:
    def test_a_person_registered_in_pan_is_flagged_when_registered_in_col(
        self, federation: Federation, ana_in_pan: str
    ) -> None:
        person = _register(
            federation,
            "COL",
            ANA | {"birth_date": ANA_BIRTH, "nationality": "VEN"},
        )

        def answered() -> list[dict[str, Any]]:
            return [c for c in _checks(federation, person) if c["status"] == "answered"]

        [check] = until(answered)
        assert check["state"] == "PAN"
        best = check["candidates"][0]
        assert (best["state"], best["likelihood"]) == ("PAN", "high")
        assert best["reference"] != ana_in_pan
        decided = federation.call(
            "COL",
            "caseworker.col",
            "POST",
            f"/api/v1/people/{person}/remote-checks/candidates/{best['id']}",
            {"same_person": True},
        )
        assert decided.json()["decision"] == "same_person", decided.text
        kinds = {
            (e["direction"], e["kind"], e["purpose"]) for e in federation.log("COL")
        }
        assert {
            ("sent", "duplicate_check_request", "duplicate_check"),
            ("received", "duplicate_check_candidates", "duplicate_check"),
        } <= kinds

    def test_no_name_birth_date_or_document_number_in_any_body(
        self, federation: Federation, ana_in_pan: str
    ) -> None:
        bodies = _bodies(federation)
        assert "duplicate_check_request" in bodies
        for value in (
            "Ana",
            "Lucía",
            "Rengifo",
            "Torres",
            ANA_BIRTH,
            "1991",
            ANA_DOCUMENT,
            ana_in_pan,
        ):
            assert value not in bodies, value

    def test_nothing_toward_the_state_a_refugee_fled(
        self, federation: Federation, ana_in_pan: str
    ) -> None:
        refugee = _register(
            federation, "COL", ANA | {"given_name": "Ana", "nationality": "PAN"}
        )
        until(
            lambda: [
                c for c in _checks(federation, refugee) if c["status"] == "answered"
            ]
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
        before = [
            e for e in federation.log("PAN") if e["kind"] == "duplicate_check_request"
        ]
        again = federation.call(
            "COL", "caseworker.col", "POST", f"/api/v1/people/{refugee}/remote-checks"
        )
        assert again.status_code == 202, again.text
        time.sleep(3)  # two sender runs
        after = [
            e for e in federation.log("PAN") if e["kind"] == "duplicate_check_request"
        ]
        assert len(after) == len(before)
        outbound = federation.call(
            "COL", "auditor.col", "GET", "/api/v1/exchange/outbound"
        ).json()
        stopped = [
            r
            for r in outbound
            if r["kind"] == "duplicate_check_request" and r["refusal"] == "feared_state"
        ]
        assert len(stopped) == 1
        assert len(_checks(federation, refugee)) == 1  # only the one before the fear


class TestPeerDown:
    def test_could_not_be_checked_now_then_delivered_once(
        self, federation: Federation, ana_in_pan: str
    ) -> None:
        # The caseworker's token first: its look-up is not part of registering.
        warm = federation.call("COL", "caseworker.col", "GET", "/api/v1/people")
        assert warm.status_code == 200, warm.text
        pids = json.loads((federation.root / "pids.json").read_text("utf-8"))
        os.kill(pids["PAN"], signal.SIGTERM)
        port = federation.port("PAN")
        until(lambda: _down(port), 30)
        started = time.monotonic()
        person = _register(
            federation, "COL", ANA | {"birth_date": ANA_BIRTH, "given_name": "Ana L."}
        )
        took = time.monotonic() - started
        # Registration does not wait for the peer (its timeout is 10 s).
        assert took < 10, took
        [check] = until(
            lambda: [
                c for c in _checks(federation, person) if c["status"] == "unreachable"
            ],
            60,
        )
        assert check["state"] == "PAN"
        restarted = subprocess.Popen(
            node_command(port), env=node_env(federation.root, "PAN", port)
        )
        federation.extra.append(restarted)
        until(lambda: not _down(port), 120)
        until(
            lambda: [
                c for c in _checks(federation, person) if c["status"] == "answered"
            ],
            120,
        )
        time.sleep(3)
        outbound = federation.call(
            "COL", "auditor.col", "GET", "/api/v1/exchange/outbound"
        ).json()
        sent = [
            r
            for r in outbound
            if r["kind"] == "duplicate_check_request" and r["attempts"] >= 2
        ]
        assert len(sent) == 1, outbound
        assert sent[0]["status"] == "sent", outbound
        received = [
            e
            for e in federation.log("PAN")
            if e["envelope_id"] == sent[0]["envelope_id"]
        ]
        assert len(received) == 1


class TestWindDown:
    def test_consent_withdrawn_after_revocation_erases_at_the_peer(
        self, federation: Federation
    ) -> None:
        child = _register(
            federation,
            "PAN",
            {
                "given_name": "Yuleisy",
                "family_name": "Quintero Barrios",
                "sex": "F",
                "birth_date": "2016-03-14",
                "consent_to_tracing": True,
            },
        )
        parent = _register(
            federation,
            "COL",
            {"given_name": "Marisol", "family_name": "Barrios", "sex": "F"},
        )
        traced = federation.call(
            "COL",
            "caseworker.col",
            "POST",
            "/api/v1/protection/tracing",
            {
                "requester_person_id": parent,
                "relationship": "child",
                "sought_given_name": "Yuleisi",
                "sought_family_name": "Quintero Barrios",
                "sought_sex": "F",
                "sought_birth_date": "2016",
                "search_state": "PAN",
            },
        )
        assert traced.status_code == 201, traced.text
        request_id = traced.json()["id"]

        def held() -> list[str]:
            read = federation.call(
                "COL",
                "caseworker.col",
                "GET",
                f"/api/v1/protection/tracing/{request_id}",
            ).json()
            return [c["reference"] for c in read["candidates"]]

        assert until(held)
        tracing = [
            a for a in _agreements(federation, "COL") if a["purpose"] == "tracing"
        ]
        revoked = federation.call(
            "COL",
            "focal_point.col",
            "POST",
            f"/api/v1/exchange/agreements/{tracing[0]['id']}/revoke",
        )
        assert revoked.json()["status"] == "revoked"
        until(
            lambda: [
                a
                for a in _agreements(federation, "PAN")
                if a["id"] == tracing[0]["id"] and a["status"] == "revoked"
            ]
        )
        version = federation.call(
            "PAN", "caseworker.pan", "GET", f"/api/v1/people/{child}"
        ).json()["version"]
        withdrawn = federation.call(
            "PAN",
            "caseworker.pan",
            "PATCH",
            f"/api/v1/people/{child}",
            {"expected_version": version, "consent_to_tracing": False},
        )
        assert withdrawn.status_code == 200, withdrawn.text
        until(
            lambda: [
                e for e in federation.log("COL") if e["kind"] == "consent_withdrawn"
            ]
        )
        assert held() == []


def _down(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.HTTPError:
        return True
    return False
