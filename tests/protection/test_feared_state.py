"""Never toward the feared state (DESIGN.md; research/07 DP-1), through the
service layer: referral, export, consular notification and tracing, over at
least 2,000 generated cases with 0 violations. And the must-show: a Venezuelan
with a pending claim produces no consular notification toward Venezuela."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.rules.disclosure import (
    DisclosureForbidden,
    ProtectionFacts,
    protected_from,
)
from tests.protection.conftest import Register

STATES = ("VEN", "COL", "PAN", "HTI", "CUB", "NIC", "HND", "MEX")
UNTIL = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
DETAINED = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)

profiles = st.fixed_dictionaries(
    {
        "claim_status": st.sampled_from(
            ["none", "pending", "appeal_pending", "rejected_final", "recognised"]
        ),
        "former_habitual_residences": st.lists(st.sampled_from(STATES), max_size=2),
        "persecutor_states": st.lists(st.sampled_from(STATES), max_size=2),
        "is_refugee": st.booleans(),
        "is_stateless": st.booleans(),
        "expressed_fear": st.booleans(),
    }
)
cases = st.tuples(
    st.sampled_from(STATES),  # nationality
    profiles,
    st.sampled_from(["referral", "export", "consular", "tracing"]),
    st.sampled_from(STATES),  # recipient state
)


def _expected_feared(nationality: str, profile: dict[str, Any]) -> frozenset[str]:
    return protected_from(
        ProtectionFacts(
            nationalities=frozenset({nationality}),
            former_habitual_residences=frozenset(profile["former_habitual_residences"]),
            persecutor_states=frozenset(profile["persecutor_states"]),
            has_asylum_claim=profile["claim_status"] != "none",
            is_refugee=profile["is_refugee"],
            is_stateless=profile["is_stateless"],
            has_protection_flag=profile["expressed_fear"],
        )
    )


def _disclosures(session: Session, since: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.id > since,
                AuditEvent.action == "protection:disclosure:allowed",
            )
        )
    )


def test_no_channel_ever_discloses_to_a_feared_state(
    session: Session, caseworker: Actor, register: Register
) -> None:
    pool = {}
    for state in STATES:
        person = register(nationality=state)
        case = service.open_case(session, actor=caseworker, person_id=person)
        pool[state] = (person, case.id)
    services = {
        state: service.add_service(
            session,
            actor=caseworker,
            slug=f"feared-{state}-{uuid.uuid4().hex[:6]}",
            organisation_name=f"Provider {state}",
            state=state,
            service_type="legal_aid",
            place="x",
            languages=["es"],
        ).id
        for state in STATES
    }
    session.flush()
    violations: list[str] = []
    counted = {"examples": 0, "refused": 0}

    @settings(
        max_examples=2000,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases)
    def check(example: tuple[str, dict[str, Any], str, str]) -> None:
        nationality, profile, channel, recipient = example
        person_id, case_id = pool[nationality]
        feared = _expected_feared(nationality, profile)
        savepoint = session.begin_nested()
        try:
            service.record_protection_profile(
                session, actor=caseworker, person_id=person_id, **profile
            )
            head = (
                session.scalars(
                    select(AuditEvent.id).order_by(AuditEvent.id.desc())
                ).first()
                or 0
            )
            leaked = _run(
                channel,
                session,
                caseworker,
                person_id,
                case_id,
                services[recipient],
                recipient,
                nationality,
            )
            for event in _disclosures(session, head):
                if (
                    event.object_id == str(person_id)
                    and f'"recipient_state":"{recipient}"' in event.details
                ):
                    leaked = True
            if leaked and recipient in feared:
                violations.append(f"{channel} -> {recipient}: {example}")
        except DisclosureForbidden:
            counted["refused"] += 1
        finally:
            savepoint.rollback()
        counted["examples"] += 1

    check()
    assert counted["examples"] >= 2000
    assert counted["refused"] > 100  # the generator does hit the bar
    assert violations == []


def _run(
    channel: str,
    session: Session,
    actor: Actor,
    person_id: uuid.UUID,
    case_id: uuid.UUID,
    service_id: uuid.UUID,
    recipient: str,
    nationality: str,
) -> bool:
    """Drive one channel; True when something went out toward `recipient`."""
    if channel == "referral":
        service.refer_case(
            session,
            actor=actor,
            case_id=case_id,
            service_id=service_id,
            purpose="Legal aid",
            shared_fields=["identity"],
            consent_given_by="person",
            consent_until=UNTIL,
        )
        return True
    if channel == "export":
        file = service.export_cases(
            session, actor=actor, fmt="csv", encrypt=False, recipient_state=recipient
        )
        return str(case_id)[:8].upper() in file.content.decode("utf-8-sig")
    if channel == "consular":
        rows = service.record_consular_wish(
            session,
            actor=actor,
            person_id=person_id,
            wish="requests",
            detained_at=DETAINED,
        )
        return any(
            r.consulate_state == recipient and r.status == "task_open" for r in rows
        )
    view = service.create_tracing_request(
        session,
        actor=actor,
        requester_person_id=person_id,
        relationship="sibling",
        sought_given_name="Ana",
        sought_family_name="Pérez",
        search_state=recipient,
    )
    return view.request.search_state == recipient


class TestConsularNotification:
    def test_venezuelan_with_pending_claim_no_notification_toward_ven(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        person = register(nationality="VEN", other_nationalities=["ESP"])
        service.record_protection_profile(
            session, actor=caseworker, person_id=person, claim_status="pending"
        )
        rows = service.record_consular_wish(
            session,
            actor=caseworker,
            person_id=person,
            wish="requests",
            detained_at=DETAINED,
        )
        toward_ven = [r for r in rows if r.consulate_state == "VEN"]
        assert toward_ven
        assert all(r.status == "withheld" for r in toward_ven)
        assert all(r.due_at is None for r in toward_ven)
        assert toward_ven[0].refer_to_protecting_authority
        tasks = service.open_consular_tasks(session, actor=caseworker)
        assert person not in {t.person_id for t in tasks}
        # DP-1 covers every nationality of a protected person, Spain's too.
        assert {r.consulate_state for r in rows} == {"ESP", "VEN"}
        assert all(r.status == "withheld" for r in rows)

    def test_a_consular_message_carries_identity_and_detention_only(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        person = register(nationality="HND")
        rows = service.record_consular_wish(
            session,
            actor=caseworker,
            person_id=person,
            wish="requests",
            detained_at=DETAINED,
        )
        message = service.consular_message(
            session, actor=caseworker, notification_id=rows[0].id
        )
        assert set(message) == {
            "given_name",
            "family_name",
            "birth_date",
            "nationality",
            "place_of_detention",
            "detained_at",
        }

    def test_a_person_who_opposes_is_recorded_and_not_notified(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        person = register(nationality="HND")
        rows = service.record_consular_wish(
            session,
            actor=caseworker,
            person_id=person,
            wish="opposes",
            detained_at=DETAINED,
        )
        assert rows[0].status == "none"
        assert rows[0].opposition_recorded_at is not None

    def test_a_request_creates_a_task_due_within_a_day(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        person = register(nationality="HND")
        rows = service.record_consular_wish(
            session,
            actor=caseworker,
            person_id=person,
            wish="requests",
            detained_at=DETAINED,
        )
        assert rows[0].status == "task_open"
        assert rows[0].due_at == DETAINED + dt.timedelta(hours=24)
