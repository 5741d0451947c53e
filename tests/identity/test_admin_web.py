"""Administration screens: users, organisations, resets (with a second admin)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.identity import User
from puente.identity.models import MfaResetRequest
from tests.conftest import CSRF, unique

Login = Callable[[TestClient, str], TestClient]


def _user(session: Session, username: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def _create(client: TestClient, name: str, roles: list[str]) -> str:
    response = client.post(
        "/admin/users/new",
        data={**CSRF, "username": name, "roles": roles, "locale": "fr"},
    )
    assert response.status_code == 200, response.text
    return response.text


def test_home_links_to_the_admin_screens(client: TestClient, login_as: Login) -> None:
    login_as(client, "admin").follow_redirects = False
    home = client.get("/")
    assert 'href="/admin/users"' in home.text
    assert 'href="/admin/organisations"' in home.text


def test_others_cannot_reach_the_admin_screens(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "caseworker.col")
    page = client.get("/admin/users")
    assert page.status_code == 403
    assert "<html" in page.text  # the app's error page, not JSON
    assert 'href="/admin/users"' not in client.get("/").text


def test_create_user_shows_a_one_time_password_that_works(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "admin").follow_redirects = False
    name = unique("new.user")
    text = _create(client, name, ["analyst", "coordinator"])
    password = text.split('id="one-time-password">', 1)[1].split("<", 1)[0]
    assert len(password) == 19
    user = _user(session, name)
    assert user.roles == "analyst,coordinator"
    assert user.locale == "fr"
    assert user.tenant_code == "HUB"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == str(user.id))
    ).one()
    assert event.action == "identity:user:create"
    assert name not in event.details
    assert password not in event.details
    from puente.identity.service import authenticate

    assert authenticate(session, name, password).id == user.id


def test_bad_username_and_taken_username_keep_the_form(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "admin").follow_redirects = False
    bad = client.post(
        "/admin/users/new", data={**CSRF, "username": "Bad Name!", "roles": ["analyst"]}
    )
    assert bad.status_code == 422
    assert 'value="Bad Name!"' in bad.text
    taken = client.post(
        "/admin/users/new",
        data={**CSRF, "username": "analyst.hub", "roles": ["analyst"]},
    )
    assert taken.status_code == 422
    assert "taken" in taken.text
    no_role = client.post("/admin/users/new", data={**CSRF, "username": "x.y.z"})
    assert no_role.status_code == 422


def test_list_filters_counts_paginates_and_exports(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "admin").follow_redirects = False
    prefix = unique("zz")
    for i in range(27):
        _create(client, f"{prefix}.{i:02d}", ["donor"])
    page1 = client.get("/admin/users", params={"q": prefix})
    assert "27 users found." in page1.text
    assert "Page 1 of 2" in page1.text
    assert page1.text.count(f"{prefix}.") >= 25
    page2 = client.get("/admin/users", params={"q": prefix, "page": 2})
    assert f"{prefix}.26" in page2.text
    assert f"{prefix}.00" not in page2.text
    by_role = client.get("/admin/users", params={"role": "auditor"})
    assert "auditor.hub" in by_role.text
    assert "analyst.hub" not in by_role.text
    assert "1 user found." in by_role.text
    # another tenant's users are never listed
    assert "caseworker.col" not in client.get("/admin/users").text
    exported = client.get("/admin/users", params={"q": prefix, "export": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Username"
    assert len(rows) == 28
    assert rows[1][1] == "Donor"


def test_edit_roles_deactivate_and_reactivate(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "admin").follow_redirects = False
    name = unique("edit.me")
    _create(client, name, ["analyst"])
    user = _user(session, name)
    response = client.post(
        f"/admin/users/{user.id}", data={**CSRF, "roles": ["auditor", "analyst"]}
    )
    assert response.status_code == 303
    assert _user(session, name).roles == "analyst,auditor"
    no_reason = client.post(
        f"/admin/users/{user.id}/active", data={**CSRF, "active": "no"}
    )
    assert no_reason.status_code == 422
    assert _user(session, name).is_active
    done = client.post(
        f"/admin/users/{user.id}/active",
        data={**CSRF, "active": "no", "reason": "left_organisation"},
    )
    assert done.status_code == 303
    assert not _user(session, name).is_active
    assert "deactivated" in client.get(done.headers["location"]).text
    client.post(
        f"/admin/users/{user.id}/active",
        data={**CSRF, "active": "yes", "reason": "returned"},
    )
    assert _user(session, name).is_active
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_id == str(user.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "identity:user:create",
        "identity:user:update",
        "identity:user:deactivate",
        "identity:user:reactivate",
    ]


def test_an_admin_cannot_lock_themselves_out(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "admin").follow_redirects = False
    me = _user(session, "admin")
    response = client.post(
        f"/admin/users/{me.id}/active",
        data={**CSRF, "active": "no", "reason": "other"},
    )
    assert response.status_code == 409
    assert _user(session, "admin").is_active


def test_password_reset_ends_sessions_and_works(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "admin").follow_redirects = False
    name = unique("pw.user")
    _create(client, name, ["analyst"])
    user = _user(session, name)
    response = client.post(
        f"/admin/users/{user.id}/password", data={**CSRF, "reason": "forgotten"}
    )
    assert response.status_code == 200
    password = response.text.split('id="one-time-password">', 1)[1].split("<", 1)[0]
    from puente.identity.service import authenticate

    session.expire_all()
    assert authenticate(session, name, password).id == user.id


def test_authenticator_reset_needs_a_second_admin(
    client: TestClient, app: object, login_as: Login, session: Session
) -> None:
    target = _user(session, "coordinator.hub")
    target.totp_secret = b"sealed"
    target.totp_last_step = 99
    session.commit()
    login_as(client, "admin").follow_redirects = False
    asked = client.post(
        f"/admin/users/{target.id}/mfa-reset",
        data={**CSRF, "reason": "lost_device"},
    )
    assert asked.status_code == 303
    request = session.scalars(
        select(MfaResetRequest).where(MfaResetRequest.user_id == target.id)
    ).one()
    again = client.post(
        f"/admin/users/{target.id}/mfa-reset", data={**CSRF, "reason": "lost_device"}
    )
    assert again.status_code == 409
    mine = client.post(
        f"/admin/mfa-resets/{request.id}", data={**CSRF, "decision": "approve"}
    )
    assert mine.status_code == 409
    assert _user(session, "coordinator.hub").totp_secret == b"sealed"
    with TestClient(app, base_url="http://testserver") as second:  # type: ignore[arg-type]
        login_as(second, "admin2").follow_redirects = False
        listing = second.get("/admin/mfa-resets")
        assert "coordinator.hub" in listing.text
        approved = second.post(
            f"/admin/mfa-resets/{request.id}", data={**CSRF, "decision": "approve"}
        )
        assert approved.status_code == 303
        twice = second.post(
            f"/admin/mfa-resets/{request.id}", data={**CSRF, "decision": "approve"}
        )
        assert twice.status_code == 409
    user = _user(session, "coordinator.hub")
    assert user.totp_secret is None
    assert user.mfa_enrolled_at is None
    actions = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_id == str(user.id),
            AuditEvent.action.like("identity:mfa_reset:%"),
        )
    ).all()
    assert actions == ["identity:mfa_reset:request", "identity:mfa_reset:approve"]


def test_organisations_create_and_edit(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "admin").follow_redirects = False
    name = unique("Red Cross branch")
    created = client.post(
        "/admin/organisations/new", data={**CSRF, "name": name, "kind": "ngo"}
    )
    assert created.status_code == 303
    listing = client.get("/admin/organisations").text
    assert name in listing
    assert "Non-governmental organisation" in listing
    dup = client.post(
        "/admin/organisations/new", data={**CSRF, "name": name, "kind": "ngo"}
    )
    assert dup.status_code == 409
    assert f'value="{name}"' in dup.text
    bad = client.post(
        "/admin/organisations/new", data={**CSRF, "name": "x", "kind": "zz"}
    )
    assert bad.status_code == 422


def test_unknown_or_malformed_ids_are_a_404_page(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "admin").follow_redirects = False
    for url in (
        "/admin/users/00000000-0000-0000-0000-000000000000",
        "/admin/organisations/00000000-0000-0000-0000-000000000000",
    ):
        page = client.get(url)
        assert page.status_code == 404
        assert "<html" in page.text
