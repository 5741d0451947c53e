"""Exchange in one process (node COL; PAN is a key held by the test): agreements
signed by every party, the receiver's checks, the queue's send-time re-check,
retries and the screens. The loopback federation is `test_federation.py`."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from puente.core import db as core_db
from puente.core.config import Settings, get_settings
from puente.exchange import service
from puente.exchange.errors import NodeKeyMissing
from puente.exchange.models import Agreement, LogEntry, Outbound
from puente.exchange.rules.terms import canonical_json
from puente.exchange.service.sealing import (
    SealBroken,
    open_secret,
    seal_secret,
    x25519_private,
    x25519_public,
)
from puente.identity import system_actor
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]
PAN_KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def col_node(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PUENTE_NODE_STATE", "COL")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _pan_peer(session: Session) -> None:
    service.add_peer(
        session,
        actor=system_actor("COL"),
        state="PAN",
        base_url="http://127.0.0.1:9",
        public_key=service.public_hex(PAN_KEY.public_key()),
    )
    session.commit()


def _draft(client: TestClient, token: str) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/exchange/agreements",
        headers=_auth(token),
        json={
            "parties": ["COL", "PAN"],
            "purpose": "tracing",
            "categories": [
                "linkage_encodings",
                "match_candidates",
                "match_confirmation",
            ],
            "legal_basis": "Memorandum on family reunification",
            "dpia_reference": "DPIA-7",
            "retention_days": 90,
            "expires_on": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
            ).isoformat(),
        },
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _envelope(kind: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    envelope = {
        "id": str(uuid.uuid4()),
        "sender": "PAN",
        "recipient": "COL",
        "agreement_id": None,
        "purpose": "agreement",
        "kind": kind,
        "categories": ["agreement_terms"],
        "created_at": "2026-12-06T00:00:00+00:00",
        "payload": payload,
    } | extra
    return {
        "envelope": envelope,
        "signature": PAN_KEY.sign(canonical_json(envelope)).hex(),
    }


def _pan_signs(session: Session, agreement_id: str) -> dict[str, Any]:
    terms = json.loads(
        session.scalars(
            select(Agreement.terms).where(Agreement.id == uuid.UUID(agreement_id))
        ).one()
    )
    return _envelope(
        "agreement_signature",
        {
            "terms": terms,
            "state": "PAN",
            "signature": PAN_KEY.sign(canonical_json(terms)).hex(),
        },
    )


def _active_agreement(
    client: TestClient, session: Session, token_for: Callable[[str], str]
) -> str:
    _pan_peer(session)
    token = token_for("focal_point.col")
    agreement = _draft(client, token)
    signed = client.post(
        f"/api/v1/exchange/agreements/{agreement['id']}/sign", headers=_auth(token)
    )
    assert signed.json()["status"] == "draft"
    answer = client.post(
        "/api/v1/exchange/envelopes", json=_pan_signs(session, agreement["id"])
    )
    assert answer.json()["status"] == "accepted", answer.text
    agreement_id: str = agreement["id"]
    return agreement_id


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _units_of_work(
    sessions: sessionmaker[Session], open_units: list[int] | None = None
) -> Callable[[], contextlib.AbstractContextManager[Session]]:
    """The sender's units of work on the test's connection (system scope);
    `open_units[0]` counts those open at any moment."""
    counter = open_units if open_units is not None else [0]

    @contextlib.contextmanager
    def unit_of_work() -> Iterator[Session]:
        counter[0] += 1
        unit = sessions()
        core_db.set_tenant_scope(unit, core_db.SYSTEM_SCOPE)
        try:
            yield unit
            unit.commit()
        finally:
            unit.close()
            counter[0] -= 1

    return unit_of_work


class TestAgreements:
    def test_active_only_once_every_party_signed(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _pan_peer(session)
        token = token_for("focal_point.col")
        agreement = _draft(client, token)
        assert agreement["status"] == "draft"
        assert agreement["can_sign"]
        signed = client.post(
            f"/api/v1/exchange/agreements/{agreement['id']}/sign", headers=_auth(token)
        ).json()
        assert signed["status"] == "draft"
        assert [s["state"] for s in signed["signatures"]] == ["COL"]
        meta = session.scalars(
            select(Outbound).where(Outbound.kind == "agreement_signature")
        ).one()
        assert (meta.recipient, meta.status) == ("PAN", "queued")
        client.post(
            "/api/v1/exchange/envelopes", json=_pan_signs(session, agreement["id"])
        )
        read = client.get(
            f"/api/v1/exchange/agreements/{agreement['id']}", headers=_auth(token)
        ).json()
        assert read["status"] == "active"
        assert {s["state"] for s in read["signatures"]} == {"COL", "PAN"}

    def test_a_caseworker_cannot_draft(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        before = _count(session, Agreement)
        answer = client.post(
            "/api/v1/exchange/agreements",
            headers=_auth(token_for("caseworker.col")),
            json={
                "parties": ["COL", "PAN"],
                "purpose": "tracing",
                "categories": ["linkage_encodings"],
                "legal_basis": "x",
                "dpia_reference": "y",
                "retention_days": 1,
                "expires_on": "2099-01-01",
            },
        )
        assert answer.status_code == 403
        assert _count(session, Agreement) == before

    def test_sensitive_categories_are_refused_in_terms(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        before = _count(session, Agreement)
        answer = client.post(
            "/api/v1/exchange/agreements",
            headers=_auth(token_for("focal_point.col")),
            json={
                "parties": ["COL", "PAN"],
                "purpose": "tracing",
                "categories": ["health"],
                "legal_basis": "x",
                "dpia_reference": "y",
                "retention_days": 1,
                "expires_on": "2099-01-01",
            },
        )
        assert answer.status_code == 422
        assert _count(session, Agreement) == before


class TestSecretHandover:
    """The linkage secret of an agreement drafted on screen travels to the other
    party sealed to its node key, inside the signed agreement exchange only."""

    def test_the_drafters_signature_carries_the_secret_sealed_to_the_peer(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _pan_peer(session)
        token = token_for("focal_point.col")
        agreement = _draft(client, token)
        client.post(
            f"/api/v1/exchange/agreements/{agreement['id']}/sign", headers=_auth(token)
        )
        meta = session.scalars(
            select(Outbound).where(Outbound.kind == "agreement_signature")
        ).one()
        secret = service.agreement_secret(agreement["id"])
        for shown in (secret.hex(), base64.b64encode(secret).decode("ascii")):
            assert shown not in meta.payload
        seal = json.loads(meta.payload)["sealed_secret"]
        opened = open_secret(
            seal,
            own_key=PAN_KEY,
            agreement_id=agreement["id"],
            sender="COL",
            recipient="PAN",
        )
        assert opened == secret
        # Bound to its agreement and parties: it opens for nothing else.
        with pytest.raises(SealBroken):
            open_secret(
                seal,
                own_key=PAN_KEY,
                agreement_id=str(uuid.uuid4()),
                sender="COL",
                recipient="PAN",
            )
        with pytest.raises(SealBroken):
            open_secret(
                seal,
                own_key=Ed25519PrivateKey.generate(),
                agreement_id=agreement["id"],
                sender="COL",
                recipient="PAN",
            )

    def test_a_peers_draft_brings_its_secret_and_a_different_one_is_refused(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _pan_peer(session)
        col_public = service.node_identity().public_key_hex
        agreement_id = str(uuid.uuid4())
        terms = {
            "agreement_id": agreement_id,
            "parties": ["COL", "PAN"],
            "purpose": "tracing",
            "categories": ["linkage_encodings"],
            "legal_basis": "Memorandum",
            "dpia_reference": "DPIA-8",
            "retention_days": 30,
            "expires_on": "2099-01-01",
        }

        def pan_signature(secret: bytes) -> dict[str, Any]:
            return _envelope(
                "agreement_signature",
                {
                    "terms": terms,
                    "state": "PAN",
                    "signature": PAN_KEY.sign(canonical_json(terms)).hex(),
                    "sealed_secret": seal_secret(
                        secret,
                        recipient_public_hex=col_public,
                        agreement_id=agreement_id,
                        sender="PAN",
                        recipient="COL",
                    ),
                },
            )

        with pytest.raises(NodeKeyMissing):
            service.agreement_secret(agreement_id)
        secret = b"\x07" * 32
        answer = client.post("/api/v1/exchange/envelopes", json=pan_signature(secret))
        assert answer.json()["status"] == "accepted", answer.text
        assert service.agreement_secret(agreement_id) == secret
        other = client.post(
            "/api/v1/exchange/envelopes", json=pan_signature(b"\x08" * 32)
        )
        assert other.status_code == 403
        assert service.agreement_secret(agreement_id) == secret
        # The log keeps the body as signed: the seal, never the secret.
        logged = session.scalars(
            select(LogEntry.body).where(LogEntry.kind == "agreement_signature")
        ).one()
        assert "sealed_secret" in logged
        assert secret.hex() not in logged

    def test_the_x25519_key_is_the_same_curve_point_as_the_node_key(self) -> None:
        key = Ed25519PrivateKey.generate()
        derived = x25519_private(key).public_key().public_bytes_raw()
        assert derived == x25519_public(service.public_hex(key.public_key()))


class TestReceiver:
    def test_replay_is_a_duplicate_and_a_forgery_is_refused(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _active_agreement(client, session, token_for)
        logged = _count(session, LogEntry)
        replay = _pan_signs(session, agreement_id)
        first = client.post("/api/v1/exchange/envelopes", json=replay).json()
        again = client.post("/api/v1/exchange/envelopes", json=replay).json()
        assert (first["status"], again["status"]) == ("accepted", "duplicate")
        assert _count(session, LogEntry) == logged + 1
        forged = replay | {"signature": "ab" * 64}
        forged["envelope"] = replay["envelope"] | {"id": str(uuid.uuid4())}
        assert client.post("/api/v1/exchange/envelopes", json=forged).status_code == 403
        assert _count(session, LogEntry) == logged + 1

    def test_refuses_a_purpose_the_agreement_does_not_cover(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _active_agreement(client, session, token_for)
        logged = _count(session, LogEntry)
        body = _envelope(
            "tracing_candidates",
            {"request_ref": str(uuid.uuid4()), "candidates": []},
            agreement_id=agreement_id,
            purpose="statistics",
            categories=["aggregates"],
        )
        assert client.post("/api/v1/exchange/envelopes", json=body).status_code == 403
        assert _count(session, LogEntry) == logged


class _FlakyTransport:
    """A peer that is down for the first `failures` tries of each envelope."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.tries: dict[str, int] = {}
        self.posted: list[dict[str, Any]] = []

    def post(self, url: str, body: dict[str, Any]) -> int:
        envelope_id = body["envelope"]["id"]
        self.tries[envelope_id] = self.tries.get(envelope_id, 0) + 1
        if self.tries[envelope_id] <= self.failures:
            raise OSError("down")
        self.posted.append(body)
        return 200


