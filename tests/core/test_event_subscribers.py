"""Events are published only when some subscriber uses them (issue #10): an event
nobody handles is dead weight that readers take for a reaction that happens.
Found from the source: every `events.publish(session, Event(...))` against every
`events.subscribe(Event)` / `events.subscribe_in_transaction(Event)`. The events
still published without a subscriber are listed by name; the list may only shrink."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "puente"

# Published, but nothing subscribes yet: drop the publish or add the reaction.
PENDING: set[str] = set()


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _published_and_subscribed() -> tuple[set[str], set[str]]:
    published: set[str] = set()
    subscribed: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = _name(node.func)
            if called == "publish" and len(node.args) == 2:
                event = node.args[1]
                if isinstance(event, ast.Call):
                    published.add(_name(event.func))
            elif called.startswith("subscribe") and node.args:
                subscribed.add(_name(node.args[0]))
    return published, subscribed


def test_the_finder_sees_publications_and_subscriptions() -> None:
    published, subscribed = _published_and_subscribed()
    assert {"FlowsImported", "PathwayChanged"} <= published & subscribed


def test_every_published_event_has_a_subscriber() -> None:
    published, subscribed = _published_and_subscribed()
    assert published - subscribed == PENDING
