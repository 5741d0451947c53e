"""Login throttled by name and by source, without revealing whether a name exists
(issue 9, item 11).

A guesser from one source blocks that name from that source only (the owner logs
in from elsewhere); spread over many sources the name is blocked for everyone; a
source that keeps failing is refused for every name (429). A known name and an
unknown one run the same SQL statements in the same order, verify one argon2
hash each and get the same words, blocked or not.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.config import Settings
from puente.core.db import utcnow
from puente.identity import admin, service
from puente.identity.errors import InvalidCredentials, LoginThrottled
from puente.identity.models import LoginThrottle, User
from puente.identity.permissions import Actor, Role

KNOWN = "caseworker.pan"
UNKNOWN = "nobody.pan"
GUESSER = "203.0.113.7"
OWNER = "198.51.100.20"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def _password(settings: Settings) -> str:
    return settings.demo_password.get_secret_value()


def _fail(session: Session, name: str, source: str, now: dt.datetime) -> str:
    with pytest.raises(InvalidCredentials) as refused:
        service.authenticate(session, name, "wrong-guess", source=source, now=now)
    return refused.value.translated()


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements run on the session's connection, in order."""
    seen: list[str] = []
    connection = session.connection()

    def keep(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", keep)


class TestByNameAndSource:
    def test_a_guesser_blocks_the_name_from_its_source_only(
        self, session: Session, settings: Settings
    ) -> None:
        now = utcnow()
        for _ in range(settings.lockout_threshold):
            _fail(session, KNOWN, GUESSER, now)
        # From the guesser's source even the right password is refused...
        with pytest.raises(InvalidCredentials):
            service.authenticate(
                session, KNOWN, _password(settings), source=GUESSER, now=now
            )
        # ...but the owner, elsewhere, still logs in.
        user = service.authenticate(
            session, KNOWN, _password(settings), source=OWNER, now=now
        )
        assert user.username == KNOWN

    def test_guessing_spread_over_sources_blocks_the_name_for_everyone(
        self, session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(settings, "account_lockout_threshold", 6)
        now = utcnow()
        for n in range(6):
            _fail(session, KNOWN, f"192.0.2.{n}", now)
        with pytest.raises(InvalidCredentials):
            service.authenticate(
                session, KNOWN, _password(settings), source=OWNER, now=now
            )
        later = now + dt.timedelta(minutes=settings.lockout_minutes, seconds=1)
        user = service.authenticate(
            session, KNOWN, _password(settings), source=OWNER, now=later
        )
        assert user.username == KNOWN

    def test_a_source_that_keeps_failing_is_refused_for_every_name(
        self, session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(settings, "source_lockout_threshold", 4)
        now = utcnow()
        for n in range(4):
            _fail(session, f"someone{n}.pan", GUESSER, now)
        for name in (KNOWN, UNKNOWN):
            with pytest.raises(LoginThrottled) as throttled:
                service.authenticate(
                    session, name, _password(settings), source=GUESSER, now=now
                )
            assert throttled.value.retry_after > 0
        # Another source is not touched.
        assert service.authenticate(
            session, KNOWN, _password(settings), source=OWNER, now=now
        )

    def test_a_password_reset_lifts_the_block_of_the_name(
        self, session: Session, settings: Settings
    ) -> None:
        now = utcnow()
        for _ in range(settings.lockout_threshold):
            _fail(session, KNOWN, GUESSER, now)
        user = session.scalars(select(User).where(User.username == KNOWN)).one()
        admin_actor = Actor(
            user_id=uuid.uuid4(),
            username="admin.test",
            tenant_code="PAN",
            organisation_id=None,
            roles=frozenset({Role.ADMIN}),
        )
        new_password = admin.reset_password(
            session, actor=admin_actor, user_id=user.id, reason="forgotten"
        )
        assert service.authenticate(session, KNOWN, new_password, source=GUESSER)

    def test_the_table_holds_no_name_and_no_address(
        self, session: Session, settings: Settings
    ) -> None:
        _fail(session, KNOWN, GUESSER, utcnow())
        rows = session.scalars(select(LoginThrottle)).all()
        assert len(rows) == 3
        for row in rows:
            for text in (row.key, row.name_key or ""):
                assert KNOWN not in text
                assert GUESSER not in text
                assert re.fullmatch(r"[0-9a-f]{64}", text) or text == ""


class TestKnownAndUnknownLookAlike:
    def _work(
        self,
        session: Session,
        name: str,
        monkeypatch: pytest.MonkeyPatch,
        source: str = GUESSER,
    ) -> tuple[list[str], int, str]:
        verified: list[str] = []
        real = PasswordHasher.verify

        def counting(hasher: PasswordHasher, stored: str, password: str) -> bool:
            verified.append(stored)
            return real(hasher, stored, password)

        monkeypatch.setattr(PasswordHasher, "verify", counting)
        with _statements(session) as seen:
            words = _fail(session, name, source, utcnow())
        monkeypatch.setattr(PasswordHasher, "verify", real)
        return seen, len(verified), words

    def test_a_wrong_password_runs_the_same_statements_for_both(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Each from a source of its own: every counter is new for both.
        known = self._work(session, KNOWN, monkeypatch, "192.0.2.50")
        unknown = self._work(session, UNKNOWN, monkeypatch, "192.0.2.51")
        assert known[0] == unknown[0]  # same statements, same order
        assert known[1] == unknown[1] == 1  # one argon2 verification each
        assert known[2] == unknown[2]  # same words

    def test_a_blocked_known_name_and_an_unknown_one_look_alike(
        self, session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        now = utcnow()
        for name in (KNOWN, UNKNOWN):
            for _ in range(settings.lockout_threshold):
                _fail(session, name, GUESSER, now)
        known = self._work(session, KNOWN, monkeypatch)
        unknown = self._work(session, UNKNOWN, monkeypatch)
        assert known[0] == unknown[0]
        assert known[1] == unknown[1] == 1
        assert known[2] == unknown[2] == InvalidCredentials().translated()

    def test_every_failure_is_audited_known_or_not(self, session: Session) -> None:
        def count() -> int:
            return int(
                session.scalar(
                    select(func.count(AuditEvent.id)).where(
                        AuditEvent.action == "identity:login:fail"
                    )
                )
                or 0
            )

        before = count()
        _fail(session, KNOWN, GUESSER, utcnow())
        _fail(session, UNKNOWN, GUESSER, utcnow())
        assert count() == before + 2


def _post_login(client: TestClient, name: str, password: str) -> Any:
    page = client.get("/login")
    token = CSRF_INPUT.search(page.text)
    assert token is not None
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token[1]},
        follow_redirects=False,
    )


def test_the_login_page_answers_429_with_retry_after_for_a_failing_source(
    app: FastAPI,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "source_lockout_threshold", 3)
    with TestClient(app, client=(GUESSER, 40000)) as guesser:
        answers = [_post_login(guesser, UNKNOWN, "wrong").status_code for _ in "abc"]
        assert answers == [401, 401, 401]
        throttled = _post_login(guesser, KNOWN, _password(settings))
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) > 0
        assert "Too many attempts from this address" in throttled.text
    with TestClient(app, client=(OWNER, 40000)) as owner:
        assert _post_login(owner, KNOWN, _password(settings)).status_code == 303
