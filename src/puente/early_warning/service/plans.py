"""Response plans: activated from an alert, sized from the forecast's upper bound,
with Sphere requirements per site, stock and pledges, gaps and tasks.

Permissions: `plan:read` to read, `plan:write` to activate, record supplies, move
and reassign tasks and close. Every state change is audited (`early_warning:plan:*`).

Who may take a task: an organisation of the plan's tenant, of the country the plan
responds in, or of the regional hub; never an employer (`assignable_organisations`).
"""

from __future__ import annotations

__all__ = [
    "BASIS_LABELS",
    "SECTOR_LABELS",
    "TASK_LABELS",
    "AlertNotActive",
    "LineRead",
    "NoPlanningFigure",
    "OrganisationNotAssignable",
    "PlanAlreadyActive",
    "PlanDetail",
    "PlanNotFound",
    "PlanSummary",
    "SiteRead",
    "TaskMoveNotAllowed",
    "TaskRead",
    "activate_plan",
    "assignable_organisations",
    "close_plan",
    "get_plan",
    "list_plans",
    "move_task",
    "plan_for_alert",
    "record_supply",
    "size_plan",
]

import math
import uuid
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import identity
from puente.core import audit, i18n
from puente.core.db import utcnow
from puente.core.errors import Conflict, InvalidInput, NotFound
from puente.core.i18n import N_
from puente.early_warning.errors import (
    AlertNotActive,
    NoPlanningFigure,
    OrganisationNotAssignable,
    PlanAlreadyActive,
    PlanNotFound,
    TaskMoveNotAllowed,
)
from puente.early_warning.models.alerts import Alert
from puente.early_warning.models.plans import (
    PlanLine,
    PlanSite,
    PlanTask,
    ResponsePlan,
)
from puente.early_warning.rules import plans as rules
from puente.early_warning.schemas import (
    LineRead,
    PlanDetail,
    PlanSummary,
    SectorGap,
    SeriesPanel,
    SiteRead,
    TaskRead,
)
from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service.flows import series_panel
from puente.identity import (
    Actor,
    OrganisationRead,
    authorize,
    can,
    list_organisations,
    visible,
)

SECTOR_LABELS: Final = {
    "shelter": N_("Shelter"),
    "wash": N_("Water, sanitation and hygiene"),
    "food": N_("Food"),
    "health": N_("Health"),
    "protection": N_("Protection"),
}
TASK_LABELS: Final = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
}
BASIS_LABELS: Final = {
    "forecast_upper_80": N_("Upper bound of the 80% forecast interval"),
    "alert_values": N_("Forecast upper bound recorded with the alert"),
    "observed": N_("Observed arrivals (no forecast available)"),
}
_UPPER_KEYS: Final = (
    "forecast_h1_hi80",
    "forecast_h2_hi80",
    "forecast_h3_hi80",
    "forecast_hi80",
    "forecast_hi_80",
    "forecast_upper",
    "forecast_upper_80",
    "upper_80",
    "hi_80",
    "hi80",
)
_OBSERVED_KEYS: Final = (
    "arrivals_month",
    "count",
    "value",
    "n",
    "arrivals",
    "last_count",
)


# --------------------------------------------------------------------------- sizing


def _forecast_upper(panel: SeriesPanel) -> list[float]:
    return [v for v in panel.forecast_hi80 if math.isfinite(v)]


def size_plan(session: Session, actor: Actor, alert: Alert) -> tuple[float, str]:
    """(monthly planning figure, basis): the 80% forecast upper bound made at the
    alert's period (the series' latest forecast when the alert is about the latest
    month, else the bound recorded with the firing), else the observed count."""
    try:
        panel: SeriesPanel | None = series_panel(
            session, actor=actor, series_key=alert.series_key
        )
    except NotFound:
        panel = None
    # The panel forecasts from the series' last month only; an alert about an
    # earlier month must not be sized from a later forecast.
    if panel is not None and panel.periods and panel.periods[-1] == alert.period:
        figure = rules.planning_figure(_forecast_upper(panel))
        if figure is not None:
            return figure, "forecast_upper_80"
    values = alert_service.json_dict(alert.values)
    uppers = [float(values[k]) for k in _UPPER_KEYS if _is_number(values.get(k))]
    if uppers:
        return max(uppers), "alert_values"
    observed = [float(values[k]) for k in _OBSERVED_KEYS if _is_number(values.get(k))]
    if observed:
        return observed[0], "observed"
    raise NoPlanningFigure()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --------------------------------------------------------------------------- writes


