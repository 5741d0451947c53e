"""Every route is prepared when the app is built (`app.warm_routes`): a person's
first visit to a page far down the route table no longer pays for preparing
hundreds of routes (~0.5 s of CPU on the commitments board and early warning)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from puente.app import create_app
from puente.core.config import Settings

Login = Callable[[TestClient, str], TestClient]


@pytest.fixture
def prepared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The routes FastAPI prepares (builds the dependency tree of) from now on."""
    seen: list[str] = []
    original = fastapi.routing.get_dependant  # type: ignore[attr-defined]

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(str(kwargs.get("path", "")))
        return original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "get_dependant", counting)
    return seen


@pytest.mark.parametrize("warm", [True, False])
def test_a_first_visit_prepares_no_route_when_warmed(
    sessions: sessionmaker[Session],
    settings: Settings,
    login_as: Login,
    prepared: list[str],
    warm: bool,
) -> None:
    app = create_app(settings.model_copy(update={"warm_routes": warm}), sessions)
    with TestClient(app, base_url="http://testserver") as client:
        login_as(client, "focal_point.pan")
        prepared.clear()
        assert client.get("/commitments").status_code == 200
    if warm:
        assert prepared == []
    else:  # the check above can fail: unwarmed, this visit prepares many routes
        assert len(prepared) > 50
