"""Reading the commitments: the board (the Declaration by section, the action
packages, the states), one state's page, one commitment with its evidence.
Needs `commitment:read`."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.commitments.errors import CommitmentNotFound, UnknownState
from puente.commitments.models import Commitment, Evidence
from puente.commitments.rules.status import STATUS_LABELS
from puente.commitments.schemas import (
    CommitmentDetail,
    CommitmentRead,
    EvidenceRead,
    PackageRead,
)
from puente.commitments.service.common import (
    allow_read,
    commitment_read,
    evidence_counts,
    package_read,
    packages,
    seen,
)
from puente.commitments.service.progress import payments, progress_for
from puente.core import i18n
from puente.identity import Actor
from puente.reference.countries import ENDORSING_STATES


@dataclass(frozen=True, slots=True)
class CommitmentFilter:
    state: str | None = None
    kind: str | None = None
    section: str | None = None
    action_package: str | None = None
    status: str | None = None


def list_commitments(
    session: Session, *, actor: Actor, where: CommitmentFilter | None = None
) -> list[CommitmentRead]:
    """Commitments in board order (kind, section, position)."""
    where = where or CommitmentFilter()
    stmt = select(Commitment).order_by(
        Commitment.kind, Commitment.state, Commitment.position, Commitment.key
    )
    if where.state:
        stmt = stmt.where(Commitment.state == where.state.upper())
    if where.kind:
        stmt = stmt.where(Commitment.kind == where.kind)
    if where.section:
        stmt = stmt.where(Commitment.section == where.section)
    if where.action_package:
        stmt = stmt.where(Commitment.action_package == where.action_package)
    if where.status:
        stmt = stmt.where(Commitment.status == where.status)
    rows = list(session.scalars(seen(actor, stmt, Commitment)))
    counts = evidence_counts(session, [row.id for row in rows])
    return [
        commitment_read(
            row,
            actor,
            evidence_count=counts.get(row.id, 0),
            progress=progress_for(session, actor, row),
        )
        for row in rows
    ]


def commitment_row(
    session: Session, actor: Actor, commitment_id: uuid.UUID
) -> Commitment:
    row = session.scalars(
        seen(
            actor, select(Commitment).where(Commitment.id == commitment_id), Commitment
        )
    ).first()
    if row is None:
        raise CommitmentNotFound()
    return row


def get_commitment(
    session: Session, *, actor: Actor, commitment_id: uuid.UUID
) -> CommitmentDetail:
    """One commitment with its evidence, newest first."""
    row = commitment_row(session, actor, commitment_id)
    evidence = list(
        session.scalars(
            seen(
                actor,
                select(Evidence)
                .where(Evidence.commitment_id == row.id)
                .order_by(Evidence.added_at.desc()),
                Evidence,
            )
        )
    )
    read = commitment_read(
        row,
        actor,
        evidence_count=len(evidence),
        progress=progress_for(session, actor, row),
    )
    return CommitmentDetail(
        **read.model_dump(),
        evidence=[
            EvidenceRead(
                id=item.id,
                status=item.status,
                status_label=i18n.gettext(STATUS_LABELS.get(item.status, item.status)),
                url=item.url,
                note=item.note,
                evidence_date=item.evidence_date,
                added_at=item.added_at,
            )
            for item in evidence
        ],
        payments=payments(session, actor, row),
    )


def list_packages(*, actor: Actor) -> list[PackageRead]:
    """The action packages with their lead and participating states."""
    allow_read(actor)
    return [package_read(package) for package in packages()]


def state_packages(state: str) -> tuple[list[PackageRead], list[PackageRead]]:
    """(packages the state leads, packages it takes part in)."""
    code = state.upper()
    leads = [package_read(p) for p in packages() if code in p.leads]
    takes_part = [package_read(p) for p in packages() if code in p.participants]
    return leads, takes_part


def check_state(state: str) -> str:
    code = state.upper()
    if code not in ENDORSING_STATES:
        raise UnknownState()
    return code


def status_counts(items: list[CommitmentRead]) -> dict[str, int]:
    counts = Counter(item.status for item in items)
    return {status: counts.get(status, 0) for status in STATUS_LABELS}
