"""Changing commitments: a status with its evidence, a new deliverable, and
loading the Declaration, the packages and the deliverables seed.

Needs `commitment:write` on the commitment's tenant: a focal point updates
their own state's entries, the hub's coordinator the Declaration's and the
packages'. Every change is audited (`commitments:*`), with ids and codes only.
"""

from __future__ import annotations

import csv
import uuid
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.commitments.errors import EvidenceNeeded, InvalidEvidence
from puente.commitments.models import Commitment, Evidence
from puente.commitments.rules import texts
from puente.commitments.rules.status import (
    Status,
    is_evidence_url,
    needs_evidence,
    target_of,
)
from puente.commitments.schemas import CommitmentDetail, DeliverableCreate, StatusChange
from puente.commitments.service.board import check_state, commitment_row, get_commitment
from puente.commitments.service.common import DATA_DIR, WRITE, packages
from puente.commitments.service.progress import measure_for
from puente.core import audit
from puente.core.db import utcnow
from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.identity import Actor, Sensitivity, authorize

HUB: Final = "HUB"
PILLAR_SECTIONS: Final = {
    "I": "stability",
    "II": "pathways",
    "III": "management",
    "IV": "emergency",
}


def change_status(
    session: Session, *, actor: Actor, commitment_id: uuid.UUID, change: StatusChange
) -> CommitmentDetail:
    """Set a commitment's status, with evidence (a link or a note, and its
    date) when it moves to in progress or fulfilled. Audited."""
    row = commitment_row(session, actor, commitment_id)
    authorize(
        actor, WRITE, tenant_code=row.tenant_code, sensitivity=Sensitivity.INTERNAL
    )
    try:
        target = Status(change.status)
    except ValueError as exc:
        raise InvalidInput(N_("Choose planned, in progress or fulfilled.")) from exc
    url, note = change.evidence_url.strip(), change.evidence_note.strip()
    if needs_evidence(target, url, note):
        raise EvidenceNeeded()
    if url and not is_evidence_url(url):
        raise InvalidEvidence()
    if change.evidence_date and change.evidence_date > utcnow().date():
        raise InvalidInput(N_("The evidence cannot be dated in the future."))
    previous = row.status
    row.status = target.value
    row.status_changed_at = utcnow()
    if url or note:
        session.add(
            Evidence(
                tenant_code=row.tenant_code,
                commitment_id=row.id,
                status=target.value,
                url=url,
                note=note,
                evidence_date=change.evidence_date,
                added_by=actor.user_id,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "commitments:status:change",
        tenant_code=row.tenant_code,
        object_type="commitment",
        object_id=row.id,
        status=target.value,
        previous=previous,
        with_evidence=bool(url or note),
    )
    return get_commitment(session, actor=actor, commitment_id=row.id)


def add_deliverable(
    session: Session, *, actor: Actor, state: str, data: DeliverableCreate
) -> CommitmentDetail:
    """A new deliverable of `state`, entered by its focal point. Audited."""
    code = check_state(state)
    authorize(actor, WRITE, tenant_code=code, sensitivity=Sensitivity.INTERNAL)
    if data.section not in texts.SECTION_LABELS:
        raise InvalidInput(N_("Choose a section from the list."))
    if data.action_package and data.action_package not in texts.PACKAGE_NAMES:
        raise InvalidInput(N_("Choose an action package from the list."))
    if data.source_url and not is_evidence_url(data.source_url):
        raise InvalidEvidence()
    position = len(
        session.scalars(select(Commitment.id).where(Commitment.state == code)).all()
    )
    row = Commitment(
        tenant_code=code,
        key=f"{code}-{uuid.uuid4().hex[:8].upper()}",
        kind="deliverable",
        state=code,
        section=data.section,
        action_package=data.action_package,
        verb="announce",
        text=data.text.strip(),
        target_quantity=data.target_quantity,
        target_unit=data.target_unit.strip(),
        deadline=data.deadline,
        deadline_text=data.deadline.isoformat() if data.deadline else "",
        status=Status.PLANNED.value,
        source_url=data.source_url.strip(),
        measure=measure_for(data.target_unit.strip(), data.action_package),
        position=position,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "commitments:deliverable:create",
        tenant_code=code,
        object_type="commitment",
        object_id=row.id,
    )
    return get_commitment(session, actor=actor, commitment_id=row.id)


def _upsert(session: Session, actor: Actor, row: Commitment) -> bool:
    if session.scalars(select(Commitment.id).where(Commitment.key == row.key)).first():
        return False
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "commitments:seed",
        tenant_code=row.tenant_code,
        object_type="commitment",
        object_id=row.id,
        key=row.key,
    )
    return True


