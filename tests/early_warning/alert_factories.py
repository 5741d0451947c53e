"""Firings and actors for the alert and plan tests (no trigger service needed)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from puente.identity import Actor, Role

TITLES = {
    "en": "Surge in transits through the Darién",
    "es": "Aumento de tránsitos por el Darién",
    "pt": "Aumento de trânsitos pelo Darién",
    "fr": "Hausse des transits par le Darién",
    "ht": "Ogmantasyon pasaj nan Darién",
}


@dataclass(frozen=True)
class Firing:
    """Shaped like the trigger service's firing read schema."""

    # Unique per firing: web tests commit, and SQLite keeps what a test committed.
    trigger_id: str = field(
        default_factory=lambda: f"surge-c2-growth-{uuid.uuid4().hex[:8]}"
    )
    trigger_version: str = "2026.1"
    series_key: str = "darien_nat|*"
    period: dt.date = dt.date(2023, 8, 1)
    severity: str = "Severe"
    urgency: str = "Expected"
    certainty: str = "Likely"
    plan_template: str | None = "transit_surge"
    condition: str = "c2_alarm && growth_3m > 0.5"
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    values: dict[str, Any] = field(
        default_factory=lambda: {
            "c2_alarm": True,
            "growth_3m": 0.62,
            "arrivals_month": 81946,
            "forecast_hi80": 90000.0,
        }
    )
    titles: dict[str, str] = field(default_factory=lambda: dict(TITLES))
    tenant_code: str = "HUB"
    is_open: bool = True


def actor(role: Role, tenant: str = "HUB") -> Actor:
    return Actor(uuid.uuid4(), f"{role.value}.test", tenant, None, frozenset({role}))
