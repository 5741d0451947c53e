"""The audit log as an auditor reads it: filtered, paged, in words, with the chain
verified. Read-only: nothing here writes except the audit row of the reading
itself (who looked, never what filter was typed).

Two adapters the lead can switch at merge: `verify_audit_chain` (today's
`core.audit.verify_chain`; a keyed verify is coming) and `action_label` (until the
shared labels catalogue names every action).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.audit import AuditEvent, ChainReport
from puente.core.db import SYSTEM_SCOPE, set_tenant_scope
from puente.core.i18n import N_, gettext
from puente.identity.models import User
from puente.identity.permissions import Actor, authorize
from puente.identity.visibility import rls_scope, visible

PER_PAGE: Final = 50

AREAS: Final = {
    "identity": N_("Accounts"),
    "people": N_("People"),
    "protection": N_("Protection"),
    "pathways": N_("Pathways"),
    "early_warning": N_("Early warning"),
    "financing": N_("Financing"),
    "coordination": N_("Coordination"),
    "commitments": N_("Commitments"),
}
ACTIONS: Final = {
    "identity:login:fail": N_("Failed login"),
    "identity:login:locked": N_("Login refused: account locked"),
    "identity:session:start": N_("Logged in"),
    "identity:session:end": N_("Logged out"),
    "identity:mfa:enrol": N_("Authenticator set up"),
    "identity:mfa:pass": N_("Authenticator code accepted"),
    "identity:mfa_reset:request": N_("Authenticator reset requested"),
    "identity:mfa_reset:approve": N_("Authenticator reset approved"),
    "identity:mfa_reset:refuse": N_("Authenticator reset refused"),
    "identity:token:issue": N_("API token issued"),
    "identity:user:create": N_("User created"),
    "identity:user:update": N_("Roles or organisation changed"),
    "identity:user:deactivate": N_("Account deactivated"),
    "identity:user:reactivate": N_("Account reactivated"),
    "identity:user:password_reset": N_("Password reset by an administrator"),
    "identity:organisation:create": N_("Organisation created"),
    "identity:organisation:update": N_("Organisation changed"),
    "identity:audit:export": N_("Audit log exported"),
    "identity:user:preferences": N_("Preferences changed"),
    "identity:tenant:language": N_("Default language of the state changed"),
}
VERBS: Final = {
    "create": N_("created"),
    "update": N_("changed"),
    "read": N_("read"),
    "read_sensitive": N_("sensitive data read"),
    "decide": N_("decided"),
    "approve": N_("approved"),
    "request": N_("requested"),
    "import": N_("imported"),
    "publish": N_("published"),
    "search": N_("searched"),
    "open": N_("opened"),
    "move": N_("moved"),
    "close": N_("closed"),
    "set": N_("set"),
    "merge": N_("merged"),
    "scan": N_("scanned"),
    "activate": N_("activated"),
    "assign": N_("assigned"),
    "override": N_("overridden"),
    "review": N_("reviewed"),
    "write": N_("written"),
    "erase": N_("erased"),
    "export": N_("exported"),
}
OBJECT_TYPES: Final = {
    "user": N_("User account"),
    "organisation": N_("Organisation"),
    "person": N_("Person"),
    "household": N_("Household"),
    "case": N_("Case"),
    "screening": N_("Screening"),
    "referral": N_("Referral"),
    "return": N_("Return"),
    "plan": N_("Plan"),
    "offer": N_("Job offer"),
    "application": N_("Application"),
    "flow": N_("Funding flow"),
    "pledge": N_("Pledge"),
    "report": N_("Activity report"),
    "commitment": N_("Commitment"),
    "deliverable": N_("Deliverable"),
    "tracing": N_("Family tracing"),
    "audit": N_("Audit log"),
}
CHAIN_REASONS: Final = {
    "content altered": N_("an event was altered after it was written"),
    "event missing": N_("an event is missing"),
    "link broken": N_("the link to the previous event is broken"),
    "newest events removed": N_("the newest events were removed"),
}


def _humanise(code: str) -> str:
    return code.replace("_", " ")


def action_label(action: str) -> str:
    """An action in words. Adapter: the shared labels catalogue replaces it."""
    if action in ACTIONS:
        return gettext(ACTIONS[action])
    parts = action.split(":")
    area = gettext(AREAS[parts[0]]) if parts[0] in AREAS else _humanise(parts[0])
    rest = parts[1:]
    if not rest:
        return area
    verb = rest[-1]
    verb_text = gettext(VERBS[verb]) if verb in VERBS else _humanise(verb)
    thing = rest[0] if len(rest) > 1 else ""
    thing_text = (
        gettext(OBJECT_TYPES[thing]) if thing in OBJECT_TYPES else _humanise(thing)
    )
    return f"{area} · {thing_text} {verb_text}".replace("  ", " ").strip()


def object_label(object_type: str | None) -> str:
    if not object_type:
        return ""
    if object_type in OBJECT_TYPES:
        return gettext(OBJECT_TYPES[object_type])
    return _humanise(object_type)


def verify_audit_chain(session: Session, *, actor: Actor) -> ChainReport:
    """The keyed chain and its signed checkpoints (`core.audit.verify_chain`). It
    spans every tenant, so it is walked under the system scope and the actor's
    scope put back; only a yes/no, a count and an event number come out."""
    authorize(actor, "audit:verify")
    set_tenant_scope(session, SYSTEM_SCOPE)
    try:
        return audit.verify_chain(session)
    finally:
        set_tenant_scope(session, rls_scope(actor))


def chain_reason(report: ChainReport) -> str:
    """The reason in words: the sentences above for the plain cases, else the keyed
    chain's own translated reason (re-forged, cut below a checkpoint, ...)."""
    if report.reason in CHAIN_REASONS:
        return gettext(CHAIN_REASONS[report.reason])
    return (
        gettext(report.reason)
        if report.reason
        else gettext(N_("the chain does not verify"))
    )


