"""Networks as investigators record them, their analysis, and sharing with
another state's investigators: only under an enforcement agreement in force, and
every share, read and refusal written to the request log."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.core.i18n import N_
from puente.enforcement.errors import (
    EntityNotFound,
    LinkToItself,
    NetworkNotFound,
)
from puente.enforcement.models import (
    Agreement,
    Entity,
    Link,
    Network,
    ReceivedModusOperandi,
    RequestLog,
    SharedReport,
)
from puente.enforcement.rules import network as analysis
from puente.identity import Actor, Sensitivity, authorize

log = structlog.get_logger(__name__)
_Row = TypeVar("_Row")
REQUEST_ACTIONS: Final[Mapping[str, str]] = {
    "share": N_("Shared with another state"),
    "read": N_("Read what another state shared"),
    "refused": N_("Refused: no agreement in force"),
}
"""What each request-log action says to a person (gettext msgids)."""
SENSITIVITY = Sensitivity.SENSITIVE


def _allow(actor: Actor, permission: str) -> None:
    """Every enforcement action: the permission in the actor's own state, at the
    sensitivity of enforcement data."""
    authorize(actor, permission, tenant_code=actor.tenant_code, sensitivity=SENSITIVITY)


def _listed(
    session: Session, actor: Actor, permission: str, stmt: Select[_Row]
) -> list[_Row]:
    """Authorise, then list: the shape of every enforcement list."""
    _allow(actor, permission)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class NetworkView:
    network: Network
    entities: list[Entity]
    links: list[Link]
    degree: dict[str, float]
    betweenness: dict[str, float]
    components: list[list[str]]


def _network(session: Session, actor: Actor, network_id: uuid.UUID) -> Network:
    _allow(actor, "enforcement:read")
    row = session.scalars(
        select(Network).where(
            Network.id == network_id, Network.tenant_code == actor.tenant_code
        )
    ).one_or_none()
    if row is None:
        raise NetworkNotFound()
    return row


def create_network(
    session: Session, *, actor: Actor, name: str, summary: str = ""
) -> Network:
    _allow(actor, "enforcement:write")
    row = Network(
        tenant_code=actor.tenant_code,
        name=name.strip()[:200],
        summary=summary.strip()[:4000],
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "enforcement:network:create",
        tenant_code=actor.tenant_code,
        object_type="enforcement_network",
        object_id=row.id,
    )
    return row


def list_networks(session: Session, *, actor: Actor) -> list[Network]:
    return _listed(
        session,
        actor,
        "enforcement:read",
        select(Network)
        .where(Network.tenant_code == actor.tenant_code)
        .order_by(Network.created_at.desc()),
    )


def add_entity(
    session: Session,
    *,
    actor: Actor,
    network_id: uuid.UUID,
    kind: str,
    label: str,
    detail: str = "",
) -> Entity:
    network = _network(session, actor, network_id)
    _allow(actor, "enforcement:write")
    row = Entity(
        tenant_code=network.tenant_code,
        network_id=network.id,
        kind=kind,
        label=label.strip()[:200],
        detail=detail.strip()[:4000],
    )
    session.add(row)
    session.flush()
    return row


def add_link(
    session: Session,
    *,
    actor: Actor,
    network_id: uuid.UUID,
    source_id: uuid.UUID,
    target_id: uuid.UUID,
    relation: str = "",
) -> Link:
    network = _network(session, actor, network_id)
    _allow(actor, "enforcement:write")
    if source_id == target_id:
        raise LinkToItself()
    ends = session.scalars(
        select(Entity.id).where(
            Entity.network_id == network.id, Entity.id.in_([source_id, target_id])
        )
    ).all()
    if len(set(ends)) != 2:
        raise EntityNotFound()
    row = Link(
        tenant_code=network.tenant_code,
        network_id=network.id,
        source_id=source_id,
        target_id=target_id,
        relation=relation.strip()[:120],
    )
    session.add(row)
    session.flush()
    return row


def get_network(
    session: Session, *, actor: Actor, network_id: uuid.UUID
) -> NetworkView:
    network = _network(session, actor, network_id)
    entities = list(
        session.scalars(
            select(Entity).where(Entity.network_id == network.id).order_by(Entity.label)
        )
    )
    links = list(session.scalars(select(Link).where(Link.network_id == network.id)))
    graph = analysis.adjacency(
        [str(e.id) for e in entities],
        [(str(k.source_id), str(k.target_id)) for k in links],
    )
    return NetworkView(
        network,
        entities,
        links,
        analysis.degree_centrality(graph),
        analysis.betweenness_centrality(graph),
        analysis.components(graph),
    )


def create_agreement(
    session: Session,
    *,
    actor: Actor,
    partner_state: str,
    reference: str,
    valid_until: dt.date,
) -> Agreement:
    """Record this state's side of an enforcement agreement (`enforcement:share`)."""
    _allow(actor, "enforcement:share")
    row = Agreement(
        tenant_code=actor.tenant_code,
        partner_state=partner_state,
        reference=reference.strip()[:120],
        valid_until=valid_until,
        active=True,
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "enforcement:agreement:create",
        tenant_code=actor.tenant_code,
        object_type="enforcement_agreement",
        object_id=row.id,
    )
    return row


