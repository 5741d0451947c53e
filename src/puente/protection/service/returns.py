"""Return decisions behind the safeguard gate (research/01 §3.7).

A decision stores a snapshot of its facts (encrypted) and of every check's
result. It reaches `approved` only when the gate passes; otherwise
`approve_return` raises ReturnBlocked (409) naming the failed checks, and only a
two-person override (two different authorised people, neither the requester,
each naming authority and legal basis) can lift the overridable ones.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.db import new_id, utcnow
from puente.identity import Actor, authorize, can, visible
from puente.protection.errors import (
    ReturnBlocked,
    ReturnNotDraft,
)
from puente.protection.models import (
    BestInterestsDetermination,
    Case,
    ReturnDecision,
    ReturnOverrideSignature,
)
from puente.protection.rules import returns as gate_rules
from puente.protection.rules.best_interests import (
    BidRecommendation,
    BidRecord,
    bid_supports_return,
)
from puente.protection.schemas import OverrideSignatureRecord, ReturnRecord
from puente.protection.service._common import (
    load_profile,
    record,
    seal,
    unseal,
    visible_decision,
)
from puente.protection.service._people import person_facts

_CHILD_FLAGS = {"unaccompanied_child", "separated_child"}
# Facts that can only make the gate stricter when the records say so.
_BLOCKING_BOOLS = (
    "expressed_fear",
    "is_child",
    "is_unaccompanied_or_separated",
    "presumed_trafficking_victim",
    "is_stateless",
    "statelessness_risk_open",
    "torture_risk_found",
)


@dataclass(frozen=True)
class ReturnView:
    """A return decision with its gate checks and the override signatures."""

    decision: ReturnRecord
    checks: list[dict[str, Any]]
    signatures: tuple[OverrideSignatureRecord, ...]


def _gate_json(gate: gate_rules.GateResult) -> str:
    return json.dumps(
        [
            {
                "id": c.id,
                "result": c.result.value,
                "applicable": c.is_applicable,
                "overridable": c.is_overridable,
                "legal_basis": c.legal_basis,
                "title": dict(c.title),
                "reason": dict(c.reason),
            }
            for c in gate.checks
        ],
        sort_keys=True,
    )


def _derived_facts(
    session: Session, actor: Actor, person_id: uuid.UUID, case: Case | None
) -> dict[str, Any]:
    person = person_facts(session, actor, person_id)
    profile = load_profile(session, actor.tenant_code, person_id)
    derived: dict[str, Any] = {"nationalities": sorted(person.nationalities)}
    if person.is_child or (person.age_years is not None and person.age_years < 18):
        derived["is_child"] = True
    claim = profile.get("claim_status") or "none"
    if claim == "none" and person.has_asylum_claim:
        claim = "pending"  # a claim whose stage is unknown fails closed
    if claim != "none":
        derived["claim_status"] = claim
    if profile.get("is_refugee") or person.is_refugee:
        derived["protection_status"] = "refugee"
    if profile.get("expressed_fear") or person.has_protection_flag:
        derived["expressed_fear"] = True
    if profile.get("is_stateless") or person.is_stateless:
        derived["is_stateless"] = True
    if case is not None:
        flags = {f for f in case.flags.split(",") if f}
        if flags & _CHILD_FLAGS:
            derived["is_child"] = True
            derived["is_unaccompanied_or_separated"] = True
        if "presumed_trafficking_victim" in flags:
            derived["presumed_trafficking_victim"] = True
        if "statelessness_risk" in flags:
            derived["statelessness_risk_open"] = True
        if "international_protection_need" in flags:
            derived["expressed_fear"] = True
        bid = session.scalars(
            select(BestInterestsDetermination)
            .where(BestInterestsDetermination.case_id == case.id)
            .order_by(BestInterestsDetermination.recorded_at.desc())
        ).first()
        derived["bid_status"] = _bid_status(bid)
    return derived


def _bid_status(bid: BestInterestsDetermination | None) -> str:
    if bid is None:
        return "none"
    record_ = BidRecord(
        panel_member_ids=frozenset(p for p in bid.panel_member_ids.split(",") if p),
        child_heard=bid.child_heard,
        reason_child_not_heard=bid.reason_child_not_heard,
        options_considered=tuple(o for o in bid.options_considered.split(",") if o),
        recommendation=BidRecommendation(bid.recommendation)
        if bid.recommendation
        else None,
        decided_on=bid.decided_on,
        review_on=bid.review_on,
    )
    if bid_supports_return(record_, today=dt.datetime.now(dt.UTC).date()):
        return "recommends_return"
    if bid.recommendation == BidRecommendation.AGAINST_RETURN:
        return "against_return"
    return "pending"


def merge_facts(supplied: dict[str, Any], derived: dict[str, Any]) -> dict[str, Any]:
    """Supplied facts fill the gaps; what the records say about protection wins
    whenever it is stricter (a request cannot talk a child into an adult)."""
    facts = dict(supplied)
    for name, value in derived.items():
        if name in _BLOCKING_BOOLS:
            facts[name] = bool(facts.get(name)) or bool(value)
        elif name == "nationalities":
            facts[name] = sorted(set(facts.get(name) or ()) | set(value))
        elif name in ("claim_status", "protection_status", "bid_status"):
            facts[name] = value
        else:
            facts[name] = value
    return facts


def request_return(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    destination: str,
    facts: dict[str, Any] | None = None,
    case_id: uuid.UUID | None = None,
) -> ReturnView:
    """Record a return decision as a draft with its gate result (`return:decide`).
    The person's other-tenant id answers 404."""
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    case = None
    if case_id is not None:
        from puente.protection.service._common import visible_case

        case = visible_case(session, actor, case_id)
    else:
        case = session.scalars(
            visible(
                actor,
                select(Case)
                .where(Case.person_id == person_id)
                .order_by(Case.opened_at.desc()),
                Case,
                "case:read",
            )
        ).first()
    derived = _derived_facts(session, actor, person_id, case)
    all_facts = merge_facts(dict(facts or {}), derived)
    all_facts["destination"] = destination
    gate = gate_rules.evaluate_gate(all_facts)
    decision = ReturnDecision(
        id=new_id(),
        tenant_code=actor.tenant_code,
        person_id=person_id,
        case_id=case.id if case else None,
        destination=destination.strip().upper(),
        gate=_gate_json(gate),
        gate_passed=gate.passed,
        ruleset_version=gate.version,
        status="draft" if gate.passed else "blocked",
        requested_by=actor.user_id,
        requested_at=utcnow(),
    )
    decision.facts_sealed = seal(
        actor.tenant_code, "protection_return_decision", "facts", decision.id, all_facts
    )
    session.add(decision)
    session.flush()
    record(
        session,
        actor,
        "protection:return:request",
        object_type="return_decision",
        object_id=decision.id,
        gate_passed=gate.passed,
        failed=",".join(gate.failed_checks),
    )
    return _view(session, decision)


