"""PostgreSQL row-level security for tenant tables (the second wall).

Each tenant table gets ENABLE and FORCE ROW LEVEL SECURITY (so the owning app role is
subject to it too) and one policy keyed on `app.tenant_ids`, which `core.db` sets per
transaction. With the setting absent, no row is visible. Migrations call these helpers
for every table that has `tenant_code`; `tests/test_rls.py` checks none is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alembic import op
from sqlalchemy import text

POLICY = "tenant_wall"
_CONDITION = (
    "(current_setting('app.tenant_ids', true) = '*' OR tenant_code = ANY("
    "string_to_array(current_setting('app.tenant_ids', true), ',')))"
)


REGION_READ = "region_read"
REGION_WRITE = "region_write"
_REGION_READ = "(current_setting('app.region_read', true) = 'on')"
_REGION_WRITE = "(current_setting('app.region_write', true) = 'on')"


def enable_rls(table: str, *, shared: bool = False) -> None:
    """Wall `table` by tenant. A *shared* table (aggregates, catalogues, alerts) is
    also readable, and writable, by actors whose regional grants open the region
    (`core.db.RlsScope`); person-level tables must never be shared."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY} ON {table} USING {_CONDITION} WITH CHECK {_CONDITION}"
    )
    if shared:
        share_rls(table)


def share_rls(table: str) -> None:
    """Add the regional policies to an already walled table."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE POLICY {REGION_READ} ON {table} FOR SELECT USING {_REGION_READ}"
    )
    op.execute(
        f"CREATE POLICY {REGION_WRITE} ON {table} USING {_REGION_WRITE} "
        f"WITH CHECK {_REGION_WRITE}"
    )


def share_rls_read(table: str) -> None:
    """Add only the regional read policy to an already walled table: regional
    readers see every tenant's rows; writes stay walled to the tenant."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE POLICY {REGION_READ} ON {table} FOR SELECT USING {_REGION_READ}"
    )


def unshare_rls(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {REGION_READ} ON {table}")
    op.execute(f"DROP POLICY IF EXISTS {REGION_WRITE} ON {table}")


def disable_rls(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    unshare_rls(table)
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def forbid_update_delete(table: str, *, sqlite: bool = False) -> None:
    """Append-only on PostgreSQL (and on SQLite too when `sqlite`): triggers refuse
    UPDATE and DELETE."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite" and sqlite:
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        return
    if dialect != "postgresql":
        return
    op.execute(
        f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql"""
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
    )


def allow_update_delete(table: str, *, sqlite: bool = False) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite" and sqlite:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        return
    if dialect != "postgresql":
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")


def wall_role(
    connection: Any, role: str, tables: Sequence[str], walled: Sequence[str]
) -> bool:
    """A database role that may use `tables` only: grant it those, and revoke it
    (and PUBLIC) everything on each table whose name starts with one of `walled`.
    Creates the role when the connected user may (superuser or CREATEROLE); returns
    False, doing nothing, when the role neither exists nor can be made. PostgreSQL
    only; identifiers come from code, never from input."""
    if connection.dialect.name != "postgresql":
        return False
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if exists is None:
        may = connection.execute(
            text(
                "SELECT rolsuper OR rolcreaterole FROM pg_roles"
                " WHERE rolname = current_user"
            )
        ).scalar()
        if not may:
            return False
        connection.execute(text(f"CREATE ROLE {role} NOLOGIN"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    for table in tables:
        connection.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
        )
    names = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).scalars()
    for name in names:
        if str(name).startswith(tuple(walled)):
            connection.execute(text(f'REVOKE ALL ON "{name}" FROM {role}, PUBLIC'))
    return True
