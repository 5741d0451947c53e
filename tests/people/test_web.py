"""People pages: registration with search before create, a family in one flow,
detail, edit with a stale version, sensitive panel, CSRF and tenant walls."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from tests.conftest import CSRF

PERSON_FORM = {
    "given_name": "Wilson",
    "family_name": "Pérez Zambrano",
    "sex": "M",
    "birth_date": "1985-03-02",
    "nationality": "VEN",
    "document_type": "passport",
    "document_number": "P-889 123 45",
    "point_kind": "border_post",
    "place": "Rumichaca",
}

Login = Callable[[TestClient, str], TestClient]


def _register(client: TestClient, **extra: str) -> str:
    response = client.post(
        "/people", data={**CSRF, **PERSON_FORM, **extra}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    # The person's page, with the confirmation and the next step (screen).
    assert re.match(r"^/people/[0-9a-f-]{36}\?saved=1$", location)
    return location.split("?")[0].rsplit("/", 1)[1]


class TestRegistration:
    def test_form_renders_in_spanish_with_stable_ids(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        client.cookies.set("puente_lang", "es")
        page = client.get("/people/new")
        assert page.status_code == 200
        for element_id in (
            "given_name",
            "family_name",
            "birth_date",
            "nationality",
            "register-submit",
            "candidates",
            "link-new",
        ):
            assert f'id="{element_id}"' in page.text, element_id  # fmt: skip
        assert 'lang="es"' in page.text

    def test_register_then_detail(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "caseworker.col")
        person_id = _register(client)
        page = client.get(f"/people/{person_id}")
        assert page.status_code == 200
        assert "Pérez Zambrano" in page.text
        assert "…345" in page.text  # only the end of the document number
        assert "88912345" not in page.text

    def test_candidates_show_while_typing_and_link_adds_a_visit(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register(client)
        partial = client.post(
            "/people/candidates",
            data={**CSRF, "given_name": "Wilsón", "family_name": "Perez",
                  "birth_date": "1985"},
        )  # fmt: skip
        assert partial.status_code == 200
        assert f'id="link-{person_id}"' in partial.text
        linked = _register(client, link_to=person_id, place="Tulcán")
        assert linked == person_id
        page = client.get(f"/people/{person_id}")
        assert page.text.count("Tulcán") == 1
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == person_id)
        ).all()
        assert "people:person:link" in actions

    def test_bad_input_rerenders_with_the_field_marked(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        response = client.post(
            "/people", data={**CSRF, **PERSON_FORM, "birth_date": "85-3-2"}
        )
        assert response.status_code == 422
        assert 'id="birth_date-error"' in response.text
        assert 'value="Pérez Zambrano"' in response.text  # nothing typed is lost

    def test_post_without_csrf_is_refused(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        response = client.post("/people", data=PERSON_FORM)
        assert response.status_code == 403


class TestFamily:
    def test_register_a_family_in_one_flow(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        form = client.get("/people/households/new")
        assert form.status_code == 200
        assert 'id="member-0-given_name"' in form.text
        more = client.get("/people/households/member-row?index=3")
        assert 'id="member-3-given_name"' in more.text
        assert 'hx-swap-oob="true"' in more.text
        data = {
            **CSRF,
            "member_count": "3",
            "point_kind": "shelter",
            "place": "Albergue",
            "members-0-given_name": "Rosa",
            "members-0-family_name": "Díaz",
            "members-0-sex": "F",
            "members-0-birth_date": "1990",
            "members-0-nationality": "VEN",
            "members-0-relationship": "head",
            "members-0-is_caregiver": "on",
            "members-1-given_name": "Ana",
            "members-1-family_name": "Díaz",
            "members-1-sex": "F",
            "members-1-birth_date": "2014-06",
            "members-1-nationality": "VEN",
            "members-1-relationship": "child",
            "members-1-is_separated": "on",
        }
        response = client.post("/people/households", data=data, follow_redirects=False)
        assert response.status_code == 303, response.text
        page = client.get(response.headers["location"])
        assert page.status_code == 200
        assert "Rosa" in page.text
        assert "Ana" in page.text
        client.cookies.clear()
        login_as(client, "caseworker.pan")
        assert client.get(response.headers["location"]).status_code == 404

    def test_a_bad_member_keeps_every_row(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        data = {
            **CSRF,
            "member_count": "2",
            "members-0-given_name": "Rosa",
            "members-0-family_name": "Díaz",
            "members-1-given_name": "Ana",
            "members-1-family_name": "Díaz",
            "members-1-birth_date": "tomorrow",
        }
        response = client.post("/people/households", data=data)
        assert response.status_code == 422
        assert 'id="member-1-birth_date-error"' in response.text
        assert 'value="Rosa"' in response.text


class TestEditAndSensitive:
    def test_stale_edit_is_409_and_keeps_the_typed_values(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register(client)
        base = {**CSRF, **PERSON_FORM, "version": "1"}
        first = client.post(
            f"/people/{person_id}/edit",
            data={**base, "given_name": "Wilson José"},
            follow_redirects=False,
        )
        assert first.status_code == 303
        stale = client.post(
            f"/people/{person_id}/edit", data={**base, "family_name": "Pérez Z."}
        )
        assert stale.status_code == 409
        assert 'id="edit-conflict"' in stale.text
        assert 'value="Pérez Z."' in stale.text
        assert "Wilson José" in stale.text
        assert "Nationality: Venezuela" in stale.text  # in words, not VEN

    def test_a_protected_persons_nationality_changes_only_with_a_reason(
        self,
        client: TestClient,
        login_as: Login,
        token_for: Callable[[str], str],
        session: Session,
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register(client)
        claim = client.patch(
            f"/api/v1/protection/people/{person_id}/profile",
            json={"claim_status": "pending"},
            headers={"Authorization": f"Bearer {token_for('supervisor.col')}"},
        )
        assert claim.status_code == 204, claim.text
        client.cookies.clear()
        login_as(client, "supervisor.col")
        client.cookies.set("puente_lang", "es")
        base = {**CSRF, **PERSON_FORM, "version": "1", "nationality": "COL",
                "given_name": "Wilson Typed"}  # fmt: skip
        refused = client.post(f"/people/{person_id}/edit", data=base)
        assert refused.status_code == 422
        assert 'id="change_reason-error"' in refused.text
        assert "requiere un motivo" in refused.text
        assert 'value="Wilson Typed"' in refused.text  # what was typed stays
        bearer = {"Authorization": f"Bearer {token_for('supervisor.col')}"}
        kept = client.get(f"/api/v1/people/{person_id}", headers=bearer)
        assert kept.json()["nationality"] == "VEN"
        assert kept.json()["given_name"] == "Wilson"  # nothing half-written
        done = client.post(
            f"/people/{person_id}/edit",
            data={**base, "change_reason": "Cédula colombiana vista"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text

    def test_sensitive_panel_only_for_the_ceiling(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        person_id = _register(client)
        recorded = client.post(
            f"/people/{person_id}/sensitive",
            data={**CSRF, "attribute": "indigenous", "value": "Wayuu",
                  "consent": "on"},
            follow_redirects=False,
        )  # fmt: skip
        assert recorded.status_code == 303
        assert client.get(f"/people/{person_id}/sensitive").status_code == 403
        detail = client.get(f"/people/{person_id}")
        assert "Wayuu" not in detail.text
        client.cookies.clear()
        login_as(client, "supervisor.col")
        panel = client.get(f"/people/{person_id}/sensitive")
        assert panel.status_code == 200
        assert "Wayuu" in panel.text
        reads = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == person_id,
                AuditEvent.action == "people:sensitive:read",
            )
        ).all()
        assert len(reads) == 1

    def test_sensitive_needs_consent(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "caseworker.col")
        person_id = _register(client)
        response = client.post(
            f"/people/{person_id}/sensitive",
            data={**CSRF, "attribute": "health", "value": "x"},
        )
        assert response.status_code == 422


class TestListAndDashboard:
    def test_list_filters_and_card(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "caseworker.col")
        _register(client, family_name="Quispe Zz")
        listing = client.get("/people", params={"name": "quispe", "nationality": "VEN"})
        assert listing.status_code == 200
        assert "Quispe Zz" in listing.text
        bad = client.get("/people", params={"nationality": "VENEZUELA"})
        assert bad.status_code == 422
        home = client.get("/")
        assert 'href="/people"' in home.text
