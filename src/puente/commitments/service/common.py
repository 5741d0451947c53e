"""What the commitments services share: permission checks, the action packages
and the read models."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from puente.commitments.models import Commitment, Evidence
from puente.commitments.rules import texts
from puente.commitments.rules.status import STATUS_LABELS
from puente.commitments.schemas import (
    CommitmentRead,
    ObjectiveRead,
    PackageRead,
    ProgressRead,
    TargetRead,
)
from puente.core import i18n
from puente.identity import Actor, Sensitivity, authorize, can, visible
from puente.reference.countries import country_name

READ: Final = "commitment:read"
WRITE: Final = "commitment:write"
DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"
SelectT = TypeVar("SelectT", bound=Select[Any])


def allow_read(actor: Actor) -> None:
    """Commitments are public statements (grants carry the PUBLIC ceiling)."""
    authorize(actor, READ, sensitivity=Sensitivity.PUBLIC)


def seen(actor: Actor, stmt: SelectT, model: Any) -> SelectT:
    allow_read(actor)
    return visible(actor, stmt, model, READ)


def can_update(actor: Actor, row: Commitment) -> bool:
    """The focal point of the commitment's state (its tenant), or the hub's
    coordinator for the Declaration's and the packages' commitments."""
    if actor.is_system:
        return True
    return can(actor, WRITE) and actor.tenant_code == row.tenant_code


@dataclass(frozen=True, slots=True)
class Package:
    code: str
    section: str
    leads: tuple[str, ...]
    participants: tuple[str, ...]
    source_url: str


@cache
def packages() -> tuple[Package, ...]:
    with (DATA_DIR / "action_packages.csv").open(encoding="utf-8") as handle:
        return tuple(
            Package(
                row["code"],
                row["section"],
                tuple(c for c in row["leads"].split(";") if c),
                tuple(c for c in row["participants"].split(";") if c),
                row["source_url"],
            )
            for row in csv.DictReader(handle)
        )


def package_read(package: Package) -> PackageRead:
    return PackageRead(
        code=package.code,
        name=i18n.gettext(texts.PACKAGE_NAMES[package.code]),
        section=package.section,
        section_label=i18n.gettext(texts.SECTION_LABELS[package.section]),
        leads=list(package.leads),
        lead_names=[country_name(c) for c in package.leads],
        participants=list(package.participants),
        participant_names=[country_name(c) for c in package.participants],
        source_url=package.source_url,
    )


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(";") if part.strip().isdigit()]


def objectives(row: Commitment) -> list[ObjectiveRead]:
    found = [
        ObjectiveRead(
            compact="GCR", number=n, label=i18n.gettext(texts.GCR_OBJECTIVES[n])
        )
        for n in _numbers(row.gcr)
        if n in texts.GCR_OBJECTIVES
    ]
    found += [
        ObjectiveRead(
            compact="GCM", number=n, label=i18n.gettext(texts.GCM_OBJECTIVES[n])
        )
        for n in _numbers(row.gcm)
        if n in texts.GCM_OBJECTIVES
    ]
    return found


def text_of(row: Commitment) -> str:
    """The commitment in the current language: the Declaration's from its
    msgid, a seeded deliverable's through the catalogue (its English text is
    the msgid), a focal point's own words as written."""
    if row.kind == "declaration" and row.key in texts.DECLARATION_TEXTS:
        return i18n.gettext(texts.DECLARATION_TEXTS[row.key])
    if row.kind == "package" and row.action_package in texts.PACKAGE_NAMES:
        return i18n.gettext(texts.PACKAGE_NAMES[row.action_package])
    return i18n.gettext(row.text)


def evidence_counts(session: Session, ids: list[Any]) -> dict[Any, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Evidence.commitment_id, func.count())
        .where(Evidence.commitment_id.in_(ids))
        .group_by(Evidence.commitment_id)
    )
    return {commitment_id: int(count) for commitment_id, count in rows}


def commitment_read(
    row: Commitment,
    actor: Actor,
    *,
    evidence_count: int,
    progress: ProgressRead | None,
) -> CommitmentRead:
    unit = row.target_unit
    return CommitmentRead(
        id=row.id,
        key=row.key,
        kind=row.kind,
        state=row.state,
        state_name=country_name(row.state) if row.state else None,
        section=row.section,
        section_label=i18n.gettext(texts.SECTION_LABELS.get(row.section, row.section)),
        action_package=row.action_package,
        package_name=i18n.gettext(texts.PACKAGE_NAMES[row.action_package])
        if row.action_package in texts.PACKAGE_NAMES
        else None,
        verb=row.verb,
        verb_label=i18n.gettext(texts.VERB_LABELS.get(row.verb, row.verb)),
        text=text_of(row),
        status=row.status,
        status_label=i18n.gettext(STATUS_LABELS.get(row.status, row.status)),
        status_changed_at=row.status_changed_at,
        target=TargetRead(
            quantity=row.target_quantity,
            quantity_max=row.target_quantity_max,
            unit=unit,
            unit_label=i18n.gettext(texts.UNIT_LABELS[unit])
            if unit in texts.UNIT_LABELS
            else unit,
            deadline=row.deadline,
            deadline_text=row.deadline_text,
        ),
        progress=progress,
        venue=row.venue,
        announced=row.announced,
        source_url=row.source_url,
        objectives=objectives(row),
        evidence_count=evidence_count,
        can_update=can_update(actor, row),
    )
