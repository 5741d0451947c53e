"""JSON API under /api/v1/pathways: catalogue, screening, applications, offers with
their fair-recruitment checks, matches, recognition, totalisation and the saved
totalisations."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from puente.identity import Actor
from puente.pathways import service
from puente.pathways.schemas import (
    ApplicationCreate,
    ApplicationRead,
    AttestationCreate,
    AttestationRead,
    AttestationReview,
    DecisionCreate,
    DocumentUpdate,
    EntryRegimeRead,
    Language,
    MatchRead,
    OfferRead,
    PathwayRead,
    PathwayStateChange,
    RecognitionCreate,
    RecognitionRead,
    RegulatedOccupationCreate,
    RegulatedOccupationRead,
    RescreenReport,
    RightsCardRead,
    SavedTotalisationRead,
    ScreeningRead,
    ScreeningRequest,
    StageChange,
    TotalisationRead,
    TotalisationRequest,
    TotalisationSave,
    WorkerCreate,
    WorkerRead,
)
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/pathways", tags=["pathways"])

PathwayReader = Annotated[Actor, Depends(Require("pathway:read"))]
AnyRole = Annotated[Actor, Depends(Require("me:read"))]  # every role holds it
Publisher = Annotated[Actor, Depends(Require("pathway:publish"))]
Screener = Annotated[Actor, Depends(Require("pathway:screen"))]
ApplicationWriter = Annotated[Actor, Depends(Require("application:write"))]
OfferReader = Annotated[Actor, Depends(Require("offer:read"))]
OfferWriter = Annotated[Actor, Depends(Require("offer:write"))]
MatchReader = Annotated[Actor, Depends(Require("match:read"))]
WorkerReader = Annotated[Actor, Depends(Require("worker:read"))]
# Saved computations are personal data: kept by officers who screen people, as on
# the screens (`/pathways/totalisation/saved`).
TotalisationKeeper = Annotated[Actor, Depends(Require("pathway:screen"))]


@router.get("/entry-regimes", response_model=EntryRegimeRead)
def entry_regime(
    session: DbSession,
    actor: AnyRole,
    nationality: Annotated[str, Query(min_length=2, max_length=3)],
    destination: Annotated[str, Query(min_length=3, max_length=3)],
) -> EntryRegimeRead:
    """The entry regime for nationals of `nationality` entering `destination`
    (one of the 20 endorsing states); any authenticated role."""
    return service.get_entry_regime(
        session, actor=actor, nationality=nationality, destination=destination
    )


@router.get("/catalogue", response_model=list[PathwayRead])
def catalogue(
    session: DbSession,
    actor: PathwayReader,
    state: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    kind: str | None = None,
    open_only: bool = False,
    language: Language = "en",
) -> list[PathwayRead]:
    return service.list_pathways(
        session,
        actor=actor,
        language=language,
        state=state,
        kind=kind,
        open_only=open_only,
    )


@router.get("/catalogue/{pathway_id}", response_model=PathwayRead)
def pathway(
    session: DbSession, actor: PathwayReader, pathway_id: str, language: Language = "en"
) -> PathwayRead:
    return service.get_pathway(
        session, actor=actor, pathway_id=pathway_id, language=language
    )


@router.post("/catalogue/publications", response_model=list[RescreenReport])
def publish_publication(
    session: DbSession,
    actor: Publisher,
    publication: Annotated[dict[str, Any], Body()],
) -> list[RescreenReport]:
    """Load one state's signed publication; re-screens what changed."""
    return service.publish_catalogue_version(
        session, actor=actor, publication=publication
    )


@router.post("/catalogue/{pathway_id}/state", response_model=RescreenReport | None)
def pathway_state(
    session: DbSession, actor: Publisher, pathway_id: str, body: PathwayStateChange
) -> RescreenReport | None:
    return service.set_pathway_state(
        session,
        actor=actor,
        pathway_id=pathway_id,
        state=body.state,
        reason=body.reason,
    )


@router.post("/screenings", response_model=ScreeningRead)
def screen(
    session: DbSession, actor: Screener, body: ScreeningRequest
) -> ScreeningRead:
    """Facts (docs/pathways-facts.md) → every open pathway: outcome, reasons, the
    facts still missing and the questions that could change an answer."""
    return service.screen_person(
        session,
        actor=actor,
        facts=body.facts,
        language=body.language,
        person_id=body.person_id,
        applicant_ref=body.applicant_ref,
        store=body.store,
        today=body.on,
    )


