"""A coordinator sees unread alert notices on the home page and clears one with the
keyboard; the response plan's task form (status and organisation) is labelled and
passes WCAG 2.1 AA. Both pages are checked with axe-core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_url(live_server: str) -> str:
    """Alerts from the demo's firings, plus a response plan for an alert of its
    own about Panama (whose organisations and the hub's may take its tasks). That
    alert is cancelled once the plan is active, so it stays off the map and the
    current alerts that the other browser tests open."""
    from puente.core.db import uow
    from puente.early_warning.service import plans
    from puente.early_warning.service.alerts import cancel_alert, raise_alerts
    from puente.identity import system_actor
    from tests.early_warning.alert_factories import Firing

    with uow() as session:
        raise_alerts(session, actor=system_actor())
        [alert] = raise_alerts(
            session,
            actor=system_actor(),
            firings=[Firing(period=dt.date(2015, 1, 1))],
        )
        plan = plans.activate_plan(session, actor=system_actor(), alert_id=alert.id)
        cancel_alert(
            session, actor=system_actor(), alert_id=alert.id, note="browser test"
        )
        return f"/early-warning/plans/{plan.id}"


def test_home_notices_and_task_form(
    audit_page: Any, log_in: Callable[[Any, str], None], plan_url: str
) -> None:
    page = audit_page
    log_in(page, "coordinator.hub")
    page.goto("/")
    panel = page.locator("section.home-notices")
    assert panel.is_visible()
    assert axe_violations(page) == []
    first = panel.locator("li.notice").first
    link = first.locator("a").get_attribute("href")
    assert link
    assert link.startswith("/early-warning/alerts/")
    action = first.locator("form").get_attribute("action")
    first.locator("button").focus()  # keyboard: the button is in the tab order
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("location.pathname") == "/"  # back home
    assert page.locator(f"form[action='{action}']").count() == 0

    page.goto(plan_url)
    form = page.locator("form.task-form").first
    organisation = form.locator("select[name='organisation_id']")
    assert organisation.locator("optgroup").count() >= 1
    assert axe_violations(page) == []
    choice = organisation.locator("option:not([selected])").first
    value = choice.get_attribute("value")
    name = choice.inner_text().strip()
    organisation.select_option(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").press("Enter")
    row = page.locator("tr[id^='task-']").first
    assert row.locator("td.task-organisation").inner_text().strip() == name
