"""Response plans: activation from an alert, sizing, gaps, supplies, tasks, audit."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.errors import Conflict, InvalidInput, PermissionDenied
from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service import plans as service
from puente.identity import Role, system_actor
from tests.early_warning.alert_factories import Firing, actor


def _alert_id(session: Session, firing: Firing | None = None) -> uuid.UUID:
    [alert] = alert_service.raise_alerts(
        session, actor=system_actor(), firings=[firing or Firing()]
    )
    return alert.id


class TestActivatePlan:
    def test_sizes_transit_sites_from_the_forecast_upper_bound(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "_trigger_service", lambda _name: None)
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
        class Panel:
            periods = (dt.date(2023, 7, 1), dt.date(2023, 8, 1))
            forecast_hi80 = (50_000.0, 61_000.0, 58_000.0)

        def series_panel(_session: Session, *, actor: object, series_key: str) -> Panel:
            assert series_key == "darien_nat|*"
            return Panel()

        monkeypatch.setattr(
            service,
            "_trigger_service",
            lambda name: series_panel if name == "series_panel" else None,
        )
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
        class Panel:
            periods = (dt.date(2025, 4, 1),)
            forecast_hi80 = (400.0,)

        monkeypatch.setattr(
            service,
            "_trigger_service",
            lambda name: (
                (lambda *_a, **_k: Panel()) if name == "series_panel" else None
            ),
        )
        plan = service.activate_plan(
            session, actor=actor(Role.COORDINATOR), alert_id=_alert_id(session)
        )
        assert (plan.planning_figure, plan.planning_basis) == (90_000, "alert_values")

    def test_falls_back_to_the_observed_count(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "_trigger_service", lambda _name: None)
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
        monkeypatch.setattr(service, "_trigger_service", lambda _name: None)
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
