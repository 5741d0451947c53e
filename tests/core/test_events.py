"""Events are dispatched after commit and dropped on rollback."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from puente.core import events


@dataclass(frozen=True)
class ThingHappened:
    """Published by this test only."""

    thing_id: str


received: list[str] = []


@events.subscribe(ThingHappened)
def _on_thing(event: ThingHappened) -> None:
    received.append(event.thing_id)


def test_dispatched_only_after_commit(session: Session) -> None:
    received.clear()
    events.publish(session, ThingHappened("a"))
    assert received == []
    session.commit()
    assert received == ["a"]


def test_dropped_on_rollback(session: Session) -> None:
    received.clear()
    events.publish(session, ThingHappened("b"))
    session.rollback()
    session.commit()
    assert received == []


def test_a_failing_handler_does_not_break_the_others(session: Session) -> None:
    received.clear()

    @events.subscribe(ThingHappened)
    def boom(event: ThingHappened) -> None:
        raise RuntimeError("handler failure")

    try:
        events.publish(session, ThingHappened("c"))
        session.commit()
    finally:
        events._handlers[ThingHappened].remove(boom)
    assert received == ["c"]
