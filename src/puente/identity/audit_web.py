"""The auditor's screens: the audit log with filters in words, pages, CSV export,
and the hash chain verified on screen. Read-only."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from puente.core import i18n
from puente.core.audit import AuditEvent
from puente.core.i18n import lazy_gettext
from puente.identity import audit_log
from puente.identity.permissions import Actor, can
from puente.web import lists
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, env, register_card, render

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


@dataclass(frozen=True, slots=True)
class _Row:
    """One event as the auditor reads it: names and words beside the record."""

    event: AuditEvent
    who: str
    what: str
    object: str


def _columns() -> list[lists.Column[_Row]]:
    return [
        lists.Column("number", lazy_gettext("Event number"), lambda r: r.event.id),
        lists.Column(
            "when",
            lazy_gettext("When (UTC)"),
            lambda r: r.event.occurred_at.astimezone(dt.UTC),
        ),
        lists.Column("who", lazy_gettext("Who"), lambda r: r.who, sortable=False),
        lists.Column("what", lazy_gettext("What"), lambda r: r.what, sortable=False),
        lists.Column(
            "object", lazy_gettext("Object"), lambda r: r.object, sortable=False
        ),
        lists.Column(
            "object_id",
            lazy_gettext("Object id"),
            lambda r: r.event.object_id or "",
            sortable=False,
        ),
        lists.Column("state", lazy_gettext("State"), _state_name, sortable=False),
    ]


def _state_name(row: _Row) -> str:
    """The state in words (the labels' `tenant` filter, registered at start)."""
    name = env.filters.get("tenant")
    return str(name(row.event.tenant_code)) if name else row.event.tenant_code


def _rows(session: DbSession, events: list[AuditEvent]) -> list[_Row]:
    names = audit_log.usernames(session, (e.actor_id for e in events))
    return [
        _Row(
            event=e,
            who=names.get(e.actor_id, i18n.gettext("Another state's user"))
            if e.actor_id
            else i18n.gettext("System"),
            what=audit_log.action_label(e.action),
            object=audit_log.object_label(e.object_type),
        )
        for e in events
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
) -> Response:
    """The log on the list kit: filters (who, what, object, when), a search by
    object id, sort by number or time, pages, and audited CSV/XLSX exports."""
    query = lists.read_query(request, default_sort="number", default_dir="desc")
    columns = _columns()
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
        object_id=query.q,
    )
    params = {
        "who": str(who_id) if who_id else "",
        "action": action,
        "object_type": object_type,
        "since": since if since_ok else "",
        "until": until if until_ok else "",
    }
    sort = lists.sort_key(query, columns) or "number"
    descending = query.dir == "desc"
    events: list[AuditEvent] = []
    total = 0
    if errors:
        pass  # nothing is looked up until the dates read
    elif query.export:
        events, total = audit_log.list_events(
            session,
            actor=actor,
            filters=filters,
            per_page=None,
            sort=sort,
            descending=descending,
        )
    else:
        per_page = audit_log.PER_PAGE
        events, total = audit_log.list_events(
            session,
            actor=actor,
            filters=filters,
            page=query.page,
            sort=sort,
            descending=descending,
        )
        last = max(1, -(-total // per_page))
        if query.page > last:  # past the end: the last page, as every list does
            events, total = audit_log.list_events(
                session,
                actor=actor,
                filters=filters,
                page=last,
                sort=sort,
                descending=descending,
            )
    listing = lists.paged(
        _rows(session, events),
        total,
        columns,
        query,
        base_url="/audit",
        params=params,
        per_page=audit_log.PER_PAGE,
    )
    if query.export and not errors:
        return lists.export_response(
            listing,
            "audit-log",
            session=session,
            actor=actor,
            action="identity:audit:export",
            object_type="audit",
        )
    actions, object_types = audit_log.choices(session, actor=actor)
    return render(
        request,
        "audit/log.html",
        {
            "section_nav": _nav(request, actor),
            "listing": listing,
            "people": [
                (str(u.id), u.username) for u in audit_log.people(session, actor=actor)
            ],
            "actions": sorted(
                ((a, audit_log.action_label(a)) for a in actions),
                key=lambda item: item[1].lower(),
            ),
            "object_types": [(t, audit_log.object_label(t)) for t in object_types],
            "query": params,
            "errors": errors,
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
