"""Enforcement tables (prefix `enforcement_`): networks, their entities and links,
enforcement agreements between states, what was shared under them and the log of
every request. Walled by tenant (RLS); no foreign key or id into people,
protection or pathways tables."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class Network(TenantMixin, Base):
    __tablename__ = "enforcement_network"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Entity(TenantMixin, Base):
    """A route, modus operandi, vehicle, phone number, financial flow or
    organisation, as investigators recorded it."""

    __tablename__ = "enforcement_entity"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enforcement_network.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")


class Link(TenantMixin, Base):
    __tablename__ = "enforcement_link"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enforcement_network.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enforcement_entity.id", ondelete="CASCADE")
    )
    target_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enforcement_entity.id", ondelete="CASCADE")
    )
    relation: Mapped[str] = mapped_column(String(120), default="")


class Agreement(TenantMixin, Base):
    """This state may share enforcement reports with `partner_state` until
    `valid_until` (both states record their side)."""

    __tablename__ = "enforcement_agreement"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    partner_state: Mapped[str] = mapped_column(String(3), index=True)
    reference: Mapped[str] = mapped_column(String(120))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None]


class SharedReport(TenantMixin, Base):
    """A network report sent to another state: a snapshot of the network's
    entities and links (text only). `tenant_code` is the sender;
    `recipient_state` reads it."""

    __tablename__ = "enforcement_shared_report"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    recipient_state: Mapped[str] = mapped_column(String(3), index=True)
    agreement_ref: Mapped[str] = mapped_column(String(120))
    network_name: Mapped[str] = mapped_column(String(200))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    shared_by: Mapped[uuid.UUID | None]
    shared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RequestLog(TenantMixin, Base):
    """Every request between states: who, what, under which agreement."""

    __tablename__ = "enforcement_request_log"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    action: Mapped[str] = mapped_column(String(20))  # share | read | refused
    other_state: Mapped[str] = mapped_column(String(3))
    agreement_ref: Mapped[str] = mapped_column(String(120), default="")
    object_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReceivedModusOperandi(TenantMixin, Base):
    """An anonymised modus-operandi report protection let cross (the victim
    consented, a protection officer approved): two text fields, no id of a
    person or a case."""

    __tablename__ = "enforcement_mo_report"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    route: Mapped[str] = mapped_column(Text)
    modus_operandi: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