@router.get("/screenings/{screening_id}", response_model=ScreeningRead)
def screening(
    session: DbSession,
    actor: Screener,
    screening_id: uuid.UUID,
    language: Language | None = None,
) -> ScreeningRead:
    return service.get_screening(
        session, actor=actor, screening_id=screening_id, language=language
    )


@router.get("/applications", response_model=list[ApplicationRead])
def applications(
    session: DbSession, actor: ApplicationWriter, status: str | None = None
) -> list[ApplicationRead]:
    return service.list_applications(session, actor=actor, status=status)


@router.post("/applications", response_model=ApplicationRead, status_code=201)
def create_application(
    session: DbSession, actor: ApplicationWriter, body: ApplicationCreate
) -> ApplicationRead:
    return service.apply_to_pathway(
        session,
        actor=actor,
        pathway_id=body.pathway_id,
        screening_id=body.screening_id,
        person_id=body.person_id,
        applicant_ref=body.applicant_ref,
    )


@router.get("/applications/{application_id}", response_model=ApplicationRead)
def application(
    session: DbSession, actor: ApplicationWriter, application_id: uuid.UUID
) -> ApplicationRead:
    return service.get_application(session, actor=actor, application_id=application_id)


@router.post("/applications/{application_id}/stage", response_model=ApplicationRead)
def advance(
    session: DbSession,
    actor: ApplicationWriter,
    application_id: uuid.UUID,
    body: StageChange,
) -> ApplicationRead:
    return service.advance_application(
        session, actor=actor, application_id=application_id, stage=body.stage
    )


@router.post("/applications/{application_id}/documents", response_model=ApplicationRead)
def document(
    session: DbSession,
    actor: ApplicationWriter,
    application_id: uuid.UUID,
    body: DocumentUpdate,
) -> ApplicationRead:
    return service.record_document(
        session,
        actor=actor,
        application_id=application_id,
        document=body.document,
        received=body.received,
    )


@router.post("/applications/{application_id}/decision", response_model=ApplicationRead)
def decide(
    session: DbSession,
    actor: ApplicationWriter,
    application_id: uuid.UUID,
    body: DecisionCreate,
) -> ApplicationRead:
    return service.decide_application(
        session,
        actor=actor,
        application_id=application_id,
        outcome=body.outcome,
        reason=body.reason,
    )


@router.get("/offers", response_model=list[OfferRead])
def offers(
    session: DbSession, actor: OfferReader, status: str | None = None
) -> list[OfferRead]:
    return service.list_offers(session, actor=actor, status=status)


@router.post("/offers", response_model=OfferRead, status_code=201)
def create_offer(
    session: DbSession,
    actor: OfferWriter,
    offer: Annotated[dict[str, Any], Body()],
    publish: bool = True,
) -> OfferRead:
    """Store a job offer (docs/pathways-offers.md) with its checks ER-01…ER-24;
    `blocked` when an automatic check fails (never published, never matched)."""
    return service.create_offer(session, actor=actor, data=offer, publish=publish)


@router.get("/offers/{offer_id}", response_model=OfferRead)
def offer(session: DbSession, actor: OfferReader, offer_id: uuid.UUID) -> OfferRead:
    return service.get_offer(session, actor=actor, offer_id=offer_id)


@router.post("/offers/{offer_id}/publish", response_model=OfferRead)
def publish(session: DbSession, actor: OfferWriter, offer_id: uuid.UUID) -> OfferRead:
    return service.publish_offer(session, actor=actor, offer_id=offer_id)


@router.get("/offers/{offer_id}/rights", response_model=RightsCardRead)
def rights(
    session: DbSession,
    actor: OfferReader,
    offer_id: uuid.UUID,
    language: Language = "en",
) -> RightsCardRead:
    return service.rights_card(
        session, actor=actor, offer_id=offer_id, language=language
    )


@router.get("/offers/{offer_id}/attestations", response_model=list[AttestationRead])
def attestations(
    session: DbSession, actor: OfferReader, offer_id: uuid.UUID
) -> list[AttestationRead]:
    return service.list_attestations(session, actor=actor, offer_id=offer_id)


@router.post(
    "/offers/{offer_id}/attestations",
    response_model=AttestationRead,
    status_code=201,
)
def attest(
    session: DbSession,
    actor: OfferWriter,
    offer_id: uuid.UUID,
    body: AttestationCreate,
) -> AttestationRead:
    return service.record_attestation(
        session,
        actor=actor,
        offer_id=offer_id,
        check_id=body.check_id,
        evidence=body.evidence,
        evidence_ref=body.evidence_ref,
    )