def activate_plan(
    session: Session, *, actor: Actor, alert_id: uuid.UUID
) -> ResponsePlan:
    """Activate the alert's plan template: sites, Sphere requirements and tasks.
    Needs `plan:write`; audited as `early_warning:plan:activate`."""
    authorize(actor, "plan:write")
    alert = alert_service.get_alert_row(session, actor, alert_id)
    if alert.msg_type == "Cancel":
        raise AlertNotActive()
    if session.scalars(
        select(ResponsePlan.id).where(ResponsePlan.alert_id == alert.id)
    ).first():
        raise PlanAlreadyActive()
    template = rules.template_for(alert.plan_template)
    figure, basis = size_plan(session, actor, alert)
    plan = ResponsePlan(
        tenant_code=alert.tenant_code,
        alert_id=alert.id,
        template_id=template.id,
        country=alert.country,
        planning_figure=round(figure, 1),
        planning_basis=basis,
        duration_days=template.duration_days,
        activated_by=actor.user_id,
    )
    session.add(plan)
    session.flush()
    for position, site_template in enumerate(template.sites_for(alert.country)):
        people = rules.site_population(site_template, figure)
        site = PlanSite(
            tenant_code=plan.tenant_code,
            plan_id=plan.id,
            position=position,
            name=site_template.name,
            kind=site_template.kind.value,
            share=site_template.share,
            average_stay_days=site_template.average_stay_days,
            people=people,
        )
        session.add(site)
        session.flush()
        for line_position, need in enumerate(rules.requirements(template, people)):
            session.add(
                PlanLine(
                    tenant_code=plan.tenant_code,
                    plan_id=plan.id,
                    site_id=site.id,
                    position=line_position,
                    sector=need.sector,
                    parameter_id=need.parameter_id,
                    item=need.item,
                    unit=need.unit,
                    basis=need.basis,
                    required=need.quantity,
                )
            )
    for position, task in enumerate(template.tasks):
        session.add(
            PlanTask(
                tenant_code=plan.tenant_code,
                plan_id=plan.id,
                position=position,
                sector=task.sector,
                description=task.description,
                organisation_id=actor.organisation_id,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "early_warning:plan:activate",
        tenant_code=plan.tenant_code,
        object_type="response_plan",
        object_id=plan.id,
        alert_id=str(alert.id),
        template_id=template.id,
        basis=basis,
    )
    return plan


def _get_plan(session: Session, actor: Actor, plan_id: uuid.UUID) -> ResponsePlan:
    authorize(actor, "plan:read")
    plan = session.scalars(
        visible(
            actor,
            select(ResponsePlan).where(ResponsePlan.id == plan_id),
            ResponsePlan,
            "plan:read",
        )
    ).one_or_none()
    if plan is None:
        raise PlanNotFound()
    return plan


def record_supply(
    session: Session,
    *,
    actor: Actor,
    line_id: uuid.UUID,
    in_stock: float,
    pledged: float,
) -> PlanLine:
    """Set what a site holds and what partners pledged for one requirement line.
    Needs `plan:write`; audited as `early_warning:plan:supply`."""
    line = session.get(PlanLine, line_id)
    if line is None:
        raise PlanNotFound()
    plan = _get_plan(session, actor, line.plan_id)
    authorize(actor, "plan:write", tenant_code=plan.tenant_code)
    if (
        not (math.isfinite(in_stock) and math.isfinite(pledged))
        or min(in_stock, pledged) < 0
    ):
        raise InvalidInput(N_("Stock and pledges must be zero or more."))
    line.in_stock, line.pledged = in_stock, pledged
    audit.record(
        session,
        actor,
        "early_warning:plan:supply",
        tenant_code=plan.tenant_code,
        object_type="plan_line",
        object_id=line.id,
        plan_id=str(plan.id),
    )
    return line


def assignable_tenants(plan: ResponsePlan) -> tuple[str, ...]:
    """The tenants whose organisations may take the plan's tasks, besides the
    regional hub's: the plan's own tenant and the country it responds in."""
    codes = [plan.tenant_code]
    if plan.country and plan.country not in codes:
        codes.append(plan.country)
    return tuple(codes)


def _assignable(
    session: Session, actor: Actor, plan: ResponsePlan
) -> list[OrganisationRead]:
    return list_organisations(
        session, actor=actor, tenant_codes=assignable_tenants(plan)
    )


def assignable_organisations(
    session: Session, *, actor: Actor, plan_id: uuid.UUID
) -> list[OrganisationRead]:
    """Organisations the plan's tasks may be assigned to, regional ones first.
    Needs `plan:read`."""
    return _assignable(session, actor, _get_plan(session, actor, plan_id))


def move_task(
    session: Session,
    *,
    actor: Actor,
    task_id: uuid.UUID,
    status: str,
    organisation_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
) -> PlanTask:
    """Change a task's status (open → in_progress → done) and, optionally, the
    organisation it is assigned to (`assignable_organisations`, else
    `OrganisationNotAssignable`). With `plan_id`, the task must belong to that
    plan. Needs `plan:write`; audited. Nothing is written unless both the move and
    the organisation are allowed."""
    task = session.get(PlanTask, task_id)
    if task is None or (plan_id is not None and task.plan_id != plan_id):
        raise PlanNotFound()
    plan = _get_plan(session, actor, task.plan_id)
    authorize(actor, "plan:write", tenant_code=plan.tenant_code)
    try:
        target = rules.TaskStatus(status)
    except ValueError as exc:
        raise TaskMoveNotAllowed() from exc
    current = rules.TaskStatus(task.status)
    if target is not current and not rules.can_move_task(current, target):
        raise TaskMoveNotAllowed()
    reassigned = organisation_id is not None and organisation_id != task.organisation_id
    if reassigned and organisation_id not in {
        org.id for org in _assignable(session, actor, plan)
    }:
        raise OrganisationNotAssignable()
    task.status = target.value
    if reassigned:
        task.organisation_id = organisation_id
    task.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "early_warning:plan:task",
        tenant_code=plan.tenant_code,
        object_type="plan_task",
        object_id=task.id,
        status=task.status,
        organisation_id=str(task.organisation_id) if task.organisation_id else None,
    )
    return task


