"""Screening a person against every open pathway, storing it (facts encrypted,
bound to the row) and re-screening stored screenings when the catalogue changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.crypto import decrypt_field, encrypt_field, get_keyring
from puente.core.db import new_id, utcnow
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.pathways.errors import ScreeningNotFound
from puente.pathways.events import ScreeningRecorded
from puente.pathways.models import Screening
from puente.pathways.rules.catalogue import Pathway
from puente.pathways.rules.eligibility import (
    Outcome,
    ScreeningResult,
    questions_that_matter,
    screener_for,
)
from puente.pathways.rules.facts import FACTS, LANGUAGES, Facts, parse_facts
from puente.pathways.rules.rights import outcome_label
from puente.pathways.schemas import QuestionRead, ScreeningRead, ScreeningResultRead
from puente.pathways.service.catalogue import ActiveCatalogue, active_catalogue

log = structlog.get_logger(__name__)
TABLE = "pathway_screening"
FACTS_COLUMN = "facts_encrypted"
_BATCH = 500


def _language(language: str) -> str:
    return language if language in LANGUAGES else "en"


def result_read(result: ScreeningResult, language: str) -> ScreeningResultRead:
    return ScreeningResultRead(
        pathway_id=result.pathway_id,
        state=result.state,
        kind=result.kind.value,
        title=result.title,
        version=result.version,
        outcome=result.outcome.value,
        label=outcome_label(result.outcome, language),
        reasons=list(result.reasons),
        missing=list(result.missing),
    )


def question_reads(names: Sequence[str], language: str) -> list[QuestionRead]:
    return [
        QuestionRead(
            fact=name,
            type=FACTS[name].type.value,
            ask=FACTS[name].ask.get(language, FACTS[name].ask["en"]),
            values=list(FACTS[name].values),
        )
        for name in names
    ]


_ORDER = {Outcome.ELIGIBLE: 0, Outcome.UNDETERMINED: 1, Outcome.NOT_ELIGIBLE: 2}


def evaluate(
    facts: Facts, pathways: Sequence[Pathway], today: dt.date, language: str
) -> tuple[list[ScreeningResult], list[str]]:
    """Pure: results for every open pathway (eligible first) and the questions
    whose answers could still change an outcome."""
    results = screener_for(pathways, today).screen(facts, language)
    ordered = sorted(results, key=lambda r: (_ORDER[r.outcome], r.state, r.pathway_id))
    return ordered, questions_that_matter(facts, pathways, today)


def _results_json(results: Sequence[ScreeningResult]) -> list[dict[str, object]]:
    return [
        {
            **r.to_json(),
            "clauses": [[cid, state.value] for cid, state in r.clauses],
        }
        for r in results
    ]


def _facts_hash(facts: Facts) -> str:
    text = json.dumps(facts.to_json(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def screen_person(
    session: Session,
    *,
    actor: Actor,
    facts: Mapping[str, object],
    language: str = "en",
    person_id: uuid.UUID | None = None,
    applicant_ref: str = "",
    store: bool = True,
    today: dt.date | None = None,
) -> ScreeningRead:
    """Screen a person's facts against every open pathway of every state.

    Needs `pathway:screen` (personal data). With `store`, keeps the screening
    (facts encrypted to the row), audits it and publishes `ScreeningRecorded`.
    Unknown facts raise `FactsError` naming the key."""
    authorize(
        actor,
        "pathway:screen",
        tenant_code=actor.tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )
    lang = _language(language)
    parsed = parse_facts(facts)
    active = active_catalogue(session, today)
    results, questions = evaluate(parsed, active.pathways, active.today, lang)
    screening_id: uuid.UUID | None = None
    if store:
        row = _store(session, actor, parsed, results, active, lang)
        row.person_id = person_id
        row.applicant_ref = applicant_ref
        screening_id = row.id
        audit.record(
            session,
            actor,
            "pathways:screening:create",
            object_type=TABLE,
            object_id=row.id,
            eligible=row.eligible_count,
        )
        events.publish(session, ScreeningRecorded(row.id, row.tenant_code))
        log.info("screening_recorded", screening_id=str(row.id))
    return ScreeningRead(
        id=screening_id,
        language=lang,
        screened_on=active.today,
        catalogue_versions=dict(active.versions),
        results=[result_read(r, lang) for r in results],
        questions=question_reads(questions, lang),
        applicant_ref=applicant_ref,
        person_id=person_id,
    )


def _store(
    session: Session,
    actor: Actor,
    facts: Facts,
    results: Sequence[ScreeningResult],
    active: ActiveCatalogue,
    language: str,
) -> Screening:
    row_id = new_id()
    tenant = actor.tenant_code
    blob = encrypt_field(
        get_keyring(),
        tenant=tenant,
        table=TABLE,
        column=FACTS_COLUMN,
        row_id=str(row_id),
        value=json.dumps(facts.to_json(), sort_keys=True),
    )
    row = Screening(
        id=row_id,
        tenant_code=tenant,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        language=language,
        facts_encrypted=blob,
        facts_hash=_facts_hash(facts),
        screened_on=active.today,
        created_at=utcnow(),
    )
    _apply(row, results, active)
    session.add(row)
    session.flush()
    return row


def _apply(
    row: Screening, results: Sequence[ScreeningResult], active: ActiveCatalogue
) -> None:
    row.results = _results_json(results)
    row.catalogue_versions = dict(active.versions)
    row.eligible_count = sum(r.outcome is Outcome.ELIGIBLE for r in results)
    row.undetermined_count = sum(r.outcome is Outcome.UNDETERMINED for r in results)
    row.screened_on = active.today


def decrypt_facts(row: Screening) -> Facts:
    text = decrypt_field(
        get_keyring(),
        tenant=row.tenant_code,
        table=TABLE,
        column=FACTS_COLUMN,
        row_id=str(row.id),
        blob=row.facts_encrypted,
    )
    return parse_facts(json.loads(text))


def _visible_screening(
    session: Session, actor: Actor, screening_id: uuid.UUID
) -> Screening:
    stmt = visible(
        actor,
        select(Screening).where(Screening.id == screening_id),
        Screening,
        "pathway:screen",
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise ScreeningNotFound()
    authorize(
        actor,
        "pathway:screen",
        tenant_code=row.tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )
    return row


def get_screening(
    session: Session,
    *,
    actor: Actor,
    screening_id: uuid.UUID,
    language: str | None = None,
) -> ScreeningRead:
    """A stored screening, re-evaluated against today's catalogue in `language`
    (default: its own). Reading the facts is audited."""
    row = _visible_screening(session, actor, screening_id)
    lang = _language(language or row.language)
    facts = decrypt_facts(row)
    audit.record(
        session,
        actor,
        "pathways:screening:read",
        tenant_code=row.tenant_code,
        object_type=TABLE,
        object_id=row.id,
    )
    active = active_catalogue(session)
    results, questions = evaluate(facts, active.pathways, active.today, lang)
    return ScreeningRead(
        id=row.id,
        language=lang,
        screened_on=active.today,
        catalogue_versions=dict(active.versions),
        results=[result_read(r, lang) for r in results],
        questions=question_reads(questions, lang),
        applicant_ref=row.applicant_ref,
        person_id=row.person_id,
    )


def screening_facts(
    session: Session, *, actor: Actor, screening_id: uuid.UUID
) -> dict[str, object]:
    """The facts of a stored screening (to continue it on the screening page)."""
    row = _visible_screening(session, actor, screening_id)
    audit.record(
        session,
        actor,
        "pathways:screening:facts",
        tenant_code=row.tenant_code,
        object_type=TABLE,
        object_id=row.id,
    )
    return decrypt_facts(row).to_json()


def latest_results(
    session: Session, screening_id: uuid.UUID
) -> list[dict[str, object]]:
    """Stored result rows of a screening (internal, for applications)."""
    row = session.get(Screening, screening_id)
    return list(row.results) if row is not None else []


def rescreen_all(session: Session, *, active: ActiveCatalogue) -> int:
    """Re-evaluate every stored screening against `active` (system job, batched).

    Runs inside the catalogue change's transaction so that no screening is left
    pointing at a pathway that has closed."""
    count = 0
    last: uuid.UUID | None = None
    while True:
        stmt = select(Screening).order_by(Screening.id).limit(_BATCH)
        if last is not None:
            stmt = stmt.where(Screening.id > last)
        rows = session.scalars(stmt).all()
        if not rows:
            break
        for row in rows:
            facts = decrypt_facts(row)
            results = screener_for(active.pathways, active.today).screen(
                facts, row.language
            )
            _apply(row, results, active)
            row.rescreened_at = utcnow()
            count += 1
        last = rows[-1].id
        session.flush()
    return count
