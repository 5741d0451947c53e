"""The trigger catalogues as the alert screens show them: every proposed version,
the states that adopted it, its triggers with titles in the current locale."""

from __future__ import annotations

import datetime as dt
import json
from typing import Final

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.early_warning.models.flows import TriggerAdoption, TriggerCatalogue
from puente.early_warning.rules import cap
from puente.early_warning.service.alerts._common import cap_value, title_in
from puente.identity import Actor, Sensitivity, authorize
from puente.reference import ENDORSING_STATES

# The 20 states that endorsed the Los Angeles Declaration (June 2022).
LAD_STATES: Final = ENDORSING_STATES


class TriggerDefinition(BaseModel):
    id: str
    title: str
    condition: str
    severity: str
    urgency: str
    certainty: str
    plan_template: str | None
    persistence: str
    cooldown: int | None


def catalogue_triggers(
    session: Session, *, actor: Actor, version: str
) -> list[TriggerDefinition]:
    """The triggers of a stored catalogue version, titles in the current locale.
    Needs `trigger:read`."""
    authorize(actor, "trigger:read", sensitivity=Sensitivity.PUBLIC)
    content = session.scalars(
        select(TriggerCatalogue.content).where(TriggerCatalogue.version == version)
    ).first()
    if not content:
        return []
    locale = i18n.get_locale()
    out: list[TriggerDefinition] = []
    for item in json.loads(content).get("triggers", []):
        if not isinstance(item, dict):
            continue
        mapping = item.get("cap") or {}
        persistence = item.get("persistence") or {}
        titles = {str(k): str(v) for k, v in (item.get("title") or {}).items()}
        out.append(
            TriggerDefinition(
                id=str(item.get("id", "")),
                title=title_in(titles, locale, str(item.get("id", ""))),
                condition=str(item.get("condition", "")),
                severity=cap_value(cap.Severity, mapping.get("severity")),
                urgency=cap_value(cap.Urgency, mapping.get("urgency")),
                certainty=cap_value(cap.Certainty, mapping.get("certainty")),
                plan_template=item.get("plan_template"),
                persistence=(
                    f"{persistence.get('k')}/{persistence.get('n')}"
                    if persistence
                    else ""
                ),
                cooldown=item.get("cooldown"),
            )
        )
    return out


class CatalogueOverview(BaseModel):
    version: str
    proposed_at: dt.datetime
    adopted_by: list[str]
    triggers: list[TriggerDefinition]


def catalogue_overview(session: Session, *, actor: Actor) -> list[CatalogueOverview]:
    """Every proposed catalogue version, newest first, with the states that adopted
    it and its triggers. Needs `trigger:read` (public data)."""
    authorize(actor, "trigger:read", sensitivity=Sensitivity.PUBLIC)
    rows = session.scalars(
        select(TriggerCatalogue).order_by(TriggerCatalogue.proposed_at.desc())
    ).all()
    out: list[CatalogueOverview] = []
    for row in rows:
        adopted = session.scalars(
            select(TriggerAdoption.tenant_code)
            .where(TriggerAdoption.catalogue_id == row.id)
            .order_by(TriggerAdoption.tenant_code)
        ).all()
        out.append(
            CatalogueOverview(
                version=row.version,
                proposed_at=row.proposed_at,
                adopted_by=list(adopted),
                triggers=catalogue_triggers(session, actor=actor, version=row.version),
            )
        )
    return out
