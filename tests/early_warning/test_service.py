"""Service: adoption gates firing; tenants see their own flows."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.errors import PermissionDenied
from puente.early_warning import service
from puente.early_warning.models import TriggerFiring
from puente.identity import Actor, Role, system_actor

TITLE = dict.fromkeys(("en", "es", "pt", "fr", "ht"), "t")
CATALOGUE = {
    "version": "svc-test-1",
    "triggers": [{"id": "any_rise", "title": TITLE, "condition": "growth_1m > 0.5"}],
}


def _actor(tenant: str, role: Role) -> Actor:
    return Actor(uuid.uuid4(), f"{role}.{tenant}", tenant, None, frozenset({role}))


def _import(session: Session, tmp_path: Path, tenant: str) -> None:
    path = tmp_path / f"{tenant}.csv"
    path.write_text(
        "t,nat,n\n2024-01-01,VEN,10\n2024-02-01,VEN,40\n2024-03-01,VEN,100\n",
        encoding="utf-8",
    )
    service.import_flows(
        session,
        actor=system_actor(),
        path=path,
        source=f"flows_{tenant.lower()}",
        date_column="t",
        count_column="n",
        dimensions=["nat"],
        profile={"tenant": tenant, "reporting_state": tenant},
    )


class TestAdoption:
    def test_an_unadopted_catalogue_does_not_fire(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        service.propose_catalogue(session, actor=system_actor(), document=CATALOGUE)
        _import(session, tmp_path, "PAN")
        count = select(func.count(TriggerFiring.id)).where(
            TriggerFiring.trigger_id == "any_rise"
        )
        assert session.scalar(count) == 0
        focal = _actor("PAN", Role.FOCAL_POINT)
        adopted = service.adopt_catalogue(session, actor=focal, version="svc-test-1")
        assert adopted.adopted_by == ["PAN"]
        assert service.run_triggers(session, actor=system_actor()) >= 2
        firings = service.list_firings(session, actor=system_actor())
        mine = [f for f in firings if f.trigger_id == "any_rise"]
        assert {f.values["growth_1m"] for f in mine} == {3.0, 1.5}
        assert service.run_triggers(session, actor=system_actor()) == 0

    def test_a_focal_point_cannot_adopt_for_another_state(
        self, session: Session
    ) -> None:
        service.propose_catalogue(session, actor=system_actor(), document=CATALOGUE)
        with pytest.raises(PermissionDenied):
            service.adopt_catalogue(
                session,
                actor=_actor("COL", Role.FOCAL_POINT),
                version="svc-test-1",
                state="PAN",
            )


class TestVisibility:
    def test_a_focal_point_sees_only_their_state_flows(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        _import(session, tmp_path, "PAN")
        _import(session, tmp_path, "MEX")
        pan = service.list_series(session, actor=_actor("PAN", Role.FOCAL_POINT))
        assert {s.source for s in pan} == {"flows_pan"}
        analyst = service.list_series(session, actor=_actor("HUB", Role.ANALYST))
        assert {"flows_pan", "flows_mex"} <= {s.source for s in analyst}

    def test_a_caseworker_cannot_import(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        path = tmp_path / "x.csv"
        path.write_text("t,n\n2024-01-01,1\n", encoding="utf-8")
        with pytest.raises(PermissionDenied):
            service.import_flows(
                session,
                actor=_actor("PAN", Role.CASEWORKER),
                path=path,
                source="x_flows",
                date_column="t",
                count_column="n",
                dimensions=[],
            )
