"""The auditor's screens: the audit log with filters in words, pages, CSV export,
and the hash chain verified on screen. Read-only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from puente.core import i18n
from puente.core.i18n import lazy_gettext
from puente.core.tabular import to_csv
from puente.identity import audit_log
from puente.identity.permissions import Actor, can
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, register_card, render

router = APIRouter(include_in_schema=False)
Auditor = Annotated[Actor, Depends(Require("audit:read", web=True))]
Verifier = Annotated[Actor, Depends(Require("audit:verify", web=True))]

register_card(
    DashboardCard(
        "audit:read",
        lazy_gettext("Audit log"),
        lazy_gettext(
            "Who did what and when, filtered and exported, with the chain of "
            "records checked for tampering."
        ),
        "/audit",
        "🔎",
    )
)


def _date(value: str) -> tuple[dt.date | None, bool]:
    """The date typed (YYYY-MM-DD from a date field) and whether it was readable."""
    if not value:
        return None, True
    try:
        return dt.date.fromisoformat(value), True
    except ValueError:
        return None, False


def _nav(request: Request, actor: Actor) -> list[dict[str, Any]]:
    items = [("/audit", i18n.gettext("Audit log"))]
    if can(actor, "audit:verify"):
        items.append(("/audit/verify", i18n.gettext("Verify the chain")))
    return [
        {"url": u, "label": label, "current": request.url.path == u}
        for u, label in items
    ]


@router.get("/audit", response_class=HTMLResponse)
def audit_log_page(
    request: Request,
    session: DbSession,
    actor: Auditor,
    who: Annotated[str, Query(max_length=40)] = "",
    action: Annotated[str, Query(max_length=80)] = "",
    object_type: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=1000000)] = 1,
    export: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    try:
        who_id = uuid.UUID(who) if who else None
    except ValueError:
        who_id = None
    since_date, since_ok = _date(since)
    until_date, until_ok = _date(until)
    errors: dict[str, str] = {}
    if not since_ok:
        errors["since"] = i18n.gettext("Choose a date from the calendar.")
    if not until_ok:
        errors["until"] = i18n.gettext("Choose a date from the calendar.")
    if since_date and until_date and until_date < since_date:
        errors["until"] = i18n.gettext("The end date is before the start date.")
    filters = audit_log.AuditFilter(
        actor_id=who_id,
        action=action,
        object_type=object_type,
        since=since_date,
        until=until_date,
    )
    query = {
        "who": str(who_id) if who_id else "",
        "action": action,
        "object_type": object_type,
        "since": since if since_ok else "",
        "until": until if until_ok else "",
    }

    def link(**extra: Any) -> str:
        return "/audit?" + urlencode({k: v for k, v in {**query, **extra}.items() if v})

    if export == "csv" and not errors:
        rows, _total = audit_log.list_events(
            session, actor=actor, filters=filters, per_page=None
        )
        names = audit_log.usernames(session, (e.actor_id for e in rows))
        audit_log.record_export(session, actor=actor, count=len(rows))
        headers = [
            i18n.gettext("Event number"),
            i18n.gettext("When (UTC)"),
            i18n.gettext("Who"),
            i18n.gettext("What"),
            i18n.gettext("Object"),
            i18n.gettext("Object id"),
            i18n.gettext("State"),
            i18n.gettext("Action code"),
        ]
        table = [
            [
                e.id,
                e.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                names.get(e.actor_id or "", i18n.gettext("System")),
                audit_log.action_label(e.action),
                audit_log.object_label(e.object_type),
                e.object_id or "",
                e.tenant_code,
                e.action,
            ]
            for e in rows
        ]
        return Response(
            to_csv(headers, table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
    if errors:
        rows, total = [], 0
    else:
        rows, total = audit_log.list_events(
            session, actor=actor, filters=filters, page=page
        )
    pages = max(1, -(-total // audit_log.PER_PAGE))
    names = audit_log.usernames(session, (e.actor_id for e in rows))
    actions, object_types = audit_log.choices(session, actor=actor)
    return render(
        request,
        "audit/log.html",
        {
            "section_nav": _nav(request, actor),
            "events": [
                {
                    "event": e,
                    "who": names.get(e.actor_id or "")
                    if e.actor_id
                    else i18n.gettext("System"),
                    "what": audit_log.action_label(e.action),
                    "object": audit_log.object_label(e.object_type),
                }
                for e in rows
            ],
            "people": audit_log.people(session, actor=actor),
            "actions": sorted(
                ((a, audit_log.action_label(a)) for a in actions),
                key=lambda item: item[1].lower(),
            ),
            "object_types": [(t, audit_log.object_label(t)) for t in object_types],
            "query": query,
            "errors": errors,
            "total": total,
            "page": min(page, pages),
            "pages": pages,
            "prev_url": link(page=page - 1) if page > 1 else None,
            "next_url": link(page=page + 1) if page < pages else None,
            "csv_url": link(export="csv"),
        },
        status_code=422 if errors else 200,
    )


@router.get("/audit/verify", response_class=HTMLResponse)
def verify(request: Request, session: DbSession, actor: Verifier) -> Response:
    report = audit_log.verify_audit_chain(session, actor=actor)
    return render(
        request,
        "audit/verify.html",
        {
            "section_nav": _nav(request, actor),
            "report": report,
            "reason": None if report.ok else audit_log.chain_reason(report),
        },
    )
