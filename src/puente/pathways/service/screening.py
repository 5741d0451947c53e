"""Screening a person against every open pathway, storing it (facts encrypted,
bound to the row) and re-screening stored screenings when the catalogue changes
(a `PathwayChanged` subscriber, after the change commits)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.crypto import decrypt_field, encrypt_field, get_keyring
from puente.core.db import new_id, utcnow
from puente.core.events import subscribe
from puente.core.i18n import use_locale
from puente.identity import Actor, Sensitivity, authorize, system_actor
from puente.pathways.events import PathwayChanged
from puente.pathways.models import Screening
from puente.pathways.rules.catalogue import Pathway
from puente.pathways.rules.eligibility import (
    Outcome,
    ScreeningResult,
    questions_for,
    screener_for,
)
from puente.pathways.rules.entry_regimes import RegimeTable
from puente.pathways.rules.facts import FACTS, LANGUAGES, Facts, parse_facts
from puente.pathways.schemas import QuestionRead, ScreeningRead, ScreeningResultRead
from puente.pathways.service._common import JOBS, visible_screening
from puente.pathways.service.catalogue import ActiveCatalogue, active_catalogue
from puente.pathways.service.entry_regimes import active_regimes, add_entry_notes
from puente.pathways.service.text import fact_question, outcome_label, reason_text

log = structlog.get_logger(__name__)
TABLE = "pathway_screening"
FACTS_COLUMN = "facts_encrypted"
_BATCH = 500


def _language(language: str) -> str:
    return language if language in LANGUAGES else "en"


def result_read(result: ScreeningResult, language: str) -> ScreeningResultRead:
    """One pathway's answer worded in `language`."""
    with use_locale(language):
        return ScreeningResultRead(
            pathway_id=result.pathway_id,
            state=result.state,
            kind=result.kind.value,
            title=result.title(language),
            version=result.version,
            outcome=result.outcome.value,
            label=outcome_label(result.outcome),
            reasons=[reason_text(r) for r in result.reasons],
            missing=list(result.missing),
        )


def question_reads(names: Sequence[str], language: str) -> list[QuestionRead]:
    with use_locale(language):
        return [
            QuestionRead(
                fact=name,
                type=FACTS[name].type.value,
                ask=fact_question(name),
                values=list(FACTS[name].values),
            )
            for name in names
        ]


_ORDER = {Outcome.ELIGIBLE: 0, Outcome.UNDETERMINED: 1, Outcome.NOT_ELIGIBLE: 2}


def evaluate(
    facts: Facts,
    pathways: Sequence[Pathway],
    today: dt.date,
    regimes: Mapping[str, RegimeTable] | None = None,
) -> tuple[list[ScreeningResult], list[str]]:
    """Pure: results for every open pathway (eligible first) and the questions
    whose answers could still change an outcome. With `regimes`, a pathway of a
    state the person's nationality cannot enter at present says so."""
    results = screener_for(pathways, today).screen(facts)
    if regimes is not None:
        results = add_entry_notes(results, facts, regimes, today)
    ordered = sorted(results, key=lambda r: (_ORDER[r.outcome], r.state, r.pathway_id))
    return ordered, questions_for(results)


def _results_json(
    results: Sequence[ScreeningResult], language: str
) -> list[dict[str, object]]:
    """Results as stored with a screening: worded in its language, with each
    clause's state for the decision log."""
    return [
        {
            **result_read(r, language).model_dump(exclude={"label"}),
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
    (facts encrypted to the row) and audits it.
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
    results, questions = evaluate(
        parsed, active.pathways, active.today, active_regimes(session)
    )
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
    row.results = _results_json(results, row.language)
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


def get_screening(
    session: Session,
    *,
    actor: Actor,
    screening_id: uuid.UUID,
    language: str | None = None,
) -> ScreeningRead:
    """A stored screening, re-evaluated against today's catalogue in `language`
    (default: its own). Reading the facts is audited."""
    row = visible_screening(session, actor, screening_id)
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
    results, questions = evaluate(
        facts, active.pathways, active.today, active_regimes(session)
    )
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
    row = visible_screening(session, actor, screening_id)
    audit.record(
        session,
        actor,
        "pathways:screening:facts",
        tenant_code=row.tenant_code,
        object_type=TABLE,
        object_id=row.id,
    )
    return decrypt_facts(row).to_json()


def _is_current(row: Screening, pathway: Pathway, active: ActiveCatalogue) -> bool:
    """Whether the stored results already say what the catalogue says of `pathway`:
    its version while it is open, nothing once it has closed."""
    stored = next(
        (r.get("version") for r in row.results if r.get("pathway_id") == pathway.id),
        None,
    )
    expected = pathway.version if active.is_open(pathway) else None
    return stored == expected


def screenings_after_change(session: Session, event: PathwayChanged) -> int:
    """The `PathwayChanged` subscriber's work, in the unit of work it is given:
    re-screen (batched) every stored screening whose results no longer match the
    catalogue for that pathway, so none points at a closed pathway. Returns how
    many were re-screened."""
    active = active_catalogue(session, event.on)
    pathway = active.by_id().get(event.pathway_id)
    if pathway is None:
        return 0
    screener = screener_for(active.pathways, active.today)
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
            if _is_current(row, pathway, active):
                continue
            _apply(row, screener.screen(decrypt_facts(row)), active)
            row.rescreened_at = utcnow()
            count += 1
        last = rows[-1].id
        session.flush()
    if count:  # a change that re-screened nothing changed nothing
        audit.record(
            session,
            system_actor(),
            "pathways:screening:rescreen",
            tenant_code=pathway.state,
            object_type="pathway",
            object_id=pathway.id,
            change=event.change,
            screenings=count,
        )
    log.info(
        "pathway_screenings_rescreened",
        pathway_id=pathway.id,
        change=event.change,
        screenings=count,
    )
    return count


@subscribe(PathwayChanged)
def _on_pathway_changed(event: PathwayChanged) -> None:
    with JOBS.open() as session:
        screenings_after_change(session, event)