def close_plan(session: Session, *, actor: Actor, plan_id: uuid.UUID) -> ResponsePlan:
    """Stand the plan down. Needs `plan:write`; audited."""
    plan = _get_plan(session, actor, plan_id)
    authorize(actor, "plan:write", tenant_code=plan.tenant_code)
    if plan.status == "closed":
        raise Conflict()
    plan.status = "closed"
    audit.record(
        session,
        actor,
        "early_warning:plan:close",
        tenant_code=plan.tenant_code,
        object_type="response_plan",
        object_id=plan.id,
    )
    return plan


# --------------------------------------------------------------------------- reads


def _alert_title(session: Session, alert_id: uuid.UUID) -> str:
    alert = session.get(Alert, alert_id)
    if alert is None:
        return ""
    titles = alert_service.json_dict(alert.title)
    return alert_service.title_in(titles, i18n.get_locale(), alert.trigger_id)


def _summary(session: Session, plan: ResponsePlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "alert_id": plan.alert_id,
        "template_id": plan.template_id,
        "country": plan.country,
        "status": plan.status,
        "planning_figure": plan.planning_figure,
        "activated_at": plan.activated_at,
        "alert_title": _alert_title(session, plan.alert_id),
    }


def list_plans(session: Session, *, actor: Actor) -> list[PlanSummary]:
    authorize(actor, "plan:read")
    stmt = visible(
        actor,
        select(ResponsePlan).order_by(ResponsePlan.activated_at.desc()),
        ResponsePlan,
        "plan:read",
    )
    return [PlanSummary(**_summary(session, plan)) for plan in session.scalars(stmt)]


