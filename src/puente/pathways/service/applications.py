"""Applications to a pathway: stages per kind, documents checklist, decisions with
reasons, notifications, and what happens to them when a pathway closes or changes.

A closed pathway never strands a case: its open applications get the status
`pathway_closed`, a plain reason, and the applicant's other eligible pathways. That
runs after the catalogue change commits (a `PathwayChanged` subscriber)."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.core.events import subscribe
from puente.core.i18n import N_, gettext, use_locale
from puente.identity import Actor, Sensitivity, authorize, system_actor, visible
from puente.pathways.errors import (
    ApplicationNotFound,
    DecisionNotAllowed,
    NotAttestable,
    PathwayClosed,
    PathwayNotFound,
    StageNotAllowed,
)
from puente.pathways.events import PathwayChanged
from puente.pathways.models import (
    Application,
    ApplicationDecision,
    ApplicationNotification,
    Screening,
)
from puente.pathways.rules.catalogue import DOCUMENT_LABELS, Pathway
from puente.pathways.rules.eligibility import Outcome, screener_for
from puente.pathways.rules.stages import (
    DECISION_STAGE,
    OPEN_STATUSES,
    STAGE_LABELS,
    STAGES,
    STATUS_LABELS,
    ApplicationStatus,
    can_advance,
    first_stage,
    next_stage,
)
from puente.pathways.schemas import ApplicationRead, DecisionRead, NotificationRead
from puente.pathways.service._common import (
    JOBS,
    check_person,
    visible_screening,
)
from puente.pathways.service.catalogue import ActiveCatalogue, active_catalogue
from puente.pathways.service.outcomes import count_approval
from puente.pathways.service.screening import decrypt_facts
from puente.pathways.service.text import reason_text

log = structlog.get_logger(__name__)
PERMISSION = "application:write"


def _worded(language: str, msgid: str, **params: str) -> str:
    """A notification in the applicant's language (kept as written, like a letter)."""
    with use_locale(language):
        return gettext(msgid, **params)


def _label(language: str, labels: dict[str, str] | Any, code: str) -> str:
    label = labels.get(code)
    if label is None:
        return code
    with use_locale(language):
        return gettext(label)


def _language_of(session: Session, application: Application) -> str:
    if application.screening_id is not None:
        screening = session.get(Screening, application.screening_id)
        if screening is not None:
            return screening.language
    return "en"


def _notify(
    session: Session, application: Application, kind: str, message: str, lang: str
) -> None:
    session.add(
        ApplicationNotification(
            tenant_code=application.tenant_code,
            application_id=application.id,
            kind=kind,
            message=message,
            language=lang,
        )
    )


def apply_to_pathway(
    session: Session,
    *,
    actor: Actor,
    pathway_id: str,
    screening_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    applicant_ref: str = "",
) -> ApplicationRead:
    """Open an application (needs `application:write`); the pathway must be open.

    Links the screening whose facts decide eligibility."""
    authorize(
        actor,
        PERMISSION,
        tenant_code=actor.tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )
    active = active_catalogue(session)
    pathway = active.by_id().get(pathway_id)
    if pathway is None:
        raise PathwayNotFound(pathway_id=pathway_id)
    if not active.is_open(pathway):
        raise PathwayClosed(pathway_id=pathway_id)
    eligibility = ""
    if screening_id is not None:
        screening = visible_screening(session, actor, screening_id)
        person_id = person_id or screening.person_id
        applicant_ref = applicant_ref or screening.applicant_ref
        eligibility = _outcome_for(screening.results, pathway_id)
    if person_id is not None:
        check_person(session, actor, person_id)
    application = Application(
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        pathway_id=pathway.id,
        pathway_state=pathway.state,
        kind=pathway.kind.value,
        person_id=person_id,
        applicant_ref=applicant_ref,
        screening_id=screening_id,
        stage=first_stage(pathway.kind),
        status=ApplicationStatus.ACTIVE.value,
        eligibility=eligibility,
        alternatives=[],
        documents=dict.fromkeys(pathway.documents, False),
    )
    session.add(application)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:application:create",
        object_type="pathway_application",
        object_id=application.id,
        pathway_id=pathway.id,
    )
    return _read(session, application, active)


