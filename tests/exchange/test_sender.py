"""The background sender sends a queued envelope at once: `EnvelopeQueued`,
dispatched after the commit that queued it, wakes every running sender instead
of leaving the envelope until the sender's next turn (issue #10)."""

from __future__ import annotations

import threading
import uuid
from typing import NoReturn

from puente.core import events
from puente.exchange import service
from puente.exchange.events import EnvelopeQueued


def test_a_queued_envelope_wakes_the_sender_before_its_interval() -> None:
    runs: list[str] = []
    ran = threading.Event()

    def unit_of_work() -> NoReturn:
        runs.append("run")
        ran.set()
        # No database here: stop before `deliver_due`; the sender logs and waits.
        raise RuntimeError("no database in this test")

    stop = threading.Event()
    thread = service.start_sender(3600, unit_of_work, stop=stop)
    try:
        assert not ran.wait(0.3)  # an hour's interval: nothing runs by itself
        events.dispatch(EnvelopeQueued(uuid.uuid4()))
        assert ran.wait(10)
        assert runs == ["run"]
    finally:
        stop.set()
        events.dispatch(EnvelopeQueued(uuid.uuid4()))  # wake it to see the stop
        thread.join(10)
    assert not thread.is_alive()
    assert runs == ["run"]  # the wake-up after the stop ran nothing
