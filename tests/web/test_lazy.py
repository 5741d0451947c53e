"""Heavy panels come after the page with a progress indicator when the browser
runs scripts (web/lazy.py, _lazy.html); without scripts they are drawn inline."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.requests import Request

from puente.web.lazy import JS_COOKIE, wants_lazy
from tests.early_warning.alert_factories import last_month
from tests.early_warning.test_web_past_alerts import _alert

Login = Callable[[TestClient, str], TestClient]
PANEL = 'hx-get="/early-warning/panels/charts"'


def _request(query: bytes = b"", cookie: str = "", hx: bool = False) -> Request:
    headers = [(b"cookie", cookie.encode())] if cookie else []
    if hx:
        headers.append((b"hx-request", b"true"))
    return Request({"type": "http", "query_string": query, "headers": headers})


def test_only_a_browser_that_runs_scripts_gets_placeholders() -> None:
    assert wants_lazy(_request(cookie=f"{JS_COOKIE}=1"))
    assert not wants_lazy(_request())
    assert not wants_lazy(_request(b"inline=1", cookie=f"{JS_COOKIE}=1"))
    assert not wants_lazy(_request(cookie=f"{JS_COOKIE}=1", hx=True))


def test_the_dashboard_charts_load_after_the_page_or_inline(
    client: TestClient, session: Session, login_as: Login
) -> None:
    alert_id = _alert(session, last_month())
    login_as(client, "focal_point.col")
    link = f'href="/early-warning/alerts/{alert_id}"'
    inline = client.get("/early-warning").text
    assert PANEL not in inline
    assert 'id="alert-series"' in inline.split('id="charts-h"', 1)[1]

    client.cookies.set(JS_COOKIE, "1")
    page = client.get("/early-warning").text
    panel = page.split(PANEL, 1)[0].rsplit("<div", 1)[1] + page.split(PANEL, 1)[1]
    assert 'aria-busy="true"' in panel
    assert 'hx-trigger="load"' in panel
    assert "Loading…" in panel.split("</div>", 1)[0]
    assert 'id="alert-series"' not in page  # not drawn until asked
    fragment = client.get(
        "/early-warning/panels/charts", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'id="charts-panel" aria-busy="false"' in fragment.text
    assert link in fragment.text.split('id="alert-series"', 1)[1]
    assert PANEL not in client.get("/early-warning?inline=1").text

    client.cookies.set("puente_lang", "es")
    spanish = client.get("/early-warning").text
    assert "Cargando…" in spanish.split(PANEL, 1)[1].split("</div>", 1)[0]


def test_an_offers_matches_load_after_the_page_or_inline(
    client: TestClient, session: Session, login_as: Login
) -> None:
    from tests.pathways.test_explanation_translations import _offer

    offer = _offer(session)
    login_as(client, "employer.can")
    url = f"/pathways/offers/{offer.id}"
    panel = f'hx-get="{url}/matches/panel"'
    inline = client.get(url).text
    assert panel not in inline
    assert 'id="matches"' in inline
    client.cookies.set(JS_COOKIE, "1")
    page = client.get(url).text
    assert panel in page
    assert 'id="matches"' not in page  # the matching waits for the panel
    fragment = client.get(f"{url}/matches/panel", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'id="matches-panel" aria-busy="false"' in fragment.text
    assert 'id="matches"' in fragment.text
