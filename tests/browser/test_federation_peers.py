"""Must-show (issue 12) in Chromium over two real nodes on loopback: the duplicate
check against a peer and a peer's alert, as people see them.

Colombia and Panama sign a duplicate-check and an alerts agreement. A Colombian
caseworker registers, through the form, a woman Panama registered before: her
page says she is possibly already registered in Panama, in words (no name, code
or reference of Panama's crosses), and the caseworker marks her the same person.
An alert raised in Colombia reaches Panama as CAP; Panama's focal point finds it
from the home page, by clicking, among the alerts from other states."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_federation_screens import Screen
from tests.exchange.loopback import Federation, federation_up, until
from tests.exchange.test_federation_sharing import RAISE_ALERT, _agree, _python

pytestmark = pytest.mark.slow

ANA = {"given_name": "Ana Lucía", "family_name": "Rengifo Torres", "sex": "F"}


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    root = tmp_path_factory.mktemp("peers")
    with federation_up(root, ["COL", "PAN"], agreement=False) as fed:
        _agree(fed, "duplicate_check", ["linkage_encodings", "match_candidates"])
        _agree(fed, "alerts", ["alerts"])
        yield fed


def test_possibly_registered_in_panama_then_marked_the_same_person(
    chromium: Any, peers: Federation
) -> None:
    registered = peers.call(
        "PAN",
        "caseworker.pan",
        "POST",
        "/api/v1/people",
        ANA | {"birth_date": "1991-05-23", "nationality": "VEN"},
    )
    assert registered.status_code == 201, registered.text
    worker = Screen(chromium, peers, "COL", "caseworker.col")
    page = worker.page
    page.goto("/people/new")
    page.locator("#given_name").fill(ANA["given_name"])
    page.locator("#family_name").fill(ANA["family_name"])
    page.locator("#sex").select_option("F")
    page.locator("#birth_date").fill("1991-05-23")
    page.locator("#nationality").select_option(label=worker.country("VEN"))
    page.locator("#link-new").check()
    page.locator("#register-submit").click()
    page.wait_for_url(re.compile(r".*/people/[0-9a-f-]{36}(\?.*)?$"))
    panel = page.locator("#remote-checks")
    likely = worker.say("Possibly already registered in %(state)s (%(likelihood)s)") % {
        "state": worker.country("PAN"),
        "likelihood": worker.word("high", "remote_likelihood"),
    }
    # The panel asks again every few seconds until Panama has answered.
    expect(panel.locator(".remote-candidate")).to_contain_text(likely, timeout=60_000)
    assert registered.json()["id"] not in panel.inner_text()
    panel.get_by_role("button", name=worker.say("Same person"), exact=True).click()
    expect(page.locator("#remote-checks .remote-candidate")).to_contain_text(
        worker.say("Marked as the same person")
    )
    worker.close()


def test_an_alert_raised_in_colombia_is_found_from_panamas_home_page(
    chromium: Any, peers: Federation
) -> None:
    _python(peers, "COL", RAISE_ALERT)
    until(
        lambda: peers.call(
            "PAN", "focal_point.pan", "GET", "/api/v1/early-warning/peer-alerts"
        ).json()
    )
    focal = Screen(chromium, peers, "PAN", "focal_point.pan")
    page = focal.page
    page.goto("/")
    notice = page.locator("#home-peer-alerts li[data-from='COL']")
    expect(notice).to_have_count(1)
    notice.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/early-warning/alerts(\?.*)?#peer-alerts$"))
    row = page.locator("#peer-alert-list tr[data-from='COL']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(
        focal.say("from %(state)s") % {"state": focal.country("COL")}
    )
    expect(row).to_contain_text(re.compile("Colombia"))
    focal.close()
