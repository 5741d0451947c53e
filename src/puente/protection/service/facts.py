"""Protection facts are monotonic (DESIGN.md: never toward the feared state, over time).

A person's protection profile (claim, feared states, refugee or stateless status,
expressed fear, country of origin, former residences) only ever *grows* through an
edit: `record_protection_profile` merges what it is given into what is stored, and
an edit that would weaken a fact is refused (`FactWithdrawalRequired`). Removing a
fact is its own audited action, `withdraw_protection_fact`, open only to roles with
`protection:withdraw_fact` (protection officer, supervisor), with a mandatory reason.

Every write of a fact ends with `enforce_protection` in the same transaction: each
open consular task, referral and tracing request toward a state the person is now
protected from is withdrawn (status `withdrawn`, a case-timeline event, an audit
row), and every open return decision is re-evaluated against the facts as they are
now. So the invariant holds in the stored state after every action, whatever order
people act in.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import people
from puente.core import events
from puente.core.db import new_id, utcnow
from puente.core.errors import Conflict, InvalidInput
from puente.core.i18n import N_
from puente.identity import Actor, authorize, system_actor
from puente.protection.models import (
    Case,
    ConsularNotification,
    ProtectionProfile,
    Referral,
    ReturnDecision,
    TracingRequest,
)
from puente.protection.rules.disclosure import protected_from
from puente.protection.schemas import ProfileRecord
from puente.protection.service._common import (
    PROFILE_FIELDS,
    add_event,
    protection_facts,
    record,
    seal,
    unseal,
)
from puente.protection.service._people import person_facts
from puente.protection.service.returns import reevaluate_decision

WITHDRAW_PERMISSION = "protection:withdraw_fact"
CLAIM_STATUSES = ("none", "pending", "appeal_pending", "rejected_final", "recognised")
# The edit of a nationality or former residence in `people` (see OriginsNarrowing).
ORIGINS_FACT = "origins"
LIST_FACTS = ("former_habitual_residences", "persecutor_states")
BOOL_FACTS = ("is_refugee", "is_stateless", "expressed_fear")
# Why an open item was withdrawn: a code stored on the row and shown translated.
WITHDRAWN = "withdrawn"
REASON_PROTECTION_FACT = "protection_fact"
WITHDRAWN_REASON = N_(
    "Withdrawn: a protection fact recorded for this person forbids it."
)
_ISO3 = re.compile(r"^[A-Z]{3}$")
_OPEN_REFERRAL = ("sent", "accepted")
_OPEN_TRACING = ("open", "forwarded")
_OPEN_RETURN = ("draft", "blocked")


class FactWithdrawalRequired(Conflict):
    message = N_(
        "This edit would remove or weaken a protection fact (%(fact)s). "
        "Protection facts are only removed by withdrawing them, with a reason, "
        "by a protection officer or supervisor."
    )


class WithdrawalReasonMissing(InvalidInput):
    message = N_("Withdrawing a protection fact needs a reason.")


class UnknownProtectionFact(InvalidInput):
    message = N_("Unknown protection fact, or a state is missing: %(fact)s.")


class InvalidCountry(InvalidInput):
    message = N_("%(field)s: a country must be an ISO 3166 alpha-3 code.")


def _country(field: str, code: str) -> str:
    normalised = str(code).strip().upper()
    if not _ISO3.match(normalised):
        raise InvalidCountry(field=field)
    return normalised


def _empty_profile() -> dict[str, Any]:
    return {
        "claim_status": "none",
        "country_of_origin": None,
        "former_habitual_residences": [],
        "persecutor_states": [],
        "is_refugee": False,
        "is_stateless": False,
        "expressed_fear": False,
    }


def _profile_row(
    session: Session, tenant_code: str, person_id: uuid.UUID
) -> ProtectionProfile | None:
    return session.scalars(
        select(ProtectionProfile).where(
            ProtectionProfile.tenant_code == tenant_code,
            ProtectionProfile.person_id == person_id,
        )
    ).one_or_none()


def _stored(row: ProtectionProfile | None) -> tuple[dict[str, Any], list[Any]]:
    """The stored facts and the (encrypted) history of withdrawals."""
    data = _empty_profile()
    history: list[Any] = []
    if row is not None:
        stored = unseal(
            row.tenant_code, "protection_profile", "facts", row.id, row.facts_sealed
        )
        history = list(stored.pop("withdrawals", []))
        data.update({k: v for k, v in stored.items() if k in PROFILE_FIELDS})
    return data, history


def _save(
    session: Session,
    actor: Actor,
    person_id: uuid.UUID,
    row: ProtectionProfile | None,
    data: dict[str, Any],
    history: list[Any],
) -> ProtectionProfile:
    if row is None:
        row = ProtectionProfile(
            id=new_id(), tenant_code=actor.tenant_code, person_id=person_id
        )
        session.add(row)
    assert set(data) == set(PROFILE_FIELDS)  # noqa: S101 - a programming invariant
    row.facts_sealed = seal(
        actor.tenant_code,
        "protection_profile",
        "facts",
        row.id,
        {**data, "withdrawals": history},
    )
    row.updated_by = actor.user_id
    row.updated_at = utcnow()
    return row


def merge_profile(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`current` with the facts in `update` added; raises FactWithdrawalRequired
    if `update` would remove or weaken one. Absent or None values change nothing."""
    merged = dict(current)
    for name in LIST_FACTS:
        values = update.get(name)
        if values is not None:
            added = {_country(name, v) for v in values}
            merged[name] = sorted(set(current.get(name) or ()) | added)
    for name in BOOL_FACTS:
        value = update.get(name)
        if value is None:
            continue
        if bool(current.get(name)) and not value:
            raise FactWithdrawalRequired(fact=name)
        merged[name] = bool(current.get(name)) or bool(value)
    claim = update.get("claim_status")
    if claim is not None:
        if claim not in CLAIM_STATUSES:
            raise InvalidInput()
        if claim == "none" and (current.get("claim_status") or "none") != "none":
            raise FactWithdrawalRequired(fact="claim_status")
        merged["claim_status"] = claim
    origin = update.get("country_of_origin")
    if origin is not None and str(origin).strip():
        origin = _country("country_of_origin", origin)
        before = current.get("country_of_origin")
        if before and before != origin:
            raise FactWithdrawalRequired(fact="country_of_origin")
        merged["country_of_origin"] = origin
    return merged


