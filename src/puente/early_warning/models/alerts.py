"""Alert tables: an alert (one thread per firing, or per run of firings of the same
trigger and series), its CAP messages (Alert → Update → Cancel) and in-app notices.

Tenancy: an alert belongs to the node that raised it (the hub for regional series).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class Alert(TenantMixin, Base):
    """The current state of one alert; `values` and `title` are JSON snapshots of
    the firing (so the CAP message can be reproduced after the catalogue moves on)."""

    __tablename__ = "alert"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    trigger_id: Mapped[str] = mapped_column(String(80), index=True)
    trigger_version: Mapped[str] = mapped_column(String(20))
    series_key: Mapped[str] = mapped_column(String(300), index=True)
    period: Mapped[dt.date] = mapped_column(Date, index=True)
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    status: Mapped[str] = mapped_column(String(10))  # CAP status: Actual, Exercise…
    msg_type: Mapped[str] = mapped_column(String(10), index=True)  # last message
    severity: Mapped[str] = mapped_column(String(10))
    urgency: Mapped[str] = mapped_column(String(10))
    certainty: Mapped[str] = mapped_column(String(10))
    condition: Mapped[str] = mapped_column(Text, default="")
    values: Mapped[str] = mapped_column(Text, default="{}")
    title: Mapped[str] = mapped_column(Text, default="{}")
    plan_template: Mapped[str | None] = mapped_column(String(60))
    vintage_id: Mapped[uuid.UUID | None]
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AlertMessage(TenantMixin, Base):
    """One CAP message of an alert; a firing yields at most one message."""

    __tablename__ = "alert_message"
    __table_args__ = (UniqueConstraint("alert_id", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    identifier: Mapped[str] = mapped_column(String(120), unique=True)
    msg_type: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    firing_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    period: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID | None]


class AlertNotice(TenantMixin, Base):
    """An in-app notice of an alert message for every user holding `role`."""

    __tablename__ = "alert_notice"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert.id"), index=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_message.id"))
    role: Mapped[str] = mapped_column(String(30), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AlertNoticeRead(TenantMixin, Base):
    """A user has read a notice (ids only)."""

    __tablename__ = "alert_notice_read"
    __table_args__ = (UniqueConstraint("notice_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    notice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alert_notice.id"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RouteNote(TenantMixin, Base):
    """An early-warning note for a state downstream on a route: a state upstream
    changed the entry regime of a nationality, which moves flows. `tenant_code` is
    the downstream state; codes and dates only."""

    __tablename__ = "early_warning_route_note"
    __table_args__ = (
        UniqueConstraint(
            "tenant_code", "changed_state", "nationality", "regime", "effective_on"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    changed_state: Mapped[str] = mapped_column(String(3), index=True)
    nationality: Mapped[str] = mapped_column(String(3))
    previous: Mapped[str] = mapped_column(String(20))
    regime: Mapped[str] = mapped_column(String(20))
    route_id: Mapped[str] = mapped_column(String(60))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