def plan_for_alert(
    session: Session, *, actor: Actor, alert_id: uuid.UUID
) -> uuid.UUID | None:
    if not can(actor, "plan:read"):
        return None
    return session.scalars(
        visible(
            actor,
            select(ResponsePlan.id).where(ResponsePlan.alert_id == alert_id),
            ResponsePlan,
            "plan:read",
        )
    ).first()


def _line(line: PlanLine) -> LineRead:
    found = rules.gap(line.required, line.in_stock, line.pledged)
    return LineRead(
        id=line.id,
        sector=line.sector,
        sector_label=i18n.gettext(SECTOR_LABELS.get(line.sector, line.sector)),
        item=i18n.gettext(line.item),
        unit=line.unit,
        basis=line.basis,
        required=line.required,
        in_stock=line.in_stock,
        pledged=line.pledged,
        gap=round(found.gap, 2),
        covered_share=round(found.covered_share, 4),
    )


def get_plan(session: Session, *, actor: Actor, plan_id: uuid.UUID) -> PlanDetail:
    """A plan with its sites, lines (and gaps), sector coverage and tasks."""
    plan = _get_plan(session, actor, plan_id)
    sites = list(
        session.scalars(
            select(PlanSite)
            .where(PlanSite.plan_id == plan.id)
            .order_by(PlanSite.position)
        )
    )
    lines = list(
        session.scalars(
            select(PlanLine)
            .where(PlanLine.plan_id == plan.id)
            .order_by(PlanLine.position)
        )
    )
    tasks = list(
        session.scalars(
            select(PlanTask)
            .where(PlanTask.plan_id == plan.id)
            .order_by(PlanTask.position)
        )
    )
    reads = {line.id: _line(line) for line in lines}
    sectors: list[SectorGap] = []
    for sector in rules.SECTORS:
        in_sector = [r for r in reads.values() if r.sector == sector]
        if not in_sector:
            continue
        sectors.append(
            SectorGap(
                sector=sector,
                sector_label=i18n.gettext(SECTOR_LABELS[sector]),
                lines=len(in_sector),
                lines_with_gap=sum(1 for r in in_sector if r.gap > 0),
                covered_share=round(
                    sum(r.covered_share for r in in_sector) / len(in_sector), 4
                ),
            )
        )
    org_names: dict[uuid.UUID, str | None] = {}
    for task in tasks:
        if task.organisation_id and task.organisation_id not in org_names:
            org_names[task.organisation_id] = identity.organisation_name(
                session, task.organisation_id
            )
    return PlanDetail(
        **_summary(session, plan),
        planning_basis=plan.planning_basis,
        planning_basis_label=i18n.gettext(
            BASIS_LABELS.get(plan.planning_basis, plan.planning_basis)
        ),
        duration_days=plan.duration_days,
        sites=[
            SiteRead(
                id=site.id,
                name=site.name,
                kind=site.kind,
                share=site.share,
                average_stay_days=site.average_stay_days,
                people=site.people,
                lines=[reads[line.id] for line in lines if line.site_id == site.id],
            )
            for site in sites
        ],
        sectors=sectors,
        tasks=[
            TaskRead(
                id=task.id,
                sector=task.sector,
                sector_label=i18n.gettext(SECTOR_LABELS.get(task.sector, task.sector)),
                description=i18n.gettext(task.description),
                organisation_id=task.organisation_id,
                organisation=org_names.get(task.organisation_id)
                if task.organisation_id
                else None,
                status=task.status,
                status_label=i18n.gettext(TASK_LABELS.get(task.status, task.status)),
                updated_at=task.updated_at,
            )
            for task in tasks
        ],
        can_edit=can(actor, "plan:write") and plan.status == "active",
    )
