"""Trigger catalogue use cases: propose, adopt, evaluate, list firings."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.errors import Conflict
from puente.core.i18n import N_
from puente.early_warning.errors import CatalogueNotFound
from puente.early_warning.models import (
    FlowSeries,
    FlowSource,
    TriggerAdoption,
    TriggerCatalogue,
    TriggerFiring,
)
from puente.early_warning.rules.analytics.indicators import VARIABLES
from puente.early_warning.rules.triggers import (
    Catalogue,
    evaluate_catalogue,
    parse_catalogue,
    variable_types,
)
from puente.early_warning.schemas import CatalogueRead, FiringRead, Level
from puente.early_warning.service._common import (
    precompute_forecasts,
    source_frame,
)
from puente.identity import Actor, Sensitivity, authorize, visible

DEFAULT_CATALOGUE: Final = (
    Path(__file__).resolve().parent.parent / "data" / "triggers_default.json"
)
LEVELS: Final[dict[str, Level]] = {
    "Extreme": "emergency",
    "Severe": "warning",
    "Moderate": "watch",
    "Minor": "watch",
}
_RANK: Final[dict[Level, int]] = {"none": 0, "watch": 1, "warning": 2, "emergency": 3}
OPEN_PERIODS: Final = 3  # a firing in a series' last 3 periods is open


def load_catalogue(data: Mapping[str, Any]) -> Catalogue:
    """Parse and lint a catalogue document against the documented variables."""
    return parse_catalogue(data, variable_types(VARIABLES))


def default_catalogue_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DEFAULT_CATALOGUE.read_text("utf-8"))
    return document


def _read(session: Session, row: TriggerCatalogue) -> CatalogueRead:
    adopted = session.scalars(
        select(TriggerAdoption.tenant_code)
        .where(TriggerAdoption.catalogue_id == row.id)
        .order_by(TriggerAdoption.tenant_code)
    ).all()
    return CatalogueRead(
        id=row.id,
        version=row.version,
        trigger_ids=[t["id"] for t in json.loads(row.content)["triggers"]],
        adopted_by=list(adopted),
        proposed_at=row.proposed_at,
    )


def propose_catalogue(
    session: Session, *, actor: Actor, document: Mapping[str, Any]
) -> CatalogueRead:
    """Propose a catalogue version (needs `trigger:propose`); every condition
    is linted first. Proposing the same version again with the same content
    changes nothing; with other content it is a `Conflict`."""
    authorize(actor, "trigger:propose", sensitivity=Sensitivity.PUBLIC)
    catalogue = load_catalogue(document)
    content = json.dumps(document, sort_keys=True, ensure_ascii=False)
    content_hash = hashlib.sha256(content.encode()).hexdigest()
    existing = session.scalars(
        select(TriggerCatalogue).where(TriggerCatalogue.version == catalogue.version)
    ).first()
    if existing is not None:
        if existing.content_hash != content_hash:
            raise Conflict(
                N_("Catalogue version %(version)s exists with other content."),
                version=catalogue.version,
            )
        return _read(session, existing)
    row = TriggerCatalogue(
        version=catalogue.version,
        content=content,
        content_hash=content_hash,
        proposed_by=actor.user_id,
        tenant_code=actor.tenant_code,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "trigger:catalogue:propose",
        object_type="trigger_catalogue",
        object_id=row.id,
        version=row.version,
    )
    return _read(session, row)


def adopt_catalogue(
    session: Session, *, actor: Actor, version: str, state: str | None = None
) -> CatalogueRead:
    """Record that the actor's state (or `state`, for system jobs) adopts
    `version` (needs `trigger:adopt` on that state). Idempotent."""
    tenant = state or actor.tenant_code
    authorize(
        actor, "trigger:adopt", tenant_code=tenant, sensitivity=Sensitivity.PUBLIC
    )
    row = session.scalars(
        select(TriggerCatalogue).where(TriggerCatalogue.version == version)
    ).first()
    if row is None:
        raise CatalogueNotFound(version=version)
    exists = session.scalars(
        select(TriggerAdoption).where(
            TriggerAdoption.catalogue_id == row.id,
            TriggerAdoption.tenant_code == tenant,
        )
    ).first()
    if exists is None:
        session.add(
            TriggerAdoption(
                catalogue_id=row.id, adopted_by=actor.user_id, tenant_code=tenant
            )
        )
        session.flush()
        audit.record(
            session,
            actor,
            "trigger:catalogue:adopt",
            tenant_code=tenant,
            object_type="trigger_catalogue",
            object_id=row.id,
            version=version,
        )
    return _read(session, row)


def list_catalogues(session: Session, *, actor: Actor) -> list[CatalogueRead]:
    authorize(actor, "trigger:read", sensitivity=Sensitivity.PUBLIC)
    rows = session.scalars(
        select(TriggerCatalogue).order_by(TriggerCatalogue.proposed_at)
    ).all()
    return [_read(session, row) for row in rows]


def _in_force(session: Session) -> list[tuple[TriggerCatalogue, set[str]]]:
    rows = session.execute(
        select(TriggerCatalogue, TriggerAdoption.tenant_code).join(
            TriggerAdoption, TriggerAdoption.catalogue_id == TriggerCatalogue.id
        )
    ).all()
    adopted: dict[Any, tuple[TriggerCatalogue, set[str]]] = {}
    for catalogue, tenant in rows:
        adopted.setdefault(catalogue.id, (catalogue, set()))[1].add(tenant)
    return list(adopted.values())


def run_triggers(session: Session, *, actor: Actor, source: str | None = None) -> int:
    """Evaluate every adopted catalogue over every series (of `source`), store
    new firings (idempotent) and refresh which are open; returns how many new.

    A catalogue is in force for a state's series when that state adopted it,
    and for regional (`HUB`) series once any state adopted it.
    """
    catalogues = _in_force(session)
    stmt = select(FlowSource).order_by(FlowSource.name)
    if source is not None:
        stmt = stmt.where(FlowSource.name == source)
    created = 0
    for row in session.scalars(stmt).all():
        authorize(actor, "flows:import", tenant_code=row.tenant_code)
        in_force = [
            (c, states)
            for c, states in catalogues
            if row.tenant_code in states or row.tenant_code == "HUB"
        ]
        if not in_force:
            continue
        frame = source_frame(session, row)
        if frame.height == 0:
            continue
        created += _evaluate_source(session, row, frame, in_force)
        precompute_forecasts(session, row, frame, _open_series(session, row))
    return created


def _open_series(session: Session, source: FlowSource) -> list[str]:
    """Series of the source with open firings (they carry alerts, so charts and
    plans need their forecasts), the newest firing first."""
    rows = session.execute(
        select(TriggerFiring.series_key, func.max(TriggerFiring.period))
        .where(TriggerFiring.source_id == source.id, TriggerFiring.is_open.is_(True))
        .group_by(TriggerFiring.series_key)
        .order_by(func.max(TriggerFiring.period).desc(), TriggerFiring.series_key)
    ).all()
    return [str(key) for key, _ in rows]


def _evaluate_source(
    session: Session,
    source: FlowSource,
    frame: pl.DataFrame,
    catalogues: list[tuple[TriggerCatalogue, set[str]]],
) -> int:
    series = {
        s.series_key: s
        for s in session.scalars(
            select(FlowSeries).where(FlowSeries.source_id == source.id)
        )
    }
    usable = frame.filter(pl.col("count").is_not_null())
    rows_by_series = {
        str(key): group.sort("period").to_dicts()
        for (key,), group in usable.group_by(["series_key"])
    }
    states = dict(
        usable.group_by("series_key").agg(pl.col("state").first()).iter_rows()
    )
    existing = {
        (f.trigger_id, f.trigger_version, f.series_key, f.period): f
        for f in session.scalars(
            select(TriggerFiring).where(TriggerFiring.source_id == source.id)
        )
    }
    created = 0
    for catalogue_row, _states in catalogues:
        catalogue = load_catalogue(json.loads(catalogue_row.content))
        for firing in evaluate_catalogue(catalogue, rows_by_series):
            key = (
                firing.trigger_id,
                firing.trigger_version,
                firing.series_key,
                firing.period,
            )
            if key in existing:
                continue
            meta = series.get(firing.series_key)
            record = TriggerFiring(
                trigger_id=firing.trigger_id,
                trigger_version=firing.trigger_version,
                catalogue_id=catalogue_row.id,
                source_id=source.id,
                series_key=firing.series_key,
                country=states.get(firing.series_key),
                period=firing.period,
                values=json.dumps(dict(firing.values), sort_keys=True),
                severity=firing.severity,
                urgency=firing.urgency,
                certainty=firing.certainty,
                plan_template=firing.plan_template,
                title=json.dumps(dict(firing.title), ensure_ascii=False),
                vintage_id=meta.vintage_id if meta else None,
                tenant_code=source.tenant_code,
            )
            session.add(record)
            existing[key] = record
            created += 1
    for record in existing.values():
        meta = series.get(record.series_key)
        last = meta.last_period if meta else None
        record.is_open = (
            last is not None and _months(last) - _months(record.period) < OPEN_PERIODS
        )
    session.flush()
    return created


def _months(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _firing_read(row: TriggerFiring, source: str, version: str) -> FiringRead:
    return FiringRead(
        id=row.id,
        trigger_id=row.trigger_id,
        trigger_version=row.trigger_version,
        catalogue_version=version,
        series_key=row.series_key,
        source=source,
        country=row.country,
        tenant_code=row.tenant_code,
        period=row.period,
        values=json.loads(row.values),
        severity=row.severity,
        urgency=row.urgency,
        certainty=row.certainty,
        plan_template=row.plan_template,
        title=json.loads(row.title),
        vintage_id=row.vintage_id,
        is_open=row.is_open,
        fired_at=row.fired_at,
    )


def _firings_stmt(actor: Actor) -> Any:
    stmt: Any = (
        select(TriggerFiring, FlowSource.name, TriggerCatalogue.version)
        .join(FlowSource, FlowSource.id == TriggerFiring.source_id)
        .join(TriggerCatalogue, TriggerCatalogue.id == TriggerFiring.catalogue_id)
    )
    return visible(actor, stmt, TriggerFiring, "flows:read")


def list_firings(
    session: Session, *, actor: Actor, since: dt.datetime | None = None
) -> list[FiringRead]:
    """Stored firings the actor may see (`flows:read`), oldest first;
    `since` keeps those recorded at or after that time."""
    authorize(actor, "flows:read")
    stmt = _firings_stmt(actor)
    if since is not None:
        stmt = stmt.where(TriggerFiring.fired_at >= since)
    stmt = stmt.order_by(TriggerFiring.period, TriggerFiring.series_key)
    return [_firing_read(*row) for row in session.execute(stmt).all()]


def firings_for_series(
    session: Session, *, actor: Actor, series_key: str
) -> list[FiringRead]:
    authorize(actor, "flows:read")
    stmt = (
        _firings_stmt(actor)
        .where(TriggerFiring.series_key == series_key)
        .order_by(TriggerFiring.period)
    )
    return [_firing_read(*row) for row in session.execute(stmt).all()]


def latest_level_by_country(session: Session, *, actor: Actor) -> dict[str, Level]:
    """ISO3 -> level of the most severe open firing (none/watch/warning/
    emergency), for the map; countries without open firings are left out."""
    authorize(actor, "flows:read")
    query: Any = select(TriggerFiring.country, TriggerFiring.severity).where(
        TriggerFiring.is_open.is_(True), TriggerFiring.country.is_not(None)
    )
    stmt = visible(actor, query, TriggerFiring, "flows:read")
    levels: dict[str, Level] = {}
    for country, severity in session.execute(stmt).all():
        if country is None:
            continue
        level = LEVELS.get(severity, "watch")
        if _RANK[level] > _RANK[levels.get(country, "none")]:
            levels[country] = level
    return levels