@router.post("/attestations/{attestation_id}/review", response_model=OfferRead)
def review(
    session: DbSession,
    actor: OfferReader,
    attestation_id: uuid.UUID,
    body: AttestationReview,
) -> OfferRead:
    return service.review_attestation(
        session,
        actor=actor,
        attestation_id=attestation_id,
        accept=body.accept,
        note=body.note,
    )


@router.get("/offers/{offer_id}/matches", response_model=list[MatchRead])
def matches(
    session: DbSession,
    actor: MatchReader,
    offer_id: uuid.UUID,
    k: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[MatchRead]:
    return service.match_workers(session, actor=actor, offer_id=offer_id, k=k)


@router.get("/workers", response_model=list[WorkerRead])
def workers(
    session: DbSession,
    actor: WorkerReader,
    isco: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
) -> list[WorkerRead]:
    return service.list_workers(session, actor=actor, isco=isco)


@router.post("/workers", response_model=WorkerRead, status_code=201)
def create_worker(
    session: DbSession, actor: ApplicationWriter, body: WorkerCreate
) -> WorkerRead:
    return service.register_worker(session, actor=actor, profile=body)


@router.get("/workers/{worker_id}/offers", response_model=list[MatchRead])
def worker_offers(
    session: DbSession,
    actor: WorkerReader,
    worker_id: uuid.UUID,
    k: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[MatchRead]:
    return service.match_offers(session, actor=actor, worker_id=worker_id, k=k)


@router.get("/recognition", response_model=list[RecognitionRead])
def recognition(
    session: DbSession,
    actor: PathwayReader,
    state: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    isco: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    qualification: str | None = None,
    issuing_country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    isced_level: Annotated[int | None, Query(ge=0, le=8)] = None,
) -> list[RecognitionRead]:
    return service.find_recognitions(
        session,
        actor=actor,
        state=state,
        isco=isco,
        qualification=qualification,
        issuing_country=issuing_country,
        isced_level=isced_level,
    )


@router.post("/recognition", response_model=RecognitionRead, status_code=201)
def decide_recognition(
    session: DbSession, actor: ApplicationWriter, body: RecognitionCreate
) -> RecognitionRead:
    return service.record_recognition(session, actor=actor, decision=body)


@router.get("/regulated-occupations", response_model=list[RegulatedOccupationRead])
def regulated(
    session: DbSession,
    actor: PathwayReader,
    state: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    isco: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
) -> list[RegulatedOccupationRead]:
    return service.regulated_occupations(session, actor=actor, state=state, isco=isco)


@router.post(
    "/regulated-occupations",
    response_model=RegulatedOccupationRead,
    status_code=201,
)
def add_regulated(
    session: DbSession, actor: Publisher, body: RegulatedOccupationCreate
) -> RegulatedOccupationRead:
    return service.add_regulated_occupation(session, actor=actor, occupation=body)


@router.post("/totalisation", response_model=TotalisationRead)
def totalisation(
    session: DbSession, actor: PathwayReader, body: TotalisationRequest
) -> TotalisationRead:
    """Periods per state → each state's pension, pro-rata and payable, explained."""
    return service.calculate_totalisation(session, actor=actor, request=body)


@router.get("/totalisations", response_model=list[SavedTotalisationRead])
def totalisations(
    session: DbSession,
    actor: TotalisationKeeper,
    person_id: uuid.UUID | None = None,
    worker_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> list[SavedTotalisationRead]:
    """Saved totalisations of the caller's state, newest first; for one person or
    one worker when given. The read is audited."""
    return service.list_totalisations(
        session, actor=actor, person_id=person_id, worker_id=worker_id, limit=limit
    )


@router.post("/totalisations", response_model=SavedTotalisationRead, status_code=201)
def save_totalisation(
    session: DbSession, actor: TotalisationKeeper, body: TotalisationSave
) -> SavedTotalisationRead:
    """Compute a totalisation and keep it, with who, when, the inputs, the result,
    the agreement and the rule version; the person and the worker, when given, must
    be visible to the caller (404 otherwise). Audited."""
    return service.save_totalisation(
        session,
        actor=actor,
        request=body.computation(),
        person_id=body.person_id,
        worker_id=body.worker_id,
    )


@router.get("/totalisations/{totalisation_id}", response_model=SavedTotalisationRead)
def saved_totalisation(
    session: DbSession, actor: TotalisationKeeper, totalisation_id: uuid.UUID
) -> SavedTotalisationRead:
    """One saved totalisation (404 outside the caller's state). The read is audited."""
    return service.get_totalisation(
        session, actor=actor, totalisation_id=totalisation_id
    )
