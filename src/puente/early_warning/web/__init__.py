"""Early-warning screens: flows dashboard (charts, map), alerts and why they fired,
the trigger catalogue with adoptions, and response plans with their gaps."""

from __future__ import annotations

import math
import uuid
from typing import Annotated, Any, Final

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.errors import Conflict, NotFound
from puente.core.i18n import N_, lazy_gettext
from puente.early_warning.schemas import PlanSummary, SeriesPanel
from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service import flows, peers
from puente.early_warning.service import plans as plan_service
from puente.early_warning.service import routes as route_service
from puente.early_warning.service import triggers as triggers_service
from puente.early_warning.web.words import register_filters
from puente.identity import Actor, OrganisationRead, can
from puente.web import lists, maps
from puente.web.deps import DbSession, Require
from puente.web.lazy import wants_lazy
from puente.web.templating import (
    DashboardCard,
    HomePanel,
    HomePanelView,
    check_csrf,
    register_card,
    register_panel,
    render,
    sections_for,
)

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/early-warning", include_in_schema=False)
Csrf = Depends(check_csrf)
FlowsReader = Annotated[Actor, Depends(Require("flows:read", web=True))]
AlertReader = Annotated[Actor, Depends(Require("alert:read", web=True))]
AlertWriter = Annotated[Actor, Depends(Require("alert:write", web=True))]
TriggerReader = Annotated[Actor, Depends(Require("trigger:read", web=True))]
PlanReader = Annotated[Actor, Depends(Require("plan:read", web=True))]
PlanWriter = Annotated[Actor, Depends(Require("plan:write", web=True))]

MAX_CHARTS: Final = 4
NOTICES_SHOWN: Final = 5

for card in (
    DashboardCard(
        "flows:read",
        lazy_gettext("Flows and early warning"),
        lazy_gettext("Arrivals, alarms, forecasts and the map of current alerts."),
        "/early-warning",
        "📈",
    ),
    DashboardCard(
        "alert:read",
        lazy_gettext("Alerts"),
        lazy_gettext("Alerts raised by the common triggers, and why they fired."),
        "/early-warning/alerts",
        "⚠",
    ),
    DashboardCard(
        "trigger:read",
        lazy_gettext("Common triggers"),
        lazy_gettext("The trigger catalogue and which states adopted it."),
        "/early-warning/triggers",
        "⚙",
    ),
    DashboardCard(
        "plan:read",
        lazy_gettext("Response plans"),
        lazy_gettext("Requirements, stock, pledges and gaps per site."),
        "/early-warning/plans",
        "🧭",
    ),
):
    register_card(card)

HOME_NOTICES_SHOWN: Final = 5
# Where marking a notice read may send the user back to (no open redirect).
NOTICE_RETURNS: Final = frozenset({"/", "/early-warning"})


def home_notices_panel(session: Session, actor: Actor) -> HomePanelView | None:
    """The actor's unread alert notices for the home page; None when there are
    none (or the actor's roles are not subscribed to alerts)."""
    notices = alert_service.unread_notices(
        session, actor=actor, limit=HOME_NOTICES_SHOWN + 1, include_past=False
    )
    from_peers = (
        peers.list_peer_alerts(session, actor=actor, current_only=True)
        if actor.roles & set(alert_service.SUBSCRIBED_ROLES)
        else []
    )
    if not notices and not from_peers:
        return None
    labels = _cap_labels()
    return HomePanelView(
        template="early_warning/_home_notices.html",
        context={
            "notices": [
                {
                    "id": notice.id,
                    "alert_id": notice.alert_id,
                    "title": notice.title,
                    "kind": labels.get(notice.msg_type, notice.msg_type),
                    "severity": labels.get(notice.severity, notice.severity),
                    "level": alert_service.LEVELS.get(notice.severity, 0),
                    "country": alert_service.country_name(notice.country)
                    if notice.country
                    else None,
                    "period": notice.period,
                    "series_key": notice.series_key,
                }
                for notice in notices[:HOME_NOTICES_SHOWN]
            ],
            "has_more": len(notices) > HOME_NOTICES_SHOWN,
            "peer_alerts": from_peers[:HOME_NOTICES_SHOWN],
            "labels": labels,
        },
        stylesheets=("/static/css/early_warning.css",),
    )


