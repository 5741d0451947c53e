"""The catalogue as the node holds it: signed publications per state (verified on
every load) and pathway open/closed states.

When a pathway opens, closes or gets a new version, `PathwayChanged` is published;
after the change commits, screening and applications re-screen what it affects (their
subscribers, each in its own unit of work). Until a state's publication is loaded,
the shipped, demo-signed catalogue is used, so a fresh node screens without setup.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.db import utcnow
from puente.identity import Actor, Sensitivity, authorize
from puente.pathways.errors import BadStateChange, PathwayNotFound
from puente.pathways.events import PathwayChanged
from puente.pathways.models import (
    Application,
    CatalogueVersion,
    PathwayState,
    Screening,
)
from puente.pathways.rules.catalogue import (
    CATALOGUE_FORMAT,
    MinimumWage,
    Pathway,
    VerifiedCatalogue,
)
from puente.pathways.rules.stages import OPEN_STATUSES, ApplicationStatus
from puente.pathways.schemas import ClauseRead, PathwayRead, RescreenReport
from puente.pathways.service._common import today_utc
from puente.pathways.service.publications import (
    shipped_catalogue,
    shipped_document,
    shipped_public_keys,
    verify_catalogue,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ActiveCatalogue:
    """The pathways in force on `today`, overrides applied; `open_ids` are open."""

    pathways: tuple[Pathway, ...]
    versions: Mapping[str, str]
    overrides: Mapping[str, str]
    today: dt.date
    minimum_wages: Mapping[str, MinimumWage]

    def by_id(self) -> dict[str, Pathway]:
        return {p.id: p for p in self.pathways}

    def is_open(self, pathway: Pathway) -> bool:
        return pathway.is_open(self.today)


_VERIFIED: dict[tuple[tuple[str, str], ...], VerifiedCatalogue] = {}
_ACTIVE: dict[object, ActiveCatalogue] = {}


def _verified_from_rows(rows: Sequence[CatalogueVersion]) -> VerifiedCatalogue:
    key = tuple(sorted((str(r.id), r.signature) for r in rows))
    found = _VERIFIED.get(key)
    if found is None:
        document = {
            "format": CATALOGUE_FORMAT,
            "publications": [r.document for r in rows],
        }
        found = verify_catalogue(document, shipped_public_keys(), strict=False)
        for rejection in found.rejected:
            log.warning(
                "pathway_publication_rejected",
                state=rejection.state,
                pathway_id=rejection.pathway_id,
            )
        if len(_VERIFIED) > 8:
            _VERIFIED.clear()
        _VERIFIED[key] = found
    return found


def _effective(pathway: Pathway, override: str | None, today: dt.date) -> Pathway:
    if override == "closed" and pathway.is_open(today):
        return dataclasses.replace(pathway, closes_on=today - dt.timedelta(days=1))
    if override == "open" and not pathway.is_open(today):
        return dataclasses.replace(
            pathway, opens_on=min(pathway.opens_on, today), closes_on=None
        )
    return pathway


def active_catalogue(session: Session, today: dt.date | None = None) -> ActiveCatalogue:
    """Verified publications (signatures checked) with open/closed overrides."""
    day = today or today_utc()
    rows = session.scalars(
        select(CatalogueVersion).where(CatalogueVersion.is_current.is_(True))
    ).all()
    verified = _verified_from_rows(rows) if rows else shipped_catalogue()
    overrides = {
        str(row[0]): str(row[1])
        for row in session.execute(
            select(PathwayState.pathway_id, PathwayState.override).where(
                PathwayState.override.is_not(None)
            )
        )
        if row[1]
    }
    key = (id(verified), tuple(sorted(overrides.items())), day)
    active = _ACTIVE.get(key)
    if active is None:
        if len(_ACTIVE) > 16:
            _ACTIVE.clear()
        active = ActiveCatalogue(
            pathways=tuple(
                _effective(p, overrides.get(p.id), day) for p in verified.pathways
            ),
            versions=dict(verified.versions),
            overrides=overrides,
            today=day,
            minimum_wages=dict(verified.minimum_wages),
        )
        _ACTIVE[key] = active
    return active


def pathway_read(
    pathway: Pathway,
    language: str,
    *,
    today: dt.date,
    override: str | None = None,
    with_clauses: bool = False,
) -> PathwayRead:
    return PathwayRead(
        id=pathway.id,
        state=pathway.state,
        kind=pathway.kind.value,
        title=pathway.title.get(language),
        summary=pathway.summary.get(language),
        opens_on=pathway.opens_on,
        closes_on=pathway.closes_on,
        is_open=pathway.is_open(today),
        override=override,
        quota=pathway.quota,
        quota_unit=pathway.quota_unit,
        documents=list(pathway.documents),
        source_url=pathway.source_url,
        version=pathway.version,
        clauses=[
            ClauseRead(
                id=c.id,
                cel=c.cel,
                reason_pass=c.reason_pass.get(language),
                reason_fail=c.reason_fail.get(language),
                effective_from=c.effective_from,
            )
            for c in pathway.clauses
        ]
        if with_clauses
        else [],
    )


def list_pathways(
    session: Session,
    *,
    actor: Actor,
    language: str = "en",
    state: str | None = None,
    kind: str | None = None,
    open_only: bool = False,
    today: dt.date | None = None,
) -> list[PathwayRead]:
    """The catalogue, by state and kind; needs `pathway:read` (public data)."""
    authorize(actor, "pathway:read", sensitivity=Sensitivity.PUBLIC)
    active = active_catalogue(session, today)
    out = []
    for pathway in active.pathways:
        if state and pathway.state != state:
            continue
        if kind and pathway.kind.value != kind:
            continue
        if open_only and not active.is_open(pathway):
            continue
        out.append(
            pathway_read(
                pathway,
                language,
                today=active.today,
                override=active.overrides.get(pathway.id),
            )
        )
    return sorted(out, key=lambda p: (p.state, p.kind, p.id))


def get_pathway(
    session: Session,
    *,
    actor: Actor,
    pathway_id: str,
    language: str = "en",
    today: dt.date | None = None,
) -> PathwayRead:
    authorize(actor, "pathway:read", sensitivity=Sensitivity.PUBLIC)
    active = active_catalogue(session, today)
    pathway = active.by_id().get(pathway_id)
    if pathway is None:
        raise PathwayNotFound(pathway_id=pathway_id)
    return pathway_read(
        pathway,
        language,
        today=active.today,
        override=active.overrides.get(pathway_id),
        with_clauses=True,
    )


def load_shipped_catalogue(session: Session, *, actor: Actor) -> int:
    """Store the shipped signed publications not yet held (demo and first start).

    Needs `pathway:publish` for each state (the system actor for the demo)."""
    document = shipped_document()
    verify_catalogue(document, shipped_public_keys(), strict=True)
    added = 0
    for publication in document["publications"]:
        state = str(publication["state"])
        authorize(
            actor, "pathway:publish", tenant_code=state, sensitivity=Sensitivity.PUBLIC
        )
        exists = session.scalars(
            select(CatalogueVersion.id).where(
                CatalogueVersion.tenant_code == state,
                CatalogueVersion.version == publication["version"],
            )
        ).first()
        if exists is None:
            _store_publication(session, actor, publication)
            added += 1
    if added:
        sync_pathway_states(session, actor=actor)
    return added


def _store_publication(
    session: Session, actor: Actor, publication: Mapping[str, Any]
) -> CatalogueVersion:
    state = str(publication["state"])
    for previous in session.scalars(
        select(CatalogueVersion).where(
            CatalogueVersion.tenant_code == state,
            CatalogueVersion.is_current.is_(True),
        )
    ):
        previous.is_current = False
    row = CatalogueVersion(
        tenant_code=state,
        version=str(publication["version"]),
        published_on=dt.date.fromisoformat(str(publication["published_on"])),
        key_id=str(publication["key_id"]),
        signature=str(publication["signature"]),
        document=dict(publication),
        is_current=True,
        loaded_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:catalogue:publish",
        tenant_code=state,
        object_type="pathway_catalogue_version",
        object_id=row.id,
        version=row.version,
    )
    return row


def publish_catalogue_version(
    session: Session, *, actor: Actor, publication: Mapping[str, Any]
) -> list[RescreenReport]:
    """Load one state's signed publication (the signature must verify with the
    state's key), then re-screen every pathway that opened, closed or changed."""
    state = str(publication.get("state", ""))
    authorize(
        actor, "pathway:publish", tenant_code=state, sensitivity=Sensitivity.PUBLIC
    )
    verify_catalogue(
        {"format": CATALOGUE_FORMAT, "publications": [dict(publication)]},
        shipped_public_keys(),
        strict=True,
    )
    _store_publication(session, actor, publication)
    return sync_pathway_states(session, actor=actor)


