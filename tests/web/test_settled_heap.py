"""`puente serve` builds the app with `serving_app`: what start-up made is frozen
out of the garbage collector's sight, so full collections no longer scan the
whole start-up heap every few requests (0.5–1.3 s pauses, benchmarks/pages.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from puente import cli
from puente.app import serving_app
from puente.core.config import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite collects as usual


def test_the_start_up_heap_is_frozen(settings: Settings, unfrozen: None) -> None:
    assert gc.get_freeze_count() == 0
    app = serving_app()
    assert app.title == "Puente"
    # Imports, routes, templates: far more than any single request makes.
    assert gc.get_freeze_count() > 50_000
    assert gc.get_count()[0] < 100  # collected first: nothing pending was frozen


def test_the_server_runs_the_serving_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    called: dict[str, object] = {}

    def run(target: str, **options: object) -> None:
        called.update(options, target=target)

    monkeypatch.setattr("uvicorn.run", run)
    cli.serve(host="127.0.0.1", port=8765, reload=False)
    assert called["target"] == "puente.app:serving_app"
    assert called["factory"] is True
