"""The promises as invariants of the stored state, over random sequences of actions.

A hypothesis `RuleBasedStateMachine` plays random roles of two states (COL, PAN):
register, screen, record / edit / withdraw protection facts (in protection and in
people), consular wish and notification, refer, trace, export, propose and approve
returns, revoke consent, move cases. After every step it checks, over the stored
state and every channel:

- nothing about a person is open toward, or was just sent to, a state they fear;
- no open task, referral or tracing request contradicts a protection fact, and
  every open return decision's gate is what the facts say *now*;
- a protection fact is never weakened except by the audited withdraw action;
- nothing of one state is visible to the other;
- every row written has its audit row.

Each sequence runs in a savepoint rolled back afterwards; each action in its own
nested savepoint (as a request's transaction). Examples: `PUENTE_INVARIANT_EXAMPLES`
(default 2,000 in CI), or 100,000 with `PUENTE_PROOF=1`; `make proof` runs
`scripts/proof/invariants.py`, which splits 100,000 over processes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente import people
from puente.core.audit import AuditEvent
from puente.core.errors import DomainError, NotFound
from puente.identity import service as identity_service
from puente.identity.models import User
from puente.identity.permissions import Actor, Role
from puente.protection import service
from puente.protection.models import (
    Case,
    ConsularNotification,
    Referral,
    ReturnDecision,
    TracingRequest,
)
from puente.protection.rules import returns as gate_rules
from puente.protection.rules.disclosure import DisclosureForbidden, protected_from
from puente.protection.service._common import protection_facts, unseal
from puente.protection.service.facts import FactWithdrawalRequired
from puente.protection.service.returns import _derived_facts, merge_facts

STATES = ("NIC", "VEN", "HND", "COL", "PAN")
TENANTS = ("COL", "PAN")
ROLES = (Role.CASEWORKER, Role.PROTECTION_OFFICER, Role.SUPERVISOR)
# A withdrawal needs a reason: blank ones must be refused like missing ones.
REASONS = ("", "  ", "Passport seen at the border post")
CLAIMS = ("pending", "appeal_pending", "rejected_final", "recognised")
BOOL_FACTS = ("is_refugee", "is_stateless", "expressed_fear")
ORIGIN_EDITS = (
    "nationality",
    "other_nationalities",
    "country_of_birth",
    "habitual_residence",
)
# Family names of registered persons start with this (the canary scan sets it).
NAME_MARKER = "Inv"


def _proof() -> bool:
    return os.environ.get("PUENTE_PROOF") == "1"  # noqa: TID251 - test switch


def examples() -> int:
    """`PUENTE_INVARIANT_EXAMPLES` when set (the proof script gives each of its
    processes a share), else 100,000 under `PUENTE_PROOF=1`, else 2,000 (CI)."""
    asked = os.environ.get("PUENTE_INVARIANT_EXAMPLES")  # noqa: TID251
    if asked:
        return int(asked)
    return 100_000 if _proof() else 2000


def _feared(session: Session, person_id: uuid.UUID, tenant: str) -> frozenset[str]:
    from puente.identity.permissions import system_actor

    _p, facts = protection_facts(session, system_actor(tenant), person_id)
    return protected_from(facts)


class Promises(RuleBasedStateMachine):
    """Bound to a session and the base actors by `test_promises_hold`."""

    session: Session
    base: dict[str, Actor]
    services: dict[tuple[str, str], uuid.UUID]
    sequences = 0  # sequences begun (generated, replayed and shrunk)

    persons = Bundle("persons")
    cases = Bundle("cases")
    # Persons someone recorded a protection fact for (the edits worth trying).
    protected = Bundle("protected")

    def __init__(self) -> None:
        super().__init__()
        type(self).sequences += 1
        self.tx = self.session.begin_nested()
        self.tenant_of: dict[uuid.UUID, str] = {}
        self.feared_before: dict[uuid.UUID, frozenset[str]] = {}
        self.audit_count = self._audit_count()

    def teardown(self) -> None:
        self.tx.rollback()

    # --- helpers ------------------------------------------------------------------

    def _audit_count(self) -> int:
        return int(self.session.scalar(select(func.count(AuditEvent.id))) or 0)

    def actor(self, tenant: str, role: Role) -> Actor:
        base = self.base[tenant]
        return replace(
            base,
            roles=frozenset({role}),
            user_id=uuid.uuid5(base.user_id or uuid.NAMESPACE_OID, role.value),
        )

    def act(self, fn: Callable[[], Any]) -> tuple[Any, DomainError | None]:
        """One action as one request: a nested savepoint, undone on refusal."""
        nested = self.session.begin_nested()
        try:
            result = fn()
        except DomainError as error:
            nested.rollback()
            return None, error
        nested.commit()
        return result, None

    # --- rules --------------------------------------------------------------------

    @rule(
        target=persons,
        tenant=st.sampled_from(TENANTS),
        nationality=st.sampled_from(STATES),
        other=st.sampled_from((None, *STATES)),
    )
    def register(self, tenant: str, nationality: str, other: str | None) -> Any:
        actor = self.actor(tenant, Role.CASEWORKER)
        data = people.PersonCreate.model_validate(
            {
                "given_name": "Ana",
                "family_name": f"{NAME_MARKER} {uuid.uuid4().hex[:6]}",
                "sex": "F",
                "birth_date": "1990",
                "nationality": nationality,
                "other_nationalities": [other] if other else [],
            }
        )
        person, error = self.act(
            lambda: people.register_person(self.session, actor=actor, data=data)
        )
        assert error is None, error
        self.tenant_of[person.id] = tenant
        self.feared_before[person.id] = frozenset()
        return person.id

    @rule(target=cases, person=persons)
    def open_case(self, person: uuid.UUID) -> Any:
        actor = self.actor(self.tenant_of[person], Role.CASEWORKER)
        case, error = self.act(
            lambda: service.open_case(self.session, actor=actor, person_id=person)
        )
        assert error is None, error
        return case.id

    @rule(person=persons, fear=st.booleans(), role=st.sampled_from(ROLES))
    def screen(self, person: uuid.UUID, fear: bool, role: Role) -> None:
        actor = self.actor(self.tenant_of[person], role)
        _r, error = self.act(
            lambda: service.screen_person(
                self.session,
                actor=actor,
                person_id=person,
                answers={"expressed_fear": fear},
            )
        )
        assert error is None, error

    @rule(
        target=protected,
        person=persons,
        role=st.sampled_from(ROLES),
        claim=st.sampled_from((None, "none", *CLAIMS)),
        persecutors=st.one_of(st.none(), st.lists(st.sampled_from(STATES), max_size=2)),
        origin=st.sampled_from((None, *STATES)),
        flags=st.dictionaries(st.sampled_from(BOOL_FACTS), st.booleans(), max_size=3),
    )
    def record_facts(
        self,
        person: uuid.UUID,
        role: Role,
        claim: str | None,
        persecutors: list[str] | None,
        origin: str | None,
        flags: dict[str, bool],
    ) -> uuid.UUID:
        actor = self.actor(self.tenant_of[person], role)
        _r, error = self.act(
            lambda: service.record_protection_profile(
                self.session,
                actor=actor,
                person_id=person,
                claim_status=claim,
                persecutor_states=persecutors,
                country_of_origin=origin,
                is_refugee=flags.get("is_refugee"),
                is_stateless=flags.get("is_stateless"),
                expressed_fear=flags.get("expressed_fear"),
            )
        )
        assert error is None or isinstance(error, FactWithdrawalRequired), error
        return person

    @rule(
        target=protected,
        person=persons,
        attribute=st.sampled_from(
            (people.SensitiveKind.ASYLUM_CLAIM, people.SensitiveKind.FEARED_STATES)
        ),
        state=st.sampled_from(STATES),
    )
    def record_in_people(
        self, person: uuid.UUID, attribute: people.SensitiveKind, state: str
    ) -> uuid.UUID:
        actor = self.actor(self.tenant_of[person], Role.PROTECTION_OFFICER)
        _r, error = self.act(
            lambda: people.record_sensitive(
                self.session,
                actor=actor,
                person_id=person,
                attribute=attribute,
                value=state if attribute is people.SensitiveKind.FEARED_STATES else "y",
                consent=people.ConsentIn(),
            )
        )
        assert error is None, error
        return person

    @rule(
        person=persons,
        role=st.sampled_from(ROLES),
        fact=st.sampled_from(
            ("claim_status", "persecutor_states", "country_of_origin", *BOOL_FACTS)
        ),
        state=st.sampled_from(STATES),
    )
    def withdraw_fact(
        self, person: uuid.UUID, role: Role, fact: str, state: str
    ) -> None:
        actor = self.actor(self.tenant_of[person], role)
        _r, error = self.act(
            lambda: service.withdraw_protection_fact(
                self.session,
                actor=actor,
                person_id=person,
                fact=fact,
                state=state,
                reason="recorded in error",
            )
        )
        if role is Role.CASEWORKER:
            assert error is not None, "a caseworker withdrew a protection fact"
        else:
            assert error is None, error
            # The one legitimate way down: the model accepts the new baseline.
            self.feared_before[person] = _feared(
                self.session, person, self.tenant_of[person]
            )

    @rule(
        person=persons,
        role=st.sampled_from(ROLES),
        field=st.sampled_from(ORIGIN_EDITS),
        state=st.sampled_from((None, *STATES)),
        reason=st.sampled_from(REASONS),
    )
    def edit_origins(
        self, person: uuid.UUID, role: Role, field: str, state: str | None, reason: str
    ) -> None:
        self._edit_origins(person, role, field, state, reason)

    @rule(
        person=protected,
        role=st.sampled_from(ROLES),
        field=st.sampled_from(ORIGIN_EDITS),
        state=st.sampled_from((None, *STATES)),
        reason=st.sampled_from(REASONS),
    )
    def edit_protected_origins(
        self, person: uuid.UUID, role: Role, field: str, state: str | None, reason: str
    ) -> None:
        self._edit_origins(person, role, field, state, reason)

    @rule(
        person=persons,
        claim=st.sampled_from(CLAIMS),
        role=st.sampled_from(ROLES),
        field=st.sampled_from(ORIGIN_EDITS),
        state=st.sampled_from((None, *STATES)),
        reason=st.sampled_from(REASONS),
    )
    def claim_then_edit_origins(
        self,
        person: uuid.UUID,
        claim: str,
        role: Role,
        field: str,
        state: str | None,
        reason: str,
    ) -> None:
        """A supervisor records a claim, then someone edits an origin: the edit
        a caseworker may not use to open the way toward the state fled."""
        supervisor = self.actor(self.tenant_of[person], Role.SUPERVISOR)
        _r, error = self.act(
            lambda: service.record_protection_profile(
                self.session, actor=supervisor, person_id=person, claim_status=claim
            )
        )
        assert error is None or isinstance(error, FactWithdrawalRequired), error
        self._edit_origins(person, role, field, state, reason)

    def _edit_origins(
        self,
        person: uuid.UUID,
        role: Role,
        field: str,
        state: str | None,
        reason: str = "",
    ) -> None:
        """Change a nationality, other nationalities, country of birth or
        habitual residence. For a protected person each bars disclosure toward
        that state (DP-1): a new one adds a feared state (what is open toward it
        is withdrawn, checked by the invariants), replacing or removing one is a
        withdrawal of a protection fact: only roles with `protection:withdraw_fact`,
        never a caseworker's plain edit, and never without a reason."""
        tenant = self.tenant_of[person]
        actor = self.actor(tenant, role)
        seen = people.get_person(self.session, actor=actor, person_id=person)
        value: Any = (
            ([state] if state else []) if field == "other_nationalities" else state
        )
        edit = people.PersonUpdate.model_validate(
            {"expected_version": seen.version, field: value, "change_reason": reason}
        )
        before = _feared(self.session, person, tenant)
        _r, error = self.act(
            lambda: people.update_person(
                self.session, actor=actor, person_id=person, data=edit
            )
        )
        after = _feared(self.session, person, tenant)
        if error is not None:
            assert after == before, "a refused edit changed the facts"
        elif not before <= after:
            # An authorised withdrawal by edit (audited, with its reason): the
            # new baseline. A caseworker's edit or one without a reason never is.
            assert role is not Role.CASEWORKER, "a caseworker narrowed the facts"
            assert reason.strip(), "the facts narrowed without a reason"
            self.feared_before[person] = after

    @rule(person=persons, wish=st.sampled_from(("requests", "declines")))
    def consular_wish(self, person: uuid.UUID, wish: str) -> None:
        actor = self.actor(self.tenant_of[person], Role.CASEWORKER)
        _r, error = self.act(
            lambda: service.record_consular_wish(
                self.session,
                actor=actor,
                person_id=person,
                wish=wish,
                detained_at=dt.datetime.now(dt.UTC),
            )
        )
        assert error is None, error

    @rule(data=st.data())
    def notify_consulate(self, data: st.DataObject) -> None:
        rows = self.session.scalars(
            select(ConsularNotification).where(
                ConsularNotification.status.in_(("task_open", "withdrawn"))
            )
        ).all()
        if not rows:
            return
        row = data.draw(st.sampled_from(rows))
        feared = _feared(self.session, row.person_id, row.tenant_code)
        actor = self.actor(row.tenant_code, Role.CASEWORKER)
        _r, error = self.act(
            lambda: service.mark_consular_notified(
                self.session, actor=actor, notification_id=row.id
            )
        )
        if row.consulate_state in feared or row.status == "withdrawn":
            assert error is not None, "notified a consulate the person fears"

    @rule(case=cases, state=st.sampled_from(STATES))
    def refer(self, case: uuid.UUID, state: str) -> None:
        row = self.session.get(Case, case)
        assert row is not None
        feared = _feared(self.session, row.person_id, row.tenant_code)
        actor = self.actor(row.tenant_code, Role.CASEWORKER)
        _r, error = self.act(
            lambda: service.refer_case(
                self.session,
                actor=actor,
                case_id=case,
                service_id=self.services[(row.tenant_code, state)],
                purpose="legal aid",
                shared_fields=["identity"],
                consent_given_by="person",
                consent_until=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=9),
            )
        )
        assert (state in feared) == isinstance(error, DisclosureForbidden), error

    @rule(data=st.data())
    def revoke_consent(self, data: st.DataObject) -> None:
        rows = self.session.scalars(select(Referral)).all()
        if not rows:
            return
        row = data.draw(st.sampled_from(rows))
        actor = self.actor(row.tenant_code, Role.CASEWORKER)
        self.act(
            lambda: service.revoke_referral_consent(
                self.session, actor=actor, referral_id=row.id
            )
        )

    @rule(person=persons, state=st.sampled_from(STATES))
    def trace(self, person: uuid.UUID, state: str) -> None:
        tenant = self.tenant_of[person]
        feared = _feared(self.session, person, tenant)
        actor = self.actor(tenant, Role.CASEWORKER)
        _r, error = self.act(
            lambda: service.create_tracing_request(
                self.session,
                actor=actor,
                requester_person_id=person,
                relationship="sibling",
                sought_given_name="Rosa",
                sought_family_name="Inv",
                search_state=state,
            )
        )
        assert (state in feared) == isinstance(error, DisclosureForbidden), error

    @rule(tenant=st.sampled_from(TENANTS), state=st.sampled_from(STATES))
    def export(self, tenant: str, state: str) -> None:
        actor = self.actor(tenant, Role.SUPERVISOR)
        file, error = self.act(
            lambda: service.export_cases(
                self.session, actor=actor, encrypt=False, recipient_state=state
            )
        )
        assert error is None, error
        text = file.content.decode("utf-8")
        for case in self.session.scalars(select(Case)).all():
            if case.number in text:
                assert case.tenant_code == tenant, "another state's case exported"
                assert state not in _feared(self.session, case.person_id, tenant)

    @rule(person=persons, destination=st.sampled_from(STATES))
    def propose_return(self, person: uuid.UUID, destination: str) -> None:
        actor = self.actor(self.tenant_of[person], Role.SUPERVISOR)
        _r, error = self.act(
            lambda: service.request_return(
                self.session, actor=actor, person_id=person, destination=destination
            )
        )
        assert error is None, error

    @rule(data=st.data(), role=st.sampled_from(ROLES))
    def approve_return(self, data: st.DataObject, role: Role) -> None:
        rows = self.session.scalars(
            select(ReturnDecision).where(ReturnDecision.status == "draft")
        ).all()
        if not rows:
            return
        row = data.draw(st.sampled_from(rows))
        actor = self.actor(row.tenant_code, role)
        now_passes = self._gate_now(row).passed
        _r, error = self.act(
            lambda: service.approve_return(
                self.session, actor=actor, decision_id=row.id
            )
        )
        if not now_passes:
            assert error is not None, "approved a return the facts now forbid"

    @rule(case=cases, state=st.sampled_from(("assessment", "closed", "active")))
    def move_case(self, case: uuid.UUID, state: str) -> None:
        row = self.session.get(Case, case)
        assert row is not None
        actor = self.actor(row.tenant_code, Role.CASEWORKER)
        self.act(
            lambda: service.move_case(
                self.session, actor=actor, case_id=case, target=state
            )
        )

    @rule(person=persons)
    def other_state_probes(self, person: uuid.UUID) -> None:
        """Officials of the other state see nothing of this person."""
        tenant = self.tenant_of[person]
        other = next(t for t in TENANTS if t != tenant)
        actor = self.actor(other, Role.SUPERVISOR)
        for fn in (
            lambda: people.get_person(self.session, actor=actor, person_id=person),
            lambda: service.record_consular_wish(
                self.session,
                actor=actor,
                person_id=person,
                wish="requests",
                detained_at=dt.datetime.now(dt.UTC),
            ),
            lambda: service.record_protection_profile(
                self.session, actor=actor, person_id=person, claim_status="none"
            ),
        ):
            _r, error = self.act(fn)
            assert isinstance(error, NotFound), "another state reached this person"
        seen = service.list_consular(self.session, actor=actor, person_id=person)
        assert seen == []

    # --- invariants ---------------------------------------------------------------

    def _gate_now(self, row: ReturnDecision) -> gate_rules.GateResult:
        from puente.identity.permissions import system_actor

        stored = unseal(
            row.tenant_code,
            "protection_return_decision",
            "facts",
            row.id,
            row.facts_sealed,
        )
        case = self.session.get(Case, row.case_id) if row.case_id else None
        derived = _derived_facts(
            self.session, system_actor(row.tenant_code), row.person_id, case
        )
        facts = merge_facts(stored, derived)
        facts["destination"] = row.destination
        return gate_rules.evaluate_gate(facts)

    @invariant()
    def promises_hold(self) -> None:
        """All invariants in one pass (facts computed once per person)."""
        feared = {
            person: _feared(self.session, person, tenant)
            for person, tenant in self.tenant_of.items()
        }
        self._monotonic(feared)
        self._nothing_open_toward_a_feared_state(feared)
        self._open_returns_match_the_facts_now()
        self._tenants_stay_apart()
        self._every_change_has_its_audit_row()

    def _monotonic(self, feared: dict[uuid.UUID, frozenset[str]]) -> None:
        for person, states in feared.items():
            # Only the withdraw rule lowers the baseline.
            assert self.feared_before[person] <= states, "a fact was weakened"
            self.feared_before[person] = states

    def _nothing_open_toward_a_feared_state(
        self, feared: dict[uuid.UUID, frozenset[str]]
    ) -> None:
        consular = self.session.execute(
            select(
                ConsularNotification.person_id, ConsularNotification.consulate_state
            ).where(ConsularNotification.status == "task_open")
        ).all()
        for person, state in consular:
            assert state not in feared.get(person, ()), "open consular task"
        referrals = self.session.execute(
            select(Case.person_id, Referral.recipient_state)
            .join(Case, Case.id == Referral.case_id)
            .where(Referral.status.in_(("sent", "accepted")))
        ).all()
        for person, state in referrals:
            assert state not in feared.get(person, ()), "open referral"
        tracing = self.session.execute(
            select(
                TracingRequest.requester_person_id, TracingRequest.search_state
            ).where(TracingRequest.status.in_(("open", "forwarded")))
        ).all()
        for person, state in tracing:
            assert state not in feared.get(person, ()), "open tracing request"

    def _open_returns_match_the_facts_now(self) -> None:
        for row in self.session.scalars(
            select(ReturnDecision).where(ReturnDecision.status == "draft")
        ).all():
            assert self._gate_now(row).passed, "a draft return the facts now block"

    def _tenants_stay_apart(self) -> None:
        for model in (ConsularNotification, ReturnDecision):
            rows = self.session.execute(
                select(model.person_id, model.tenant_code)
            ).all()
            for person, tenant in rows:
                assert self.tenant_of.get(person, tenant) == tenant, "tenant wall"
        mixed = self.session.scalar(
            select(func.count(Referral.id))
            .join(Case, Case.id == Referral.case_id)
            .where(Referral.tenant_code != Case.tenant_code)
        )
        assert mixed == 0, "a referral across the tenant wall"

    def _every_change_has_its_audit_row(self) -> None:
        ids: list[str] = []
        withdrawn: list[str] = []
        for model in (ConsularNotification, Referral, TracingRequest, ReturnDecision):
            for row_id, status in self.session.execute(
                select(model.id, model.status)
            ).all():
                ids.append(str(row_id))
                if status == "withdrawn":
                    withdrawn.append(str(row_id))
        if not ids:
            return
        audited = self.session.execute(
            select(AuditEvent.object_id, AuditEvent.action).where(
                AuditEvent.object_id.in_(ids)
            )
        ).all()
        assert set(ids) <= {o for o, _a in audited}, "a row without its audit row"
        withdrawals = {o for o, a in audited if a.endswith(":withdraw")}
        assert set(withdrawn) <= withdrawals, "a withdrawal without its audit row"