def set_pathway_state(
    session: Session,
    *,
    actor: Actor,
    pathway_id: str,
    state: str,
    reason: str = "",
    today: dt.date | None = None,
) -> RescreenReport | None:
    """Open or close a pathway by hand (`dates` goes back to its published dates).

    Needs `pathway:publish` in the pathway's state. Re-screens on a change."""
    if state not in ("open", "closed", "dates"):
        raise BadStateChange()
    active = active_catalogue(session, today)
    pathway = active.by_id().get(pathway_id)
    if pathway is None:
        raise PathwayNotFound(pathway_id=pathway_id)
    authorize(
        actor,
        "pathway:publish",
        tenant_code=pathway.state,
        sensitivity=Sensitivity.PUBLIC,
    )
    row = _state_row(session, pathway)
    row.override = None if state == "dates" else state
    row.reason = reason
    row.changed_by = actor.user_id
    audit.record(
        session,
        actor,
        "pathways:pathway:state",
        tenant_code=pathway.state,
        object_type="pathway",
        object_id=pathway_id,
        state=state,
    )
    session.flush()
    reports = sync_pathway_states(session, actor=actor, today=today)
    return next((r for r in reports if r.pathway_id == pathway_id), None)


def _state_row(session: Session, pathway: Pathway) -> PathwayState:
    row = session.scalars(
        select(PathwayState).where(PathwayState.pathway_id == pathway.id)
    ).one_or_none()
    if row is None:
        row = PathwayState(
            tenant_code=pathway.state,
            pathway_id=pathway.id,
            version=pathway.version,
            is_open=False,
            override=None,
        )
        session.add(row)
    return row