register_panel(
    HomePanel("early_warning:notices", "alert:read", home_notices_panel, order=10)
)
register_filters()


# --------------------------------------------------------------------------- helpers


def map_countries(levels: dict[str, int]) -> list[dict[str, Any]]:
    """Countries to draw, with their alert level (0 = none)."""
    rows = []
    names = maps.english_names()
    for code, path in maps.country_paths():
        level = levels.get(code, 0)
        rows.append(
            {
                "code": code,
                "name": alert_service.country_name(code)
                if code in alert_service.COUNTRY_NAMES
                else names.get(code, ""),
                "path": path,
                "level": level,
                "level_name": i18n.gettext(alert_service.LEVEL_NAMES[level]),
            }
        )
    # Countries with an alert last, so their outline is on top.
    return sorted(rows, key=lambda row: row["level"])


def _any_alarm(panel: SeriesPanel, length: int) -> list[bool]:
    """Whether any detector raised an alarm in each period (`alarms` is per
    detector: name -> aligned list)."""
    columns = list(panel.alarms.values())
    return [
        any(bool(column[i]) for column in columns if i < len(column))
        for i in range(length)
    ]


def _series_chart(panel: SeriesPanel, title: str) -> dict[str, Any] | None:
    """A Vega-Lite spec: counts, alarms and the forecast with its 80% band."""
    periods, counts = panel.periods, panel.counts
    if not periods or not counts:
        return None
    alarms = _any_alarm(panel, len(periods))
    values: list[dict[str, Any]] = []
    for index, period in enumerate(periods):
        count = counts[index] if index < len(counts) else None
        values.append(
            {
                "period": str(period)[:10],
                "count": None
                if count is None or (isinstance(count, float) and math.isnan(count))
                else count,
                "alarm": bool(alarms[index]) if index < len(alarms) else False,
                "kind": i18n.gettext("Observed"),
            }
        )
    fc_periods, means = panel.forecast_periods, panel.forecast_mean
    lows, highs = panel.forecast_lo80, panel.forecast_hi80
    forecast = [
        {
            "period": str(p)[:10],
            "mean": means[i] if i < len(means) else None,
            "lo": lows[i] if i < len(lows) else None,
            "hi": highs[i] if i < len(highs) else None,
        }
        for i, p in enumerate(fc_periods)
    ]
    x = {
        "field": "period",
        "type": "temporal",
        "title": i18n.gettext("Month"),
        "axis": {"format": "%Y-%m"},  # language-neutral month labels
    }
    y_title = i18n.gettext("Arrivals")
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {"type": "line", "color": "#0b4f8a"},
            "encoding": {
                "x": x,
                "y": {"field": "count", "type": "quantitative", "title": y_title},
            },
        },
        {
            "data": {"values": [v for v in values if v["alarm"]]},
            "mark": {"type": "point", "filled": True, "color": "#a4161a", "size": 60},
            "encoding": {"x": x, "y": {"field": "count", "type": "quantitative"}},
        },
    ]
    if forecast:
        layers += [
            {
                "data": {"values": forecast},
                "mark": {"type": "area", "color": "#8a5300", "opacity": 0.25},
                "encoding": {
                    "x": x,
                    "y": {"field": "lo", "type": "quantitative"},
                    "y2": {"field": "hi"},
                },
            },
            {
                "data": {"values": forecast},
                "mark": {"type": "line", "color": "#8a5300", "strokeDash": [4, 3]},
                "encoding": {"x": x, "y": {"field": "mean", "type": "quantitative"}},
            },
        ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": 600,
        "height": 200,
        "layer": layers,
    }


