"""Returns and reintegration outcomes counted per state of return and month: a
statistic row with no person in it, written in the same transaction as the
change it counts, read region-wide, small cells withheld; shown on the
commitments pages and the early-warning dashboard."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.errors import ReturnNotApproved
from puente.protection.models import ReturnCount
from tests.protection.conftest import Register
from tests.protection.test_service_returns import ALL_CLEAR

Login = Callable[[TestClient, str], TestClient]
ARRIVAL = dt.date(2026, 11, 2)


def _opened(
    session: Session, supervisor: Actor, register: Register, state: str
) -> uuid.UUID:
    person = register(nationality=state)
    view = service.request_return(
        session,
        actor=supervisor,
        person_id=person,
        destination=state,
        facts=dict(ALL_CLEAR),
    )
    service.approve_return(session, actor=supervisor, decision_id=view.decision.id)
    return service.open_return_case(
        session, actor=supervisor, decision_id=view.decision.id
    ).case.id


def _received(session: Session, supervisor: Actor, case_id: uuid.UUID) -> None:
    service.record_reception(
        session,
        actor=supervisor,
        case_id=case_id,
        arrival_date=ARRIVAL,
        place="Centro de recepción",
        receiving_party="Migración",
    )


def _five_to_gtm(
    session: Session, supervisor: Actor, register: Register
) -> list[uuid.UUID]:
    cases = [_opened(session, supervisor, register, "GTM") for _ in range(5)]
    for case_id in cases[:2]:
        _received(session, supervisor, case_id)
    return cases


def _cell(session: Session, state: str, month: dt.date | None = None) -> ReturnCount:
    stmt = select(ReturnCount).where(ReturnCount.state == state)
    if month is not None:
        stmt = stmt.where(ReturnCount.month == month)
    return session.scalars(stmt).one()


class TestCounted:
    def test_the_statistic_row_holds_no_person(self) -> None:
        columns = {c.key for c in inspect(ReturnCount).columns}
        assert columns == {
            "id",
            "tenant_code",
            "state",
            "month",
            "returns",
            "received",
            "followed_up",
            "sustainable",
        }

    def test_each_change_is_counted_in_its_transaction(
        self, session: Session, supervisor: Actor, register: Register
    ) -> None:
        case_id = _opened(session, supervisor, register, "GTM")
        cell = _cell(session, "GTM")
        assert (cell.returns, cell.received, cell.followed_up) == (1, 0, 0)
        assert cell.month == dt.datetime.now(dt.UTC).date().replace(day=1)
        # Opening again answers the same case and counts nothing more.
        decision = service.get_return_case(
            session, actor=supervisor, case_id=case_id
        ).case.decision_id
        service.open_return_case(session, actor=supervisor, decision_id=decision)
        assert _cell(session, "GTM").returns == 1
        _received(session, supervisor, case_id)
        done_on = dt.date(2027, 11, 5)
        for month, score in ((3, "0.5"), (12, "0.75")):
            service.record_follow_up(
                session,
                actor=supervisor,
                case_id=case_id,
                month=month,
                done_on=done_on,
                economic=score,
                social=score,
                psychosocial=score,
            )
        outcome = session.scalars(
            select(ReturnCount).where(
                ReturnCount.state == "GTM", ReturnCount.month == dt.date(2027, 11, 1)
            )
        ).one()
        assert (outcome.followed_up, outcome.sustainable, outcome.returns) == (1, 1, 0)
        this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
        assert this_month != outcome.month
        assert _cell(session, "GTM", this_month).received == 1

    def test_a_refused_return_case_counts_nothing(
        self, session: Session, supervisor: Actor, register: Register
    ) -> None:
        person = register(nationality="VEN")
        view = service.request_return(
            session,
            actor=supervisor,
            person_id=person,
            destination="VEN",
            facts={**ALL_CLEAR, "expressed_fear": True},
        )
        before = session.scalar(select(func.count()).select_from(ReturnCount))
        with pytest.raises(ReturnNotApproved):
            service.open_return_case(
                session, actor=supervisor, decision_id=view.decision.id
            )
        assert session.scalar(select(func.count()).select_from(ReturnCount)) == before


class TestReadRegionWide:
    def test_small_cells_are_withheld(
        self,
        session: Session,
        supervisor: Actor,
        register: Register,
        actor_of: Callable[[str], Actor],
    ) -> None:
        _five_to_gtm(session, supervisor, register)
        _opened(session, supervisor, register, "HND")
        analyst = actor_of("analyst.hub")
        rows = {r.state: r for r in service.return_outcomes(session, actor=analyst)}
        assert rows["GTM"].returns == 5
        assert rows["GTM"].received is None  # 2: fewer than five
        assert rows["GTM"].followed_up == 0
        assert rows["HND"].returns is None
        assert service.returns_total(session, actor=analyst, state="GTM") == 5
        assert service.returns_total(session, actor=analyst, state="HND") is None
        only = service.return_outcomes(session, actor=analyst, state="gtm")
        assert {r.state for r in only} == {"GTM"}


class TestShown:
    def test_commitments_state_page_has_the_section_and_chart(
        self,
        client: TestClient,
        session: Session,
        supervisor: Actor,
        register: Register,
        login_as: Login,
    ) -> None:
        _five_to_gtm(session, supervisor, register)
        session.commit()
        login_as(client, "analyst.hub")
        page = client.get("/commitments/states/GTM", headers={"Accept-Language": "es"})
        assert page.status_code == 200
        assert 'id="return-outcomes"' in page.text
        assert "Retornos a Guatemala y reintegración" in page.text
        assert "menos de cinco" in page.text
        assert 'data-chart="return-outcomes-chart"' in page.text
        assert "vega-lite.min.js" in page.text
        other = client.get("/commitments/states/HND")
        assert 'id="return-outcomes"' not in other.text

    def test_early_warning_dashboard_has_the_section(
        self,
        client: TestClient,
        session: Session,
        supervisor: Actor,
        register: Register,
        login_as: Login,
    ) -> None:
        _five_to_gtm(session, supervisor, register)
        session.commit()
        login_as(client, "analyst.hub")
        page = client.get("/early-warning", headers={"Accept-Language": "fr"})
        assert page.status_code == 200
        assert 'id="return-outcomes"' in page.text
        assert "moins de cinq" in page.text

    def test_a_caseworker_sees_no_section(
        self,
        client: TestClient,
        session: Session,
        supervisor: Actor,
        register: Register,
        login_as: Login,
    ) -> None:
        _five_to_gtm(session, supervisor, register)
        session.commit()
        login_as(client, "focal_point.col")
        page = client.get("/commitments/states/GTM")
        assert page.status_code == 200
        assert 'id="return-outcomes"' in page.text  # focal points follow it
        login_as(client, "caseworker.col")
        denied = client.get("/commitments/states/GTM")
        assert 'id="return-outcomes"' not in denied.text