def record_protection_profile(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    claim_status: str | None = None,
    country_of_origin: str | None = None,
    former_habitual_residences: list[str] | None = None,
    persecutor_states: list[str] | None = None,
    is_refugee: bool | None = None,
    is_stateless: bool | None = None,
    expressed_fear: bool | None = None,
    consents_to_tracing: bool | None = None,
) -> ProfileRecord:
    """Add protection facts (`case:write`; encrypted). Merges: what is not given
    stays as it is, and nothing stored is weakened (FactWithdrawalRequired).
    Audits `protection:profile:write` without the facts; withdraws at once every
    open item the facts now forbid (`enforce_protection`)."""
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    person_facts(session, actor, person_id)
    row = _profile_row(session, actor.tenant_code, person_id)
    current, history = _stored(row)
    merged = merge_profile(
        current,
        {
            "claim_status": claim_status,
            "country_of_origin": country_of_origin,
            "former_habitual_residences": former_habitual_residences,
            "persecutor_states": persecutor_states,
            "is_refugee": is_refugee,
            "is_stateless": is_stateless,
            "expressed_fear": expressed_fear,
        },
    )
    row = _save(session, actor, person_id, row, merged, history)
    if consents_to_tracing is not None:
        row.consents_to_tracing = consents_to_tracing
    session.flush()
    record(
        session,
        actor,
        "protection:profile:write",
        object_type="person",
        object_id=person_id,
    )
    enforce_protection(session, actor=actor, person_id=person_id)
    return ProfileRecord.model_validate(row)


