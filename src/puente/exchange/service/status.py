"""An agreement's status as stored and as of today, and the look-ups the
queue and the receiver need (no writes beyond the status itself)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.db import utcnow
from puente.exchange.errors import AgreementNotFound
from puente.exchange.models import Agreement, AgreementSignature
from puente.exchange.rules.sending import AgreementView
from puente.exchange.rules.terms import AgreementStatus, agreement_status
from puente.exchange.service.node import node_identity


def today() -> dt.date:
    return utcnow().date()


def signatures(session: Session, agreement_id: uuid.UUID) -> list[AgreementSignature]:
    return list(
        session.scalars(
            select(AgreementSignature)
            .where(AgreementSignature.agreement_id == agreement_id)
            .order_by(AgreementSignature.state)
        )
    )


def refresh_status(session: Session, agreement: Agreement) -> AgreementStatus:
    """Recompute (and store) the status from signatures, revocation and date."""
    status = agreement_status(
        parties=agreement.parties.split(","),
        signed_by=[s.state for s in signatures(session, agreement.id)],
        is_revoked=agreement.revoked_at is not None,
        expires_on=agreement.expires_on,
        today=today(),
    )
    if agreement.status != status.value:
        agreement.status = status.value
    return status


def node_agreement(session: Session, agreement_id: uuid.UUID) -> Agreement:
    node = node_identity().state
    row = session.scalars(
        select(Agreement).where(
            Agreement.id == agreement_id, Agreement.tenant_code == node
        )
    ).one_or_none()
    if row is None:
        raise AgreementNotFound()
    return row


def view_for_sending(session: Session, agreement_id: uuid.UUID) -> AgreementView | None:
    node = node_identity().state
    row = session.scalars(
        select(Agreement).where(
            Agreement.id == agreement_id, Agreement.tenant_code == node
        )
    ).one_or_none()
    if row is None:
        return None
    status = refresh_status(session, row)
    return AgreementView(
        status=status,
        parties=frozenset(row.parties.split(",")),
        purpose=row.purpose,
        categories=frozenset(row.categories.split(";")),
    )


def active_agreement_with(
    session: Session, peer: str, purpose: str
) -> Agreement | None:
    """The newest active agreement between this node's state and `peer`."""
    node = node_identity().state
    rows = session.scalars(
        select(Agreement)
        .where(Agreement.tenant_code == node, Agreement.purpose == purpose)
        .order_by(Agreement.created_at.desc())
    )
    for row in rows:
        parties = set(row.parties.split(","))
        if {node, peer} <= parties and refresh_status(
            session, row
        ) is AgreementStatus.ACTIVE:
            return row
    return None


def latest_agreement_with(
    session: Session, peer: str, purpose: str
) -> uuid.UUID | None:
    """The newest agreement with `peer` for `purpose`, whatever its status: a
    refused envelope names it, so an auditor sees why nothing left."""
    node = node_identity().state
    for row in session.scalars(
        select(Agreement)
        .where(Agreement.tenant_code == node, Agreement.purpose == purpose)
        .order_by(Agreement.created_at.desc())
    ):
        if {node, peer} <= set(row.parties.split(",")):
            return row.id
    return None