@pytest.fixture
def base_actors(session: Session) -> dict[str, Actor]:
    out = {}
    for tenant, name in (("COL", "caseworker.col"), ("PAN", "caseworker.pan")):
        user = session.scalars(select(User).where(User.username == name)).one()
        out[tenant] = identity_service.actor_for(user)
    return out


def _directory(
    session: Session, base: dict[str, Actor]
) -> dict[tuple[str, str], uuid.UUID]:
    ids = {}
    for tenant, actor in base.items():
        admin = replace(actor, roles=frozenset({Role.SUPERVISOR}))
        for state in STATES:
            entry = service.add_service(
                session,
                actor=admin,
                slug=f"inv-{tenant}-{state}-{uuid.uuid4().hex[:6]}".lower(),
                organisation_name=f"Legal aid {state}",
                state=state,
                service_type="legal_aid",
                place="—",
                languages=["es"],
            )
            ids[(tenant, state)] = entry.id
    session.flush()
    return ids


@pytest.mark.slow
def test_promises_hold(session: Session, base_actors: dict[str, Actor]) -> None:
    class Bound(Promises):
        pass

    Bound.session = session
    Bound.base = base_actors
    Bound.services = _directory(session, base_actors)
    run_state_machine_as_test(
        Bound,
        settings=settings(
            max_examples=examples(),
            stateful_step_count=10,
            deadline=None,
            derandomize=not _proof(),
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    report = os.environ.get("PUENTE_INVARIANT_REPORT")  # noqa: TID251 - proof
    if report:
        # The figure `scripts/proof/invariants.py` adds up: sequences that ran to
        # their end with every invariant checked after every step.
        # One line per run (a process may run both backends).
        with Path(report).open("a") as out:
            out.write(json.dumps({"sequences": Bound.sequences}) + "\n")
