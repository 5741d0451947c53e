"""The enforcement wall at the database (PostgreSQL): every enforcement unit of work
runs as one role (`Settings.enforcement_db_role`, `puente_enforcement`) that may use
the `enforcement_*` tables and append to the audit chain, and nothing else: no
privilege on any table of people, protection or pathways.

`check` says what is wrong (ids for the log, never data), `grant_statements` is the
SQL an administrator runs (`puente enforcement grant-role`), `ensure` applies what
the connected user may (a table owner may grant; creating the role and letting the
application take it need CREATEROLE or a superuser), and `enter` switches a unit of
work to the role. SQLite has no roles: there the wall is the import contract and
its test.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from puente.core.db import set_db_role

log = structlog.get_logger(__name__)

TABLE_PREFIX = "enforcement_"
WALLED_PREFIXES = ("person", "people_", "household", "protection_", "pathway_")
ENFORCEMENT_PRIVILEGES: tuple[str, ...] = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Outside its own tables an enforcement unit of work only appends to the audit
# chain (reading and moving its head); it never reads the audit events.
AUDIT_PRIVILEGES = {
    "audit_event": ("INSERT",),
    "audit_head": ("SELECT", "UPDATE"),
    "audit_checkpoint": ("SELECT", "INSERT"),
}
GRANT_COMMAND = "puente enforcement grant-role --apply"


@dataclass(frozen=True)
class WallCheck:
    """The role's state: `problems` are ids such as `role_missing`,
    `not_a_member`, `grant_missing:enforcement_network` or
    `walled_readable:person`."""

    role: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _tables(connection: Connection) -> list[str]:
    return [
        str(name)
        for name in connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " ORDER BY tablename"
            )
        ).scalars()
    ]


def _needed(tables: list[str]) -> dict[str, tuple[str, ...]]:
    needed: dict[str, tuple[str, ...]] = {
        t: ENFORCEMENT_PRIVILEGES for t in tables if t.startswith(TABLE_PREFIX)
    }
    needed.update({t: p for t, p in AUDIT_PRIVILEGES.items() if t in tables})
    return needed


def _walled(tables: list[str]) -> list[str]:
    return [t for t in tables if t.startswith(WALLED_PREFIXES)]


def check(connection: Connection, role: str) -> WallCheck:
    """What stands between this connection's user and a walled unit of work."""
    if connection.dialect.name != "postgresql":
        return WallCheck(role)
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if exists is None:
        return WallCheck(role, ("role_missing",))
    problems: list[str] = []
    member = connection.execute(
        text("SELECT pg_has_role(current_user, :r, 'MEMBER')"), {"r": role}
    ).scalar()
    if not member:
        problems.append("not_a_member")
    tables = _tables(connection)
    privilege = text("SELECT has_table_privilege(:r, :t, :p)")
    for table, privileges in _needed(tables).items():
        for name in privileges:
            if not connection.execute(
                privilege, {"r": role, "t": f'"{table}"', "p": name}
            ).scalar():
                problems.append(f"grant_missing:{table}")
                break
    for table in _walled(tables):
        if connection.execute(
            privilege, {"r": role, "t": f'"{table}"', "p": "SELECT"}
        ).scalar():
            problems.append(f"walled_readable:{table}")
    return WallCheck(role, tuple(problems))


def grant_statements(
    connection: Connection, role: str, app_user: str | None = None
) -> list[str]:
    """The SQL that makes the wall, from the live catalogue: create the role,
    let `app_user` (default: the connected user) take it, grant it the
    enforcement tables and the audit chain, revoke it (and PUBLIC) everything on
    the walled tables. Identifiers come from the catalogue and configuration."""
    user = app_user or str(connection.execute(text("SELECT current_user")).scalar())
    schema = str(connection.execute(text("SELECT current_schema()")).scalar())
    tables = _tables(connection)
    statements = [
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
        f"'{role}') THEN CREATE ROLE {role} NOLOGIN; END IF; END $$",
        f'GRANT {role} TO "{user}"',
        f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
    ]
    for table, privileges in _needed(tables).items():
        statements.append(f'GRANT {", ".join(privileges)} ON "{table}" TO {role}')
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{table}"'}
        ).scalar()
        if sequence:
            statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {role}")
    statements.extend(
        f'REVOKE ALL ON "{table}" FROM {role}, PUBLIC' for table in _walled(tables)
    )
    return statements


def ensure(connection: Connection, role: str) -> WallCheck:
    """Check the wall and, when it is not whole, apply each statement the
    connected user may (each in its own savepoint; refusals are skipped); then
    check again."""
    found = check(connection, role)
    if found.ok:
        return found
    for statement in grant_statements(connection, role):
        try:
            with connection.begin_nested():
                connection.execute(text(statement))
        except DBAPIError:
            continue  # not this user's to do: the administrator's command is
    return check(connection, role)


def enter(session: Session, role: str) -> None:
    """The rest of this unit of work runs as `role` (PostgreSQL); call it once
    the actor is known and authorised, after identity's own reads."""
    set_db_role(session, role)


def behind_wall(session: Session, role: str | None = None) -> None:
    """For jobs and commands: check (and fix what may be fixed), then enter the
    wall; `EnforcementWallMissing` when it cannot be had. Web and API routes do
    the same through `Walled`, checking once per process."""
    from puente.core.config import get_settings
    from puente.enforcement.errors import EnforcementWallMissing

    name = role or get_settings().enforcement_db_role
    if not ensure(session.connection(), name).ok:
        log.warning("enforcement_wall_unavailable", role=name, command=GRANT_COMMAND)
        raise EnforcementWallMissing(role=name, command=GRANT_COMMAND)
    enter(session, name)
