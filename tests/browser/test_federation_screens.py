"""Must-show (issue 12) in Chromium over two real nodes on loopback (`puente
federation up --no-agreement`: COL and PAN, each its own uvicorn process and
database, no agreement yet). Colombia's focal point drafts a tracing agreement
and signs it; Panama's focal point signs it; a Colombian caseworker sends a
tracing request toward Panama and confirms the match Panama answers with;
Colombia's auditor sees the request sent and the candidates received in the
exchange log. Only clicks and words a person knows; the linkage secret of the
agreement drafted on screen reaches Panama sealed, never in clear."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from puente.core import i18n
from puente.labels import label
from puente.reference import country_name
from tests.browser.conftest import sign_in
from tests.exchange.loopback import Federation, federation_up, until

pytestmark = pytest.mark.slow

CHILD = {"given_name": "Yuleisy", "family_name": "Quintero Barrios", "sex": "F"}
PARENT = {"given_name": "Marisol", "family_name": "Barrios Peña", "sex": "F"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    root = tmp_path_factory.mktemp("screens")
    with federation_up(root, ["COL", "PAN"], agreement=False) as fed:
        yield fed


class Screen:
    """A person's browser tab on one node, and the words of its language."""

    def __init__(self, chromium: Any, fed: Federation, node: str, user: str) -> None:
        self.context = chromium.new_context(base_url=fed.url(node), locale="es-CO")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        sign_in(self.page, user)

    @property
    def lang(self) -> str:
        return str(self.page.locator("html").get_attribute("lang") or "en")[:2]

    def say(self, message: str) -> str:
        with i18n.use_locale(self.lang):
            return i18n.gettext(message)

    def word(self, code: str, kind: str) -> str:
        with i18n.use_locale(self.lang):
            return label(code, kind)

    def country(self, code: str) -> str:
        return country_name(code, self.lang)

    def button(self, message: str) -> Any:
        return self.page.get_by_role("button", name=self.say(message))

    def reload_until(self, locator: Any, seconds: float = 90) -> None:
        def shown() -> bool:
            self.page.reload()
            return bool(locator.count())

        until(shown, seconds)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], f"JavaScript errors: {self.errors}"


def _register(fed: Federation, node: str, user: str, body: dict[str, Any]) -> str:
    answer = fed.call(node, user, "POST", "/api/v1/people", body)
    assert answer.status_code == 201, answer.text
    person_id: str = answer.json()["id"]
    return person_id


def test_agreement_signed_on_screen_then_a_match_confirmed_across_borders(
    chromium: Any, nodes: Federation
) -> None:
    _register(
        nodes,
        "PAN",
        "caseworker.pan",
        CHILD | {"birth_date": "2016-03-14", "consent_to_tracing": True},
    )
    _register(nodes, "COL", "caseworker.col", PARENT | {"nationality": "VEN"})

    # Colombia's focal point drafts the agreement and signs it.
    focal = Screen(chromium, nodes, "COL", "focal_point.col")
    page = focal.page
    page.goto("/exchange/agreements")
    page.locator("#partner").select_option(label=focal.country("PAN"))
    page.locator("#purpose").select_option(
        label=focal.word("tracing", "exchange_purpose")
    )
    for category in ("linkage_encodings", "match_candidates", "match_confirmation"):
        page.get_by_label(focal.word(category, "exchange_category")).check()
    page.locator("#legal_basis").fill("Memorando bilateral de reunificación familiar")
    page.locator("#dpia_reference").fill("EIPD-2026-14")
    focal.button("Save the draft").click()
    rows = page.locator("#agreements tbody tr")
    expect(rows.first).to_contain_text(focal.word("draft", "agreement_status"))
    expect(rows).to_have_count(1)
    focal.button("Sign for my state").click()
    expect(focal.button("Sign for my state")).to_have_count(0)
    expect(rows.first).to_contain_text(focal.country("COL"))

    # Panama's focal point sees the draft arrive and signs it.
    peer = Screen(chromium, nodes, "PAN", "focal_point.pan")
    peer.page.goto("/exchange/agreements")
    peer.reload_until(peer.button("Sign for my state"))
    peer.button("Sign for my state").click()
    active = page.locator(
        "#agreements td",
        has_text=re.compile(f"^{focal.word('active', 'agreement_status')}$"),
    )
    focal.reload_until(active)
    peer.close()
    focal.close()

    # A Colombian caseworker asks Panama and confirms the match.
    worker = Screen(chromium, nodes, "COL", "caseworker.col")
    page = worker.page
    page.goto("/protection/tracing")
    page.locator("#requester_person_id-q").fill("Marisol Barrios")
    choice = page.locator("#requester_person_id-choices label", has_text="Marisol")
    expect(choice).to_have_count(1)
    choice.click()
    page.locator("#relationship").select_option(
        label=worker.word("child", "relationship")
    )
    page.locator("#sought_given_name").fill("Yuleisi")
    page.locator("#sought_family_name").fill("Quintero Barrios")
    page.locator("#sought_sex").select_option(label=worker.word("F", "sex"))
    page.locator("#sought_birth_date").fill("2016")
    page.locator("#search_state").select_option(label=worker.country("PAN"))
    page.locator("#tracing-submit").click()
    page.wait_for_url(re.compile(r"/protection/tracing/[0-9a-f-]{36}$"))
    worker.reload_until(worker.button("Confirm the match"))
    row = page.locator("#remote-candidates tbody tr").first
    assert worker.country("PAN") in row.inner_text()
    assert worker.word("high", "likelihood") in row.inner_text()
    worker.button("Confirm the match").click()
    assert (
        worker.word("matched", "tracing_status") in page.locator(".card").inner_text()
    )
    worker.close()

    # Colombia's auditor sees the request sent and the candidates received.
    auditor = Screen(chromium, nodes, "COL", "auditor.col")
    page = auditor.page
    page.goto("/exchange/log")
    log_rows = page.locator("#exchange-log tbody tr")
    sent = log_rows.filter(has_text=auditor.word("tracing_request", "envelope_kind"))
    got = log_rows.filter(has_text=auditor.word("tracing_candidates", "envelope_kind"))
    assert sent.count() == 1
    assert got.count() == 1
    assert auditor.word("sent", "envelope_direction") in sent.inner_text()
    assert auditor.word("received", "envelope_direction") in got.inner_text()
    for row in (sent, got):
        assert auditor.country("PAN") in row.inner_text()
    auditor.close()

    # Under the agreement drafted on screen, whose secret both nodes now hold
    # and that never crossed in clear; Panama was told of the confirmation.
    entries = nodes.log("COL")
    request = next(e for e in entries if e["kind"] == "tracing_request")
    agreement_id = request["agreement_id"]
    secrets = {
        node: (
            nodes.root / node / "keys" / "exchange-agreements" / f"{agreement_id}.key"
        ).read_bytes()
        for node in ("COL", "PAN")
    }
    assert secrets["COL"] == secrets["PAN"]
    bodies = json.dumps([e["body"] for n in ("COL", "PAN") for e in nodes.log(n)])
    assert "sealed_secret" in bodies
    assert secrets["COL"].hex() not in bodies
    until(lambda: [e for e in nodes.log("PAN") if e["kind"] == "tracing_decision"])
