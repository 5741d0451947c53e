"""Home panels: modules register them; the home page shows those the actor may see
and survives a broken one."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.core.errors import PermissionDenied
from puente.identity import Actor, Role
from puente.web import templating
from puente.web.templating import HomePanel, HomePanelView, panels_for

Login = Callable[[TestClient, str], TestClient]


def _actor(role: Role) -> Actor:
    return Actor(uuid.uuid4(), "someone", "HUB", None, frozenset({role}))


@pytest.fixture
def only(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Replace the registry with just the given panels for one test."""

    def use(*panels: HomePanel) -> None:
        monkeypatch.setattr(templating, "HOME_PANELS", {p.key: p for p in panels})

    return use


def _view(name: str) -> HomePanelView:
    return HomePanelView("early_warning/_home_notices.html", {"name": name})


class TestPanelsFor:
    def test_shows_panels_in_order_for_permitted_actors_only(
        self, session: Session, only: Callable[..., None]
    ) -> None:
        built: list[str] = []

        def build(name: str) -> Callable[[Session, Actor], HomePanelView]:
            def run(_session: Session, _actor: Actor) -> HomePanelView:
                built.append(name)
                return _view(name)

            return run

        only(
            HomePanel("b", "alert:read", build("b"), order=2),
            HomePanel("a", "alert:read", build("a"), order=1),
            HomePanel("c", "case:read", build("c")),
        )
        views = panels_for(session, _actor(Role.ANALYST))
        assert [v.context["name"] for v in views] == ["a", "b"]
        assert built == ["a", "b"]  # the caseworker's panel was never built

    def test_leaves_out_empty_and_failing_panels(
        self, session: Session, only: Callable[..., None]
    ) -> None:
        def denied(_session: Session, _actor: Actor) -> HomePanelView:
            raise PermissionDenied()

        def broken(_session: Session, _actor: Actor) -> HomePanelView:
            raise RuntimeError("boom")

        only(
            HomePanel("empty", "dashboard:view", lambda _s, _a: None),
            HomePanel("denied", "dashboard:view", denied),
            HomePanel("broken", "dashboard:view", broken),
            HomePanel("fine", "dashboard:view", lambda _s, _a: _view("fine")),
        )
        views = panels_for(session, _actor(Role.DONOR))
        assert [v.context["name"] for v in views] == ["fine"]

    def test_the_home_page_survives_a_broken_panel(
        self,
        client: TestClient,
        login_as: Login,
        only: Callable[..., None],
    ) -> None:
        def broken(_session: Session, _actor: Actor) -> HomePanelView:
            raise RuntimeError("boom")

        only(HomePanel("broken", "dashboard:view", broken))
        login_as(client, "donor.can")
        page = client.get("/")
        assert page.status_code == 200
        assert "Dashboard" in page.text