def _panels(session: Session, actor: Actor, alerts: list[Any]) -> list[dict[str, Any]]:
    """Charts for the series with current alerts first, then the largest series
    (their forecasts were made at import: no model is fitted here)."""
    keys: list[str] = []
    for alert in alerts:
        if alert.series_key not in keys:
            keys.append(alert.series_key)
    if not can(actor, "flows:read"):
        return []
    for key in flows.largest_series(session, actor=actor, limit=2 * MAX_CHARTS):
        if key not in keys:
            keys.append(key)
    charts: list[dict[str, Any]] = []
    for key in keys:
        if len(charts) >= MAX_CHARTS:
            break
        try:
            panel = flows.series_panel(session, actor=actor, series_key=key)
        except NotFound:  # an alert about a series no longer stored
            continue
        spec = _series_chart(panel, key)
        if spec is None:
            continue
        periods, counts = panel.periods, panel.counts
        alarms = _any_alarm(panel, len(periods))
        rows = [
            {
                "period": str(p)[:7],
                "count": counts[i] if i < len(counts) else None,
                "alarm": bool(alarms[i]) if i < len(alarms) else False,
            }
            for i, p in enumerate(periods)
        ][-12:]
        charts.append(
            {
                "id": f"chart-{len(charts)}",
                "series_key": key,
                "spec": spec,
                "rows": rows,
                "alarm_count": sum(1 for a in alarms if a),
            }
        )
    return charts


# --------------------------------------------------------------------------- pages

NAV: Final = (
    ("/early-warning", "flows:read", N_("Flows")),
    ("/early-warning/series", "flows:read", N_("Flow series")),
    ("/early-warning/alerts", "alert:read", N_("Alerts")),
    ("/early-warning/triggers", "trigger:read", N_("Triggers")),
    ("/early-warning/plans", "plan:read", N_("Response plans")),
)


def ew_page(
    request: Request, actor: Actor, name: str, context: dict[str, Any]
) -> HTMLResponse:
    """An early-warning page with the section's menu (what the actor may open)."""
    path = request.url.path
    context["ew_nav"] = [
        {"url": url, "label": i18n.gettext(label), "current": path == url}
        for url, permission, label in NAV
        if can(actor, permission)
    ]
    context.setdefault(
        "has_charts", bool(context.get("charts") or context.get("chart"))
    )
    return render(request, name, context)


def _current_alerts(session: Session, actor: Actor) -> list[Any]:
    """Past alerts (beyond their validity) are history: not on the map, not news."""
    if not can(actor, "alert:read"):
        return []
    found = alert_service.list_alerts(session, actor=actor, current_only=True)
    return [alert for alert in found if not alert.is_expired]


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, session: DbSession, actor: FlowsReader) -> Response:
    alerts = _current_alerts(session, actor)
    lazy_charts = wants_lazy(request)
    levels: dict[str, int] = {}
    for alert in alerts:
        if alert.country:
            levels[alert.country] = max(levels.get(alert.country, 0), alert.level)
    notices = alert_service.unread_notices(
        session, actor=actor, limit=100, include_past=False
    )
    return ew_page(
        request,
        actor,
        "early_warning/dashboard.html",
        {
            "alerts": alerts,
            "countries": map_countries(levels),
            "levels": sorted(levels.items(), key=lambda item: -item[1]),
            "level_names": {
                k: i18n.gettext(v) for k, v in alert_service.LEVEL_NAMES.items()
            },
            "country_name": alert_service.country_name,
            "map_width": maps.MAP_WIDTH,
            "map_height": maps.MAP_HEIGHT,
            # The charts are the heavy part: after the page, when scripts run.
            "charts": [] if lazy_charts else _panels(session, actor, alerts),
            "lazy_charts": lazy_charts,
            "has_charts": True,
            "notices": notices[:NOTICES_SHOWN],
            "more_notices": max(0, len(notices) - NOTICES_SHOWN),
            "notice_count": len(notices),
            "labels": _cap_labels(),
            "page_sections": sections_for("early_warning:dashboard", session, actor),
            "peer_series": peers.list_peer_series(session, actor=actor),
            "source_titles": flows.source_titles(session, actor=actor),
        },
    )


@router.get("/panels/charts", response_class=HTMLResponse)
def charts_panel(request: Request, session: DbSession, actor: FlowsReader) -> Response:
    """The dashboard's charts alone, fetched after the page (web/lazy.py)."""
    alerts = _current_alerts(session, actor)
    context = {
        "alerts": alerts,
        "charts": _panels(session, actor, alerts),
        "source_titles": flows.source_titles(session, actor=actor),
    }
    return render(request, "early_warning/_charts.html", context)


def _cap_labels() -> dict[str, str]:
    return {k: i18n.gettext(v) for k, v in alert_service.CAP_LABELS.items()}


def _cap(code: str) -> str:
    label = alert_service.CAP_LABELS.get(code)
    return i18n.gettext(label) if label else code