def sync_pathway_states(
    session: Session, *, actor: Actor, today: dt.date | None = None
) -> list[RescreenReport]:
    """Compare each pathway's open state and version with the last known one; for
    each that opened, closed or changed, publish `PathwayChanged` (run daily too:
    dates open and close). Screenings and applications are re-screened by the
    event's subscribers once this commits; the reports count what they will take
    up: every stored screening, and the pathway's applications that can move."""
    authorize(actor, "pathway:publish", sensitivity=Sensitivity.PUBLIC)
    active = active_catalogue(session, today)
    known = {row.pathway_id: row for row in session.scalars(select(PathwayState)).all()}
    changed: list[tuple[Pathway, str]] = []
    for pathway in active.pathways:
        is_open = active.is_open(pathway)
        row = known.get(pathway.id)
        if row is None:
            row = _state_row(session, pathway)
            row.is_open = is_open
            if is_open:
                changed.append((pathway, "opened"))
            continue
        if row.is_open != is_open:
            changed.append((pathway, "opened" if is_open else "closed"))
        elif row.version != pathway.version:
            changed.append((pathway, "changed"))
        row.is_open = is_open
        row.version = pathway.version
        row.changed_at = utcnow()
    session.flush()
    if not changed:
        return []
    screenings = session.scalar(select(func.count(Screening.id))) or 0
    reports = []
    for pathway, change in changed:
        statuses = (
            [ApplicationStatus.PATHWAY_CLOSED.value]
            if change == "opened"
            else [s.value for s in OPEN_STATUSES]
        )
        applications = session.scalar(
            select(func.count(Application.id)).where(
                Application.pathway_id == pathway.id,
                Application.status.in_(statuses),
            )
        )
        reports.append(
            RescreenReport(
                pathway_id=pathway.id,
                change=change,
                screenings=screenings,
                applications=applications or 0,
            )
        )
        events.publish(
            session,
            PathwayChanged(
                pathway_id=pathway.id,
                state=pathway.state,
                change=change,
                on=active.today,
            ),
        )
        log.info("pathway_changed", pathway_id=pathway.id, change=change)
    return reports
