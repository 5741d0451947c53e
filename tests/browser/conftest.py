"""Browser tests: a real server on loopback (uvicorn in a thread) over a fresh SQLite
database with the full demo loaded, driven by Playwright in Debian's Chromium.

Run with `pytest --browser` (CI sets PUENTE_TEST_BROWSER=1). Never downloads a browser.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
import uvicorn

from puente.core.config import get_settings

CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "puente-demo-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The live server runs in this process and reads its settings (the key
# directory above all: keys are looked up per request) from the environment.
# Other tests in the same worker point the environment at their own database
# and keys between two browser tests, so each browser test puts the server's
# back first (the server is idle between tests).
LIVE_SETTINGS: dict[str, tuple[str, str]] = {}


def remember_settings(url: str) -> None:
    """Record the settings the server at `url` was started with."""
    LIVE_SETTINGS[url] = (
        os.environ["PUENTE_DATABASE_URL"],  # noqa: TID251 - test switch
        os.environ["PUENTE_KEY_DIR"],  # noqa: TID251 - test switch
    )


@pytest.fixture(autouse=True)
def live_settings(request: pytest.FixtureRequest) -> None:
    if "live_server" not in request.fixturenames:
        return
    url = request.getfixturevalue("live_server")
    if url in LIVE_SETTINGS:
        database_url, key_dir = LIVE_SETTINGS[url]
        os.environ["PUENTE_DATABASE_URL"] = database_url  # noqa: TID251
        os.environ["PUENTE_KEY_DIR"] = key_dir  # noqa: TID251
        os.environ["PUENTE_ENV"] = "test"  # noqa: TID251
        get_settings.cache_clear()


def forget_authenticator(username: str) -> None:
    """Send `username` back to MFA enrolment on the live server's database, for
    a test that shows enrolment whichever test logged the user in first."""
    from sqlalchemy import update

    from puente.core.db import uow
    from puente.identity.models import User

    with uow() as session:
        user_id = session.scalar(
            update(User)
            .where(User.username == username)
            .values(totp_secret=None, totp_last_step=0, mfa_enrolled_at=None)
            .returning(User.id)
        )
        assert user_id is not None, username
    for key in [k for k in TOTP_SECRETS if k[1] == username]:
        del TOTP_SECRETS[key]


def forget_last_step(server: str, username: str) -> bool:
    """Let `username` use the current code again on the server at `server`;
    False when that server's database is not known here."""
    if server not in LIVE_SETTINGS:
        return False
    from sqlalchemy import update

    from puente.core import db as core_db
    from puente.identity.models import User

    engine = core_db.make_engine(LIVE_SETTINGS[server][0])
    try:
        with core_db.uow(engine=engine) as session:
            forgotten = session.execute(
                update(User).where(User.username == username).values(totp_last_step=0)
            )
            assert forgotten.rowcount == 1, username  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    return True


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a migrated, demo-loaded Puente; yields its base URL."""
    from puente.app import create_app
    from puente.core import db as core_db
    from puente.core.migrate import upgrade
    from puente.demo import load_demo

    base = tmp_path_factory.mktemp("live")
    os.environ["PUENTE_DATABASE_URL"] = f"sqlite:///{base / 'live.db'}"  # noqa: TID251
    os.environ["PUENTE_KEY_DIR"] = str(base / "keys")  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()
    upgrade("heads")
    load_demo()
    port = _free_port()
    remember_settings(f"http://127.0.0.1:{port}")
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: str) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


# Keyed by server and username: test modules with a server of their own
# enrol the same demo users with other secrets.
TOTP_SECRETS: dict[tuple[str, str], str] = {}


def server_of(page: Any) -> str:
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


def remember_secret(page: Any, username: str, secret: str) -> None:
    TOTP_SECRETS[(server_of(page), username)] = secret


def sign_in(page: Any, username: str) -> None:
    """Log `username` in through the real pages of the page's server, enrolling
    MFA on first use."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    if "/mfa/enroll" in page.url:
        secret = page.locator("#totp-secret").inner_text().strip()
        remember_secret(page, username, secret)
        page.locator("#code").fill(pyotp.TOTP(secret).now())
        page.locator("form[action='/mfa/enroll'] button[type=submit]").click()
    elif page.url.endswith("/mfa"):
        totp = pyotp.TOTP(TOTP_SECRETS[(server_of(page), username)])
        # A code's time step can be used once and an earlier login may have used
        # this one: forget the step used last rather than wait up to 30 s for the
        # next (the refusal of a replayed code is proven in tests/identity).
        if not forget_last_step(server_of(page), username):
            time.sleep(31 - time.time() % 30)
        page.locator("#code").fill(totp.now())
        page.locator("form[action='/mfa'] button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def log_in(live_server: str) -> Callable[[Any, str], None]:
    """Log `username` in through the real pages, enrolling MFA on first use."""
    return sign_in


AXE = Path(__file__).with_name("vendor") / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[str]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page; the page's context
    must be created with `bypass_csp=True` so the test can inject the script (once
    per page load: a second call on the same page, at another width, reuses it)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.fixture
def audit_page(chromium: Any, live_server: str) -> Iterator[Any]:
    """A page whose context lets the accessibility checker in (CSP bypassed)."""
    context = chromium.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(chromium: Any, live_server: str) -> Iterator[Callable[[], Any]]:
    """Fresh browser contexts (one per person) that let axe-core in."""
    contexts: list[Any] = []

    def make() -> Any:
        context = chromium.new_context(
            base_url=live_server, bypass_csp=True, accept_downloads=True
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def check_layout(page: Any) -> None:
    """axe-core finds nothing and nothing scrolls sideways, on a phone and a desk."""
    for width, height in ((375, 740), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], (page.url, width)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (page.url, width, overflow)
