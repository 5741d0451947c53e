"""Early-warning screens: render, languages, two-click activation, permissions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.early_warning.service import alerts as alert_service
from puente.identity import system_actor
from tests.conftest import CSRF
from tests.early_warning.alert_factories import Firing

Login = Callable[[TestClient, str], TestClient]


def _alert(session: Session, **kwargs: object) -> uuid.UUID:
    [alert] = alert_service.raise_alerts(
        session,
        actor=system_actor(),
        firings=[Firing(**kwargs)],  # type: ignore[arg-type]
    )
    session.commit()
    return alert.id


class TestDashboard:
    def test_map_shows_the_alert_country_as_a_link_and_in_the_table(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _alert(session)
        login_as(client, "analyst.hub")
        page = client.get("/early-warning")
        assert page.status_code == 200
        html = page.text
        assert 'data-country="PAN"' in html
        assert "/early-warning/alerts?country=PAN" in html
        assert "Surge in transits through the Darién" in html
        assert "Unread alert notices" in html

    def test_in_spanish(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _alert(session)
        login_as(client, "analyst.hub")
        client.cookies.set("puente_lang", "es")
        html = client.get("/early-warning").text
        assert '<html lang="es"' in html
        assert "Aumento de tránsitos por el Darién" in html

    def test_marking_a_notice_read(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _alert(session)
        login_as(client, "coordinator.hub")
        html = client.get("/early-warning").text
        match = re.search(r"/early-warning/notices/([0-9a-f-]+)/read", html)
        assert match
        done = client.post(match.group(0), data=CSRF, follow_redirects=False)
        assert done.status_code == 303
        assert match.group(0) not in client.get("/early-warning").text

    def test_needs_flows_read(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "caseworker.col")
        assert client.get("/early-warning").status_code == 403


class TestAlertPages:
    def test_detail_explains_why_it_fired(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "analyst.hub")
        html = client.get(f"/early-warning/alerts/{alert_id}").text
        assert "Why it fired" in html
        assert "surge-c2-growth" in html
        assert "c2_alarm &amp;&amp; growth_3m &gt; 0.5" in html
        assert "growth_3m" in html
        assert "Activate response plan" not in html  # analysts cannot

    def test_list_filters_by_country(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _alert(session)
        _alert(session, series_key="honduras|*", trigger_id="other")
        login_as(client, "analyst.hub")
        html = client.get("/early-warning/alerts?country=HND").text
        assert "honduras|*" in html
        assert "darien_nat|*" not in html

    def test_cancelled_alerts_only_with_history(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "coordinator.hub")
        cancelled = client.post(
            f"/early-warning/alerts/{alert_id}/cancel",
            data={**CSRF, "note": "over"},
            follow_redirects=False,
        )
        assert cancelled.status_code == 303
        assert str(alert_id) not in client.get("/early-warning/alerts").text
        assert str(alert_id) in client.get("/early-warning/alerts?history=true").text


class TestTwoClickActivation:
    def test_coordinator_activates_and_sees_the_gaps(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "coordinator.hub")
        detail = client.get(f"/early-warning/alerts/{alert_id}").text
        link = f"/early-warning/alerts/{alert_id}/activate"
        assert f'href="{link}"' in detail  # click 1
        confirm = client.get(link)
        assert confirm.status_code == 200
        assert "Confirm activation" in confirm.text
        done = client.post(link, data=CSRF, follow_redirects=False)  # click 2
        assert done.status_code == 303
        plan = client.get(done.headers["location"])
        assert plan.status_code == 200
        assert "Gaps" in plan.text
        assert "Toilets" in plan.text
        assert 'class="has-gap"' in plan.text
        # the alert now links its plan, and the confirm page redirects there
        assert (
            "Open the response plan"
            in client.get(f"/early-warning/alerts/{alert_id}").text
        )
        again = client.get(link, follow_redirects=False)
        assert again.headers["location"] == done.headers["location"]

    def test_coordinator_records_stock_and_moves_a_task(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "coordinator.hub")
        link = f"/early-warning/alerts/{alert_id}/activate"
        activated = client.post(link, data=CSRF, follow_redirects=False)
        assert activated.status_code == 303, activated.text
        plan_url = activated.headers["location"]
        html = client.get(plan_url).text
        line_action = re.search(
            r'action="(/early-warning/plans/[^"]+/lines/[^"]+)"', html
        )
        task_action = re.search(
            r'action="(/early-warning/plans/[^"]+/tasks/[^"]+)"', html
        )
        assert line_action
        assert task_action
        saved = client.post(
            line_action.group(1),
            data={**CSRF, "in_stock": "10", "pledged": "5"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        moved = client.post(
            task_action.group(1),
            data={**CSRF, "status": "in_progress"},
            follow_redirects=False,
        )
        assert moved.status_code == 303
        assert 'value="in_progress" selected' in client.get(plan_url).text

    def test_activation_needs_the_csrf_token(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "coordinator.hub")
        response = client.post(
            f"/early-warning/alerts/{alert_id}/activate",
            data={},
            follow_redirects=False,
        )
        assert response.status_code == 403

    def test_analyst_cannot_activate(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "analyst.hub")
        response = client.post(
            f"/early-warning/alerts/{alert_id}/activate",
            data=CSRF,
            follow_redirects=False,
        )
        assert response.status_code == 403


class TestTriggerCatalogue:
    def _propose(self, session: Session) -> str:
        from puente.early_warning.service import triggers

        document = dict(triggers.default_catalogue_document())
        document["version"] = f"test-{uuid.uuid4().hex[:8]}"
        triggers.propose_catalogue(session, actor=system_actor(), document=document)
        session.commit()
        return str(document["version"])

    def test_shows_triggers_conditions_and_the_adopt_button(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        version = self._propose(session)
        login_as(client, "focal_point.col")
        html = client.get("/early-warning/triggers").text
        assert f"Catalogue version {version}" in html
        assert "arrivals_month" in html  # the CEL conditions are shown
        assert f'action="/early-warning/triggers/{version}/adopt"' in html

    def test_a_focal_point_adopts_for_their_state(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        from puente.early_warning.service import triggers

        version = self._propose(session)
        login_as(client, "focal_point.col")
        adopt = f"/early-warning/triggers/{version}/adopt"
        done = client.post(adopt, data=CSRF, follow_redirects=False)
        assert done.status_code == 303
        [found] = [
            c
            for c in triggers.list_catalogues(session, actor=system_actor())
            if c.version == version
        ]
        assert found.adopted_by == ["COL"]

    def test_an_analyst_cannot_adopt(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "analyst.hub")
        response = client.post(
            "/early-warning/triggers/2026.1/adopt", data=CSRF, follow_redirects=False
        )
        assert response.status_code == 403


class TestOtherPages:
    def test_triggers_and_plans_render(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "coordinator.hub")
        assert client.get("/early-warning/triggers").status_code == 200
        assert client.get("/early-warning/plans").status_code == 200

    def test_every_page_is_translated_shell(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "coordinator.hub")
        for lang in ("es", "pt", "fr", "ht"):
            client.cookies.set("puente_lang", lang)
            for url in (
                "/early-warning",
                "/early-warning/alerts",
                f"/early-warning/alerts/{alert_id}",
                "/early-warning/triggers",
                "/early-warning/plans",
            ):
                page = client.get(url)
                assert page.status_code == 200, (lang, url)
                assert f'<html lang="{lang}"' in page.text