def load_seed(session: Session, *, actor: Actor) -> int:
    """The Declaration's commitments, the action packages and the deliverables
    seed (`data/`); idempotent by key. Needs `commitment:write` (the system)."""
    authorize(actor, WRITE, tenant_code=HUB, sensitivity=Sensitivity.INTERNAL)
    added = 0
    with (DATA_DIR / "declaration_commitments.csv").open(encoding="utf-8") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            added += _upsert(
                session,
                actor,
                Commitment(
                    tenant_code=HUB,
                    key=row["key"],
                    kind="declaration",
                    section=row["section"],
                    verb=row["verb"],
                    text=texts.DECLARATION_TEXTS[row["key"]],
                    status=Status.PLANNED.value,
                    source_url=row["source_url"],
                    gcr=row["gcr"],
                    gcm=row["gcm"],
                    position=position,
                    announced="2022-06-10",
                    venue="Summit of the Americas (LA)",
                ),
            )
    for position, package in enumerate(packages()):
        added += _upsert(
            session,
            actor,
            Commitment(
                tenant_code=HUB,
                key=f"PKG-{package.code}",
                kind="package",
                section=package.section,
                action_package=package.code,
                verb="commit",
                text=texts.PACKAGE_NAMES[package.code],
                status=Status.IN_PROGRESS.value,
                source_url=package.source_url,
                position=position,
                announced="2022-10-06",
                venue="Lima Ministerial",
            ),
        )
    added += _load_deliverables(session, actor)
    return added


def _load_deliverables(session: Session, actor: Actor) -> int:
    added = 0
    per_state: dict[str, int] = {}
    with (DATA_DIR / "lad_commitments_seed.csv").open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            state = row["state_iso3"]
            pillar = row["pillar"].split(" ")[0] if row["pillar"] else ""
            section = (
                PILLAR_SECTIONS.get(pillar, "several") if pillar else "implementation"
            )
            package = texts.PACKAGE_BY_NAME.get(row["action_package"].strip().lower())
            target = target_of(row["quantity"], row["unit"], row["deadline"])
            status = Status.IN_PROGRESS if row["status_note"] else Status.PLANNED
            commitment = Commitment(
                tenant_code=state,
                key=f"SEED-{number:02d}",
                kind="deliverable",
                state=state,
                section=section,
                action_package=package,
                verb="announce",
                text=row["commitment"],
                target_quantity=target.quantity,
                target_quantity_max=target.quantity_max,
                target_unit=target.unit,
                deadline=target.deadline,
                deadline_text=target.deadline_text,
                status=status.value,
                venue=row["venue"],
                announced=row["date_announced"],
                source_url=row["source_url"],
                measure=measure_for(target.unit, package),
                position=per_state.get(state, 0),
            )
            per_state[state] = per_state.get(state, 0) + 1
            if _upsert(session, actor, commitment):
                added += 1
                if row["status_note"]:
                    session.add(
                        Evidence(
                            tenant_code=state,
                            commitment_id=commitment.id,
                            status=status.value,
                            note=row["status_note"],
                        )
                    )
    session.flush()
    return added
