"""Row-level security alone (PostgreSQL, application filter off): the sharing
tables are readable region-wide and writable only inside the actor's tenant."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.commitments import list_commitments
from puente.commitments.models import Commitment
from puente.coordination.models import ActivityReport
from puente.core.config import get_settings
from puente.core.db import set_tenant_scope
from puente.financing.models import FinancePlan, FundingFlow
from puente.identity import rls_scope
from puente.identity.models import User
from puente.identity.service import actor_for


@pytest.fixture
def postgres_only(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    monkeypatch.setattr(get_settings(), "app_filter_enabled", False)


def _scope_of(session: Session, username: str) -> None:
    user = session.scalars(select(User).where(User.username == username)).one()
    set_tenant_scope(session, rls_scope(actor_for(user)))


def test_a_donor_reads_the_hubs_plans_and_flows(
    demo_session: Session, postgres_only: None
) -> None:
    _scope_of(demo_session, "donor.can")
    plans = demo_session.scalars(select(FinancePlan)).all()
    assert "HUB" in {plan.tenant_code for plan in plans}
    flows = demo_session.scalars(select(FundingFlow)).all()
    assert "HUB" in {flow.tenant_code for flow in flows}


def test_a_focal_point_reads_every_states_commitments_and_5w(
    demo_session: Session, postgres_only: None
) -> None:
    user = demo_session.scalars(
        select(User).where(User.username == "focal_point.col")
    ).one()
    focal_point = actor_for(user)
    set_tenant_scope(demo_session, rls_scope(focal_point))
    tenants = {row.tenant_code for row in demo_session.scalars(select(Commitment))}
    assert {"HUB", "COL", "USA"} <= tenants
    rows = list_commitments(demo_session, actor=focal_point)
    assert any(row.kind == "declaration" for row in rows)
    reports = demo_session.scalars(select(ActivityReport)).all()
    assert len({report.tenant_code for report in reports}) >= 1


def test_a_focal_point_cannot_write_another_states_commitment(
    demo_session: Session, postgres_only: None
) -> None:
    _scope_of(demo_session, "focal_point.col")
    nested = demo_session.begin_nested()
    demo_session.add(
        Commitment(
            tenant_code="PER",
            key="PER-RLS-TEST",
            kind="deliverable",
            state="PER",
            section="stability",
            verb="announce",
            text="Written from Colombia's scope",
            status="planned",
        )
    )
    with pytest.raises(Exception, match="row-level security"):
        demo_session.flush()
    nested.rollback()
    peru = demo_session.scalars(
        select(Commitment).where(Commitment.state == "PER")
    ).first()
    assert peru is not None
    nested = demo_session.begin_nested()
    peru.status = "fulfilled"
    with pytest.raises(Exception, match=r"row-level security|0 were matched"):
        demo_session.flush()
    nested.rollback()