@dataclass(frozen=True)
class AuditFilter:
    actor_id: uuid.UUID | None = None
    action: str = ""
    object_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    object_id: str = ""  # the start of an object's id, as typed in the search box


SORTS: Final = {"number": AuditEvent.id, "when": AuditEvent.occurred_at}


def _visible(
    actor: Actor, stmt: Select[tuple[AuditEvent]]
) -> Select[tuple[AuditEvent]]:
    return visible(actor, stmt, AuditEvent, "audit:read")


def _filtered(actor: Actor, f: AuditFilter) -> Select[tuple[AuditEvent]]:
    stmt = _visible(actor, select(AuditEvent))
    if f.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == str(f.actor_id))
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type)
    if f.since is not None:
        start = dt.datetime.combine(f.since, dt.time(), tzinfo=dt.UTC)
        stmt = stmt.where(AuditEvent.occurred_at >= start)
    if f.until is not None:
        end = dt.datetime.combine(
            f.until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
        )
        stmt = stmt.where(AuditEvent.occurred_at < end)
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id.startswith(f.object_id, autoescape=True))
    return stmt


def list_events(
    session: Session,
    *,
    actor: Actor,
    filters: AuditFilter,
    page: int = 1,
    per_page: int | None = PER_PAGE,
    sort: str = "number",
    descending: bool = True,
) -> tuple[list[AuditEvent], int]:
    """One page in the order asked (`SORTS`; newest first by default), sorted
    and cut in the database; the total counts every matching event."""
    authorize(actor, "audit:read")
    stmt = _filtered(actor, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    column = SORTS.get(sort, AuditEvent.id)
    if descending:
        stmt = stmt.order_by(column.desc(), AuditEvent.id.desc())
    else:
        stmt = stmt.order_by(column.asc(), AuditEvent.id.asc())
    if per_page is not None:
        stmt = stmt.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(session.scalars(stmt)), total


def choices(session: Session, *, actor: Actor) -> tuple[list[str], list[str]]:
    """The actions and object types present in the log the actor can read."""
    authorize(actor, "audit:read")
    actions = session.scalars(
        visible(
            actor, select(AuditEvent.action).distinct(), AuditEvent, "audit:read"
        ).order_by(AuditEvent.action)
    ).all()
    types = session.scalars(
        visible(
            actor,
            select(AuditEvent.object_type)
            .distinct()
            .where(AuditEvent.object_type.is_not(None)),
            AuditEvent,
            "audit:read",
        )
    ).all()
    return [str(a) for a in actions], sorted(str(t) for t in types)


def people(session: Session, *, actor: Actor) -> list[User]:
    """The users an auditor can pick as "who" (their tenant's), by username."""
    authorize(actor, "audit:read")
    stmt = select(User).where(User.tenant_code == actor.tenant_code)
    return list(session.scalars(stmt.order_by(User.username)))


def usernames(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = []
    for value in {i for i in ids if i}:
        try:
            wanted.append(uuid.UUID(value))
        except ValueError:
            continue
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {str(uid): name for uid, name in rows}
