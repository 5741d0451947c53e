"""Exchange JSON routes under /api/v1/exchange: this node and its peers,
agreements (draft, sign, revoke), the envelope receiver (authenticated by the
sender's signature, not by a user) and the log of what crossed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from puente.exchange import service
from puente.exchange.schemas import (
    AgreementCreate,
    AgreementRead,
    EnvelopeAnswer,
    EnvelopeIn,
    LogEntryRead,
    NodeRead,
    OutboundRead,
    PeerIn,
    PeerRead,
)
from puente.identity import Actor
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])
Reader = Annotated[Actor, Depends(Require("agreement:read"))]
Signer = Annotated[Actor, Depends(Require("agreement:sign"))]
Auditor = Annotated[Actor, Depends(Require("exchange:log"))]


@router.get("/node", response_model=NodeRead)
def node() -> NodeRead:
    """This node's state and public key (public: peers configure it)."""
    identity = service.node_identity()
    return NodeRead(state=identity.state, public_key=identity.public_key_hex)


@router.get("/peers", response_model=list[PeerRead])
def peers(session: DbSession, actor: Reader) -> list[PeerRead]:
    return [
        PeerRead(state=p.state, base_url=p.base_url, public_key=p.public_key)
        for p in service.list_peers(session, actor=actor)
    ]


@router.post("/peers", response_model=PeerRead, status_code=201)
def add_peer(body: PeerIn, session: DbSession, actor: Signer) -> PeerRead:
    row = service.add_peer(
        session,
        actor=actor,
        state=body.state,
        base_url=body.base_url,
        public_key=body.public_key,
    )
    return PeerRead(state=row.state, base_url=row.base_url, public_key=row.public_key)


@router.get("/agreements", response_model=list[AgreementRead])
def agreements(session: DbSession, actor: Reader) -> list[AgreementRead]:
    return service.list_agreements(session, actor=actor)


@router.post("/agreements", response_model=AgreementRead, status_code=201)
def draft(body: AgreementCreate, session: DbSession, actor: Signer) -> AgreementRead:
    return service.draft_agreement(session, actor=actor, data=body)


@router.get("/agreements/{agreement_id}", response_model=AgreementRead)
def agreement(
    agreement_id: uuid.UUID, session: DbSession, actor: Reader
) -> AgreementRead:
    return service.get_agreement(session, actor=actor, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/sign", response_model=AgreementRead)
def sign(agreement_id: uuid.UUID, session: DbSession, actor: Signer) -> AgreementRead:
    return service.sign_agreement(session, actor=actor, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/revoke", response_model=AgreementRead)
def revoke(agreement_id: uuid.UUID, session: DbSession, actor: Signer) -> AgreementRead:
    return service.revoke_agreement(session, actor=actor, agreement_id=agreement_id)


@router.post("/envelopes", response_model=EnvelopeAnswer)
def receive(body: EnvelopeIn, session: DbSession) -> EnvelopeAnswer:
    """A peer's signed envelope; verified before anything is stored."""
    return service.receive_envelope(
        session, envelope=body.envelope, signature=body.signature
    )


@router.get("/log", response_model=list[LogEntryRead])
def exchange_log(session: DbSession, actor: Auditor) -> list[LogEntryRead]:
    return service.list_log(session, actor=actor)


@router.get("/outbound", response_model=list[OutboundRead])
def outbound(session: DbSession, actor: Auditor) -> list[OutboundRead]:
    return service.list_outbound(session, actor=actor)


@router.post("/statistics/share", response_model=list[OutboundRead], status_code=201)
def share_statistics(
    session: DbSession, actor: Signer, months: int = 12
) -> list[OutboundRead]:
    """Queue this state's monthly counts by nationality (small cells
    suppressed) toward each peer under a statistics agreement."""
    return service.share_monthly_counts(session, actor=actor, months=months)