def _view(session: Session, decision: ReturnDecision) -> ReturnView:
    signatures = tuple(
        OverrideSignatureRecord.model_validate(row)
        for row in session.scalars(
            select(ReturnOverrideSignature).where(
                ReturnOverrideSignature.decision_id == decision.id
            )
        )
    )
    return ReturnView(
        ReturnRecord.model_validate(decision), json.loads(decision.gate), signatures
    )


def get_return(session: Session, *, actor: Actor, decision_id: uuid.UUID) -> ReturnView:
    return _view(session, visible_decision(session, actor, decision_id))


def list_returns(session: Session, *, actor: Actor) -> list[ReturnRecord]:
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    stmt = select(ReturnDecision).order_by(ReturnDecision.requested_at.desc())
    return [
        ReturnRecord.model_validate(row)
        for row in list(
            session.scalars(visible(actor, stmt, ReturnDecision, "return:decide"))
        )
    ]


def reevaluate_decision(
    session: Session, actor: Actor, decision: ReturnDecision
) -> gate_rules.GateResult:
    """Re-derive the person's facts *now* and fold them into the stored ones
    (stricter wins), then re-run the gate: a protection fact recorded after the
    request blocks it at once. Never loosens (a withdrawn fact needs a new
    request). Audits `protection:return:reevaluate` when the result changes."""
    stored = unseal(
        decision.tenant_code,
        "protection_return_decision",
        "facts",
        decision.id,
        decision.facts_sealed,
    )
    case = session.get(Case, decision.case_id) if decision.case_id else None
    derived = _derived_facts(session, actor, decision.person_id, case)
    facts = merge_facts(stored, derived)
    facts["destination"] = decision.destination
    gate = gate_rules.evaluate_gate(facts)
    if facts != stored:
        decision.facts_sealed = seal(
            decision.tenant_code,
            "protection_return_decision",
            "facts",
            decision.id,
            facts,
        )
    if gate.passed != decision.gate_passed or _gate_json(gate) != decision.gate:
        decision.gate = _gate_json(gate)
        decision.gate_passed = gate.passed
        if decision.status == "draft" and not gate.passed:
            decision.status = "blocked"
        session.flush()
        record(
            session,
            actor,
            "protection:return:reevaluate",
            object_type="return_decision",
            object_id=decision.id,
            gate_passed=gate.passed,
            failed=",".join(gate.failed_checks),
        )
    return gate


