"""Route notes: when a state changes the entry regime of a nationality (e.g.
imposes a visa), flows move, so every endorsing state after it on a route that
nationality travels gets a note. The routes are a documented table
(`data/routes.json`). Notes carry codes and dates only; the pathways event is
handed here by the composition root (the modules stay independent).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.early_warning.models.alerts import RouteNote
from puente.identity import Actor, authorize, visible
from puente.reference import ENDORSING_STATES

log = structlog.get_logger(__name__)
ROUTES_PATH: Final = Path(__file__).resolve().parent.parent / "data" / "routes.json"


@dataclass(frozen=True, slots=True)
class Route:
    id: str
    nationalities: tuple[str, ...]
    states: tuple[str, ...]

    def travelled_by(self, nationality: str) -> bool:
        return "*" in self.nationalities or nationality in self.nationalities


@cache
def routes() -> tuple[Route, ...]:
    document = json.loads(ROUTES_PATH.read_text(encoding="utf-8"))
    return tuple(
        Route(str(r["id"]), tuple(r["nationalities"]), tuple(r["states"]))
        for r in document["routes"]
    )


def downstream(
    state: str, nationality: str, table: Sequence[Route] | None = None
) -> dict[str, str]:
    """Endorsing states after `state` on the routes `nationality` travels, each
    with the first route that reaches it (never the nationality's own state)."""
    found: dict[str, str] = {}
    for route in table if table is not None else routes():
        if state not in route.states or not route.travelled_by(nationality):
            continue
        after = route.states[route.states.index(state) + 1 :]
        for nxt in after:
            if nxt in ENDORSING_STATES and nxt not in (nationality, state):
                found.setdefault(nxt, route.id)
    return found


def note_regime_change(
    session: Session,
    *,
    changed_state: str,
    nationality: str,
    previous: str,
    regime: str,
    on: dt.date,
) -> list[RouteNote]:
    """Write one note per downstream state (once per change)."""
    notes = []
    for state, route_id in sorted(downstream(changed_state, nationality).items()):
        exists = session.scalars(
            select(RouteNote.id).where(
                RouteNote.tenant_code == state,
                RouteNote.changed_state == changed_state,
                RouteNote.nationality == nationality,
                RouteNote.regime == regime,
                RouteNote.effective_on == on,
            )
        ).first()
        if exists is not None:
            continue
        note = RouteNote(
            tenant_code=state,
            changed_state=changed_state,
            nationality=nationality,
            previous=previous,
            regime=regime,
            route_id=route_id,
            effective_on=on,
        )
        session.add(note)
        notes.append(note)
    session.flush()
    log.info("route_notes_written", changed_state=changed_state, notes=len(notes))
    return notes


@dataclass(frozen=True, slots=True)
class RouteNoteRead:
    id: str
    state: str
    changed_state: str
    nationality: str
    previous: str
    regime: str
    route_id: str
    effective_on: dt.date


def list_route_notes(
    session: Session, *, actor: Actor, state: str | None = None
) -> list[RouteNoteRead]:
    """Route notes (newest first) the actor may read: a state's own, every
    state's for the hub; needs `alert:read`."""
    authorize(actor, "alert:read", tenant_code=state or actor.tenant_code)
    stmt = select(RouteNote).order_by(RouteNote.created_at.desc()).limit(500)
    if state:
        stmt = stmt.where(RouteNote.tenant_code == state)
    stmt = visible(actor, stmt, RouteNote, "alert:read")
    return [
        RouteNoteRead(
            str(n.id),
            n.tenant_code,
            n.changed_state,
            n.nationality,
            n.previous,
            n.regime,
            n.route_id,
            n.effective_on,
        )
        for n in session.scalars(stmt)
    ]


def route_table() -> Mapping[str, tuple[str, ...]]:
    return {r.id: r.states for r in routes()}