def _agreement_in_force(
    session: Session, tenant: str, partner: str, today: dt.date
) -> Agreement | None:
    return session.scalars(
        select(Agreement).where(
            Agreement.tenant_code == tenant,
            Agreement.partner_state == partner,
            Agreement.active.is_(True),
            Agreement.valid_until >= today,
        )
    ).first()


def _log(
    session: Session,
    actor: Actor,
    action: str,
    other: str,
    agreement_ref: str = "",
    object_id: uuid.UUID | None = None,
) -> None:
    session.add(
        RequestLog(
            tenant_code=actor.tenant_code,
            action=action,
            other_state=other,
            agreement_ref=agreement_ref,
            object_id=object_id,
            actor_id=actor.user_id,
        )
    )
    session.flush()


def share_network(
    session: Session,
    *,
    actor: Actor,
    network_id: uuid.UUID,
    recipient_state: str,
) -> SharedReport | None:
    """Send a snapshot of the network to `recipient_state`: both states must have
    an enforcement agreement with each other in force. Otherwise nothing is sent,
    the refusal is logged and None is returned (the caller answers 403 and the
    log entry commits)."""
    view = get_network(session, actor=actor, network_id=network_id)
    _allow(actor, "enforcement:share")
    today = utcnow().date()
    mine = _agreement_in_force(session, actor.tenant_code, recipient_state, today)
    theirs = _agreement_in_force(session, recipient_state, actor.tenant_code, today)
    if mine is None or theirs is None or recipient_state == actor.tenant_code:
        _log(session, actor, "refused", recipient_state, object_id=network_id)
        return None
    names = {e.id: e.label for e in view.entities}
    report = {
        "entities": [
            {"kind": e.kind, "label": e.label, "detail": e.detail}
            for e in view.entities
        ],
        "links": [
            {
                "from": names[k.source_id],
                "to": names[k.target_id],
                "relation": k.relation,
            }
            for k in view.links
        ],
        "summary": view.network.summary,
    }
    row = SharedReport(
        tenant_code=actor.tenant_code,
        recipient_state=recipient_state,
        agreement_ref=mine.reference,
        network_name=view.network.name,
        report=report,
        shared_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    _log(session, actor, "share", recipient_state, mine.reference, row.id)
    log.info("enforcement_shared", report_id=str(row.id))
    return row


def received_reports(session: Session, *, actor: Actor) -> list[SharedReport]:
    """Reports other states shared with the actor's state (each read logged)."""
    rows = _listed(
        session,
        actor,
        "enforcement:read",
        select(SharedReport)
        .where(SharedReport.recipient_state == actor.tenant_code)
        .order_by(SharedReport.shared_at.desc()),
    )
    for row in rows:
        _log(session, actor, "read", row.tenant_code, row.agreement_ref, row.id)
    return rows


def request_log(session: Session, *, actor: Actor) -> list[RequestLog]:
    return _listed(
        session,
        actor,
        "enforcement:share",
        select(RequestLog)
        .where(RequestLog.tenant_code == actor.tenant_code)
        .order_by(RequestLog.at.desc())
        .limit(500),
    )


def receive_mo_report(
    session: Session, *, tenant_code: str, route: str, modus_operandi: str
) -> ReceivedModusOperandi:
    """Keep an anonymised modus-operandi report protection let cross (called by
    the composition root after protection approved it; text fields only)."""
    row = ReceivedModusOperandi(
        tenant_code=tenant_code,
        route=route[:2000],
        modus_operandi=modus_operandi[:4000],
    )
    session.add(row)
    session.flush()
    log.info("enforcement_mo_received", report_id=str(row.id))
    return row


def mo_reports(session: Session, *, actor: Actor) -> list[ReceivedModusOperandi]:
    return _listed(
        session,
        actor,
        "enforcement:read",
        select(ReceivedModusOperandi)
        .where(ReceivedModusOperandi.tenant_code == actor.tenant_code)
        .order_by(ReceivedModusOperandi.received_at.desc()),
    )