def withdraw_protection_fact(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    fact: str,
    reason: str,
    state: str | None = None,
) -> ProfileRecord:
    """Remove one protection fact (`protection:withdraw_fact`), with a reason.

    `fact` is a profile field; for a list (`persecutor_states`,
    `former_habitual_residences`) `state` names the entry to remove. The reason
    is kept encrypted with the profile; the audit row names the fact, never the
    reason. Everything that depends on the fact is re-evaluated.
    """
    authorize(actor, WITHDRAW_PERMISSION, tenant_code=actor.tenant_code)
    person_facts(session, actor, person_id)
    if fact not in PROFILE_FIELDS or (fact in LIST_FACTS and not state):
        raise UnknownProtectionFact(fact=fact)
    text = reason.strip()
    if not text:
        raise WithdrawalReasonMissing()
    row = _profile_row(session, actor.tenant_code, person_id)
    data, history = _stored(row)
    if fact in LIST_FACTS:
        code = _country("state", state or "")
        data[fact] = [c for c in data.get(fact) or () if c != code]
    elif fact in BOOL_FACTS:
        data[fact] = False
    elif fact == "claim_status":
        data[fact] = "none"
    else:
        data[fact] = None
    row = _record_withdrawal(
        session, actor, person_id, row, data, history, fact=fact, state=state,
        reason=text,
    )  # fmt: skip
    enforce_protection(session, actor=actor, person_id=person_id)
    return ProfileRecord.model_validate(row)


def _record_withdrawal(
    session: Session,
    actor: Actor,
    person_id: uuid.UUID,
    row: ProtectionProfile | None,
    data: dict[str, Any],
    history: list[Any],
    *,
    fact: str,
    state: str | None,
    reason: str,
) -> ProtectionProfile:
    """Store the facts with one more entry in the (encrypted) withdrawal history,
    the reason kept there; audit `protection:profile:withdraw_fact` naming the
    fact, never the reason."""
    history.append(
        {
            "fact": fact,
            "state": state.strip().upper() if state else None,
            "reason": reason[:1000],
            "by": str(actor.user_id) if actor.user_id else None,
            "at": utcnow().isoformat(),
        }
    )
    saved = _save(session, actor, person_id, row, data, history)
    session.flush()
    record(
        session,
        actor,
        "protection:profile:withdraw_fact",
        object_type="person",
        object_id=person_id,
        fact=fact,
    )
    return saved


