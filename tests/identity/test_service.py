"""Passwords, lockout, sessions, MFA and tokens."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.config import Settings
from puente.core.db import utcnow
from puente.identity import service
from puente.identity.errors import (
    InvalidCredentials,
    InvalidTotp,
    SessionExpired,
)
from puente.identity.models import User

DEMO_PASSWORD = "puente-demo-2026"


def _user(session: Session, username: str = "caseworker.col") -> User:
    return session.scalars(select(User).where(User.username == username)).one()


class TestPasswords:
    def test_hashes_are_argon2id(self, session: Session) -> None:
        assert _user(session).password_hash.startswith("$argon2id$")

    def test_right_password_authenticates(self, session: Session) -> None:
        assert service.authenticate(
            session, "caseworker.col", DEMO_PASSWORD
        ).username == ("caseworker.col")

    def test_wrong_password_and_unknown_user_fail_alike(self, session: Session) -> None:
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "caseworker.col", "nope")
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "nobody.xyz", "nope")


class TestLockout:
    """Throttling by name and by source: `tests/identity/test_login_throttle.py`."""

    def test_locks_after_threshold_then_refuses_even_the_right_password(
        self, session: Session, settings: Settings
    ) -> None:
        now = utcnow()
        for _ in range(settings.lockout_threshold):
            with pytest.raises(InvalidCredentials):
                service.authenticate(session, "caseworker.pan", "wrong", now=now)
        with pytest.raises(InvalidCredentials) as locked:
            service.authenticate(session, "caseworker.pan", DEMO_PASSWORD, now=now)
        # Said like a wrong password: the lock does not reveal that the account
        # exists (an unknown name gets the same words).
        with pytest.raises(InvalidCredentials) as unknown:
            service.authenticate(session, "nobody.here", "wrong", now=now)
        assert locked.value.translated() == unknown.value.translated()

    def test_lock_lifts_after_the_lockout_period(
        self, session: Session, settings: Settings
    ) -> None:
        now = utcnow()
        for _ in range(settings.lockout_threshold):
            with pytest.raises(InvalidCredentials):
                service.authenticate(session, "caseworker.pan", "wrong", now=now)
        later = now + dt.timedelta(minutes=settings.lockout_minutes, seconds=1)
        user = service.authenticate(session, "caseworker.pan", DEMO_PASSWORD, now=later)
        assert user.failed_logins == 0


class TestSessions:
    def test_login_issues_a_new_session_id_each_time(self, session: Session) -> None:
        user = _user(session)
        first = service.start_session(session, user)
        second = service.start_session(session, user)
        assert first.token != second.token
        assert first.record.id != second.record.id

    def test_idle_timeout_ends_the_session(
        self, session: Session, settings: Settings
    ) -> None:
        started = service.start_session(session, _user(session))
        idle = dt.timedelta(minutes=settings.session_idle_minutes, seconds=1)
        with pytest.raises(SessionExpired):
            service.resolve_session(session, started.token, now=utcnow() + idle)
        # and it stays ended
        with pytest.raises(SessionExpired):
            service.resolve_session(session, started.token)

    def test_activity_keeps_it_alive_until_the_absolute_limit(
        self, session: Session, settings: Settings
    ) -> None:
        started = service.start_session(session, _user(session))
        step = dt.timedelta(minutes=settings.session_idle_minutes - 1)
        now = utcnow()
        total = dt.timedelta()
        while total + step < dt.timedelta(hours=settings.session_absolute_hours):
            total += step
            service.resolve_session(session, started.token, now=now + total)
        with pytest.raises(SessionExpired):
            service.resolve_session(session, started.token, now=now + total + step)

    def test_rotation_ends_the_old_id(self, session: Session) -> None:
        started = service.start_session(session, _user(session))
        fresh = service.rotate_session(session, started.record)
        with pytest.raises(SessionExpired):
            service.resolve_session(session, started.token)
        assert service.resolve_session(session, fresh.token)[1].username == (
            "caseworker.col"
        )


class TestTotp:
    def _enrol(self, session: Session) -> tuple[str, service.SessionToken, User]:
        user = _user(session, "supervisor.col")
        started = service.start_session(session, user)
        secret = service.begin_enrolment(started.record, user)
        code = pyotp.TOTP(secret).now()
        service.confirm_enrolment(session, started.record, user, code)
        return secret, started, user

    def test_secret_is_stored_encrypted(self, session: Session) -> None:
        secret, _started, user = self._enrol(session)
        assert user.totp_secret is not None
        assert secret.encode() not in user.totp_secret

    def test_a_fresh_code_passes(self, session: Session) -> None:
        secret, started, user = self._enrol(session)
        later = utcnow() + dt.timedelta(seconds=60)
        code = pyotp.TOTP(secret).at(later)
        service.verify_totp(session, started.record, user, code, now=later)
        assert started.record.mfa_passed

    def test_replayed_code_is_rejected(self, session: Session) -> None:
        secret, started, user = self._enrol(session)
        later = utcnow() + dt.timedelta(seconds=60)
        code = pyotp.TOTP(secret).at(later)
        service.verify_totp(session, started.record, user, code, now=later)
        with pytest.raises(InvalidTotp):
            service.verify_totp(session, started.record, user, code, now=later)

    def test_wrong_code_is_rejected(self, session: Session) -> None:
        secret, started, user = self._enrol(session)
        later = utcnow() + dt.timedelta(seconds=60)
        good = pyotp.TOTP(secret).at(later)
        bad = f"{(int(good) + 1) % 1_000_000:06d}"
        with pytest.raises(InvalidTotp):
            service.verify_totp(session, started.record, user, bad, now=later)


class TestTokens:
    def test_token_resolves_to_its_user_and_only_the_hash_is_kept(
        self, session: Session
    ) -> None:
        from puente.identity import system_actor
        from puente.identity.models import ApiToken

        token = service.issue_token(
            session, actor=system_actor(), username="analyst.hub"
        )
        assert service.resolve_token(session, token).username == "analyst.hub"
        stored = session.scalars(select(ApiToken.token_hash)).all()
        assert token not in stored

    def test_unknown_token_fails(self, session: Session) -> None:
        with pytest.raises(InvalidCredentials):
            service.resolve_token(session, "pnt_not-a-token")
