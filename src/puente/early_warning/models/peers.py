"""What peer states shared with this node for early warning: CAP alerts received
under an alerts agreement, and monthly counts (small cells suppressed at the
sender) received under a statistics agreement.

Tenancy: the receiving node's state. `from_state` is the peer that sent them;
`envelope_id` ties each row to the exchange log (idempotent receipt)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class PeerAlert(TenantMixin, Base):
    """One CAP 1.2 message from a peer state, stored as received (validated)."""

    __tablename__ = "early_warning_peer_alert"
    __table_args__ = (UniqueConstraint("tenant_code", "envelope_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    from_state: Mapped[str] = mapped_column(String(3), index=True)
    envelope_id: Mapped[uuid.UUID]
    identifier: Mapped[str] = mapped_column(String(200))
    msg_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str] = mapped_column(String(10))
    urgency: Mapped[str] = mapped_column(String(10))
    certainty: Mapped[str] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(3))
    sent_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    # JSON: language -> headline, as the CAP info blocks carry them.
    headlines: Mapped[str] = mapped_column(Text, default="{}")
    cap_xml: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PeerCount(TenantMixin, Base):
    """One cell of a peer's monthly counts: a count, or suppressed (never a
    number under five). `nationality` None is the month's total."""

    __tablename__ = "early_warning_peer_count"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    from_state: Mapped[str] = mapped_column(String(3), index=True)
    envelope_id: Mapped[uuid.UUID] = mapped_column(index=True)
    month: Mapped[dt.date] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(3))
    count: Mapped[int | None] = mapped_column(Integer)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