def _outcome_for(results: list[Any], pathway_id: str) -> str:
    for item in results:
        if isinstance(item, dict) and item.get("pathway_id") == pathway_id:
            return str(item.get("outcome", ""))
    return ""


def _visible_application(
    session: Session, actor: Actor, application_id: uuid.UUID
) -> Application:
    stmt = visible(
        actor,
        select(Application).where(Application.id == application_id),
        Application,
        PERMISSION,
    )
    application = session.scalars(stmt).one_or_none()
    if application is None:
        raise ApplicationNotFound()
    authorize(
        actor,
        PERMISSION,
        tenant_code=application.tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )
    return application


def _read(
    session: Session,
    application: Application,
    active: ActiveCatalogue | None = None,
    *,
    detail: bool = False,
) -> ApplicationRead:
    active = active or active_catalogue(session)
    by_id = active.by_id()
    pathway = by_id.get(application.pathway_id)
    lang = _language_of(session, application) if detail else "en"
    title = pathway.title.get(lang) if pathway else application.pathway_id
    stages = list(STAGES[pathway.kind]) if pathway else [application.stage]
    decisions: list[DecisionRead] = []
    notifications: list[NotificationRead] = []
    if detail:
        decisions = [
            DecisionRead(outcome=d.outcome, reason=d.reason, decided_at=d.decided_at)
            for d in session.scalars(
                select(ApplicationDecision)
                .where(ApplicationDecision.application_id == application.id)
                .order_by(ApplicationDecision.decided_at)
            )
        ]
        notifications = [
            NotificationRead(
                kind=n.kind,
                message=n.message,
                language=n.language,
                created_at=n.created_at,
            )
            for n in session.scalars(
                select(ApplicationNotification)
                .where(ApplicationNotification.application_id == application.id)
                .order_by(ApplicationNotification.created_at)
            )
        ]
    upcoming = (
        next_stage(pathway.kind, application.stage)
        if pathway and application.stage in stages
        else None
    )
    return ApplicationRead(
        id=application.id,
        pathway_id=application.pathway_id,
        pathway_title=title,
        pathway_state=application.pathway_state,
        kind=application.kind,
        stage=application.stage,
        stages=stages,
        next_stage=upcoming,
        status=application.status,
        status_reason=application.status_reason,
        eligibility=application.eligibility,
        alternatives=list(application.alternatives),
        alternative_titles=[
            by_id[a].title.get(lang) if a in by_id else str(a)
            for a in application.alternatives
        ],
        documents={k: bool(v) for k, v in application.documents.items()},
        person_id=application.person_id,
        applicant_ref=application.applicant_ref,
        screening_id=application.screening_id,
        decisions=decisions,
        notifications=notifications,
        created_at=application.created_at,
    )


def list_applications(
    session: Session, *, actor: Actor, status: str | None = None, limit: int = 200
) -> list[ApplicationRead]:
    """Applications the actor's tenant follows (needs `application:write`)."""
    authorize(actor, PERMISSION, sensitivity=Sensitivity.PERSONAL)
    stmt = visible(actor, select(Application), Application, PERMISSION)
    if status:
        stmt = stmt.where(Application.status == status)
    rows = session.scalars(
        stmt.order_by(Application.created_at.desc()).limit(limit)
    ).all()
    active = active_catalogue(session)
    return [_read(session, row, active) for row in rows]


def get_application(
    session: Session, *, actor: Actor, application_id: uuid.UUID
) -> ApplicationRead:
    application = _visible_application(session, actor, application_id)
    return _read(session, application, detail=True)