def _register(client: TestClient, token: str, **extra: Any) -> str:
    answer = client.post(
        "/api/v1/people",
        headers=_auth(token),
        json={"given_name": "Marisol", "family_name": "Barrios", "sex": "F"} | extra,
    )
    assert answer.status_code == 201, answer.text
    person_id: str = answer.json()["id"]
    return person_id


def _trace(client: TestClient, token: str, person_id: str) -> Any:
    return client.post(
        "/api/v1/protection/tracing",
        headers=_auth(token),
        json={
            "requester_person_id": person_id,
            "relationship": "child",
            "sought_given_name": "Yuleisy",
            "sought_family_name": "Quintero",
            "sought_birth_date": "2016-03-14",
            "search_state": "PAN",
        },
    )


class TestQueue:
    def test_encodings_leave_after_retries_once_and_carry_no_name(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _active_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        assert _trace(client, token, _register(client, token)).status_code == 201
        transport = _FlakyTransport(failures=2)
        now = dt.datetime.now(dt.UTC)
        for minutes in (0, 1, 2, 3):
            service.deliver_due(
                session, transport=transport, now=now + dt.timedelta(minutes=minutes)
            )
        session.commit()
        row = session.scalars(
            select(Outbound).where(Outbound.kind == "tracing_request")
        ).one()
        assert (row.status, row.attempts) == ("sent", 3)
        sent = [
            b for b in transport.posted if b["envelope"]["kind"] == "tracing_request"
        ]
        assert len(sent) == 1
        text = json.dumps(sent[0])
        for value in ("Yuleisy", "Quintero", "2016", "Marisol", "Barrios"):
            assert value not in text
        assert sent[0]["envelope"]["payload"]["encoding"]

    def test_the_running_sender_posts_outside_any_transaction(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        sessions: sessionmaker[Session],
        token_for: Callable[[str], str],
    ) -> None:
        """A node that held its write turn while waiting on a peer deadlocked
        with a peer doing the same toward it (each waited out the timeout)."""
        _active_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        assert _trace(client, token, _register(client, token)).status_code == 201
        session.commit()
        open_units: list[int] = [0]
        unit_of_work = _units_of_work(sessions, open_units)

        class Watching(_FlakyTransport):
            def post(self, url: str, body: dict[str, Any]) -> int:
                assert open_units[0] == 0, "posted inside a unit of work"
                return super().post(url, body)

        transport = Watching(failures=0)
        assert service.deliver_due_in_turns(unit_of_work, transport=transport) >= 1
        row = session.scalars(
            select(Outbound).where(Outbound.kind == "tracing_request")
        ).one()
        session.refresh(row)
        assert (row.status, row.attempts) == ("sent", 1)
        assert [b["envelope"]["id"] for b in transport.posted].count(str(row.id)) == 1

    def test_a_fear_recorded_while_the_batch_is_sent_stops_the_rest(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        sessions: sessionmaker[Session],
        token_for: Callable[[str], str],
    ) -> None:
        """Sequence: two envelopes claimed together; while the first is on its
        way, a caseworker records that the second person fled the recipient.
        The second is checked again right before its post and never leaves."""
        _active_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        people = [_register(client, token), _register(client, token)]
        for person in people:
            assert _trace(client, token, person).status_code == 201
        session.commit()
        subject = {
            str(row.id): row.subject_ids
            for row in session.scalars(
                select(Outbound).where(Outbound.kind == "tracing_request")
            )
        }
        assert len(subject) == 2
        unit_of_work = _units_of_work(sessions)

        class FearMidway(_FlakyTransport):
            def post(self, url: str, body: dict[str, Any]) -> int:
                if not self.posted:
                    first = subject[body["envelope"]["id"]]
                    other = next(p for p in people if p not in first)
                    feared = client.put(
                        f"/api/v1/protection/people/{other}/profile",
                        headers=_auth(token),
                        json={"persecutor_states": ["PAN"], "is_refugee": True},
                    )
                    assert feared.status_code == 204, feared.text
                return super().post(url, body)

        transport = FearMidway(failures=0)
        assert service.deliver_due_in_turns(unit_of_work, transport=transport) == 1
        [sent] = transport.posted
        assert len(transport.tries) == 1  # the second was never posted
        rows = {
            str(r.id): r
            for r in session.scalars(
                select(Outbound).where(Outbound.kind == "tracing_request")
            )
        }
        for row in rows.values():
            session.refresh(row)
        assert rows[sent["envelope"]["id"]].status == "sent"
        [other] = [r for key, r in rows.items() if key != sent["envelope"]["id"]]
        assert (other.status, other.payload) == ("refused", "{}")

    def test_a_fear_recorded_after_queueing_stops_the_envelope(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _active_agreement(client, session, token_for)
        token = token_for("caseworker.col")
        person = _register(client, token)
        assert _trace(client, token, person).status_code == 201
        feared = client.put(
            f"/api/v1/protection/people/{person}/profile",
            headers=_auth(token),
            json={"persecutor_states": ["PAN"], "is_refugee": True},
        )
        assert feared.status_code == 204, feared.text
        transport = _FlakyTransport(failures=0)
        service.deliver_due(session, transport=transport)
        session.commit()
        row = session.scalars(
            select(Outbound).where(Outbound.kind == "tracing_request")
        ).one_or_none()
        # Recording the fear withdrew the request, or the sender stopped it.
        assert row is None or (row.status, row.refusal) == ("refused", "feared_state")
        assert [
            b for b in transport.posted if b["envelope"]["kind"] == "tracing_request"
        ] == []

    def test_revoked_agreement_sends_nothing(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _active_agreement(client, session, token_for)
        revoked = client.post(
            f"/api/v1/exchange/agreements/{agreement_id}/revoke",
            headers=_auth(token_for("focal_point.col")),
        )
        assert revoked.json()["status"] == "revoked"
        token = token_for("caseworker.col")
        assert _trace(client, token, _register(client, token)).status_code == 201
        row = session.scalars(
            select(Outbound).where(Outbound.kind == "tracing_request")
        ).one()
        assert (row.status, row.refusal, row.payload) == (
            "refused",
            "agreement_not_active",
            "{}",
        )


class TestScreens:
    def test_agreements_and_log_pages_speak_spanish(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
        login_as: Login,
    ) -> None:
        _active_agreement(client, session, token_for)
        login_as(client, "focal_point.col")
        page = client.get("/exchange/agreements", headers={"Accept-Language": "es"})
        assert page.status_code == 200
        assert "Activo" in page.text
        assert "Acuerdos de intercambio de datos" in page.text
        assert ">linkage_encodings<" not in page.text
        login_as(client, "auditor.col")
        log_page = client.get("/exchange/log", headers={"Accept-Language": "es"})
        assert log_page.status_code == 200
        assert "Registro de intercambios" in log_page.text
        assert "Firma de acuerdo" in log_page.text

    def test_draft_sign_and_revoke_from_the_page(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        login_as: Login,
    ) -> None:
        _pan_peer(session)
        login_as(client, "focal_point.col")
        answer = client.post(
            "/exchange/agreements",
            data=CSRF
            | {
                "partner": "PAN",
                "purpose": "tracing",
                "categories": ["linkage_encodings"],
                "legal_basis": "MoU",
                "dpia_reference": "D-1",
                "retention_days": "30",
                "expires_on": (
                    dt.datetime.now(dt.UTC).date() + dt.timedelta(days=9)
                ).isoformat(),
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303
        row = session.scalars(
            select(Agreement).order_by(Agreement.created_at.desc())
        ).first()
        assert row is not None
        assert row.status == "draft"
        signed = client.post(
            f"/exchange/agreements/{row.id}/sign", data=CSRF, follow_redirects=False
        )
        assert signed.status_code == 303
        session.expire_all()
        assert session.get(Agreement, row.id).status == "draft"  # type: ignore[union-attr]


def _protection_case_count(session: Session) -> int:
    from puente.protection.models import Case

    return _count(session, Case)


def _tracing_referrals(session: Session) -> list[tuple[str, str, str]]:
    """(state, service type, shared fields) of every referral, by case person."""
    from puente.protection.models import Referral, ServiceDirectoryEntry

    return [
        (r.recipient_state, service_type, r.shared_fields)
        for r, service_type in session.execute(
            select(Referral, ServiceDirectoryEntry.service_type).join(
                ServiceDirectoryEntry, ServiceDirectoryEntry.id == Referral.service_id
            )
        ).all()
    ]


def _directory(session: Session) -> None:
    from puente.protection.demo import load_directory

    load_directory(session)
    session.commit()


class TestReunification:
    def test_confirming_a_peer_candidate_opens_a_case_and_tells_the_peer(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _active_agreement(client, session, token_for)
        _directory(session)
        token = token_for("caseworker.col")
        request_id = _trace(client, token, _register(client, token)).json()["id"]
        reference = str(uuid.uuid4())
        answer = client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "tracing_candidates",
                {
                    "request_ref": request_id,
                    "candidates": [
                        {"reference": reference, "score": 0.93, "likelihood": "high"}
                    ],
                },
                agreement_id=agreement_id,
                purpose="tracing",
                categories=["match_candidates"],
            ),
        )
        assert answer.json()["status"] == "accepted", answer.text
        read = client.get(
            f"/api/v1/protection/tracing/{request_id}", headers=_auth(token)
        ).json()
        assert [(c["state"], c["reference"]) for c in read["candidates"]] == [
            ("PAN", reference)
        ]
        cases = _protection_case_count(session)
        decided = client.post(
            f"/api/v1/protection/tracing/{request_id}/candidates/"
            f"{read['candidates'][0]['id']}",
            headers=_auth(token),
            json={"confirm": True},
        )
        assert decided.json()["status"] == "matched"
        assert _protection_case_count(session) == cases + 1
        assert _tracing_referrals(session) == [
            ("COL", "family_tracing", "case_summary,identity")
        ]
        told = session.scalars(
            select(Outbound).where(Outbound.kind == "tracing_decision")
        ).one()
        assert told.status == "queued"
        assert json.loads(told.payload)["reference"] == reference

    def test_the_peer_search_answers_references_and_a_confirmation_opens_a_case(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        import base64

        from puente.exchange.service.tracing import encode

        agreement_id = _active_agreement(client, session, token_for)
        _directory(session)
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
            [
                {
                    "given_name": "Yuleisi",
                    "family_name": "Quintero Barrios",
                    "sex": "F",
                    "birth_date": "2016",
                }
            ],
            ["q"],
        )
        request_ref = str(uuid.uuid4())
        answer = client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "tracing_request",
                {
                    "request_ref": request_ref,
                    "format": "puente-pprl-tracing/1",
                    "encoding": base64.b64encode(query.to_bytes()).decode("ascii"),
                },
                agreement_id=agreement_id,
                purpose="tracing",
                categories=["linkage_encodings"],
            ),
        )
        assert answer.json()["status"] == "accepted", answer.text
        reply = session.scalars(
            select(Outbound).where(Outbound.kind == "tracing_candidates")
        ).one()
        candidates = json.loads(reply.payload)["candidates"]
        assert candidates
        assert candidates[0]["likelihood"] == "high"
        assert child not in reply.payload
        assert "Yuleisy" not in reply.payload
        cases = _protection_case_count(session)
        confirmed = client.post(
            "/api/v1/exchange/envelopes",
            json=_envelope(
                "tracing_decision",
                {
                    "request_ref": request_ref,
                    "reference": candidates[0]["reference"],
                    "confirmed": True,
                },
                agreement_id=agreement_id,
                purpose="tracing",
                categories=["match_confirmation"],
            ),
        )
        assert confirmed.json()["status"] == "accepted", confirmed.text
        assert _protection_case_count(session) == cases + 1
        assert _tracing_referrals(session) == [
            ("COL", "family_tracing", "case_summary,identity")
        ]


def test_the_tracing_page_lists_a_peer_candidate_without_a_name(
    col_node: None,
    client: TestClient,
    session: Session,
    token_for: Callable[[str], str],
    login_as: Login,
) -> None:
    agreement_id = _active_agreement(client, session, token_for)
    token = token_for("caseworker.col")
    request_id = _trace(client, token, _register(client, token)).json()["id"]
    client.post(
        "/api/v1/exchange/envelopes",
        json=_envelope(
            "tracing_candidates",
            {
                "request_ref": request_id,
                "candidates": [
                    {"reference": str(uuid.uuid4()), "score": 0.9, "likelihood": "high"}
                ],
            },
            agreement_id=agreement_id,
            purpose="tracing",
            categories=["match_candidates"],
        ),
    )
    login_as(client, "caseworker.col")
    page = client.get(
        f"/protection/tracing/{request_id}", headers={"Accept-Language": "es"}
    )
    assert page.status_code == 200
    assert "Candidatos encontrados por el otro Estado" in page.text
    assert "Confirmar la coincidencia" in page.text
    assert "90%" in page.text
