"""Response-plan tables: a plan activated from an alert, its sites, the Sphere
requirement lines per site (required, in stock, pledged) and tasks for organisations.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class ResponsePlan(TenantMixin, Base):
    __tablename__ = "response_plan"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert.id"), unique=True)
    template_id: Mapped[str] = mapped_column(String(60))
    country: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default="active")
    # Monthly arrivals planned for and where the figure came from.
    planning_figure: Mapped[float] = mapped_column(Float)
    planning_basis: Mapped[str] = mapped_column(String(30))
    duration_days: Mapped[int] = mapped_column(Integer)
    activated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    activated_by: Mapped[uuid.UUID | None]


class PlanSite(TenantMixin, Base):
    __tablename__ = "plan_site"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response_plan.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))  # transit | settlement
    share: Mapped[float] = mapped_column(Float)
    average_stay_days: Mapped[float] = mapped_column(Float)
    people: Mapped[int] = mapped_column(Integer)


class PlanLine(TenantMixin, Base):
    """A site's requirement under one Sphere parameter, with stock and pledges."""

    __tablename__ = "plan_line"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response_plan.id"), index=True
    )
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_site.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    parameter_id: Mapped[str] = mapped_column(String(60))
    item: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[float] = mapped_column(Float)
    in_stock: Mapped[float] = mapped_column(Float, default=0.0)
    pledged: Mapped[float] = mapped_column(Float, default=0.0)


class PlanTask(TenantMixin, Base):
    __tablename__ = "plan_task"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response_plan.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    sector: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id")
    )
    status: Mapped[str] = mapped_column(String(12), default="open")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
