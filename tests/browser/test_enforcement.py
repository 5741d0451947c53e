"""Issue 14's must-show for the walled channel, in Chromium: an investigator of
Colombia, in Spanish, records a network from the home page and shares its
modus-operandi report with Panama's investigator under an enforcement agreement
both states recorded; protection staff of either state see none of it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.browser
LogIn = Callable[[Any, str], None]
NETWORK = "Red del Darién 2026"
MODUS = "Cruce nocturno en lancha desde Necoclí, cobro por WhatsApp"


@pytest.fixture
def browse(chromium: Any, live_server: str) -> Iterator[Callable[[], Any]]:
    """A fresh browser context (its own cookies) per person."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = chromium.new_context(base_url=live_server, locale="es-CO")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def open_card(page: Any, url: str) -> None:
    page.wait_for_selector("main .cards")
    with page.expect_navigation():
        page.locator(f"main .cards a[href='{url}']").click()


def record_agreement(page: Any, partner: str, reference: str) -> None:
    page.locator("#partner_state").select_option(label=partner)
    page.locator("#reference").fill(reference)
    page.locator("#valid_until").fill("2027-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrar el acuerdo").click()


def add_entity(page: Any, kind: str, label: str) -> None:
    page.locator("#kind").select_option(label=kind)
    page.locator("#label").fill(label)
    with page.expect_navigation():
        page.get_by_role("button", name="Añadir la entidad").click()


def test_investigator_shares_a_network_and_protection_sees_nothing(
    browse: Callable[[], Any], log_in: LogIn
) -> None:
    # Panama's investigator records Panama's side of the agreement first.
    pan = browse()
    log_in(pan, "investigator.pan")
    assert pan.locator("html").get_attribute("lang") == "es"
    open_card(pan, "/enforcement")
    record_agreement(pan, "Colombia", "ACU-COL-PAN-2026")

    col = browse()
    log_in(col, "investigator.col")
    assert col.locator("html").get_attribute("lang") == "es"
    open_card(col, "/enforcement")
    col.locator("#name").fill(NETWORK)
    col.locator("#summary").fill("Tráfico de migrantes por el golfo de Urabá")
    with col.expect_navigation():
        col.get_by_role("button", name="Registrar la red").click()
    assert re.search(r"/enforcement/networks/[0-9a-f-]+$", col.url)
    add_entity(col, "Ruta", "Necoclí – Capurganá – Darién")
    add_entity(col, "Modus operandi", MODUS)
    add_entity(col, "Número de teléfono", "+57 300 555 0101")
    col.locator("#source_id").select_option(label="Necoclí – Capurganá – Darién")
    col.locator("#target_id").select_option(label=MODUS)
    col.locator("#relation").fill("usa")
    with col.expect_navigation():
        col.get_by_role("button", name="Vincularlas").click()
    assert "Necoclí – Capurganá – Darién" in col.locator("ol").inner_text()
    network_url = col.url
    col.locator("#recipient_state").select_option(label="Panamá")
    with col.expect_navigation():
        col.get_by_role("button", name="Compartir bajo el acuerdo").click()
    # Refused and said so: Colombia has not recorded its side yet.
    assert col.locator("[role=alert]").count() == 1
    # Colombia records its side; now the report crosses.
    col.locator("a[href='/enforcement']").first.click()
    col.wait_for_load_state()
    record_agreement(col, "Panamá", "ACU-COL-PAN-2026")
    with col.expect_navigation():
        col.get_by_role("link", name=NETWORK).click()
    assert col.url == network_url
    col.locator("#recipient_state").select_option(label="Panamá")
    with col.expect_navigation():
        col.get_by_role("button", name="Compartir bajo el acuerdo").click()
    assert "Informe compartido con Panamá." in col.locator("[role=status]").inner_text()

    # Panama's investigator sees the report, with its modus operandi.
    pan.reload()
    received = pan.locator("section[aria-labelledby='received-h']").inner_text()
    assert NETWORK in received
    assert MODUS in received

    # Protection staff of both states: no card, refused at the door, nothing shown.
    network_path = network_url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    for username in ("caseworker.col", "protection.col", "caseworker.pan"):
        other = browse()
        log_in(other, username)
        other.wait_for_selector("main .cards")
        assert other.locator("main a[href^='/enforcement']").count() == 0
        assert NETWORK not in other.locator("body").inner_text()
        for path in ("/enforcement", "/" + network_path):
            answer = other.goto(path)
            assert answer is not None
            assert answer.status == 403, (username, path)
            body = other.locator("body").inner_text()
            assert NETWORK not in body
            assert MODUS not in body