def withdrawals(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The withdrawal history of a person's facts (reasons included; audited)."""
    authorize(actor, WITHDRAW_PERMISSION, tenant_code=actor.tenant_code)
    person_facts(session, actor, person_id)
    _data, history = _stored(_profile_row(session, actor.tenant_code, person_id))
    record(
        session,
        actor,
        "protection:profile:read_withdrawals",
        object_type="person",
        object_id=person_id,
    )
    return [dict(item) for item in history]


# --- the reaction: withdraw what the facts forbid, re-evaluate what depends on them


def enforce_protection(session: Session, *, actor: Actor, person_id: uuid.UUID) -> int:
    """Withdraw every open consular task, referral and tracing request about the
    person toward a state they are protected from, and re-evaluate their open
    return decisions. Same transaction as the write that called it; returns how
    many items were withdrawn."""
    _person, facts = protection_facts(session, actor, person_id)
    feared = protected_from(facts)
    withdrawn = 0
    tenant = actor.tenant_code
    if feared:
        withdrawn += _withdraw_consular(session, actor, tenant, person_id, feared)
        withdrawn += _withdraw_referrals(session, actor, tenant, person_id, feared)
        withdrawn += _withdraw_tracing(session, actor, tenant, person_id, feared)
    _reevaluate_returns(session, actor, tenant, person_id)
    session.flush()
    return withdrawn


def _case_event(
    session: Session, actor: Actor, case_id: uuid.UUID | None, kind: str
) -> None:
    if case_id is None:
        return
    case = session.get(Case, case_id)
    if case is not None:
        add_event(session, actor, case, kind, REASON_PROTECTION_FACT)


def _mark_withdrawn(
    session: Session,
    actor: Actor,
    row: ConsularNotification | Referral | TracingRequest,
    channel: str,
    object_type: str,
) -> None:
    """Withdraw one open task, referral or tracing request: its status, a line on
    its case's timeline and an audit row naming the reason (ids only)."""
    row.status = WITHDRAWN
    _case_event(session, actor, row.case_id, f"{channel}_withdrawn")
    record(
        session,
        actor,
        f"protection:{channel}:withdraw",
        object_type=object_type,
        object_id=row.id,
        reason=REASON_PROTECTION_FACT,
    )


def _withdraw_consular(
    session: Session,
    actor: Actor,
    tenant: str,
    person_id: uuid.UUID,
    feared: frozenset[str],
) -> int:
    rows = session.scalars(
        select(ConsularNotification).where(
            ConsularNotification.tenant_code == tenant,
            ConsularNotification.person_id == person_id,
            ConsularNotification.status == "task_open",
            ConsularNotification.consulate_state.in_(sorted(feared)),
        )
    ).all()
    for row in rows:
        row.action = "do_not_notify"
        row.reason = REASON_PROTECTION_FACT
        row.refer_to_protecting_authority = True
        row.due_at = None
        _mark_withdrawn(session, actor, row, "consular", "consular_notification")
    return len(rows)


def _withdraw_referrals(
    session: Session,
    actor: Actor,
    tenant: str,
    person_id: uuid.UUID,
    feared: frozenset[str],
) -> int:
    case_ids = select(Case.id).where(
        Case.tenant_code == tenant, Case.person_id == person_id
    )
    rows = session.scalars(
        select(Referral).where(
            Referral.tenant_code == tenant,
            Referral.case_id.in_(case_ids),
            Referral.status.in_(_OPEN_REFERRAL),
            Referral.recipient_state.in_(sorted(feared)),
        )
    ).all()
    for row in rows:
        _mark_withdrawn(session, actor, row, "referral", "referral")
    return len(rows)


def _withdraw_tracing(
    session: Session,
    actor: Actor,
    tenant: str,
    person_id: uuid.UUID,
    feared: frozenset[str],
) -> int:
    rows = session.scalars(
        select(TracingRequest).where(
            TracingRequest.tenant_code == tenant,
            TracingRequest.requester_person_id == person_id,
            TracingRequest.status.in_(_OPEN_TRACING),
            TracingRequest.search_state.in_(sorted(feared)),
        )
    ).all()
    for row in rows:
        _mark_withdrawn(session, actor, row, "tracing", "tracing_request")
    return len(rows)


def _reevaluate_returns(
    session: Session, actor: Actor, tenant: str, person_id: uuid.UUID
) -> None:
    rows = session.scalars(
        select(ReturnDecision).where(
            ReturnDecision.tenant_code == tenant,
            ReturnDecision.person_id == person_id,
            ReturnDecision.status.in_(_OPEN_RETURN),
        )
    ).all()
    for row in rows:
        reevaluate_decision(session, actor, row)


@events.subscribe_in_transaction(people.ProtectionFactRecorded)
def _on_protection_fact(session: Session, event: people.ProtectionFactRecorded) -> None:
    """A fact recorded in `people` (claim, status, feared states, flag): withdraw
    at once, in the same transaction, what it forbids."""
    enforce_protection(
        session, actor=system_actor(event.tenant_code), person_id=event.person_id
    )


@events.subscribe_in_transaction(people.OriginsNarrowing)
def _on_origins_narrowing(session: Session, event: people.OriginsNarrowing) -> None:
    """An edit would replace or remove a nationality or former residence: for a
    person this profile protects (claim, status, fear, feared states), that
    weakens a protection fact and needs `protection:withdraw_fact`; refusing
    here undoes the edit (nothing is written)."""
    row = _profile_row(session, event.tenant_code, event.person_id)
    data, history = _stored(row)
    protective = event.protected or bool(
        (data.get("claim_status") or "none") != "none"
        or data.get("is_refugee")
        or data.get("is_stateless")
        or data.get("expressed_fear")
        or data.get("persecutor_states")
    )
    if not protective:
        return
    actor = event.actor
    authorize(actor, WITHDRAW_PERMISSION, tenant_code=event.tenant_code)
    if not event.reason:
        raise WithdrawalReasonMissing()
    _record_withdrawal(
        session, actor, event.person_id, row, data, history, fact=ORIGINS_FACT,
        state=None, reason=event.reason,
    )  # fmt: skip
