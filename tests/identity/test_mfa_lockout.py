"""MFA failures are counted apart from passwords and lock MFA (issue 9, item 3)."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.config import Settings
from puente.core.db import utcnow
from puente.core.errors import PermissionDenied
from puente.identity import service, system_actor
from puente.identity.errors import InvalidTotp, MfaLocked
from puente.identity.models import User, UserSession
from puente.identity.permissions import Actor, Role

DEMO_PASSWORD = "puente-demo-2026"
USERNAME = "supervisor.col"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def _user(session: Session, username: str = USERNAME) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _enrol(session: Session) -> tuple[str, User]:
    user = _user(session)
    started = service.start_session(session, user)
    secret = service.begin_enrolment(started.record, user)
    service.confirm_enrolment(session, started.record, user, pyotp.TOTP(secret).now())
    session.commit()
    return secret, user


def _wrong(secret: str, at: dt.datetime) -> str:
    """A code that matches none of the three accepted time steps."""
    totp = pyotp.TOTP(secret)
    near = {totp.at(at + dt.timedelta(seconds=30 * k)) for k in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


def test_password_logins_do_not_buy_more_totp_guesses(
    session: Session, settings: Settings
) -> None:
    secret, user = _enrol(session)
    now = utcnow() + dt.timedelta(seconds=90)
    bad = _wrong(secret, now)
    attempts = 0
    for _login in range(4):
        service.authenticate(session, USERNAME, DEMO_PASSWORD, now=now)
        record = service.start_session(session, user).record
        for _code in range(4):
            attempts += 1
            expected = (
                MfaLocked if attempts > settings.mfa_lockout_threshold else InvalidTotp
            )
            with pytest.raises(expected):
                service.verify_totp(session, record, user, bad, now=now)
    assert attempts == 16
    assert user.mfa_locked_at is not None
    assert user.failed_logins == 0  # the password counter is apart
    # Locked: even the right code is refused, and a right password changes nothing.
    service.authenticate(session, USERNAME, DEMO_PASSWORD, now=now)
    record = service.start_session(session, user).record
    with pytest.raises(MfaLocked):
        service.verify_totp(session, record, user, pyotp.TOTP(secret).at(now), now=now)
    assert not record.mfa_passed


def test_a_right_code_clears_the_count_below_the_threshold(
    session: Session, settings: Settings
) -> None:
    secret, user = _enrol(session)
    now = utcnow() + dt.timedelta(seconds=90)
    record = service.start_session(session, user).record
    for _ in range(settings.mfa_lockout_threshold - 1):
        with pytest.raises(InvalidTotp):
            service.verify_totp(session, record, user, _wrong(secret, now), now=now)
    service.verify_totp(session, record, user, pyotp.TOTP(secret).at(now), now=now)
    assert user.mfa_failures == 0
    assert user.mfa_locked_at is None


@pytest.mark.parametrize("code", ["１２３４５６", "²²²²²²", "12345٦", "", "abcdef"])
def test_odd_codes_are_wrong_codes_not_errors(session: Session, code: str) -> None:
    _secret, user = _enrol(session)
    record = service.start_session(session, user).record
    with pytest.raises(InvalidTotp):
        service.verify_totp(session, record, user, code)
    assert user.mfa_failures == 1


def _login(client: TestClient) -> None:
    page = client.get("/login")
    token = CSRF_INPUT.search(page.text)
    assert token is not None
    response = client.post(
        "/login",
        data={"username": USERNAME, "password": DEMO_PASSWORD, "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/mfa"


def _send_code(client: TestClient, code: str) -> int:
    page = client.get("/mfa")
    token = CSRF_INPUT.search(page.text)
    assert token is not None
    response = client.post(
        "/mfa", data={"code": code, "csrf_token": token[1]}, follow_redirects=False
    )
    return response.status_code


def test_sixteen_wrong_codes_across_four_logins_lock_mfa_over_http(
    client: TestClient, session: Session
) -> None:
    secret, user = _enrol(session)
    bad = _wrong(secret, utcnow())
    statuses = []
    for _login_round in range(4):
        _login(client)
        statuses += [_send_code(client, bad) for _ in range(4)]
    assert statuses == [401] * 16
    session.refresh(user)
    assert user.mfa_locked_at is not None
    _login(client)
    assert _send_code(client, pyotp.TOTP(secret).now()) == 401
    assert client.get("/", follow_redirects=False).headers["location"] == "/mfa"


def test_fullwidth_digits_over_http_are_4xx(
    client: TestClient, session: Session
) -> None:
    _enrol(session)
    _login(client)
    assert _send_code(client, "１２３４５６") == 401


def test_reset_mfa_clears_the_authenticator_counters_and_sessions(
    session: Session,
) -> None:
    secret, user = _enrol(session)
    record = service.start_session(session, user).record
    for _ in range(3):
        with pytest.raises(InvalidTotp):
            service.verify_totp(session, record, user, _wrong(secret, utcnow()))
    user.mfa_locked_at = utcnow()
    admin = system_actor("COL")
    reset = service.reset_mfa(session, actor=admin, user_id=user.id)
    assert reset is user
    assert reset.totp_secret is None
    assert reset.mfa_failures == 0
    assert reset.mfa_locked_at is None
    assert reset.mfa_enrolled_at is None
    live = session.scalars(
        select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None)
        )
    ).all()
    assert live == []
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))
    ).all()
    assert "identity:mfa:reset" in actions


def test_reset_mfa_needs_user_manage_in_the_users_tenant(session: Session) -> None:
    _secret, user = _enrol(session)
    caseworker = service.actor_for(_user(session, "caseworker.col"))
    assert Role.ADMIN not in caseworker.roles
    with pytest.raises(PermissionDenied):
        service.reset_mfa(session, actor=caseworker, user_id=user.id)
    other_admin = Actor(
        user_id=user.id,
        username="admin.pan",
        tenant_code="PAN",
        organisation_id=None,
        roles=frozenset({Role.ADMIN}),
    )
    with pytest.raises(PermissionDenied):
        service.reset_mfa(session, actor=other_admin, user_id=user.id)
    assert user.totp_secret is not None
