"""The demo load is idempotent: a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.demo import DEMO_USERS, ENDORSERS, load_identity
from puente.identity import Organisation, Tenant, User


def test_second_identity_load_changes_nothing(session: Session) -> None:
    # The suite database was seeded once already by conftest.
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    assert load_identity(session) == (0, 0)
    after = session.scalar(select(func.count()).select_from(AuditEvent))
    assert before == after


def test_all_twenty_states_and_the_hub(session: Session) -> None:
    codes = set(session.scalars(select(Tenant.code)))
    assert codes == {*ENDORSERS, "HUB"}
    assert len(ENDORSERS) == 20
    assert (session.scalar(select(func.count()).select_from(Organisation)) or 0) >= 61


def test_demo_users_exist_with_their_tenants(session: Session) -> None:
    users = {u.username: u.tenant_code for u in session.scalars(select(User))}
    for demo in DEMO_USERS:
        assert users[demo.username] == demo.tenant
    for required in (
        "admin",
        "caseworker.col",
        "supervisor.col",
        "caseworker.pan",
        "caseworker.mex",
        "analyst.hub",
        "coordinator.hub",
        "focal_point.col",
        "donor.can",
    ):
        assert required in users
