"""Firings and actors for the alert and plan tests (no trigger service needed)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from puente.early_warning.schemas import FiringRead
from puente.identity import Actor, Role

TITLES = {
    "en": "Surge in transits through the Darién",
    "es": "Aumento de tránsitos por el Darién",
    "pt": "Aumento de trânsitos pelo Darién",
    "fr": "Hausse des transits par le Darién",
    "ht": "Ogmantasyon pasaj nan Darién",
}


def Firing(  # noqa: N802 - reads like the schema it builds
    *,
    trigger_id: str | None = None,
    trigger_version: str = "2026.1",
    series_key: str = "darien_nat|*",
    period: dt.date | None = None,
    severity: str = "Severe",
    urgency: str = "Expected",
    certainty: str = "Likely",
    plan_template: str | None = "transit_surge",
    condition: str = "c2_alarm && growth_3m > 0.5",
    values: dict[str, Any] | None = None,
    titles: dict[str, str] | None = None,
    tenant_code: str = "HUB",
    country: str | None = None,
    is_open: bool = True,
) -> FiringRead:
    """A firing as the trigger service reads it (`FiringRead`)."""
    return FiringRead(
        id=uuid.uuid4(),
        # Unique per firing: web tests commit, and SQLite keeps what a test committed.
        trigger_id=trigger_id or f"surge-c2-growth-{uuid.uuid4().hex[:8]}",
        trigger_version=trigger_version,
        catalogue_version="test",
        series_key=series_key,
        source=series_key.split("|", 1)[0],
        country=country,
        tenant_code=tenant_code,
        period=period or last_month(),
        values=(
            values
            if values is not None
            else {
                "c2_alarm": True,
                "growth_3m": 0.62,
                "arrivals_month": 81946,
                "forecast_hi80": 90000.0,
            }
        ),
        severity=severity,
        urgency=urgency,
        certainty=certainty,
        plan_template=plan_template,
        title=dict(TITLES) if titles is None else titles,
        condition=condition,
        vintage_id=None,
        is_open=is_open,
        fired_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )


def actor(role: Role, tenant: str = "HUB") -> Actor:
    return Actor(uuid.uuid4(), f"{role.value}.test", tenant, None, frozenset({role}))


def last_month(today: dt.date | None = None) -> dt.date:
    """The month before `today`'s: an alert about it is still current."""
    first = (today or dt.datetime.now(dt.UTC).date()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)
