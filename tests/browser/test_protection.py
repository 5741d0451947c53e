"""A caseworker in Spanish registers a family, screens a child as separated, opens
a case and refers it to a service; the supervisor approves the assessment and the
case plan. Two browser contexts, so that each person logs in once."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn

from puente.core.config import get_settings
from tests.browser.conftest import _free_port, remember_settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like the shared `live_server`, but loads only the demo data this story needs
    (identity, people, protection), so another module's demo cannot break it."""
    import os

    from rich.progress import Progress

    from puente.app import create_app
    from puente.core import db as core_db
    from puente.core.migrate import upgrade
    from puente.demo import load_identity
    from puente.people import demo as people_demo
    from puente.protection import demo as protection_demo

    base = tmp_path_factory.mktemp("live-protection")
    os.environ["PUENTE_DATABASE_URL"] = f"sqlite:///{base / 'live.db'}"  # noqa: TID251
    os.environ["PUENTE_KEY_DIR"] = str(base / "keys")  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()
    upgrade("heads")
    with core_db.uow() as session:
        load_identity(session)
    with Progress(transient=True) as progress:
        for module in (people_demo, protection_demo):
            with core_db.uow() as session:
                module.load(session, progress)
    port = _free_port()
    remember_settings(f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
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


def _approve(page: Any, case_number: str, kind: str) -> None:
    page.goto("/protection/approvals")
    row = page.locator(f"tr[data-case='{case_number}'][data-kind='{kind}']")
    row.locator("button.approve").click()
    page.wait_for_load_state()
    assert (
        page.locator(f"tr[data-case='{case_number}'][data-kind='{kind}']").count() == 0
    )


def test_family_child_screened_case_referred_plan_approved(
    page: Any, chromium: Any, live_server: str, log_in: Callable[[Any, str], None]
) -> None:
    log_in(page, "caseworker.col")
    page.goto("/people/households/new")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("#member-0-given_name").fill("Yolanda")
    page.locator("#member-0-family_name").fill("Castillo Mora")
    page.locator("#member-0-sex").select_option("F")
    page.locator("#member-0-birth_date").fill("1988-02-11")
    page.locator("#member-0-nationality").select_option(label="Venezuela")
    page.locator("#member-1-relationship").select_option("child")
    page.locator("#member-1-given_name").fill("Samuel")
    page.locator("#member-1-family_name").fill("Castillo Mora")
    page.locator("#member-1-sex").select_option("M")
    page.locator("#member-1-birth_date").fill("2015-07")
    page.locator("#member-1-nationality").select_option(label="Venezuela")
    page.locator("#member-1-is_separated").check()
    page.locator("#household-submit").click()
    page.wait_for_url(re.compile(r".*/people/households/[0-9a-f-]+(\?.*)?$"))
    href = page.locator("#household-members a", has_text="Samuel").get_attribute("href")
    child_id = href.rsplit("/", 1)[-1]

    # Screen the child as separated (keyboard-usable checkboxes).
    page.goto(f"/protection/screen/{child_id}")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("#q-is_child").check()
    page.locator("#q-is_separated").check()
    page.locator("#screening-submit").click()
    page.wait_for_load_state()
    assert page.locator("#screening-flags li[data-flag='separated_child']").count() == 1
    assert (
        page.locator("#recommended-action").get_attribute("data-action")
        == "open_child_protection_case"
    )
    page.locator("#open-case").click()
    page.wait_for_url(re.compile(r".*/protection/cases/[0-9a-f-]+(\?.*)?$"))
    case_url = page.url
    case_number = page.locator("#case-number").inner_text().strip()
    page.locator("#move-assessment").click()
    page.wait_for_load_state()
    page.locator("#request-approval").click()
    page.wait_for_load_state()

    # Refer to a service, with purpose-bound consent.
    page.locator("#refer-link").click()
    page.wait_for_load_state()
    shelter = page.locator("#service_id option", has_text="Fundación Refugio")
    page.locator("#service_id").select_option(shelter.get_attribute("value"))
    page.locator("#purpose").fill("Alojamiento seguro para la familia")
    page.locator("#share-specific_needs").check()
    page.locator("#consent").check()
    page.locator("#send-referral").click()
    page.wait_for_load_state()
    assert (
        page.locator("#referral-list li")
        .first.inner_text()
        .startswith("Alojamiento seguro")
    )

    # The supervisor, in another browser, approves the assessment.
    context = chromium.new_context(base_url=live_server, locale="es-CO")
    supervisor = context.new_page()
    try:
        log_in(supervisor, "supervisor.col")
        _approve(supervisor, case_number, "assessment")

        page.goto(case_url)
        page.locator("#move-case_plan").click()
        page.wait_for_load_state()
        page.locator("#goal-description").fill("Reunificación familiar segura")
        page.locator("#goal-task").fill("Entrevista con la madre")
        page.locator("#add-goal").click()
        page.wait_for_load_state()
        page.locator("#request-approval").click()
        page.wait_for_load_state()

        _approve(supervisor, case_number, "case_plan")
    finally:
        context.close()

    page.goto(case_url)
    page.locator("#move-services").click()
    page.wait_for_load_state()
    assert page.locator("#case-state").get_attribute("data-state") == "services"
    timeline = page.locator("#timeline").inner_text()
    # The timeline reads in words, in the caseworker's Spanish, never as codes.
    assert "Aprobado por la supervisión" in timeline
    assert "Derivado a un servicio" in timeline
    assert "approval_approved" not in timeline
