"""One job per role, done from the home page after login by clicking, choosing and
typing what a person knows: no address typed after login, no id typed (issue 11,
"must show"). Caseworker (es), protection officer (pt), employer (en), analyst (fr),
coordinator (ht), admin and auditor; the admin's and the auditor's pages are also
checked with axe-core and for sideways scroll at 375 and 1280 px.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_layout

pytestmark = pytest.mark.browser
LogIn = Callable[[Any, str], None]


def choose_language(page: Any, name: str, code: str) -> None:
    """The language menu in the header, as a person uses it."""
    page.locator("#lang-select").select_option(label=name)
    with page.expect_navigation():
        page.locator("form.lang-form button").click()
    page.wait_for_selector(f"html[lang='{code}']")


def home_card(page: Any, url: str) -> None:
    """Follow a card of the home page."""
    page.wait_for_selector("main .cards")
    assert page.locator(f"main .cards a[href='{url}']").count() == 1, (
        page.url,
        page.locator("main").inner_text()[:500],
    )
    with page.expect_navigation():
        page.locator(f"main .cards a[href='{url}']").click()


def test_caseworker_registers_screens_opens_and_refers_in_spanish(
    page: Any, log_in: LogIn
) -> None:
    log_in(page, "caseworker.col")
    choose_language(page, "Español", "es")
    home_card(page, "/people")
    page.locator("#register-family-link").click()
    page.locator("#member-0-given_name").fill("Yolanda")
    page.locator("#member-0-family_name").fill("Robles Mora")
    page.locator("#member-0-sex").select_option(label="Femenino")
    page.locator("#member-0-birth_date").fill("1988-02-11")
    page.locator("#member-0-nationality").select_option(label="Venezuela")
    page.locator("#member-1-relationship").select_option(label="Hijo o hija")
    page.locator("#member-1-given_name").fill("Samuel")
    page.locator("#member-1-family_name").fill("Robles Mora")
    page.locator("#member-1-sex").select_option(label="Masculino")
    page.locator("#member-1-birth_date").fill("2015-07")
    page.locator("#member-1-nationality").select_option(label="Venezuela")
    page.locator("#member-1-is_separated").check()
    page.locator("#household-submit").click()
    page.wait_for_url(re.compile(r".*/people/households/[0-9a-f-]+(\?.*)?$"))
    # Screen the child from the family's page.
    row = page.locator("tr", has_text="Samuel")
    row.locator("a[id^='screen-']").click()
    page.locator("#q-is_child").check()
    page.locator("#q-is_separated").check()
    page.locator("#screening-submit").click()
    page.wait_for_load_state()
    flags = page.locator("#screening-flags").inner_text()
    assert "separated_child" not in flags
    page.locator("#open-case").click()
    page.wait_for_url(re.compile(r".*/protection/cases/[0-9a-f-]+(\?.*)?$"))
    assert page.locator("#done").get_attribute("data-done") == "opened"
    assert "Caso abierto" in page.locator("#done").inner_text()
    # Refer the case to a service chosen from the directory, with consent.
    page.locator("#refer-link").click()
    page.wait_for_load_state()
    page.locator("#service_id").select_option(
        label=page.locator("#service_id option", has_text="Fundación Refugio")
        .first.inner_text()
        .strip()
    )
    page.locator("#purpose").fill("Alojamiento seguro para la familia")
    page.locator("#share-specific_needs").check()
    page.locator("#consent").check()
    page.locator("#send-referral").click()
    page.wait_for_load_state()
    assert "Derivación enviada" in page.locator("#done").inner_text()
    assert (
        page.locator("#referral-list li")
        .first.inner_text()
        .startswith("Alojamiento seguro")
    )
    # Back home, the new case is in the caseload.
    page.locator("a[href='/']").first.click()
    assert page.locator("#home-work").is_visible()


def test_protection_officer_sees_a_return_blocked_in_portuguese(
    page: Any, log_in: LogIn
) -> None:
    log_in(page, "protection.col")
    choose_language(page, "Português", "pt")
    home_card(page, "/protection")
    page.locator("nav a[href='/protection/returns']").click()
    page.wait_for_load_state()
    # The person is chosen by name from the list the search shows.
    page.locator("#person_id-q").fill("Daniela")
    page.locator("#person_id-choices input[type=radio]").first.wait_for(timeout=30_000)
    page.locator("#person_id-choices label", has_text="Daniela").first.click()
    page.locator("#destination").select_option(label="Venezuela")
    page.locator("#fact-expressed_fear").check()
    page.locator("#fact-torture_risk_found").check()
    page.locator("#evaluate-return").click()
    page.wait_for_url(re.compile(r".*/protection/returns/[0-9a-f-]+.*"))
    status = page.locator("#return-status").inner_text()
    assert "Bloqueada" in status
    # the status is said once, not again as a tag beside it
    line = page.locator("p", has=page.locator("#return-status")).inner_text()
    assert line.lower().count("bloquead") == 1, line
    checks = page.locator("#gate-checks").inner_text()
    assert "Risco de tortura" in checks
    assert "não cumprida" in checks
    assert "torture_risk" not in checks
    assert "expressed_fear" not in checks
    # the legal basis is in Portuguese too
    assert "Convenção contra a Tortura" in checks
    assert "Convention against Torture" not in checks
    impossible = page.locator("#override-impossible").inner_text()
    assert "Risco de tortura" in impossible
    assert "[" not in impossible


def test_employer_publishes_an_offer_from_lists_in_english(
    page: Any, log_in: LogIn
) -> None:
    from puente.pathways.web.offers import OFFER_FIELDS

    log_in(page, "employer.can")
    home_card(page, "/pathways/offers")
    page.locator("a[href='/pathways/offers/new']").click()
    page.wait_for_load_state()
    page.locator("#title").fill("Orchard worker (browser)")
    typed = ("text", "number", "date")
    for name, _label, widget, example in OFFER_FIELDS:
        if name == "title":
            continue
        if widget in typed and example and not page.locator(f"#{name}").input_value():
            page.locator(f"#{name}").fill(example)
        elif widget in (
            "country",
            "subdivision",
            "currency",
            "pay_frequency",
            "language",
            "cefr",
        ):
            field = page.locator(f"#{name}")
            # chosen by the words the list shows
            label = field.locator(f"option[value='{example}']").inner_text().strip()
            field.select_option(label=label)
        elif widget == "languages":
            page.locator(f"#{name}-{example}").check()
    page.locator("#isco-q").fill("crop farm")
    page.locator("#isco-choices input[type=radio]").first.wait_for(timeout=30_000)
    page.locator("#isco-choices label", has_text="Crop farm").first.click()
    page.locator("#pathway_id-q").fill("seasonal agricultural")
    page.locator("#pathway_id-choices input[type=radio]").first.wait_for(timeout=30_000)
    page.locator("#pathway_id-choices label").first.click()
    page.locator("#worksite_address").fill("Road 12 North, Portage la Prairie, MB")
    page.locator("#lmt_reference").fill("LMIA-ROLES-1")
    page.get_by_role("button", name="Check and publish").click()
    page.wait_for_url("**/pathways/offers/*")
    assert "Published" in page.locator("#offer-status").inner_text()
    # The offer is in the list, its occupation in words.
    page.locator("a[href='/pathways/offers']").first.click()
    page.locator("#list-q").fill("orchard")
    page.locator("form.filters button[type=submit]").click()
    row = page.locator("#offer-list tbody tr", has_text="Orchard worker (browser)")
    expect(row).to_have_count(1)  # waits for the filtered page
    assert "9211" not in row.inner_text()


def test_analyst_reads_why_an_alert_fired_in_french(page: Any, log_in: LogIn) -> None:
    log_in(page, "analyst.hub")
    choose_language(page, "Français", "fr")
    home_card(page, "/early-warning/alerts")
    # A current alert (the demo replays real figures as the latest months).
    row = page.locator("table tbody tr", has_text="Hausse inhabituelle des arrivées")
    assert row.count() >= 1, page.locator("main").inner_text()[:500]
    with page.expect_navigation():
        row.first.locator("a").first.click()
    why = page.locator("section.why")
    assert "Pourquoi" in why.locator("h2").inner_text()
    # the series is named in words, and says it is a replay
    assert "Darién (chiffres de 2023 rejoués, démonstration)" in why.inner_text()
    lines = why.locator("#trigger-explanation li").all_inner_texts()
    assert lines, why.inner_text()
    growth = [line for line in lines if line.startswith("Variation sur un mois")]
    assert len(growth) == 1, lines
    # "Variation sur un mois : +48 % (seuil : plus de +30 %)"
    assert re.search(r": \+\d[\d\s\u202f]* % \(seuil : plus de \+30 %\)", growth[0])
    text = " ".join(lines) + why.locator("table.values").inner_text()
    for code in ("growth_1m", "arrivals_month", "c2_alarm", "&&", "0.3", "True"):
        assert code not in text, (code, text)
    values = why.locator("table.values tbody tr", has_text="Variation sur un mois")
    cells = values.locator("td").all_inner_texts()
    assert re.fullmatch(r"\+\d[\d\s\u202f]* %", cells[0]), cells
    assert cells[1] == "plus de +30 %", cells
    # the rule as written is folded away
    assert not why.locator("details code").first.is_visible()


def test_coordinator_activates_a_plan_in_haitian_creole(
    page: Any, log_in: LogIn
) -> None:
    log_in(page, "coordinator.hub")
    choose_language(page, "Kreyòl ayisyen", "ht")
    home_card(page, "/early-warning/alerts")
    title = "Anpil moun ap rive an menm tan"  # mass arrival
    rows = page.locator("table tbody tr", has_text=title)
    assert rows.count() >= 1, page.locator("main").inner_text()[:500]
    with page.expect_navigation():
        rows.last.locator("a").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Aktive plan repons").click()  # click 1
    with page.expect_navigation():
        page.locator("#confirm-activate").click()  # click 2
    assert re.search(r"/early-warning/plans/[0-9a-f-]+", page.url)
    done = page.locator("#done").inner_text()
    assert "Plan repons lan aktive." in done
    assert "òganizasyon" in done  # what comes next
    assert page.locator("html").get_attribute("lang") == "ht"
    assert page.locator("table.sector-table tbody tr").count() >= 1
    assert page.locator("table.gap-table tr.has-gap").count() >= 1
    # the alert now leads to its plan
    with page.expect_navigation():
        page.locator("main a", has_text="Alèt la").first.click()
    assert page.get_by_role("link", name="Louvri plan repons lan").count() == 1
    # back to English, as the other tests expect this coordinator to read
    choose_language(page, "English", "en")


def test_admin_resets_a_users_authenticator(
    new_page: Callable[[], Any], log_in: LogIn
) -> None:
    # The auditor has set up an authenticator (and then loses the phone).
    auditor = new_page()
    log_in(auditor, "auditor.hub")
    assert auditor.url.endswith("/")

    # A first administrator creates a second one, then asks for the reset.
    first = new_page()
    log_in(first, "admin2")
    first.locator("main a[href='/admin/users']").click()
    check_layout(first)
    first.locator("a[href='/admin/users/new']").click()
    check_layout(first)
    first.locator("#username").fill("admin.tres")
    first.locator("#role-admin").check()
    first.locator("form[action='/admin/users/new'] button[type=submit]").click()
    password = first.locator("#one-time-password").inner_text().strip()
    check_layout(first)
    first.locator("main a[href='/admin/users']").click()
    first.locator("#f-q").fill("auditor")
    first.locator(".filters button").click()
    first.get_by_role("link", name="auditor.hub").click()
    check_layout(first)
    first.locator("#mfa-reason").select_option("lost_device")
    first.locator("#mfa-reason-confirm").check()
    first.locator("form[action$='/mfa-reset'] button").click()
    assert first.locator(".alert-ok").is_visible()
    first.locator("a[href='/admin/mfa-resets']").first.click()
    # the requester cannot approve their own request
    assert first.locator("button[value='approve']").count() == 0
    check_layout(first)

    # The second administrator logs in with the one-time password and approves.
    second = new_page()
    second.goto("/login")
    second.locator("#username").fill("admin.tres")
    second.locator("#password").fill(password)
    second.locator("form[action='/login'] button[type=submit]").click()
    second.wait_for_url("**/mfa/enroll")
    secret = second.locator("#totp-secret").inner_text().strip()
    second.locator("#code").fill(pyotp.TOTP(secret).now())
    second.locator("form[action='/mfa/enroll'] button[type=submit]").click()
    second.wait_for_url("**/")
    second.locator("main a[href='/admin/users']").click()
    second.locator("a[href='/admin/mfa-resets']").first.click()
    second.locator("button[value='approve']").click()
    assert second.locator(".alert-ok").is_visible()
    check_layout(second)

    # The auditor's next login asks for a new authenticator.
    again = new_page()
    again.goto("/login")
    again.locator("#username").fill("auditor.hub")
    again.locator("#password").fill("puente-demo-2026")
    again.locator("form[action='/login'] button[type=submit]").click()
    again.wait_for_url("**/mfa/enroll")


def test_auditor_filters_the_audit_log_and_exports_it(
    new_page: Callable[[], Any], log_in: LogIn, tmp_path: Path
) -> None:
    page = new_page()
    log_in(page, "auditor.hub")
    page.locator("main a[href='/audit']").click()
    check_layout(page)
    page.locator("#f-who").select_option(label="auditor.hub")
    page.locator("#f-action").select_option(label="Logged in")
    page.locator(".filters button").click()
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert cells.nth(2).inner_text() == "auditor.hub"
        assert cells.nth(3).inner_text() == "Logged in"
    check_layout(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    target = tmp_path / "audit.csv"
    download.value.save_as(target)
    table = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert table[0][:4] == ["Event number", "When (UTC)", "Who", "What"]
    assert len(table) == rows.count() + 1
    assert {row[3] for row in table[1:]} == {"Logged in"}
    page.locator("a[href='/audit/verify']").first.click()
    assert "intact" in page.locator("#chain-result").inner_text()
    check_layout(page)
    page.locator("a[href='/preferences']").click()
    check_layout(page)