def advance_application(
    session: Session, *, actor: Actor, application_id: uuid.UUID, stage: str
) -> ApplicationRead:
    """Move to the next stage (one at a time, per the kind's table); notifies."""
    application = _visible_application(session, actor, application_id)
    active = active_catalogue(session)
    pathway = active.by_id().get(application.pathway_id)
    if pathway is None or not can_advance(
        pathway.kind, application.stage, stage, application.status
    ):
        raise StageNotAllowed(current=application.stage, target=stage)
    application.stage = stage
    application.updated_at = utcnow()
    lang = _language_of(session, application)
    _notify(
        session,
        application,
        "stage",
        _worded(
            lang,
            N_("Your application for %(title)s moved to the stage: %(stage)s."),
            title=pathway.title.get(lang),
            stage=_label(lang, STAGE_LABELS, stage),
        ),
        lang,
    )
    audit.record(
        session,
        actor,
        "pathways:application:stage",
        object_type="pathway_application",
        object_id=application.id,
        stage=stage,
    )
    session.flush()
    return _read(session, application, active, detail=True)


def record_document(
    session: Session,
    *,
    actor: Actor,
    application_id: uuid.UUID,
    document: str,
    received: bool = True,
) -> ApplicationRead:
    """Tick a document of the checklist (codes from the catalogue's DOCUMENTS)."""
    application = _visible_application(session, actor, application_id)
    if document not in DOCUMENT_LABELS:
        raise NotAttestable(check_id=document)
    documents = dict(application.documents)
    documents[document] = received
    application.documents = documents
    application.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "pathways:application:document",
        object_type="pathway_application",
        object_id=application.id,
        document=document,
        received=received,
    )
    session.flush()
    return _read(session, application, detail=True)


def decide_application(
    session: Session,
    *,
    actor: Actor,
    application_id: uuid.UUID,
    outcome: str,
    reason: str,
) -> ApplicationRead:
    """Record a decision with its reason at the decision stage; notifies."""
    application = _visible_application(session, actor, application_id)
    if application.stage != DECISION_STAGE or application.status not in OPEN_STATUSES:
        raise DecisionNotAllowed()
    active = active_catalogue(session)
    pathway = active.by_id().get(application.pathway_id)
    session.add(
        ApplicationDecision(
            tenant_code=application.tenant_code,
            application_id=application.id,
            outcome=outcome,
            reason=reason,
            decided_by=actor.user_id,
        )
    )
    application.status = (
        ApplicationStatus.APPROVED.value
        if outcome == "approved"
        else ApplicationStatus.REFUSED.value
    )
    application.status_reason = reason
    if outcome == "approved" and pathway is not None:
        application.stage = next_stage(pathway.kind, DECISION_STAGE) or DECISION_STAGE
    application.updated_at = utcnow()
    if outcome == "approved":
        count_approval(session, application, application.updated_at.date())
    lang = _language_of(session, application)
    title = pathway.title.get(lang) if pathway else application.pathway_id
    _notify(
        session,
        application,
        "decision",
        _worded(
            lang,
            N_("Decision on %(title)s: %(outcome)s. Reason: %(reason)s"),
            title=title,
            outcome=_label(lang, STATUS_LABELS, application.status),
            reason=reason,
        ),
        lang,
    )
    audit.record(
        session,
        actor,
        "pathways:application:decide",
        object_type="pathway_application",
        object_id=application.id,
        outcome=outcome,
    )
    session.flush()
    return _read(session, application, active, detail=True)


