"""What the alert modules share: errors, read shapes, labels, the message-type
transitions and the small text helpers (JSON columns, CAP values, XML-safe text,
titles and country names in the current locale)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from pydantic import BaseModel, Field

from puente import reference
from puente.core import i18n
from puente.core.i18n import N_
from puente.early_warning.rules import cap
from puente.identity import Role

SUBSCRIBED_ROLES: Final = (Role.ANALYST, Role.COORDINATOR, Role.FOCAL_POINT)
LEVELS: Final = {"Unknown": 0, "Minor": 1, "Moderate": 2, "Severe": 3, "Extreme": 4}
LEVEL_NAMES: Final = {
    0: N_("No alert"),
    1: N_("Minor"),
    2: N_("Moderate"),
    3: N_("Severe"),
    4: N_("Extreme"),
}
CAP_LABELS: Final = {
    "Actual": N_("Actual"),
    "Exercise": N_("Exercise"),
    "Test": N_("Test"),
    "Alert": N_("Alert"),
    "Update": N_("Update"),
    "Cancel": N_("Cancel"),
    "Immediate": N_("Immediate"),
    "Expected": N_("Expected"),
    "Future": N_("Future"),
    "Past": N_("Past"),
    "Observed": N_("Observed"),
    "Likely": N_("Likely"),
    "Possible": N_("Possible"),
    "Unlikely": N_("Unlikely"),
    "Unknown": N_("Unknown"),
    "Minor": N_("Minor"),
    "Moderate": N_("Moderate"),
    "Severe": N_("Severe"),
    "Extreme": N_("Extreme"),
}


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class FiringData:
    """A trigger firing as alerts need it (normalised from the trigger service)."""

    firing_id: str
    trigger_id: str
    trigger_version: str
    series_key: str
    period: dt.date
    severity: str
    urgency: str
    certainty: str
    tenant_code: str
    values: dict[str, Any] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    condition: str = ""
    plan_template: str | None = None
    country: str | None = None
    vintage_id: uuid.UUID | None = None
    catalogue_version: str | None = None
    is_open: bool = True


class AlertRead(BaseModel):
    id: uuid.UUID
    trigger_id: str
    trigger_version: str
    series_key: str
    period: dt.date
    country: str | None
    status: str
    msg_type: str
    severity: str
    urgency: str
    certainty: str
    level: int
    title: str
    titles: dict[str, str]
    condition: str
    values: dict[str, Any]
    plan_template: str | None
    sequence: int
    is_current: bool
    # Past its validity (`is_past`): shown as past, never as current or unread.
    is_expired: bool = False
    created_at: dt.datetime
    updated_at: dt.datetime
    cap_url: str


class AlertPage(BaseModel):
    """One page of alerts, newest period first, and how many there are in all."""

    items: list[AlertRead]
    total: int = Field(description="Alerts matching the filter, on every page")
    limit: int = Field(description="The page size asked (at most 200)")
    offset: int = Field(description="Alerts skipped before this page")


class AlertMessageRead(BaseModel):
    identifier: str
    sequence: int
    msg_type: str
    sent_at: dt.datetime
    period: dt.date
    note: str | None


class AlertDetail(AlertRead):
    messages: list[AlertMessageRead]


class NoticeRead(BaseModel):
    is_expired: bool = False
    id: uuid.UUID
    alert_id: uuid.UUID
    msg_type: str
    title: str
    country: str | None
    series_key: str
    period: dt.date
    severity: str
    created_at: dt.datetime


# --------------------------------------------------------------------------- rules

# A monthly alert speaks for its month and the reporting lag after it; its CAP
# message expires 30 days after it was sent unless updated (cap_export).
PERIOD_VALIDITY: Final = dt.timedelta(days=92)
MESSAGE_VALIDITY: Final = dt.timedelta(days=30)


def _month_after(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def oldest_current_period(today: dt.date) -> dt.date:
    """The first month whose alerts are still current on `today`."""
    cutoff = today - PERIOD_VALIDITY  # `_month_after(period)` must be >= cutoff
    ceiling = cutoff if cutoff.day == 1 else _month_after(cutoff)
    return (ceiling.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def is_past(period: dt.date, updated_at: dt.datetime, now: dt.datetime) -> bool:
    """True once the alert's month is more than `PERIOD_VALIDITY` behind, or its
    last message is older than its CAP validity."""
    if updated_at.tzinfo is None:
        updated_at = updated_at.replace(tzinfo=dt.UTC)
    return (
        period < oldest_current_period(now.date())
        or updated_at + MESSAGE_VALIDITY < now
    )


MSG_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "Alert": frozenset({"Update", "Cancel"}),
    "Update": frozenset({"Update", "Cancel"}),
    "Cancel": frozenset(),
}


def can_follow(current: str, following: str) -> bool:
    """Whether a message of type `following` may follow the alert's last one."""
    return following in MSG_TRANSITIONS.get(current, frozenset())


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str) and value:
        loaded = json.loads(value)
        return dict(loaded) if isinstance(loaded, dict) else {}
    return {}


def cap_value(
    enum_type: type[cap.Severity] | type[cap.Urgency] | type[cap.Certainty],
    value: object,
) -> str:
    """The CAP value, case-insensitively; anything else is `Unknown`."""
    raw = value.value if isinstance(value, Enum) else value
    text = str(raw or "").strip().lower()
    for member in enum_type:
        if member.value.lower() == text:
            return member.value
    return "Unknown"


_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """Text as XML 1.0 can carry it (titles and values come from data)."""
    return _NOT_XML.sub("", text)


def title_in(titles: dict[str, str], locale: str, fallback: str) -> str:
    return titles.get(locale) or titles.get("en") or fallback


# Names come from the one reference table; codes it does not know (an imported
# file may carry any) are shown as they came.
COUNTRY_NAMES: Final = {c.alpha3: c.names["en"] for c in reference.americas()}


def country_name(code: str) -> str:
    found = reference.find_country(code)
    return found.name(i18n.get_locale()) if found else code
