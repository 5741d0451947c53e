"""Search before create for every member of a family: candidates per member row
while the caseworker types (HTMX, POST) or with the Search button (no JavaScript),
"this is the same person" links instead of creating, tenant walls, audit, and no
name in any URL or log line."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import structlog
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.people.models import HouseholdMember, Person
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]

# Rare names, so that no demo or other test record comes near them.
EXISTING = {
    "given_name": "Wilmer",
    "family_name": "Quezada Zambrano",
    "sex": "M",
    "birth_date": "1985-03-02",
    "nationality": "VEN",
    "point_kind": "border_post",
    "place": "Rumichaca",
}
# The same man as a caseworker may type him at a shelter: accents, z/s, qu/k and
# only the year and month of birth.
TYPED = {
    "given_name": "Wílmer",
    "family_name": "Kesada Sambrano",
    "birth_date": "1985-03",
}
HEAD = {
    "members-0-given_name": "Yuleisy",
    "members-0-family_name": "Quezada Zambrano",
    "members-0-sex": "F",
    "members-0-birth_date": "1987",
    "members-0-nationality": "VEN",
    "members-0-relationship": "head",
}


def _register_alone(client: TestClient, **person: str) -> str:
    response = client.post(
        "/people", data={**CSRF, **EXISTING, **person}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).split("?")[0].rsplit("/", 1)[1]


def _member(index: int, **fields: str) -> dict[str, str]:
    return {f"members-{index}-{name}": value for name, value in fields.items()}


def _family_form(**extra: str) -> dict[str, str]:
    return {
        **CSRF,
        "member_count": "2",
        "point_kind": "shelter",
        "place": "Albergue",
        **HEAD,
        **_member(1, **TYPED, sex="M", nationality="VEN", relationship="spouse"),
        **extra,
    }


def _candidates(client: TestClient, form: dict[str, str], index: int) -> Any:
    return client.post(
        "/people/households/candidates",
        data={**form, "search_member": str(index)},
        headers={"HX-Request": "true"},
    )


def _people(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Person)) or 0


class TestCandidatesPerMember:
    def test_a_near_duplicate_member_is_shown_with_the_evidence(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register_alone(client)
        partial = _candidates(client, _family_form(), 1)
        assert partial.status_code == 200
        # The radio belongs to member 1 only and says what choosing it means.
        assert f'id="member-1-link-{person_id}"' in partial.text
        assert f'name="members-1-link_to" id="member-1-link-{person_id}"' in (
            partial.text
        )
        assert "This is the same person:" in partial.text
        assert "Quezada Zambrano" in partial.text
        assert "Compare field by field" in partial.text  # the score explained
        assert re.search(r"\(\d+%\)", partial.text)
        assert 'id="member-1-link-new"' in partial.text
        assert 'role="status"' in partial.text

    def test_at_most_five_candidates(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "caseworker.col")
        for day in range(1, 8):
            _register_alone(client, birth_date=f"1985-03-{day:02d}")
        partial = _candidates(client, _family_form(), 1)
        assert partial.status_code == 200
        assert len(re.findall(r'id="member-1-link-[0-9a-f-]{36}"', partial.text)) == 5

    def test_too_little_typed_shows_nothing_and_searches_nothing(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        form = {**CSRF, **_member(2, given_name="W")}
        partial = _candidates(client, form, 2)
        assert partial.status_code == 200
        assert "candidate-list" not in partial.text
        searches = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "people:person:search")
        ).all()
        assert searches == []

    def test_the_household_form_wires_each_row_to_the_search(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        page = client.get("/people/households/new")
        assert page.status_code == 200
        for index in range(3):
            assert f'id="member-{index}-candidates" aria-live="polite"' in page.text
            assert f'id="member-{index}-search"' in page.text
        assert 'hx-trigger="input changed delay:400ms from:#member-1-person"' in (
            page.text
        )
        assert 'hx-post="/people/households/candidates"' in page.text
        more = client.get("/people/households/member-row?index=3")
        assert 'id="member-3-candidates"' in more.text

    def test_refused_without_csrf_or_permission(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        form = _family_form()
        del form["csrf_token"]
        assert _candidates(client, form, 1).status_code == 403
        client.cookies.clear()
        login_as(client, "analyst.hub")
        assert _candidates(client, _family_form(), 1).status_code == 403

    def test_a_bad_row_number_is_refused(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        for bad in ("x", "-1", "99"):
            response = client.post(
                "/people/households/candidates",
                data={**_family_form(), "search_member": bad},
            )
            assert response.status_code == 422, bad


class TestTenantWall:
    def test_candidates_of_another_states_tenant_are_never_shown(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.pan")
        panama_id = _register_alone(client)
        client.cookies.clear()
        login_as(client, "caseworker.col")
        partial = _candidates(client, _family_form(), 1)
        assert partial.status_code == 200
        assert panama_id not in partial.text
        assert "Quezada" not in partial.text
        # Nor can the Colombian caseworker link to it by posting its id.
        before = _people(session)
        saved = client.post(
            "/people/households",
            data=_family_form(**{"members-1-link_to": panama_id}),
            follow_redirects=False,
        )
        assert saved.status_code == 404
        assert _people(session) == before


class TestChoosingLinks:
    def test_choosing_the_candidate_links_instead_of_creating(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register_alone(client)
        before = _people(session)
        partial = _candidates(client, _family_form(), 1)
        assert f'value="{person_id}"' in partial.text
        saved = client.post(
            "/people/households",
            data=_family_form(**{"members-1-link_to": person_id}),
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
        household_id = str(saved.headers["location"]).split("?")[0].rsplit("/", 1)[1]
        # One new person (the head), not two: member 1 is the existing record.
        assert _people(session) == before + 1
        members = session.scalars(
            select(HouseholdMember.person_id).where(
                HouseholdMember.household_id == uuid.UUID(household_id)
            )
        ).all()
        assert len(members) == 2
        assert person_id in {str(member) for member in members}
        page = client.get(f"/people/households/{household_id}")
        assert f'href="/people/{person_id}"' in page.text
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == person_id)
        ).all()
        assert "people:person:link" in actions
        assert actions.count("people:person:create") == 1

    def test_not_choosing_creates_a_new_person(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        _register_alone(client)
        before = _people(session)
        saved = client.post(
            "/people/households",
            data=_family_form(**{"members-1-link_to": "new"}),
            follow_redirects=False,
        )
        assert saved.status_code == 303
        assert _people(session) == before + 2

    def test_one_record_for_two_members_is_refused(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register_alone(client)
        before = _people(session)
        form = _family_form(
            **{"members-0-link_to": person_id, "members-1-link_to": person_id}
        )
        response = client.post("/people/households", data=form)
        assert response.status_code == 422
        assert "chosen for two members" in response.text
        # The choices survive the error: each row shows its candidates again.
        assert re.search(
            rf'id="member-1-link-{person_id}" value="{person_id}"\s+checked',
            response.text,
        )
        assert _people(session) == before


class TestWithoutJavaScript:
    def test_the_search_button_returns_the_page_with_candidates(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register_alone(client)
        before = _people(session)
        response = client.post(
            "/people/households",
            data=_family_form(search_member="1"),
            follow_redirects=False,
        )
        assert response.status_code == 200
        assert f'id="member-1-link-{person_id}"' in response.text
        assert 'value="Kesada Sambrano"' in response.text  # nothing typed is lost
        assert 'value="Yuleisy"' in response.text
        assert _people(session) == before  # nothing saved
        # The caseworker then picks the record and saves, still without HTMX.
        saved = client.post(
            "/people/households",
            data=_family_form(**{"members-1-link_to": person_id}),
            follow_redirects=False,
        )
        assert saved.status_code == 303
        assert _people(session) == before + 1  # the head; member 1 was linked


class TestAuditAndPrivacy:
    def _searches(self, session: Session) -> list[dict[str, Any]]:
        session.expire_all()
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "people:person:search")
            .order_by(AuditEvent.id)
        ).all()
        return [json.loads(row.details) for row in rows]

    def test_member_and_single_person_searches_are_audited_alike(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register_alone(client)
        _candidates(client, _family_form(), 1)
        client.post(
            "/people/candidates", data={**CSRF, **TYPED}, headers={"HX-Request": "1"}
        )
        household, single = self._searches(session)
        assert household["screen"] == "household"
        assert single["screen"] == "person"
        for details in (household, single):
            assert details["by"] == "name,birth_date"
            assert details["candidates"] >= 1
            assert person_id in details["shown"]
            assert "esada" not in json.dumps(details)
            assert "1985" not in json.dumps(details)

    def test_no_name_in_any_url_or_log_line(
        self,
        client: TestClient,
        login_as: Login,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register_alone(client)
        caplog.set_level(logging.DEBUG)
        responses: list[Any] = []
        with structlog.testing.capture_logs() as logs:
            responses.append(_candidates(client, _family_form(), 1))
            responses.append(
                client.post("/people/households", data=_family_form(search_member="1"))
            )
            responses.append(
                client.post(
                    "/people/households",
                    data=_family_form(**{"members-1-link_to": person_id}),
                )
            )
        assert all(r.status_code == 200 for r in responses)  # redirect followed
        assert person_id in responses[0].text
        urls = [str(r.url) for r in responses]
        urls += [str(h.url) for r in responses for h in r.history]
        urls += [str(r.request.url) for r in responses]
        log_text = "\n".join(repr(entry) for entry in logs) + caplog.text
        assert logs  # the search and the save logged (ids only)
        for name in ("Wílmer", "Wilmer", "Kesada", "Quezada", "Yuleisy", "1985"):
            assert [u for u in urls if name.lower() in u.lower()] == [], name
            assert name not in log_text, name