def _country(code: str | None) -> str:
    return alert_service.country_name(code) if code else ""


AlertRow = alert_service.AlertRead
ALERT_COLUMNS: Final[tuple[lists.Column[AlertRow], ...]] = (
    lists.Column("title", lazy_gettext("Alert"), lambda a: a.title),
    lists.Column(
        "severity",
        lazy_gettext("Severity"),
        lambda a: _cap(a.severity),
        sort_value=lambda a: a.level,
    ),
    lists.Column("country", lazy_gettext("Country"), lambda a: _country(a.country)),
    lists.Column("period", lazy_gettext("Period"), lambda a: a.period),
    lists.Column("message", lazy_gettext("Message"), lambda a: _cap(a.msg_type)),
    lists.Column("status", lazy_gettext("Status"), lambda a: _cap(a.status)),
)


@router.get("/alerts", response_class=HTMLResponse)
def alert_list(
    request: Request,
    session: DbSession,
    actor: AlertReader,
    country: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    history: bool = False,
) -> Response:
    alerts = alert_service.list_alerts(session, actor=actor, current_only=not history)
    if not history:
        alerts = [alert for alert in alerts if not alert.is_expired]
    if country:
        alerts = [alert for alert in alerts if alert.country == country]
    query = lists.read_query(request)
    listing = lists.build(
        alerts,
        ALERT_COLUMNS,
        query,
        base_url="/early-warning/alerts",
        params={"country": country, "history": "true" if history else ""},
    )
    if query.export:
        return lists.export_response(listing, "alerts")
    return ew_page(
        request,
        actor,
        "early_warning/alerts.html",
        {
            "listing": listing,
            "country": country,
            "history": history,
            "labels": _cap_labels(),
            "country_name": alert_service.country_name,
            "route_notes": route_service.list_route_notes(session, actor=actor),
            "peer_alerts": peers.list_peer_alerts(
                session, actor=actor, current_only=not history
            ),
            "route_states": route_service.route_table(),
            "source_titles": flows.source_titles(session, actor=actor),
        },
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_detail(
    request: Request, session: DbSession, actor: AlertReader, alert_id: uuid.UUID
) -> Response:
    alert = alert_service.get_alert(session, actor=actor, alert_id=alert_id)
    return ew_page(
        request,
        actor,
        "early_warning/alert_detail.html",
        {
            "alert": alert,
            "labels": _cap_labels(),
            "country_name": alert_service.country_name,
            "plan_id": plan_service.plan_for_alert(
                session, actor=actor, alert_id=alert.id
            ),
            "can_activate": can(actor, "plan:write") and alert.is_current,
            "can_cancel": can(actor, "alert:write") and alert.is_current,
            "source_titles": flows.source_titles(session, actor=actor),
        },
    )


@router.get("/alerts/{alert_id}/activate", response_class=HTMLResponse)
def activate_confirm(
    request: Request, session: DbSession, actor: PlanWriter, alert_id: uuid.UUID
) -> Response:
    alert = alert_service.get_alert(session, actor=actor, alert_id=alert_id)
    existing = plan_service.plan_for_alert(session, actor=actor, alert_id=alert.id)
    if existing is not None:
        return RedirectResponse(f"/early-warning/plans/{existing}", status_code=303)
    return ew_page(
        request,
        actor,
        "early_warning/activate.html",
        {
            "alert": alert,
            "country_name": alert_service.country_name,
            "source_titles": flows.source_titles(session, actor=actor),
        },
    )


@router.post("/alerts/{alert_id}/activate", dependencies=[Csrf])
def activate(session: DbSession, actor: PlanWriter, alert_id: uuid.UUID) -> Response:
    plan = plan_service.activate_plan(session, actor=actor, alert_id=alert_id)
    return RedirectResponse(
        f"/early-warning/plans/{plan.id}?done=activated", status_code=303
    )


@router.post("/alerts/{alert_id}/cancel", dependencies=[Csrf])
def cancel(
    session: DbSession,
    actor: AlertWriter,
    alert_id: uuid.UUID,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    alert_service.cancel_alert(
        session,
        actor=actor,
        alert_id=alert_id,
        note=note.strip() or i18n.gettext("Cancelled by the coordinator."),
    )
    return RedirectResponse(f"/early-warning/alerts/{alert_id}", status_code=303)


@router.post("/notices/{notice_id}/read", dependencies=[Csrf])
def notice_read(
    session: DbSession,
    actor: AlertReader,
    notice_id: uuid.UUID,
    next_url: Annotated[str, Form(alias="next", max_length=40)] = "/early-warning",
) -> Response:
    alert_service.mark_notice_read(session, actor=actor, notice_id=notice_id)
    target = next_url if next_url in NOTICE_RETURNS else "/early-warning"
    return RedirectResponse(target, status_code=303)


def _catalogues(session: Session, actor: Actor) -> list[dict[str, Any]]:
    return [
        {
            "version": item.version,
            "proposed_at": item.proposed_at,
            "adopted_by": item.adopted_by,
            "states": [
                (code, code in item.adopted_by) for code in alert_service.LAD_STATES
            ],
            "actor_adopted": actor.tenant_code in item.adopted_by,
            "triggers": item.triggers,
        }
        for item in alert_service.catalogue_overview(session, actor=actor)
    ]


@router.get("/triggers", response_class=HTMLResponse)
def triggers(request: Request, session: DbSession, actor: TriggerReader) -> Response:
    return ew_page(
        request,
        actor,
        "early_warning/triggers.html",
        {
            "catalogues": _catalogues(session, actor),
            "country_name": alert_service.country_name,
            "labels": _cap_labels(),
            "can_adopt": can(actor, "trigger:adopt")
            and actor.tenant_code in alert_service.LAD_STATES,
        },
    )


@router.post("/triggers/{version}/adopt", dependencies=[Csrf])
def adopt(
    session: DbSession,
    actor: Annotated[Actor, Depends(Require("trigger:adopt", web=True))],
    version: str,
) -> Response:
    """A state's focal point adopts a catalogue version for their state."""
    triggers_service.adopt_catalogue(session, actor=actor, version=version)
    return RedirectResponse("/early-warning/triggers", status_code=303)


PLAN_COLUMNS: Final[tuple[lists.Column[PlanSummary], ...]] = (
    lists.Column("plan", lazy_gettext("Plan"), lambda p: p.alert_title),
    lists.Column("country", lazy_gettext("Country"), lambda p: _country(p.country)),
    lists.Column(
        "figure",
        lazy_gettext("Planning figure (arrivals per month)"),
        lambda p: p.planning_figure,
    ),
    lists.Column(
        "status",
        lazy_gettext("Status"),
        lambda p: (
            i18n.gettext("Active") if p.status == "active" else i18n.gettext("Closed")
        ),
    ),
    lists.Column("activated", lazy_gettext("Activated"), lambda p: p.activated_at),
)


@router.get("/plans", response_class=HTMLResponse)
def plan_list(request: Request, session: DbSession, actor: PlanReader) -> Response:
    query = lists.read_query(request, default_sort="activated", default_dir="desc")
    listing = lists.build(
        plan_service.list_plans(session, actor=actor),
        PLAN_COLUMNS,
        query,
        base_url="/early-warning/plans",
    )
    if query.export:
        return lists.export_response(listing, "response-plans")
    return ew_page(
        request,
        actor,
        "early_warning/plans.html",
        {"listing": listing, "country_name": alert_service.country_name},
    )


def _gap_chart(plan: plan_service.PlanDetail) -> dict[str, Any]:
    """Stacked bars per requirement: the share covered and the share missing."""
    covered = i18n.gettext("Covered")
    missing = i18n.gettext("Gap")
    values = [
        {
            "site": site.name,
            "item": line.item,
            "part": part,
            "rank": rank,
            "share": round(share * 100, 1),
        }
        for site in plan.sites
        for line in site.lines
        for rank, (part, share) in enumerate(
            ((covered, line.covered_share), (missing, 1 - line.covered_share))
        )
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": i18n.gettext("Share of each requirement covered (%)"),
        "data": {"values": values},
        "width": 420,
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "item", "type": "nominal", "title": None, "sort": None},
            "x": {
                "field": "share",
                "type": "quantitative",
                "stack": True,
                "title": "%",
                "scale": {"domain": [0, 100]},
            },
            "color": {
                "field": "part",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": [covered, missing],
                    "range": ["#0b4f8a", "#a4161a"],
                },
            },
            "order": {"field": "rank", "type": "quantitative"},
            "row": {"field": "site", "type": "nominal", "title": None},
        },
    }


