"""Duplicate checks against a peer, in one process (node COL; PAN is a key held
by the test): registering a person sends encodings only, under an active
duplicate-check agreement; PAN's answer shows on the person page in words; a
peer that is down reads "could not be checked now" and gets the envelope once;
nothing toward the state the person fled. And consent withdrawal under the
wind-down terms of a lapsed agreement. The loopback version (real HTTP between
nodes) is `test_federation_duplicates.py`."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.config import Settings, get_settings
from puente.core.i18n import LOCALES
from puente.exchange import service
from puente.exchange.models import Outbound, Reference
from puente.exchange.service.tracing import encode
from puente.people.models import RemoteCandidate, RemoteCheck
from tests.exchange.test_service import (
    Login,
    _active_agreement,
    _auth,
    _envelope,
    _FlakyTransport,
    _pan_peer,
    _pan_signs,
    _register,
)
from tests.test_walk import _Page, raw_codes


@pytest.fixture
def col_node(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PUENTE_NODE_STATE", "COL")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


MARISOL = {"given_name": "Marisol", "family_name": "Barrios Peña", "sex": "F"}


def _duplicate_agreement(
    client: TestClient, session: Session, token_for: Callable[[str], str]
) -> str:
    _pan_peer(session)
    token = token_for("focal_point.col")
    drafted = client.post(
        "/api/v1/exchange/agreements",
        headers=_auth(token),
        json={
            "parties": ["COL", "PAN"],
            "purpose": "duplicate_check",
            "categories": ["linkage_encodings", "match_candidates"],
            "legal_basis": "Memorandum on registration",
            "dpia_reference": "DPIA-9",
            "retention_days": 30,
            "expires_on": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
            ).isoformat(),
        },
    )
    assert drafted.status_code == 201, drafted.text
    agreement_id: str = drafted.json()["id"]
    client.post(
        f"/api/v1/exchange/agreements/{agreement_id}/sign", headers=_auth(token)
    )
    answer = client.post(
        "/api/v1/exchange/envelopes", json=_pan_signs(session, agreement_id)
    )
    assert answer.json()["status"] == "accepted", answer.text
    return agreement_id


def _requests(session: Session) -> list[Outbound]:
    return list(
        session.scalars(
            select(Outbound)
            .where(Outbound.kind == "duplicate_check_request")
            .order_by(Outbound.created_at)
        )
    )


def _checks(client: TestClient, token: str, person: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/people/{person}/remote-checks", headers=_auth(token))
    assert answer.status_code == 200, answer.text
    checks: list[dict[str, Any]] = answer.json()
    return checks


def _answer(
    agreement_id: str, check_ref: str, candidates: list[dict[str, Any]]
) -> dict[str, Any]:
    return _envelope(
        "duplicate_check_candidates",
        {"check_ref": check_ref, "candidates": candidates},
        agreement_id=agreement_id,
        purpose="duplicate_check",
        categories=["match_candidates"],
    )


class TestDuplicateCheck:
    def test_registering_sends_encodings_only_and_the_answer_shows_in_words(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
        login_as: Login,
    ) -> None:
        agreement_id = _duplicate_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        person = _register(
            client,
            token,
            **MARISOL,
            birth_date="1988-07-02",
            documents=[{"document_type": "passport", "number": "VE-4411"}],
        )
        [row] = _requests(session)
        assert (row.recipient, row.status, row.purpose) == (
            "PAN",
            "queued",
            "duplicate_check",
        )
        for value in ("Marisol", "Barrios", "1988", "VE-4411", person):
            assert value not in row.payload
        payload = json.loads(row.payload)
        assert payload["encoding"]
        assert [c["status"] for c in _checks(client, token, person)] == ["pending"]
        transport = _FlakyTransport(failures=0)
        assert service.deliver_due(session, transport=transport) >= 1
        reference = str(uuid.uuid4())
        answer = client.post(
            "/api/v1/exchange/envelopes",
            json=_answer(
                agreement_id,
                payload["check_ref"],
                [{"reference": reference, "score": 0.93, "likelihood": "high"}],
            ),
        )
        assert answer.json()["status"] == "accepted", answer.text
        [check] = _checks(client, token, person)
        assert check["status"] == "answered"
        assert [(c["state"], c["likelihood"]) for c in check["candidates"]] == [
            ("PAN", "high")
        ]
        login_as(client, "caseworker.col")
        page = client.get(f"/people/{person}", headers={"Accept-Language": "en"})
        assert "Possibly already registered in Panama (high likelihood)" in page.text
        assert reference not in page.text
        decided = client.post(
            f"/api/v1/people/{person}/remote-checks/candidates/"
            f"{check['candidates'][0]['id']}",
            headers=_auth(token),
            json={"same_person": True},
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["decision"] == "same_person"
        audited = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.action == "people:remote_duplicate:decide"
            )
        ).all()
        assert len(audited) == 1
        page = client.get(f"/people/{person}", headers={"Accept-Language": "es"})
        assert "Marcado como la misma persona" in page.text
        # Words, never codes: the person page and the exchange log, every language.
        login_as(client, "auditor.col")
        log_page = client.get("/exchange/log", headers={"Accept-Language": "en"})
        assert "Duplicate check answer" in log_page.text
        for locale in LOCALES:
            for url, user in (
                (f"/people/{person}", "caseworker.col"),
                ("/exchange/log", "auditor.col"),
            ):
                login_as(client, user)
                client.cookies.set("puente_lang", locale)
                seen = _Page()
                seen.feed(client.get(url).text)
                assert raw_codes(" ".join(seen.text)) == [], (locale, url)

    def test_without_an_agreement_nothing_is_queued(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _active_agreement(client, session, token_for)  # tracing only
        token = token_for("caseworker.col")
        person = _register(client, token, **MARISOL)
        assert _requests(session) == []
        assert _checks(client, token, person) == []

    def test_a_peer_down_reads_could_not_be_checked_then_gets_it_once(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
        login_as: Login,
    ) -> None:
        _duplicate_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        person = _register(client, token, **MARISOL)
        transport = _FlakyTransport(failures=2)
        now = dt.datetime.now(dt.UTC)
        service.deliver_due(session, transport=transport, now=now)
        assert [c["status"] for c in _checks(client, token, person)] == ["unreachable"]
        login_as(client, "caseworker.col")
        page = client.get(f"/people/{person}", headers={"Accept-Language": "en"})
        assert "Could not be checked with Panama now" in page.text
        assert 'hx-trigger="every 3s"' in page.text  # it keeps looking, bounded
        for minutes in (1, 2, 3, 4):
            service.deliver_due(
                session, transport=transport, now=now + dt.timedelta(minutes=minutes)
            )
        [row] = _requests(session)
        assert (row.status, row.attempts) == ("sent", 3)
        posted = [
            b
            for b in transport.posted
            if b["envelope"]["kind"] == "duplicate_check_request"
        ]
        assert len(posted) == 1
        assert [c["status"] for c in _checks(client, token, person)] == ["pending"]

    def test_nothing_toward_the_state_the_person_fled(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _duplicate_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        person = _register(client, token, **MARISOL)
        feared = client.put(
            f"/api/v1/protection/people/{person}/profile",
            headers=_auth(token),
            json={"persecutor_states": ["PAN"], "is_refugee": True},
        )
        assert feared.status_code == 204, feared.text
        again = client.post(
            f"/api/v1/people/{person}/remote-checks", headers=_auth(token)
        )
        assert again.status_code == 202, again.text
        transport = _FlakyTransport(failures=0)
        service.deliver_due(session, transport=transport)
        assert [
            b
            for b in transport.posted
            if b["envelope"]["kind"] == "duplicate_check_request"
        ] == []
        rows = _requests(session)
        assert rows, "the registration's check was queued before the fear"
        assert {(r.status, r.refusal, r.payload) for r in rows} == {
            ("refused", "feared_state", "{}")
        }
        # Nothing about a check toward that state is kept either.
        assert _checks(client, token, person) == []

    def test_the_peer_is_answered_with_references_and_who_fled_it_is_left_out(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _duplicate_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        here = _register(client, token, **MARISOL, birth_date="1988-07-02")
        refugee = _register(client, token, **MARISOL, birth_date="1988-07-02")
        assert (
            client.put(
                f"/api/v1/protection/people/{refugee}/profile",
                headers=_auth(token),
                json={"persecutor_states": ["PAN"], "is_refugee": True},
            ).status_code
            == 204
        )
        query = encode(
            service.agreement_secret(agreement_id),
            [MARISOL | {"birth_date": "1988-07-02"}],
            ["q"],
        )
        check_ref = str(uuid.uuid4())
        answer = client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "duplicate_check_request",
                {
                    "check_ref": check_ref,
                    "format": "puente-pprl-tracing/1",
                    "encoding": base64.b64encode(query.to_bytes()).decode("ascii"),
                },
                agreement_id=agreement_id,
                purpose="duplicate_check",
                categories=["linkage_encodings"],
            ),
        )
        assert answer.json()["status"] == "accepted", answer.text
        reply = session.scalars(
            select(Outbound).where(Outbound.kind == "duplicate_check_candidates")
        ).one()
        body = json.loads(reply.payload)
        assert body["check_ref"] == check_ref
        assert [c["likelihood"] for c in body["candidates"]] == ["high"]
        given = session.scalars(
            select(Reference.person_id).where(Reference.request_ref == check_ref)
        ).all()
        assert given == [uuid.UUID(here)]
        for value in ("Marisol", "Barrios", "1988", here, refugee):
            assert value not in reply.payload


class TestWindDown:
    """Sequence: agreement active → data sent → agreement revoked → consent
    withdrawn → the peer must erase."""

    def test_withdrawal_leaves_under_a_revoked_agreement_to_who_got_data(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _active_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        child = _register(
            client,
            token,
            given_name="Yuleisy",
            family_name="Quintero Barrios",
            birth_date="2016-03-14",
            consent_to_tracing=True,
        )
        query = encode(
            service.agreement_secret(agreement_id),
            [{"given_name": "Yuleisi", "family_name": "Quintero Barrios"}],
            ["q"],
        )
        client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "tracing_request",
                {
                    "request_ref": str(uuid.uuid4()),
                    "format": "puente-pprl-tracing/1",
                    "encoding": base64.b64encode(query.to_bytes()).decode("ascii"),
                },
                agreement_id=agreement_id,
                purpose="tracing",
                categories=["linkage_encodings"],
            ),
        )
        given = [
            str(r)
            for r in session.scalars(
                select(Reference.id).where(Reference.person_id == uuid.UUID(child))
            )
        ]
        assert given, "PAN received a reference for the child"
        revoked = client.post(
            f"/api/v1/exchange/agreements/{agreement_id}/revoke",
            headers=_auth(token_for("focal_point.col")),
        )
        assert revoked.json()["status"] == "revoked"
        version = client.get(f"/api/v1/people/{child}", headers=_auth(token)).json()[
            "version"
        ]
        withdrawn = client.patch(
            f"/api/v1/people/{child}",
            headers=_auth(token),
            json={"expected_version": version, "consent_to_tracing": False},
        )
        assert withdrawn.status_code == 200, withdrawn.text
        row = session.scalars(
            select(Outbound).where(Outbound.kind == "consent_withdrawn")
        ).one()
        assert (row.status, row.refusal, row.recipient) == ("queued", None, "PAN")
        transport = _FlakyTransport(failures=0)
        service.deliver_due(session, transport=transport)
        [sent] = [
            b for b in transport.posted if b["envelope"]["kind"] == "consent_withdrawn"
        ]
        assert sorted(sent["envelope"]["payload"]["references"]) == sorted(given)
        # Anything else under the revoked agreement still stops.
        tracing = client.post(
            "/api/v1/protection/tracing",
            headers=_auth(token),
            json={
                "requester_person_id": child,
                "relationship": "mother",
                "sought_given_name": "Ana",
                "sought_family_name": "Quintero",
                "search_state": "PAN",
            },
        )
        assert tracing.status_code == 201, tracing.text
        refused = session.scalars(
            select(Outbound).where(Outbound.kind == "tracing_request")
        ).one()
        assert refused.refusal == "agreement_not_active"

    def test_the_peer_erases_what_it_holds_under_a_revoked_agreement(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _active_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        parent = _register(client, token, **MARISOL)
        request_id = client.post(
            "/api/v1/protection/tracing",
            headers=_auth(token),
            json={
                "requester_person_id": parent,
                "relationship": "child",
                "sought_given_name": "Yuleisy",
                "sought_family_name": "Quintero",
                "search_state": "PAN",
            },
        ).json()["id"]
        reference = str(uuid.uuid4())
        client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "tracing_candidates",
                {
                    "request_ref": request_id,
                    "candidates": [
                        {"reference": reference, "score": 0.9, "likelihood": "high"}
                    ],
                },
                agreement_id=agreement_id,
                purpose="tracing",
                categories=["match_candidates"],
            ),
        )

        def held() -> list[str]:
            read = client.get(
                f"/api/v1/protection/tracing/{request_id}", headers=_auth(token)
            ).json()
            return [c["reference"] for c in read["candidates"]]

        assert held() == [reference]
        client.post(
            f"/api/v1/exchange/agreements/{agreement_id}/revoke",
            headers=_auth(token_for("focal_point.col")),
        )
        # Under a revoked agreement new data is refused ...
        late = client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "tracing_candidates",
                {
                    "request_ref": request_id,
                    "candidates": [
                        {
                            "reference": str(uuid.uuid4()),
                            "score": 0.8,
                            "likelihood": "medium",
                        }
                    ],
                },
                agreement_id=agreement_id,
                purpose="tracing",
                categories=["match_candidates"],
            ),
        )
        assert late.status_code == 403
        # ... and a withdrawal is still acted on: the candidate is erased.
        erased = client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "consent_withdrawn",
                {"references": [reference]},
                agreement_id=agreement_id,
                purpose="tracing",
                categories=["consent_revocation"],
            ),
        )
        assert erased.json()["status"] == "accepted", erased.text
        assert held() == []


def test_the_check_rows_belong_to_people(session: Session) -> None:
    # The two tables people owns for the checks exist on this database.
    assert session.scalars(select(RemoteCheck.id)).all() == []
    assert session.scalars(select(RemoteCandidate.id)).all() == []
