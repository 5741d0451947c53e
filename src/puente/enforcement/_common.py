"""What the enforcement routes share: `Walled`, the route permission that also
puts the rest of the request's unit of work behind the database wall."""

from __future__ import annotations

import structlog
from fastapi import Request
from sqlalchemy.orm import Session

from puente.enforcement.errors import EnforcementWallMissing
from puente.enforcement.service import wall
from puente.identity import Actor
from puente.web.deps import DbSession, Require

log = structlog.get_logger(__name__)


def wall_role(request: Request) -> str:
    return str(request.app.state.settings.enforcement_db_role)


def _wall_ready(request: Request, session: Session) -> None:
    """Once per process (until it holds): check the role and its grants in a unit
    of work of its own, fixing what the application may. Refuses (503) naming the
    role and the administrator's command when it cannot."""
    if getattr(request.app.state, "enforcement_wall_ok", False):
        return
    if session.get_bind().dialect.name != "postgresql":
        request.app.state.enforcement_wall_ok = True
        return
    role = wall_role(request)
    with request.app.state.session_factory() as own:
        found = wall.ensure(own.connection(), role)
        own.commit()
    if not found.ok:
        log.warning(
            "enforcement_wall_unavailable",
            role=role,
            problems=list(found.problems),
            command=wall.GRANT_COMMAND,
        )
        raise EnforcementWallMissing(role=role, command=wall.GRANT_COMMAND)
    request.app.state.enforcement_wall_ok = True


class Walled(Require):
    """`Require(permission)`, then `SET LOCAL ROLE` to the enforcement role for
    the rest of the unit of work (identity's reads come before it)."""

    def __call__(self, request: Request, session: DbSession) -> Actor:
        actor = super().__call__(request, session)
        _wall_ready(request, session)
        wall.enter(session, wall_role(request))
        return actor