def _tenant_label(org: OrganisationRead) -> str:
    if org.is_regional:
        return i18n.gettext("Regional organisations")
    return alert_service.country_name(org.tenant_code)


def _plan_page(
    request: Request,
    session: Session,
    actor: Actor,
    plan_id: uuid.UUID,
    *,
    task_errors: dict[uuid.UUID, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    plan = plan_service.get_plan(session, actor=actor, plan_id=plan_id)
    groups: dict[str, list[OrganisationRead]] = {}
    if plan.can_edit:
        for org in plan_service.assignable_organisations(
            session, actor=actor, plan_id=plan.id
        ):
            groups.setdefault(_tenant_label(org), []).append(org)
    assignable = {org.id for orgs in groups.values() for org in orgs}
    response = ew_page(
        request,
        actor,
        "early_warning/plan_detail.html",
        {
            "plan": plan,
            "chart": _gap_chart(plan),
            "country_name": alert_service.country_name,
            "statuses": [
                (key, i18n.gettext(label))
                for key, label in plan_service.TASK_LABELS.items()
            ],
            "organisation_groups": list(groups.items()),
            "assignable": assignable,
            "task_errors": task_errors or {},
        },
    )
    response.status_code = status_code
    return response


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_detail(
    request: Request, session: DbSession, actor: PlanReader, plan_id: uuid.UUID
) -> Response:
    return _plan_page(request, session, actor, plan_id)


@router.post("/plans/{plan_id}/lines/{line_id}", dependencies=[Csrf])
def plan_supply(
    session: DbSession,
    actor: PlanWriter,
    plan_id: uuid.UUID,
    line_id: uuid.UUID,
    in_stock: Annotated[float, Form(ge=0)],
    pledged: Annotated[float, Form(ge=0)],
) -> Response:
    plan_service.record_supply(
        session, actor=actor, line_id=line_id, in_stock=in_stock, pledged=pledged
    )
    return RedirectResponse(
        f"/early-warning/plans/{plan_id}#line-{line_id}", status_code=303
    )


@router.post("/plans/{plan_id}/tasks/{task_id}", dependencies=[Csrf])
def plan_task(
    request: Request,
    session: DbSession,
    actor: PlanWriter,
    plan_id: uuid.UUID,
    task_id: uuid.UUID,
    status: Annotated[str, Form(max_length=20)],
    organisation_id: Annotated[uuid.UUID | None, Form()] = None,
) -> Response:
    """Move a task and, when another organisation is chosen, reassign it. A refused
    move or organisation shows the plan again with the reason at the task."""
    try:
        plan_service.move_task(
            session,
            actor=actor,
            plan_id=plan_id,
            task_id=task_id,
            status=status,
            organisation_id=organisation_id,
        )
    except (
        plan_service.TaskMoveNotAllowed,
        plan_service.OrganisationNotAssignable,
    ) as exc:
        session.rollback()
        return _plan_page(
            request,
            session,
            actor,
            plan_id,
            task_errors={task_id: exc.translated()},
            status_code=409 if isinstance(exc, Conflict) else 422,
        )
    return RedirectResponse(
        f"/early-warning/plans/{plan_id}#task-{task_id}", status_code=303
    )


# Strings shown only through data (templates, sites) so Babel extracts them.
_DATA_STRINGS: Final = (
    N_("Main reception site"),
    N_("Settlement site"),
    N_("Set up covered space for the planning figure"),
    N_("Truck or pipe water and install toilets and taps"),
    N_("Pre-position food for the planning period"),
    N_("Deploy primary health-care units"),
    N_("Staff protection and referral desks and child-friendly spaces"),
    N_("Plan the site and set up covered space"),
    N_("Build water supply, toilets and taps"),
    N_("Organise food distribution for the planning period"),
    N_("Open primary health-care units"),
    N_("Register arrivals, staff protection desks and child-friendly spaces"),
    N_("Water"),
    N_("Toilets"),
    N_("Water taps"),
    N_("Bathing soap"),
    N_("Covered living space"),
    N_("Site area"),
    N_("Food energy"),
    N_("Primary health-care units"),
    N_("Protection and referral desks"),
    N_("Child-friendly spaces"),
)
