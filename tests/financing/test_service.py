"""Plans, gaps and flows through the services, on the demo data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.db import utcnow
from puente.core.errors import InvalidInput, PermissionDenied
from puente.financing import service
from puente.financing.errors import (
    NoExchangeRate,
    NotYourFlow,
    StatusChangeNotAllowed,
    YearNotInPlan,
)
from puente.financing.models import FundingFlow
from puente.financing.schemas import FlowCreate
from puente.identity import Actor, Role
from tests.financing.conftest import role_actor


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _org(session: Session, name: str) -> object:
    found = service.find_organisation(session, name)
    assert found is not None
    return found.id


def _flow(session: Session, **changes: object) -> FlowCreate:
    values: dict[str, object] = {
        "source_organisation_id": _org(
            session, "European Commission (humanitarian aid)"
        ),
        "destination_organisation_id": _org(session, "UNHCR"),
        "plan_id": service.find_plan_code(session, "RMRP-2023").id,  # type: ignore[union-attr]
        "country": "PER",
        "sector": "health",
        "status": "paid",
        "amount": Decimal("2500000.55"),
        "currency": "USD",
        "flow_date": dt.date(2023, 11, 2),
    }
    values.update(changes)
    return FlowCreate.model_validate(values)


class TestGap:
    def test_the_demo_plan_counts_only_money_entering_it(
        self, demo_session: Session
    ) -> None:
        gap = service.plan_gap(
            demo_session,
            actor=role_actor(Role.DONOR, "CAN"),
            plan="RMRP-2023",
            year=2023,
        )
        assert gap.requirement_usd == Decimal("1720000000.00")
        # Sample flows: 180M + 120M paid, CAD 20M committed, EUR 30M paid, 2M, 1.5M;
        # the 4M internal transfer is listed apart and the 5M pledge is not funding.
        assert gap.funding_usd == Decimal("180000000") + Decimal("120000000") + Decimal(
            "14820000.00"
        ) + Decimal("32439000.00") + Decimal("2000000") + Decimal("1500000")
        assert gap.internal_usd == Decimal("4000000.00")
        assert gap.pledged_usd == Decimal("5000000.00")
        assert gap.gap_usd == gap.requirement_usd - gap.funding_usd
        assert (
            sum(line.requirement_usd for line in gap.by_country) == gap.requirement_usd
        )

    def test_an_internal_transfer_changes_no_plan_total(
        self, demo_session: Session
    ) -> None:
        coordinator = role_actor(Role.COORDINATOR, "HUB")
        plan = service.find_plan_code(demo_session, "RMRP-2023")
        assert plan is not None
        before = service.plan_gap(
            demo_session, actor=coordinator, plan="RMRP-2023", year=2023
        )
        service.record_flow(
            demo_session,
            actor=coordinator,
            data=_flow(
                demo_session,
                source_organisation_id=_org(demo_session, "UNHCR"),
                destination_organisation_id=_org(demo_session, "HIAS"),
                source_plan_id=plan.id,
                country="COL",
                sector="protection",
            ),
        )
        after = service.plan_gap(
            demo_session, actor=coordinator, plan="RMRP-2023", year=2023
        )
        for field in ("requirement_usd", "funding_usd", "pledged_usd", "gap_usd"):
            assert getattr(after, field) == getattr(before, field), field
        assert after.by_country == before.by_country
        assert after.by_sector == before.by_sector
        assert after.internal_usd - before.internal_usd == Decimal("2500000.55")

    def test_a_paid_contribution_from_outside_lowers_the_gap_by_its_usd_value(
        self, demo_session: Session
    ) -> None:
        coordinator = role_actor(Role.COORDINATOR, "HUB")
        before = service.plan_gap(
            demo_session, actor=coordinator, plan="RMRP-2023", year=2023
        )
        recorded = service.record_flow(
            demo_session,
            actor=coordinator,
            data=_flow(
                demo_session, currency="EUR", amount=Decimal("1000000"), amount_usd=None
            ),
        )
        after = service.plan_gap(
            demo_session, actor=coordinator, plan="RMRP-2023", year=2023
        )
        assert recorded.amount_usd == Decimal(
            "1081300.00"
        )  # EUR at the stored 2023 rate
        assert after.funding_usd - before.funding_usd == recorded.amount_usd
        assert before.gap_usd - after.gap_usd == recorded.amount_usd
        peru = {line.key: line for line in before.by_country}["PER"]
        peru_after = {line.key: line for line in after.by_country}["PER"]
        assert peru.gap_usd - peru_after.gap_usd == recorded.amount_usd

    def test_an_unknown_year_is_refused(self, demo_session: Session) -> None:
        with pytest.raises(YearNotInPlan):
            service.plan_gap(
                demo_session,
                actor=role_actor(Role.DONOR, "CAN"),
                plan="RMRP-2023",
                year=2019,
            )


class TestRecordFlow:
    def test_recording_is_audited(self, demo_session: Session) -> None:
        flow = service.record_flow(
            demo_session, actor=role_actor(Role.COORDINATOR), data=_flow(demo_session)
        )
        actions = demo_session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(flow.id))
        ).all()
        assert actions == ["financing:flow:create"]
        assert flow.boundary == "incoming"

    @pytest.mark.parametrize(
        "role",
        [Role.DONOR, Role.ANALYST, Role.FOCAL_POINT, Role.AUDITOR, Role.CASEWORKER],
    )
    def test_only_coordinators_record_flows_and_nothing_is_written(
        self, demo_session: Session, role: Role
    ) -> None:
        before = (_count(demo_session, FundingFlow), _count(demo_session, AuditEvent))
        with pytest.raises(PermissionDenied):
            service.record_flow(
                demo_session, actor=role_actor(role, "COL"), data=_flow(demo_session)
            )
        assert (
            _count(demo_session, FundingFlow),
            _count(demo_session, AuditEvent),
        ) == before

    def test_a_currency_without_a_rate_needs_the_dollar_value(
        self, demo_session: Session
    ) -> None:
        before = _count(demo_session, FundingFlow)
        with pytest.raises(NoExchangeRate):
            service.record_flow(
                demo_session,
                actor=role_actor(Role.COORDINATOR),
                data=_flow(demo_session, currency="JPY"),
            )
        assert _count(demo_session, FundingFlow) == before
        flow = service.record_flow(
            demo_session,
            actor=role_actor(Role.COORDINATOR),
            data=_flow(
                demo_session,
                currency="JPY",
                amount=Decimal("100000000"),
                amount_usd=Decimal("670000"),
            ),
        )
        assert flow.amount_usd == Decimal("670000.00")
        assert flow.usd_per_unit == Decimal("0.00670000")

    def test_a_payment_cannot_be_in_the_future(self, demo_session: Session) -> None:
        with pytest.raises(InvalidInput):
            service.record_flow(
                demo_session,
                actor=role_actor(Role.COORDINATOR),
                data=_flow(
                    demo_session, flow_date=utcnow().date() + dt.timedelta(days=3)
                ),
            )


class TestStatus:
    def test_a_donor_moves_their_own_pledge_to_paid(
        self, demo_session: Session, demo_actor: Callable[[str], Actor]
    ) -> None:
        donor = demo_actor("donor.can")
        pledge = next(
            f
            for f in service.list_flows(demo_session, actor=donor)
            if f.reference == "LAD-CAN-IDB-2023"
        )
        assert pledge.status == "pledge"
        moved = service.change_flow_status(
            demo_session, actor=donor, flow_id=pledge.id, status="commitment"
        )
        assert moved.status == "commitment"
        paid = service.change_flow_status(
            demo_session, actor=donor, flow_id=pledge.id, status="paid"
        )
        assert paid.status == "paid"
        actions = demo_session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == str(pledge.id))
            .order_by(AuditEvent.id)
        ).all()
        assert actions[-2:] == ["financing:flow:status", "financing:flow:status"]
        with pytest.raises(StatusChangeNotAllowed):
            service.change_flow_status(
                demo_session, actor=donor, flow_id=pledge.id, status="pledge"
            )

    def test_a_donor_cannot_move_another_donors_flow(
        self, demo_session: Session, demo_actor: Callable[[str], Actor]
    ) -> None:
        donor = demo_actor("donor.can")
        other = next(
            f
            for f in service.list_flows(demo_session, actor=donor)
            if f.reference == "LAD-USA-IDB-2023"
        )
        audit_before = _count(demo_session, AuditEvent)
        with pytest.raises(NotYourFlow):
            service.change_flow_status(
                demo_session, actor=donor, flow_id=other.id, status="paid"
            )
        assert (
            service.get_flow(demo_session, actor=donor, flow_id=other.id).status
            == "pledge"
        )
        assert _count(demo_session, AuditEvent) == audit_before

    def test_paid_by_country_counts_new_money_only(self, demo_session: Session) -> None:
        totals = service.paid_by_country(
            demo_session, actor=role_actor(Role.ANALYST), year=2023
        )
        assert totals["USA"] == Decimal("300000000.00")
        assert totals["CAN"] == Decimal("14820000.00")
        assert (
            "COL" not in totals
        )  # the NGO that received the internal transfer gives nothing
        assert "NOR" not in totals  # an NGO's money is not its state's


def test_plans_list_has_the_seed_years(demo_session: Session) -> None:
    plans = {
        p.code: p
        for p in service.list_plans(demo_session, actor=role_actor(Role.DONOR, "CAN"))
    }
    assert {"RMRP-2019", "RMRP-2020", "RMRP-2023", "RMRP-2024"} <= set(plans)
    assert plans["RMRP-2019"].requirement_usd == Decimal("738000000.00")
    assert plans["RMRP-2019"].years == [2019]