def approve_return(
    session: Session, *, actor: Actor, decision_id: uuid.UUID
) -> ReturnView:
    """Approve a return whose gate passes; else ReturnBlocked (409) naming every
    failed check. Audits `protection:return:approve`."""
    decision = visible_decision(session, actor, decision_id)
    if decision.status not in ("draft", "blocked"):
        raise ReturnNotDraft(status=decision.status)
    gate = reevaluate_decision(session, actor, decision)
    if not gate.passed:
        record(
            session,
            actor,
            "protection:return:approve_refused",
            object_type="return_decision",
            object_id=decision.id,
        )
        failed = gate.failed_checks
        raise ReturnBlocked(checks=", ".join(failed), failed_checks=failed)
    decision.status = "approved"
    decision.decided_by = actor.user_id
    decision.decided_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "protection:return:approve",
        object_type="return_decision",
        object_id=decision.id,
    )
    return _view(session, decision)


def sign_return_override(
    session: Session,
    *,
    actor: Actor,
    decision_id: uuid.UUID,
    authority: str,
    legal_basis: str,
    checks: list[str] | None = None,
) -> ReturnView:
    """Sign an override of a blocked return. The second valid signature of a
    different authorised person (never the requester) moves it to `overridden`;
    torture risk and recognised protection can never be lifted. Audited."""
    decision = visible_decision(session, actor, decision_id)
    if decision.status != "blocked":
        raise ReturnNotDraft(status=decision.status)
    gate = reevaluate_decision(session, actor, decision)
    claimed = list(checks) if checks else list(gate.failed_checks)
    me = gate_rules.OverrideSignature(
        user_id=str(actor.user_id),
        is_authorised=can(actor, "return:decide"),
        authority=authority,
        legal_basis=legal_basis,
    )
    # Check what one signature alone can be refused for, before storing it.
    if str(decision.requested_by) == me.user_id:
        raise gate_rules.OverrideNotAllowed(problem="the requester cannot sign")
    if not authority.strip() or not legal_basis.strip():
        raise gate_rules.OverrideNotAllowed(
            problem="each signer names authority and legal basis"
        )
    locked = sorted(
        c.id for c in gate.checks if c.id in claimed and not c.is_overridable
    )
    if locked:
        raise gate_rules.OverrideNotAllowed(problem=f"cannot be overridden: {locked}")
    existing = {
        s.user_id: s
        for s in session.scalars(
            select(ReturnOverrideSignature).where(
                ReturnOverrideSignature.decision_id == decision.id
            )
        )
    }
    if actor.user_id not in existing:
        session.add(
            ReturnOverrideSignature(
                id=new_id(),
                tenant_code=decision.tenant_code,
                decision_id=decision.id,
                user_id=actor.user_id,
                authority=authority.strip()[:200],
                legal_basis=legal_basis.strip()[:300],
                checks=",".join(sorted(claimed)),
            )
        )
        session.flush()
    record(
        session,
        actor,
        "protection:return:override_sign",
        object_type="return_decision",
        object_id=decision.id,
        checks=",".join(sorted(claimed)),
    )
    rows = list(
        session.scalars(
            select(ReturnOverrideSignature).where(
                ReturnOverrideSignature.decision_id == decision.id
            )
        )
    )
    if len({r.user_id for r in rows}) >= 2:
        signatures = [
            gate_rules.OverrideSignature(
                user_id=str(r.user_id),
                is_authorised=True,  # each signer was authorised when signing
                authority=r.authority,
                legal_basis=r.legal_basis,
            )
            for r in rows
        ]
        gate_rules.require_override(
            gate,
            requester_id=str(decision.requested_by),
            signatures=signatures,
            checks=claimed,
        )
        decision.status = "overridden"
        decision.decided_by = actor.user_id
        decision.decided_at = utcnow()
        session.flush()
        record(
            session,
            actor,
            "protection:return:override",
            object_type="return_decision",
            object_id=decision.id,
        )
    return _view(session, decision)
