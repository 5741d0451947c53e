"""Login throttling by account and by source, alike for names that exist and not.

Three counters of wrong passwords, each over a window of `lockout_minutes` from
its first failure (issue 9, item 11):

- **name from one source** (`lockout_threshold`, default 5): that source may not
  try that name again for `lockout_minutes`. The owner, from anywhere else, still
  logs in: one guesser cannot lock an account for everyone.
- **name from any source** (`account_lockout_threshold`, default 50): guessing
  spread over many sources blocks the name for everyone, for a while.
- **source, any name** (`source_lockout_threshold`, default 30): a source that
  keeps failing may not try any name. This is the only refusal said differently
  (429, "too many attempts from this address"), and it says nothing of a name.

Counters are keyed by an HMAC digest of the name (as typed, case-folded) and of
the address under the hub's key: the table holds neither, and a name that exists
is counted, blocked and answered exactly like one that does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from puente.core.config import get_settings
from puente.core.crypto import get_keyring
from puente.identity.models import LoginThrottle

_KEY_TENANT = "HUB"


@dataclass(frozen=True)
class Keys:
    """The three counters one login attempt touches."""

    source: str
    account: str
    pair: str


def _digest(*parts: str) -> str:
    key = get_keyring().key_for(_KEY_TENANT)
    message = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def keys_for(username: str, source: str) -> Keys:
    name = username.strip().casefold()
    return Keys(
        source=_digest("source", source),
        account=_digest("account", name),
        pair=_digest("pair", name, source),
    )


def _rows(session: Session, keys: Keys) -> dict[str, LoginThrottle]:
    found = session.scalars(
        select(LoginThrottle).where(
            LoginThrottle.key.in_((keys.source, keys.account, keys.pair))
        )
    )
    return {row.key: row for row in found}


def _blocked(row: LoginThrottle | None, now: dt.datetime) -> bool:
    return bool(row and row.blocked_until and row.blocked_until > now)


@dataclass(frozen=True)
class Verdict:
    source_blocked: bool
    name_blocked: bool
    retry_after_seconds: int


def check(session: Session, keys: Keys, now: dt.datetime) -> Verdict:
    """Is this source, or this name (from here or from everywhere), blocked now?"""
    rows = _rows(session, keys)
    source = rows.get(keys.source)
    name_blocked = _blocked(rows.get(keys.account), now) or _blocked(
        rows.get(keys.pair), now
    )
    retry = 0
    if _blocked(source, now) and source is not None and source.blocked_until:
        retry = max(1, int((source.blocked_until - now).total_seconds()) + 1)
    return Verdict(_blocked(source, now), name_blocked, retry)


def record_failure(session: Session, keys: Keys, now: dt.datetime) -> None:
    """Count one wrong password on the three counters; block what passed its
    threshold."""
    settings = get_settings()
    window = dt.timedelta(minutes=settings.lockout_minutes)
    thresholds = {
        keys.source: settings.source_lockout_threshold,
        keys.account: settings.account_lockout_threshold,
        keys.pair: settings.lockout_threshold,
    }
    rows = _rows(session, keys)
    for key, threshold in thresholds.items():
        row = rows.get(key)
        if row is None:
            row = LoginThrottle(
                key=key,
                name_key=None if key == keys.source else keys.account,
                failures=0,
                window_started_at=now,
            )
            session.add(row)
        elif row.window_started_at + window <= now and not _blocked(row, now):
            row.failures, row.window_started_at, row.blocked_until = 0, now, None
        row.failures += 1
        if row.failures >= threshold and not _blocked(row, now):
            row.blocked_until = now + window
            row.failures = 0
            row.window_started_at = now
    session.flush()


def record_success(session: Session, keys: Keys) -> None:
    """A right password clears the count of this name from this source (the
    name's count from everywhere runs out with its window)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys.pair))


def clear_name(session: Session, username: str) -> None:
    """Lift every block of a name, from everywhere and from single sources (an
    administrator reset its password)."""
    account = keys_for(username, "").account
    session.execute(delete(LoginThrottle).where(LoginThrottle.name_key == account))
