"""Exchange screens under /exchange: agreements (draft, sign, status, revoke)
for focal points, and the log of what was exchanged with whom and why, with the
outbound queue, for auditors."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from puente.core import i18n
from puente.core.errors import DomainError
from puente.core.i18n import lazy_gettext
from puente.exchange import service
from puente.exchange.rules.terms import PURPOSE_CATEGORIES, Purpose
from puente.exchange.schemas import AgreementCreate
from puente.identity import Actor, can
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, check_csrf, register_card, render

router = APIRouter(prefix="/exchange", include_in_schema=False)
Csrf = Depends(check_csrf)
Reader = Annotated[Actor, Depends(Require("agreement:read", web=True))]
Signer = Annotated[Actor, Depends(Require("agreement:sign", web=True))]
Auditor = Annotated[Actor, Depends(Require("exchange:log", web=True))]

for card in (
    DashboardCard(
        "agreement:read",
        lazy_gettext("Data-sharing agreements"),
        lazy_gettext("What your state shares with which state, why, and until when."),
        "/exchange/agreements",
        "🤝",
    ),
    DashboardCard(
        "exchange:log",
        lazy_gettext("Exchange log"),
        lazy_gettext("Every message sent to or received from another state."),
        "/exchange/log",
        "📒",
    ),
):
    register_card(card)


def _nav(actor: Actor) -> list[dict[str, Any]]:
    items = [{"url": "/exchange/agreements", "label": i18n.gettext("Agreements")}]
    if can(actor, "exchange:log"):
        items.append({"url": "/exchange/log", "label": i18n.gettext("Exchange log")})
    return items


def _agreements_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    node = service.node_identity().state
    return render(
        request,
        "exchange/agreements.html",
        {
            "section_nav": _nav(actor),
            "agreements": service.list_agreements(session, actor=actor),
            "peers": [p.state for p in service.list_peers(session, actor=actor)],
            "node": node,
            "purposes": [p.value for p in Purpose],
            "categories": sorted(
                {c.value for cats in PURPOSE_CATEGORIES.values() for c in cats}
            ),
            "can_sign": can(actor, "agreement:sign") and actor.tenant_code == node,
            "error": error,
            "default_expiry": (dt.date.today() + dt.timedelta(days=365)).isoformat(),  # noqa: DTZ011 - a form default
        },
        status_code=status_code,
    )


@router.get("/agreements", response_class=HTMLResponse)
def agreements(request: Request, session: DbSession, actor: Reader) -> Response:
    return _agreements_page(request, session, actor)


@router.post("/agreements", dependencies=[Csrf])
async def draft(request: Request, session: DbSession, actor: Signer) -> Response:
    form = await request.form()
    node = service.node_identity().state
    try:
        data = AgreementCreate.model_validate(
            {
                "parties": [node, str(form.get("partner", ""))[:3]],
                "purpose": str(form.get("purpose", ""))[:20],
                "categories": [str(c)[:40] for c in form.getlist("categories")][:10],
                "legal_basis": str(form.get("legal_basis", ""))[:2000],
                "dpia_reference": str(form.get("dpia_reference", ""))[:200],
                "retention_days": str(form.get("retention_days", ""))[:5],
                "expires_on": str(form.get("expires_on", ""))[:10],
            }
        )
        service.draft_agreement(session, actor=actor, data=data)
    except ValidationError:
        return _agreements_page(
            request,
            session,
            actor,
            error=i18n.gettext("Fill in every field of the agreement."),
            status_code=422,
        )
    except DomainError as exc:
        return _agreements_page(
            request, session, actor, error=str(exc), status_code=422
        )
    return RedirectResponse("/exchange/agreements", status_code=303)


@router.post("/agreements/{agreement_id}/sign", dependencies=[Csrf])
def sign(agreement_id: uuid.UUID, session: DbSession, actor: Signer) -> Response:
    service.sign_agreement(session, actor=actor, agreement_id=agreement_id)
    return RedirectResponse("/exchange/agreements", status_code=303)


@router.post("/agreements/{agreement_id}/revoke", dependencies=[Csrf])
def revoke(agreement_id: uuid.UUID, session: DbSession, actor: Signer) -> Response:
    service.revoke_agreement(session, actor=actor, agreement_id=agreement_id)
    return RedirectResponse("/exchange/agreements", status_code=303)


@router.get("/log", response_class=HTMLResponse)
def exchange_log(request: Request, session: DbSession, actor: Auditor) -> Response:
    entries = service.list_log(session, actor=actor)
    return render(
        request,
        "exchange/log.html",
        {
            "section_nav": _nav(actor),
            "entries": entries,
            "carried": {
                e.envelope_id: [str(c) for c in e.body.get("categories", [])]
                for e in entries
            },
            "outbound": service.list_outbound(session, actor=actor),
        },
    )
