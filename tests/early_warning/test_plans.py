"""Response plans: activation from an alert, sizing, gaps, supplies, tasks, audit."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.errors import Conflict, InvalidInput, PermissionDenied
from puente.early_warning.errors import SeriesNotFound
from puente.early_warning.schemas import FiringRead, SeriesPanel
from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service import plans as service
from puente.identity import Organisation, Role, system_actor
from tests.early_warning.alert_factories import Firing, actor, last_month


def _alert_id(session: Session, firing: FiringRead | None = None) -> uuid.UUID:
    [alert] = alert_service.raise_alerts(
        session, actor=system_actor(), firings=[firing or Firing()]
    )
    return alert.id


def _no_panel(_session: Session, *, actor: object, series_key: str) -> SeriesPanel:
    raise SeriesNotFound(series_key=series_key)


def _panel(periods: list[dt.date], upper: list[float]) -> SeriesPanel:
    """A series panel with counts on `periods` and forecast upper bounds."""
    return SeriesPanel(
        series_key="darien_nat|*",
        source="darien_nat",
        dimensions={},
        periods=periods,
        counts=[1000.0] * len(periods),
        alarms={},
        forecast_model="AutoETS",
        forecast_periods=[dt.date(2030, 1 + i, 1) for i in range(len(upper))],
        forecast_mean=[u / 2 for u in upper],
        forecast_lo80=[0.0] * len(upper),
        forecast_hi80=upper,
        firings=[],
    )


class TestActivatePlan:
    def test_sizes_transit_sites_from_the_forecast_upper_bound(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "series_panel", _no_panel)
        alert_id = _alert_id(session)
        coordinator = actor(Role.COORDINATOR)
        plan = service.activate_plan(session, actor=coordinator, alert_id=alert_id)
        detail = service.get_plan(session, actor=coordinator, plan_id=plan.id)
        assert detail.planning_figure == 90_000  # forecast_hi80, not the observed
        assert detail.planning_basis == "alert_values"
        # Panama: two reception stations, half each, 2-day stay
        assert [s.name for s in detail.sites] == [
            "Estación de Recepción Migratoria Lajas Blancas",
            "Estación de Recepción Migratoria San Vicente",
        ]
        expected = -(-45_000 * 2 // 30.4375)  # ceil(45,000 / 30.4375 × 2)
        assert detail.sites[0].people == int(expected)
        toilets = next(line for line in detail.sites[0].lines if line.item == "Toilets")
        assert toilets.required == -(-detail.sites[0].people // 20)
        assert toilets.gap == toilets.required
        assert {s.sector for s in detail.sectors} == {
            "shelter",
            "wash",
            "food",
            "health",
            "protection",
        }
        assert len(detail.tasks) == 5
        assert all(t.status == "open" for t in detail.tasks)

    def test_uses_the_series_forecast_when_the_flow_service_has_one(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def series_panel(
            _session: Session, *, actor: object, series_key: str
        ) -> SeriesPanel:
            assert series_key == "darien_nat|*"
            month = last_month()  # the alert's period (alert_factories.Firing)
            before = (month - dt.timedelta(days=1)).replace(day=1)
            return _panel(
                [before, month],
                [50_000.0, 61_000.0, 58_000.0],
            )

        monkeypatch.setattr(service, "series_panel", series_panel)
        plan = service.activate_plan(
            session,
            actor=actor(Role.COORDINATOR),
            alert_id=_alert_id(session),
        )
        assert (plan.planning_figure, plan.planning_basis) == (
            61_000,
            "forecast_upper_80",
        )

    def test_ignores_a_forecast_made_after_the_alert_period(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(
            service,
            "series_panel",
            lambda *_a, **_k: _panel([dt.date(2025, 4, 1)], [400.0]),
        )
        plan = service.activate_plan(
            session, actor=actor(Role.COORDINATOR), alert_id=_alert_id(session)
        )
        assert (plan.planning_figure, plan.planning_basis) == (90_000, "alert_values")

    def test_falls_back_to_the_observed_count(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "series_panel", _no_panel)
        firing = Firing(values={"arrivals_month": 3000}, series_key="honduras|*")
        plan = service.activate_plan(
            session,
            actor=actor(Role.COORDINATOR),
            alert_id=_alert_id(session, firing),
        )
        assert (plan.planning_figure, plan.planning_basis) == (3000, "observed")

    def test_without_any_figure_it_refuses(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "series_panel", _no_panel)
        alert_id = _alert_id(session, Firing(values={"c2_alarm": True}))
        with pytest.raises(service.NoPlanningFigure):
            service.activate_plan(
                session,
                actor=actor(Role.COORDINATOR),
                alert_id=alert_id,
            )

    def test_one_plan_per_alert(self, session: Session) -> None:
        alert_id = _alert_id(session)
        coordinator = actor(Role.COORDINATOR)
        service.activate_plan(session, actor=coordinator, alert_id=alert_id)
        with pytest.raises(service.PlanAlreadyActive):
            service.activate_plan(session, actor=coordinator, alert_id=alert_id)

    def test_a_cancelled_alert_cannot_activate(self, session: Session) -> None:
        alert_id = _alert_id(session)
        coordinator = actor(Role.COORDINATOR)
        alert_service.cancel_alert(
            session,
            actor=coordinator,
            alert_id=alert_id,
            note="x",
        )
        with pytest.raises(service.AlertNotActive):
            service.activate_plan(session, actor=coordinator, alert_id=alert_id)

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.DONOR, Role.FOCAL_POINT])
    def test_only_plan_writers_activate(self, session: Session, role: Role) -> None:
        with pytest.raises(PermissionDenied):
            service.activate_plan(
                session,
                actor=actor(role),
                alert_id=_alert_id(session),
            )

    def test_activation_is_audited(self, session: Session) -> None:
        plan = service.activate_plan(
            session,
            actor=actor(Role.COORDINATOR),
            alert_id=_alert_id(session),
        )
        assert session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(plan.id))
        ).all() == ["early_warning:plan:activate"]


class TestGapsAndTasks:
    def test_stock_and_pledges_shrink_the_gap(self, session: Session) -> None:
        coordinator = actor(Role.COORDINATOR)
        plan = service.activate_plan(
            session,
            actor=coordinator,
            alert_id=_alert_id(session),
        )
        detail = service.get_plan(session, actor=coordinator, plan_id=plan.id)
        line = detail.sites[0].lines[0]
        service.record_supply(
            session,
            actor=coordinator,
            line_id=line.id,
            in_stock=line.required / 2,
            pledged=line.required / 4,
        )
        after = service.get_plan(session, actor=coordinator, plan_id=plan.id)
        changed = next(x for x in after.sites[0].lines if x.id == line.id)
        assert changed.gap == pytest.approx(line.required / 4, abs=0.01)
        assert changed.covered_share == pytest.approx(0.75, abs=1e-3)
        sector = next(s for s in after.sectors if s.sector == changed.sector)
        assert sector.covered_share > 0

    def test_refuses_negative_stock(self, session: Session) -> None:
        coordinator = actor(Role.COORDINATOR)
        plan = service.activate_plan(
            session,
            actor=coordinator,
            alert_id=_alert_id(session),
        )
        line = service.get_plan(session, actor=coordinator, plan_id=plan.id).sites[0]
        with pytest.raises(InvalidInput):
            service.record_supply(
                session,
                actor=coordinator,
                line_id=line.lines[0].id,
                in_stock=-1,
                pledged=0,
            )

    def test_task_moves_and_audit(self, session: Session) -> None:
        coordinator = actor(Role.COORDINATOR)
        plan = service.activate_plan(
            session,
            actor=coordinator,
            alert_id=_alert_id(session),
        )
        task = service.get_plan(session, actor=coordinator, plan_id=plan.id).tasks[0]
        service.move_task(
            session, actor=coordinator, task_id=task.id, status="in_progress"
        )
        service.move_task(session, actor=coordinator, task_id=task.id, status="done")
        with pytest.raises(service.TaskMoveNotAllowed):
            service.move_task(
                session, actor=coordinator, task_id=task.id, status="open"
            )
        with pytest.raises(service.TaskMoveNotAllowed):
            service.move_task(session, actor=coordinator, task_id=task.id, status="?")
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(task.id))
        ).all()
        assert actions == ["early_warning:plan:task", "early_warning:plan:task"]

    def test_readers_cannot_change_a_plan(self, session: Session) -> None:
        plan = service.activate_plan(
            session,
            actor=actor(Role.COORDINATOR),
            alert_id=_alert_id(session),
        )
        donor = actor(Role.DONOR, "CAN")
        detail = service.get_plan(session, actor=donor, plan_id=plan.id)
        assert not detail.can_edit
        with pytest.raises(PermissionDenied):
            service.move_task(
                session, actor=donor, task_id=detail.tasks[0].id, status="done"
            )

    def test_close_plan(self, session: Session) -> None:
        coordinator = actor(Role.COORDINATOR)
        plan = service.activate_plan(
            session,
            actor=coordinator,
            alert_id=_alert_id(session),
        )
        service.close_plan(session, actor=coordinator, plan_id=plan.id)
        listed = service.list_plans(session, actor=coordinator)
        assert [p.status for p in listed if p.id == plan.id] == ["closed"]
        with pytest.raises(Conflict):
            service.close_plan(session, actor=coordinator, plan_id=plan.id)


def _org_id(session: Session, tenant: str, slug: str) -> uuid.UUID:
    return session.scalars(
        select(Organisation.id).where(
            Organisation.tenant_code == tenant, Organisation.slug == slug
        )
    ).one()


def _task_audits(session: Session, task_id: uuid.UUID) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == str(task_id))
            .order_by(AuditEvent.id)
        )
    )


class TestTaskAssignment:
    """The Darién alert's plan: tenant HUB, responding in Panama."""

    def _plan(self, session: Session) -> tuple[uuid.UUID, service.TaskRead]:
        coordinator = actor(Role.COORDINATOR)
        plan = service.activate_plan(
            session, actor=coordinator, alert_id=_alert_id(session)
        )
        assert plan.country == "PAN"
        task = service.get_plan(session, actor=coordinator, plan_id=plan.id).tasks[0]
        return plan.id, task

    def test_offers_the_responding_country_and_the_hub_never_other_states(
        self, session: Session
    ) -> None:
        plan_id, _task = self._plan(session)
        offered = service.assignable_organisations(
            session, actor=actor(Role.COORDINATOR), plan_id=plan_id
        )
        assert {org.tenant_code for org in offered} == {"HUB", "PAN"}
        assert offered[0].is_regional  # the hub's come first
        assert _org_id(session, "PAN", "unhcr") in {org.id for org in offered}
        assert _org_id(session, "COL", "unhcr") not in {org.id for org in offered}

    def test_reassigns_to_an_allowed_organisation_and_audits(
        self, session: Session
    ) -> None:
        coordinator = actor(Role.COORDINATOR)
        plan_id, task = self._plan(session)
        unhcr_pan = _org_id(session, "PAN", "unhcr")
        service.move_task(
            session,
            actor=coordinator,
            task_id=task.id,
            status="in_progress",
            organisation_id=unhcr_pan,
            plan_id=plan_id,
        )
        [moved] = [
            t
            for t in service.get_plan(session, actor=coordinator, plan_id=plan_id).tasks
            if t.id == task.id
        ]
        assert (moved.organisation_id, moved.organisation, moved.status) == (
            unhcr_pan,
            "UNHCR Panama",
            "in_progress",
        )
        [event] = _task_audits(session, task.id)
        assert event.action == "early_warning:plan:task"
        assert str(unhcr_pan) in event.details

    @pytest.mark.parametrize("where", ["other_state", "unknown", "employer"])
    def test_refuses_an_organisation_it_may_not_assign_and_changes_nothing(
        self, session: Session, where: str
    ) -> None:
        coordinator = actor(Role.COORDINATOR)
        plan_id, task = self._plan(session)
        if where == "other_state":
            target = _org_id(session, "COL", "migration")
        elif where == "employer":
            target = _org_id(session, "CAN", "employer-agri")
        else:
            target = uuid.uuid4()
        with pytest.raises(service.OrganisationNotAssignable) as refused:
            service.move_task(
                session,
                actor=coordinator,
                task_id=task.id,
                status="in_progress",
                organisation_id=target,
            )
        assert isinstance(refused.value, InvalidInput)
        [after] = [
            t
            for t in service.get_plan(session, actor=coordinator, plan_id=plan_id).tasks
            if t.id == task.id
        ]
        assert (after.organisation_id, after.status) == (task.organisation_id, "open")
        assert _task_audits(session, task.id) == []

    def test_status_rules_hold_when_reassigning(self, session: Session) -> None:
        coordinator = actor(Role.COORDINATOR)
        plan_id, task = self._plan(session)
        service.move_task(session, actor=coordinator, task_id=task.id, status="done")
        with pytest.raises(service.TaskMoveNotAllowed):
            service.move_task(
                session,
                actor=coordinator,
                task_id=task.id,
                status="open",
                organisation_id=_org_id(session, "PAN", "iom"),
            )
        [after] = [
            t
            for t in service.get_plan(session, actor=coordinator, plan_id=plan_id).tasks
            if t.id == task.id
        ]
        assert (after.organisation_id, after.status) == (task.organisation_id, "done")

    def test_keeping_an_earlier_assignment_needs_no_new_check(
        self, session: Session
    ) -> None:
        from puente.early_warning.models.plans import PlanTask

        coordinator = actor(Role.COORDINATOR)
        _plan_id, task = self._plan(session)
        colombia = _org_id(session, "COL", "unhcr")
        stored = session.get(PlanTask, task.id)
        assert stored is not None
        stored.organisation_id = colombia  # assigned before the rule existed
        moved = service.move_task(
            session,
            actor=coordinator,
            task_id=task.id,
            status="in_progress",
            organisation_id=colombia,
        )
        assert (moved.organisation_id, moved.status) == (colombia, "in_progress")

    def test_a_task_of_another_plan_is_not_found(self, session: Session) -> None:
        _plan_id, task = self._plan(session)
        with pytest.raises(service.PlanNotFound):
            service.move_task(
                session,
                actor=actor(Role.COORDINATOR),
                task_id=task.id,
                status="in_progress",
                plan_id=uuid.uuid4(),
            )

    @pytest.mark.parametrize(
        ("role", "tenant"), [(Role.CASEWORKER, "COL"), (Role.ANALYST, "HUB")]
    )
    def test_only_plan_writers_reassign(
        self, session: Session, role: Role, tenant: str
    ) -> None:
        _plan_id, task = self._plan(session)
        with pytest.raises(PermissionDenied):
            service.move_task(
                session,
                actor=actor(role, tenant),
                task_id=task.id,
                status=task.status,
                organisation_id=_org_id(session, "PAN", "unhcr"),
            )
        assert _task_audits(session, task.id) == []