def handle_pathway_change(
    session: Session, *, pathway: Pathway, change: str, active: ActiveCatalogue
) -> tuple[int, int]:
    """Re-evaluate the open applications to `pathway` after it changed (system).

    closed: status `pathway_closed`, a reason, the other eligible pathways and a
    notification. changed: re-screen; not eligible any more → `needs_review`.
    opened: applications closed with the pathway become active again.
    Returns (applications touched, those left with no alternative)."""
    if change == "opened":
        rows = session.scalars(
            select(Application).where(
                Application.pathway_id == pathway.id,
                Application.status == ApplicationStatus.PATHWAY_CLOSED.value,
            )
        ).all()
        for row in rows:
            row.status = ApplicationStatus.ACTIVE.value
            row.status_reason = ""
            row.updated_at = utcnow()
        return len(rows), 0
    rows = session.scalars(
        select(Application).where(
            Application.pathway_id == pathway.id,
            Application.status.in_([s.value for s in OPEN_STATUSES]),
        )
    ).all()
    stranded = 0
    screener = screener_for(active.pathways, active.today)
    for row in rows:
        lang = _language_of(session, row)
        results = []
        if row.screening_id is not None:
            screening = session.get(Screening, row.screening_id)
            if screening is not None:
                results = screener.screen(decrypt_facts(screening))
        title = pathway.title.get(lang)
        if change == "closed":
            others = [
                r
                for r in results
                if r.outcome is Outcome.ELIGIBLE and r.pathway_id != pathway.id
            ]
            row.status = ApplicationStatus.PATHWAY_CLOSED.value
            row.alternatives = [r.pathway_id for r in others]
            message = (
                _worded(
                    lang,
                    N_(
                        "The pathway %(title)s has closed. Your case stays open. "
                        "Other pathways you qualify for: %(others)s."
                    ),
                    title=title,
                    others=", ".join(r.title(lang) for r in others),
                )
                if others
                else _worded(
                    lang,
                    N_(
                        "The pathway %(title)s has closed. Your case stays open. "
                        "Other pathways you qualify for: none yet; an officer will "
                        "contact you."
                    ),
                    title=title,
                )
            )
            row.status_reason = message
            stranded += not others
            _notify(session, row, "pathway_closed", message, lang)
        else:
            mine = next((r for r in results if r.pathway_id == pathway.id), None)
            if mine is not None:
                row.eligibility = mine.outcome.value
                if mine.outcome is Outcome.NOT_ELIGIBLE:
                    row.status = ApplicationStatus.NEEDS_REVIEW.value
                    with use_locale(lang):
                        row.status_reason = "; ".join(
                            reason_text(r) for r in mine.reasons
                        )
                    _notify(
                        session,
                        row,
                        "pathway_changed",
                        _worded(
                            lang,
                            N_(
                                "The rules of %(title)s changed; an officer will "
                                "review your application."
                            ),
                            title=title,
                        ),
                        lang,
                    )
        row.updated_at = utcnow()
        log.info(
            "application_rescreened",
            application_id=str(row.id),
            pathway_id=pathway.id,
            change=change,
        )
    session.flush()
    return len(rows), stranded


def applications_after_change(session: Session, event: PathwayChanged) -> int:
    """The `PathwayChanged` subscriber's work, in the unit of work it is given:
    re-evaluate the pathway's applications; returns how many it touched."""
    active = active_catalogue(session, event.on)
    pathway = active.by_id().get(event.pathway_id)
    if pathway is None:
        return 0
    touched, stranded = handle_pathway_change(
        session, pathway=pathway, change=event.change, active=active
    )
    if touched:  # a change that re-screened nothing changed nothing
        audit.record(
            session,
            system_actor(),
            "pathways:application:rescreen",
            tenant_code=pathway.state,
            object_type="pathway",
            object_id=pathway.id,
            change=event.change,
            applications=touched,
            stranded=stranded,
        )
    log.info(
        "pathway_applications_rescreened",
        pathway_id=pathway.id,
        change=event.change,
        applications=touched,
        stranded=stranded,
    )
    return touched


@subscribe(PathwayChanged)
def _on_pathway_changed(event: PathwayChanged) -> None:
    with JOBS.open() as session:
        applications_after_change(session, event)
