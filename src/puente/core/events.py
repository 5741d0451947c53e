"""In-process domain events, dispatched after commit and dropped on rollback.

Events are frozen, past-tense dataclasses carrying ids, never ORM objects or personal
data. Each handler runs in its own unit of work (it receives only the event).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import structlog
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

log = structlog.get_logger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]
_handlers: dict[type, list[Handler]] = defaultdict(list)
TransactionHandler = Callable[[Session, Any], None]
_in_transaction: dict[type, list[TransactionHandler]] = defaultdict(list)
_PENDING = "pending_events"


def subscribe(
    event_type: type[E],
) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register a handler for `event_type` (decorator)."""

    def register(fn: Callable[[E], None]) -> Callable[[E], None]:
        _handlers[event_type].append(fn)
        return fn

    return register


def subscribe_in_transaction(
    event_type: type[E],
) -> Callable[[Callable[[Session, E], None]], Callable[[Session, E], None]]:
    """Register a handler that runs at once, inside the publisher's transaction
    (decorator). Its writes commit or roll back with the change that published
    the event, and an error it raises undoes that change: for invariants that
    must hold in the stored state after every action."""

    def register(fn: Callable[[Session, E], None]) -> Callable[[Session, E], None]:
        _in_transaction[event_type].append(fn)
        return fn

    return register


def publish(session: Session, event: object) -> None:
    """Run the in-transaction handlers of `event`, then queue it on the session;
    the other handlers get it once the session commits."""
    if not session.in_transaction():
        session.begin()  # so that a rollback, even of no writes, drops the event
    for handler in list(_in_transaction.get(type(event), ())):
        handler(session, event)
    session.info.setdefault(_PENDING, []).append(event)


def dispatch(event: object) -> None:
    for handler in list(_handlers.get(type(event), ())):
        try:
            handler(event)
        except Exception:  # a handler failure must not undo a committed change
            log.exception("event_handler_failed", event_type=type(event).__name__)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for item in pending:
        dispatch(item)


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    # Only the outermost rollback drops events; a savepoint rollback keeps them.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
