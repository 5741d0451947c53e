"""An alert past its validity (its month long gone, or its CAP message expired) is
shown as past: never among current alerts, never as an unread notice (issue 11)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service.alerts._common import is_past
from puente.identity import system_actor
from tests.early_warning.alert_factories import Firing

Login = Callable[[TestClient, str], TestClient]


def _alert(session: Session, period: dt.date) -> uuid.UUID:
    [alert] = alert_service.raise_alerts(
        session, actor=system_actor(), firings=[Firing(period=period)]
    )
    session.commit()
    return alert.id


def test_an_alert_of_early_2025_is_past_in_december_2026() -> None:
    now = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    assert is_past(dt.date(2025, 3, 1), now, now)
    assert not is_past(dt.date(2026, 11, 1), now, now)
    # A recent month whose CAP message was sent 31 days ago is past too.
    assert is_past(dt.date(2026, 11, 1), now - dt.timedelta(days=31), now)


def test_a_past_alert_is_history_not_news(
    client: TestClient, session: Session, login_as: Login
) -> None:
    old = _alert(session, dt.date(2025, 3, 1))
    login_as(client, "coordinator.hub")
    home = client.get("/").text
    assert f'href="/early-warning/alerts/{old}"' not in home
    dashboard = client.get("/early-warning").text
    assert f'href="/early-warning/alerts/{old}"' not in dashboard
    current = client.get("/early-warning/alerts").text
    assert f'href="/early-warning/alerts/{old}"' not in current
    history = client.get("/early-warning/alerts?history=true").text
    row = history.split(f'href="/early-warning/alerts/{old}"', 1)[1].split("</tr>")[0]
    assert 'data-past="true"' in row
    detail = client.get(f"/early-warning/alerts/{old}").text
    assert 'id="alert-past"' in detail
