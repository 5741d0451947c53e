"""The tenant walls: the application filter, and PostgreSQL row-level security alone.

State B must never see state A's rows, on SQLite and on PostgreSQL, and on
PostgreSQL also with the application filter switched off.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from puente.all_models import load_all_models
from puente.core import audit
from puente.core.config import get_settings
from puente.core.db import set_tenant_scope
from puente.identity import rls_scope, visible
from puente.identity.models import Organisation, User
from puente.identity.service import actor_for


def _actor(session: Session, username: str):  # type: ignore[no-untyped-def]
    return actor_for(
        session.scalars(select(User).where(User.username == username)).one()
    )


def test_application_filter_hides_other_tenants(session: Session) -> None:
    admin = _actor(session, "admin")
    assert admin.tenant_code == "HUB"
    rows = session.scalars(visible(admin, select(User), User, "user:read")).all()
    assert rows
    assert {u.tenant_code for u in rows} == {"HUB"}


def test_actor_without_the_permission_sees_nothing(session: Session) -> None:
    caseworker = _actor(session, "caseworker.pan")
    rows = session.scalars(visible(caseworker, select(User), User, "user:read")).all()
    assert rows == []


def test_rls_alone_walls_tenants(
    session: Session, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    monkeypatch.setattr(get_settings(), "app_filter_enabled", False)
    pan = _actor(session, "caseworker.pan")
    col = _actor(session, "caseworker.col")
    audit.record(session, col, "test:col:write", object_type="test", object_id="a")
    set_tenant_scope(session, rls_scope(pan))
    # With the application filter off, the query asks for everything...
    users = session.scalars(visible(pan, select(User), User, "user:read")).all()
    orgs = session.scalars(select(Organisation)).all()
    events = session.scalars(select(audit.AuditEvent)).all()
    # ...and the database returns only PAN's rows.
    assert users
    assert {u.tenant_code for u in users} == {"PAN"}
    assert orgs
    assert {o.tenant_code for o in orgs} == {"PAN"}
    assert all(e.tenant_code == "PAN" for e in events)
    # Writing into another tenant is refused too.
    nested = session.begin_nested()
    session.add(Organisation(tenant_code="COL", slug="x", name="x", kind="ngo"))
    with pytest.raises(Exception, match="row-level security"):
        session.flush()
    nested.rollback()


def test_rls_with_no_scope_shows_nothing(session: Session, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    session.execute(text("SELECT set_config('app.tenant_ids', '', true)"))
    assert session.scalars(select(User)).all() == []


def test_every_tenant_table_has_rls_enabled_and_forced(
    session: Session, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    tables = [
        t.name for t in load_all_models().metadata.sorted_tables if "tenant_code" in t.c
    ]
    rows = session.execute(
        text(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(:names)"
        ),
        {"names": tables},
    ).all()
    flags = {name: (enabled, forced) for name, enabled, forced in rows}
    assert set(flags) == set(tables)
    assert all(flags[t] == (True, True) for t in tables), flags


def test_app_role_cannot_bypass_rls(session: Session, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    row = session.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert tuple(row) == (False, False)


def test_inspector_sees_the_tables(session: Session) -> None:
    names = set(inspect(session.get_bind()).get_table_names())
    assert {"app_user", "audit_event", "organisation", "tenant"} <= names


def test_regional_reader_is_still_walled_from_person_tables(
    session: Session, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pathways officer reads the region's catalogue, never another state's people."""
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    monkeypatch.setattr(get_settings(), "app_filter_enabled", False)
    officer = _actor(session, "pathways.bra")
    scope = rls_scope(officer)
    assert scope.tenants == "BRA"
    assert scope.region_read
    assert not scope.region_write
    set_tenant_scope(session, scope)
    people_tenants = session.execute(text("SELECT DISTINCT tenant_code FROM person"))
    assert {row[0] for row in people_tenants} <= {"BRA"}
    users = session.scalars(select(User)).all()
    assert {u.tenant_code for u in users} == {"BRA"}


def test_shared_tables_have_the_regional_policies(
    session: Session, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    policies = session.execute(
        text(
            "SELECT tablename, policyname FROM pg_policies "
            "WHERE policyname LIKE 'region_%'"
        )
    ).all()
    shared = {table for table, _name in policies}
    assert {
        "alert",
        "trigger_firing",
        "pathway_catalogue_version",
        "pathway_job_offer",
        "organisation",
    } <= shared
    # Person-level tables are never shared.
    assert not shared & {
        "person",
        "protection_case",
        "sensitive_attribute",
        "pathway_screening",
        "pathway_application",
        "pathway_totalisation",
        "app_user",
    }


def test_organisations_are_a_read_only_regional_directory(
    session: Session, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub coordinator reads every state's organisations (to assign plan
    tasks) under RLS alone, and still cannot rename another state's."""
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    monkeypatch.setattr(get_settings(), "app_filter_enabled", False)
    coordinator = _actor(session, "coordinator.hub")
    scope = rls_scope(coordinator)
    assert scope.region_read
    set_tenant_scope(session, scope)
    tenants = {o.tenant_code for o in session.scalars(select(Organisation))}
    assert {"PAN", "COL", "HUB"} <= tenants
    renamed = session.execute(
        text("UPDATE organisation SET name = 'x' WHERE tenant_code = 'PAN'")
    )
    assert renamed.rowcount == 0  # type: ignore[attr-defined]
    # Person-level rows stay walled for the same reader.
    users = {u.tenant_code for u in session.scalars(select(User))}
    assert users <= {"HUB"}
