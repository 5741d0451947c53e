"""Early-warning screens: render, languages, two-click activation, permissions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.early_warning.service import alerts as alert_service
from puente.identity import Organisation, system_actor
from tests.conftest import CSRF, unique
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
        # The whole rule, read in words: never the rule's code.
        assert (
            "Statistical alarm (C2) and change over three months: more than +50 %"
        ) in html
        assert "c2_alarm &amp;&amp;" not in html
        assert "growth_3m" not in html
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
        assert 'id="done"' in plan.text
        assert "Response plan activated." in plan.text
        # the alert now links its plan, and the confirm page redirects there
        assert (
            "Open the response plan"
            in client.get(f"/early-warning/alerts/{alert_id}").text
        )
        again = client.get(link, follow_redirects=False)
        plan_url = done.headers["location"].partition("?")[0]
        assert again.headers["location"] == plan_url
        assert 'id="done"' not in client.get(plan_url).text

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


def _task_row(html: str, task_id: str) -> str:
    start = html.index(f'<tr id="task-{task_id}">')
    return html[start : html.index("</tr>", start)]


def _org_id(session: Session, tenant: str, slug: str) -> uuid.UUID:
    return session.scalars(
        select(Organisation.id).where(
            Organisation.tenant_code == tenant, Organisation.slug == slug
        )
    ).one()


class TestTaskAssignment:
    """Per task, one form changes status and organisation (the Darién plan: tenant
    HUB, responding in Panama; its tasks start with the activating coordinator's
    organisation, the hub secretariat)."""

    def _plan(
        self, client: TestClient, session: Session, login_as: Login
    ) -> tuple[str, str, str]:
        """(plan page URL, a task id, that task's form action)."""
        alert_id = _alert(session)
        login_as(client, "coordinator.hub")
        activated = client.post(
            f"/early-warning/alerts/{alert_id}/activate",
            data=CSRF,
            follow_redirects=False,
        )
        assert activated.status_code == 303
        plan_url = activated.headers["location"]
        match = re.search(
            r'action="(/early-warning/plans/[^"/]+/tasks/([^"]+))"',
            client.get(plan_url).text,
        )
        assert match
        return plan_url, match.group(2), match.group(1)

    def _regional_org(self, session: Session) -> uuid.UUID:
        # A second hub organisation: on PostgreSQL a hub coordinator reads only the
        # hub's organisations (the directory is walled by tenant).
        org = Organisation(
            tenant_code="HUB",
            slug=unique("iom-regional"),
            name="IOM Regional Office",
            kind="un_agency",
        )
        session.add(org)
        session.commit()
        return org.id

    def test_shows_organisation_names_and_a_labelled_form(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        regional = self._regional_org(session)
        plan_url, task_id, _action = self._plan(client, session, login_as)
        html = client.get(plan_url).text
        row = _task_row(html, task_id)
        assert "Regional hub secretariat" in row  # the name, never the id
        assert f'<label for="organisation-{task_id}"' in row
        assert f'<label for="status-{task_id}"' in row
        assert 'name="csrf_token"' in row
        assert f'<option value="{regional}" >IOM Regional Office</option>' in row
        assert '<optgroup label="Regional organisations">' in row
        # an employer is never offered
        assert "Prairie Growers" not in html

    def test_reassigns_to_an_allowed_organisation_and_audits(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        regional = self._regional_org(session)
        plan_url, task_id, action = self._plan(client, session, login_as)
        moved = client.post(
            action,
            data={**CSRF, "status": "in_progress", "organisation_id": str(regional)},
            follow_redirects=False,
        )
        assert moved.status_code == 303
        assert moved.headers["location"].endswith(f"#task-{task_id}")
        row = _task_row(client.get(plan_url).text, task_id)
        assert '<td class="task-organisation">IOM Regional Office</td>' in row
        assert f'<option value="{regional}" selected>' in row
        assert 'value="in_progress" selected' in row
        details = session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.object_id == task_id,
                AuditEvent.action == "early_warning:plan:task",
            )
        ).all()
        assert len(details) == 1
        assert str(regional) in details[0]

    def test_another_states_organisation_is_refused_and_nothing_changes(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        plan_url, task_id, action = self._plan(client, session, login_as)
        colombia = _org_id(session, "COL", "migration")
        refused = client.post(
            action,
            data={**CSRF, "status": "in_progress", "organisation_id": str(colombia)},
            follow_redirects=False,
        )
        assert refused.status_code == 422
        row = _task_row(refused.text, task_id)
        assert 'role="alert"' in row
        assert "cannot take tasks of this response plan" in row
        assert f'aria-describedby="task-error-{task_id}"' in row
        after = _task_row(client.get(plan_url).text, task_id)
        assert '<td class="task-organisation">Regional hub secretariat</td>' in after
        assert '<td class="task-status">Open</td>' in after
        assert str(colombia) not in client.get(plan_url).text
        assert (
            session.scalars(
                select(AuditEvent.id).where(AuditEvent.object_id == task_id)
            ).all()
            == []
        )

    def test_status_rules_still_hold(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        plan_url, task_id, action = self._plan(client, session, login_as)
        done = client.post(
            action, data={**CSRF, "status": "done"}, follow_redirects=False
        )
        assert done.status_code == 303
        refused = client.post(
            action, data={**CSRF, "status": "open"}, follow_redirects=False
        )
        assert refused.status_code == 409
        assert "The task cannot move to that status." in refused.text
        assert '<td class="task-status">Done</td>' in _task_row(
            client.get(plan_url).text, task_id
        )

    def test_needs_the_csrf_token(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _plan_url, _task_id, action = self._plan(client, session, login_as)
        response = client.post(action, data={"status": "done"}, follow_redirects=False)
        assert response.status_code == 403

    def test_a_caseworker_cannot_move_or_reassign(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        plan_url, task_id, action = self._plan(client, session, login_as)
        client.cookies.clear()
        login_as(client, "caseworker.col")
        response = client.post(
            action,
            data={**CSRF, "status": "done", "organisation_id": str(uuid.uuid4())},
            follow_redirects=False,
        )
        assert response.status_code == 403
        client.cookies.clear()
        login_as(client, "analyst.hub")  # reads the plan, cannot change it
        html = client.get(plan_url).text
        assert f'id="organisation-{task_id}"' not in html
        assert '<td class="task-status">Open</td>' in _task_row(html, task_id)


class TestHomeNotices:
    def test_a_subscribed_role_sees_unread_notices_on_home_until_read(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        alert_id = _alert(session)
        login_as(client, "coordinator.hub")
        html = client.get("/").text
        assert "Unread alert notices" in html
        assert f'href="/early-warning/alerts/{alert_id}"' in html
        assert "Alert: Surge in transits through the Darién" in html
        assert '<span class="visually-hidden">Severity: </span>Severe' in html
        assert "/static/css/early_warning.css" in html
        # Which series: several notices can share a trigger's title.
        from puente.early_warning.models import Alert

        series = session.get(Alert, alert_id).series_key  # type: ignore[union-attr]
        shown = "Darién, all arrivals"  # the series in words, its key kept as data
        assert f'<span class="series" data-series="{series}">{shown}</span>' in html
        [item] = [
            li
            for li in html.split('<li class="notice">')[1:]
            if f'href="/early-warning/alerts/{alert_id}"' in li
        ]
        match = re.search(r'action="(/early-warning/notices/[0-9a-f-]+/read)"', item)
        assert match
        done = client.post(
            match.group(1), data={**CSRF, "next": "/"}, follow_redirects=False
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/"
        after = client.get("/").text
        assert match.group(1) not in after
        assert f'href="/early-warning/alerts/{alert_id}"' not in after

    def test_in_the_users_language(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _alert(session)
        login_as(client, "analyst.hub")
        client.cookies.set("puente_lang", "es")
        html = client.get("/").text
        assert "Avisos de alerta no leídos" in html
        assert "Aumento de tránsitos por el Darién" in html

    def test_roles_without_notices_see_none(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _alert(session)
        for username in ("caseworker.col", "donor.can"):
            client.cookies.clear()
            login_as(client, username)
            page = client.get("/")
            assert page.status_code == 200
            assert "Unread alert notices" not in page.text
            assert "/early-warning/notices/" not in page.text

    def test_mark_read_never_redirects_off_site(
        self, client: TestClient, session: Session, login_as: Login
    ) -> None:
        _alert(session)
        login_as(client, "coordinator.hub")
        match = re.search(
            r'action="(/early-warning/notices/[0-9a-f-]+/read)"', client.get("/").text
        )
        assert match
        done = client.post(
            match.group(1),
            data={**CSRF, "next": "https://evil.example/"},
            follow_redirects=False,
        )
        assert done.headers["location"] == "/early-warning"


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
        # The conditions, read as sentences with units: never the rule's code.
        assert "Arrivals in the month: at least 5,000 and" in html
        assert "arrivals_month" not in html
        assert "&amp;&amp;" not in html
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
