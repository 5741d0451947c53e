"""An analyst opens the early-warning dashboard in Spanish, sees an alert on the map
and opens why it fired; a coordinator activates its response plan in two clicks and
sees the gaps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def alerts_raised(live_server: str) -> int:
    """Alerts from the demo's firings (what the FlowsImported subscriber does after
    an import; idempotent)."""
    from puente.core.db import uow
    from puente.early_warning.service.alerts import list_alerts, raise_alerts
    from puente.identity import system_actor

    with uow() as session:
        raise_alerts(session, actor=system_actor())
        return len(list_alerts(session, actor=system_actor(), current_only=True))


def test_analyst_sees_alert_coordinator_activates_plan(
    page: Any, log_in: Callable[[Any, str], None], alerts_raised: int
) -> None:
    assert alerts_raised > 0, "the demo raised no current alert"
    log_in(page, "analyst.hub")
    page.locator("#lang-select").select_option("es")
    page.locator("form.lang-form button").click()
    page.wait_for_load_state()

    page.goto("/early-warning")
    assert page.locator("html").get_attribute("lang") == "es"
    links = page.locator("svg.alert-map a.map-link")
    assert links.count() >= 1
    # keyboard: the country is a link in the tab order
    first = links.first
    country = first.get_attribute("data-country")
    first.focus()
    assert page.evaluate("document.activeElement.getAttribute('data-country')") == (
        country
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/early-warning/alerts?country={country}")
    page.locator("table tbody th a").first.click()
    page.wait_for_url("**/early-warning/alerts/*")
    why = page.locator("section.why")
    # The trigger is named and why it fired is read as sentences; the rule as
    # written is folded away for those who want it.
    assert why.locator("[data-trigger]").first.is_visible()
    if why.locator("#trigger-explanation").count():
        assert why.locator("#trigger-explanation li").first.is_visible()
        assert not why.locator("details code").first.is_visible()
    assert why.locator("table.values tbody tr").count() >= 1
    alert_url = page.url
    # the charts on the dashboard rendered under the strict CSP (no eval)
    page.goto("/early-warning")
    if page.locator("div.chart").count():
        page.wait_for_selector("div.chart[data-rendered]")
        assert page.locator("div.chart[data-rendered='failed']").count() == 0

    log_in(page, "coordinator.hub")
    page.goto(alert_url)
    page.locator("a[href$='/activate']").click()  # click 1
    page.wait_for_url("**/activate")
    page.locator("#confirm-activate").click()  # click 2
    page.wait_for_url("**/early-warning/plans/*")
    # Each user's own language is applied at login (the coordinator's is English).
    assert page.locator("html").get_attribute("lang") == "en"
    gaps = page.locator("table.gap-table").first
    assert gaps.is_visible()
    assert gaps.locator("tr.has-gap").count() >= 1
    assert page.locator("table.sector-table tbody tr").count() == 5
    page.wait_for_selector("#gap-chart[data-rendered]")
    assert page.locator("#gap-chart").get_attribute("data-rendered") == "true"
    assert page.locator("#gap-chart svg[role='img']").count() == 1
