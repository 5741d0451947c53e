"""Flow store use cases: import files, list sources and series, series panels."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import polars as pl
import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core import audit, events, tabular
from puente.core.paths import safe_name
from puente.early_warning.errors import SeriesNotFound, SourceNotFound
from puente.early_warning.events import FlowsImported
from puente.early_warning.models import (
    FlowSeries,
    FlowSource,
    FlowSourceProfile,
    FlowVintage,
)
from puente.early_warning.rules.analytics.series import (
    parse_series_key,
)
from puente.early_warning.rules.sources import SOURCE_TITLES, source_title
from puente.early_warning.schemas import (
    ImportSummary,
    SeriesPanel,
    SeriesRead,
    SourceRead,
)
from puente.early_warning.service import store
from puente.early_warning.service._common import (
    current_vintage,
    forecast_on_demand,
    series_frame,
    source_frame,
)
from puente.early_warning.service.reading import Mapping as ColumnMapping
from puente.early_warning.service.reading import read_table, to_counts
from puente.early_warning.service.triggers import firings_for_series, run_triggers
from puente.identity import Actor, authorize, visible

log = structlog.get_logger(__name__)


# A local file the operator imports from the command line (not an upload).
OPERATOR_LIMITS: Final = tabular.Limits(
    max_rows=5_000_000, max_bytes=1024 * 1024 * 1024
)


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value)
    return dt.date(int(text[:4]), int(text[5:7]), 1)


def import_flows(
    session: Session,
    *,
    actor: Actor,
    path: Path,
    source: str,
    date_column: str,
    count_column: str,
    dimensions: Sequence[str],
    profile: Mapping[str, Any] | None = None,
    strict: bool = False,
    limits: tabular.Limits = tabular.DEFAULT_LIMITS,
) -> ImportSummary:
    """Import a CSV/XLSX/HXL file of counts as a vintage of `source`.

    `limits` bound the file (default: an upload's); the operator's CLI passes
    `OPERATOR_LIMITS`, as a national feed (4,000 series x 90 months is 360,000
    rows) is past an upload's 100,000 rows.

    Needs `flows:import` on the source's tenant. Validates everything before
    writing (`FlowFileRejected` names file, row and column); the same content
    again changes nothing; new content is a new vintage (older ones kept).
    Evaluates the adopted triggers on the source and publishes `FlowsImported`.
    """
    safe_name(source, field="source", max_length=60)
    options = dict(profile or {})
    mapping = ColumnMapping(
        date_column=date_column,
        count_column=count_column,
        dimensions=tuple(dimensions),
        date_format=str(options.get("date_format", "%Y-%m-%d")),
        frequency=str(options.get("frequency", "month")),
        from_period=_date(options.get("from")),
        to_period=_date(options.get("to")),
        sum_duplicates=options.get("duplicates") == "sum",
        blank_value=options.get("blank_dimension"),
        strict=strict,
    )
    table = read_table(path, limits)
    counts, not_stated = to_counts(table, mapping, path.name)
    row = session.scalars(select(FlowSource).where(FlowSource.name == source)).first()
    tenant = row.tenant_code if row else str(options.get("tenant", actor.tenant_code))
    authorize(actor, "flows:import", tenant_code=tenant)
    if row is None:
        row = FlowSource(
            name=source,
            title=str(options.get("title", source)),
            reporting_state=options.get("reporting_state"),
            tenant_code=tenant,
        )
        session.add(row)
        session.flush()
    profile_row = _profile(session, row, mapping, options, table.hxl_tags)
    digest = hashlib.sha256(path.read_bytes())
    digest.update(profile_row.content_hash.encode())
    content_hash = digest.hexdigest()
    existing = session.scalars(
        select(FlowVintage).where(
            FlowVintage.source_id == row.id, FlowVintage.content_hash == content_hash
        )
    ).first()
    if existing is not None:
        return _summary(row, existing, is_new=False, firing_count=0)
    series = series_frame(row, profile_row, counts)
    vintage = FlowVintage(
        source_id=row.id,
        profile_id=profile_row.id,
        content_hash=content_hash,
        file_name=path.name[:255],
        row_count=counts.height,
        series_count=series["series_key"].n_unique() if series.height else 0,
        first_period=counts["period"].min() if counts.height else None,
        last_period=counts["period"].max() if counts.height else None,
        store_path="",
        imported_by=actor.user_id,
        tenant_code=row.tenant_code,
    )
    session.add(vintage)
    session.flush()
    vintage.store_path = store.vintage_dir(source, vintage.id)
    _upsert_series(session, row, vintage, series)
    audit.record(
        session,
        actor,
        "flows:vintage:import",
        tenant_code=row.tenant_code,
        object_type="flow_vintage",
        object_id=vintage.id,
        source_id=str(row.id),
        rows=counts.height,
    )
    store.write_counts(session, vintage.store_path, counts)
    fired = run_triggers(session, actor=actor, source=source)
    events.publish(session, FlowsImported(source=source, vintage_id=vintage.id))
    log.info("flows_imported", source_id=str(row.id), vintage_id=str(vintage.id))
    summary = _summary(row, vintage, is_new=True, firing_count=fired)
    missing = series.filter((pl.col("level") == 0) & pl.col("count").is_null()).height
    return summary.model_copy(
        update={"missing_periods": missing, "not_stated": not_stated}
    )


def _profile(
    session: Session,
    source: FlowSource,
    mapping: ColumnMapping,
    options: Mapping[str, Any],
    tags: Mapping[str, str],
) -> FlowSourceProfile:
    content = {
        "date_column": mapping.date_column,
        "date_format": mapping.date_format,
        "count_column": mapping.count_column,
        "dimensions": list(mapping.dimensions),
        "hxl_tags": dict(sorted(tags.items())),
        "frequency": mapping.frequency,
        "missing": str(options.get("missing", "missing")),
        "from": str(mapping.from_period or ""),
        "to": str(mapping.to_period or ""),
        "state_dimension": options.get("state_dimension"),
        "duplicates": "sum" if mapping.sum_duplicates else "reject",
        "blank_dimension": mapping.blank_value,
    }
    content_hash = hashlib.sha256(
        json.dumps(content, sort_keys=True).encode()
    ).hexdigest()
    latest = session.scalars(
        select(FlowSourceProfile)
        .where(FlowSourceProfile.source_id == source.id)
        .order_by(FlowSourceProfile.version.desc())
    ).first()
    if latest is not None and latest.content_hash == content_hash:
        return latest
    profile = FlowSourceProfile(
        source_id=source.id,
        version=(latest.version + 1) if latest else 1,
        date_column=mapping.date_column,
        date_format=mapping.date_format,
        count_column=mapping.count_column,
        dimension_columns=json.dumps(list(mapping.dimensions)),
        hxl_tags=json.dumps(content["hxl_tags"]),
        frequency=mapping.frequency,
        missing_policy=content["missing"],
        from_period=mapping.from_period,
        to_period=mapping.to_period,
        state_dimension=content["state_dimension"],
        content_hash=content_hash,
        tenant_code=source.tenant_code,
    )
    session.add(profile)
    session.flush()
    return profile


def _upsert_series(
    session: Session, source: FlowSource, vintage: FlowVintage, series: pl.DataFrame
) -> None:
    existing = {
        s.series_key: s
        for s in session.scalars(
            select(FlowSeries).where(FlowSeries.source_id == source.id)
        )
    }
    stats = (
        series.sort("period")
        .group_by("series_key")
        .agg(
            first=pl.col("period").filter(pl.col("count").is_not_null()).min(),
            last=pl.col("period").filter(pl.col("count").is_not_null()).max(),
            months=pl.col("count").is_not_null().sum(),
            last_count=pl.col("count").drop_nulls().last(),
            level=pl.col("level").first(),
        )
    )
    for key, first, last, months, last_count, level in stats.iter_rows():
        row = existing.get(key)
        if row is None:
            _, dims = parse_series_key(key)
            row = FlowSeries(
                source_id=source.id,
                series_key=key,
                dimensions=json.dumps(dims, sort_keys=True),
                dimension_count=int(level),
                tenant_code=source.tenant_code,
            )
            session.add(row)
        row.first_period = first
        row.last_period = last
        row.months_of_data = int(months)
        row.last_count = last_count
        row.vintage_id = vintage.id
    session.flush()


def _summary(
    source: FlowSource, vintage: FlowVintage, *, is_new: bool, firing_count: int
) -> ImportSummary:
    return ImportSummary(
        source=source.name,
        vintage_id=vintage.id,
        is_new_vintage=is_new,
        file_name=vintage.file_name,
        content_hash=vintage.content_hash,
        row_count=vintage.row_count,
        series_count=vintage.series_count,
        first_period=vintage.first_period,
        last_period=vintage.last_period,
        missing_periods=0,
        firing_count=firing_count,
    )


def source_titles(session: Session, *, actor: Actor) -> dict[str, str]:
    """Name -> stored title of the sources imported under a name of their own
    that `actor` may read (the catalogue's sources are named by the labels);
    empty for an actor who reads no flows. One query, for pages that name
    series."""
    rows = session.scalars(
        visible(actor, select(FlowSource), FlowSource, "flows:read")
    ).all()
    return {
        row.name: row.title
        for row in rows
        if row.name not in SOURCE_TITLES and row.title
    }


def list_sources(session: Session, *, actor: Actor) -> list[SourceRead]:
    """Sources the actor may read (`flows:read`)."""
    authorize(actor, "flows:read")
    rows = session.scalars(
        visible(actor, select(FlowSource), FlowSource, "flows:read").order_by(
            FlowSource.name
        )
    ).all()
    out: list[SourceRead] = []
    for row in rows:
        vintages = session.execute(
            select(func.count(FlowVintage.id), func.max(FlowVintage.imported_at)).where(
                FlowVintage.source_id == row.id
            )
        ).one()
        current = current_vintage(session, row)
        out.append(
            SourceRead(
                id=row.id,
                name=row.name,
                title=source_title(row.name, row.title),
                tenant_code=row.tenant_code,
                reporting_state=row.reporting_state,
                vintage_count=int(vintages[0]),
                current_vintage_id=current.id if current else None,
                last_imported_at=vintages[1],
            )
        )
    return out


def _visible_source(session: Session, actor: Actor, name: str) -> FlowSource:
    row = session.scalars(
        visible(actor, select(FlowSource), FlowSource, "flows:read").where(
            FlowSource.name == name
        )
    ).first()
    if row is None:
        raise SourceNotFound(source=name)
    return row


def list_series(
    session: Session, *, actor: Actor, source: str | None = None
) -> list[SeriesRead]:
    """Series the actor may read, optionally of one source."""
    authorize(actor, "flows:read")
    query: Any = select(FlowSeries, FlowSource.name).join(
        FlowSource, FlowSource.id == FlowSeries.source_id
    )
    stmt = visible(actor, query, FlowSeries, "flows:read").order_by(
        FlowSeries.series_key
    )
    if source is not None:
        stmt = stmt.where(FlowSource.name == source)
    return [
        SeriesRead(
            series_key=row.series_key,
            source=name,
            tenant_code=row.tenant_code,
            dimensions=json.loads(row.dimensions),
            first_period=row.first_period,
            last_period=row.last_period,
            months_of_data=row.months_of_data,
            last_count=row.last_count,
        )
        for row, name in session.execute(stmt).all()
    ]


def largest_series(session: Session, *, actor: Actor, limit: int) -> list[str]:
    """Keys of the `limit` largest series the actor may read: totals first (they
    are always forecast at import), then by their last count. One query of
    keys, not every series' row."""
    authorize(actor, "flows:read")
    query: Any = select(FlowSeries.series_key)
    stmt = (
        visible(actor, query, FlowSeries, "flows:read")
        .order_by(
            FlowSeries.dimension_count,
            FlowSeries.last_count.desc().nulls_last(),
            FlowSeries.series_key,
        )
        .limit(limit)
    )
    return [str(key) for key in session.scalars(stmt)]


def series_panel(session: Session, *, actor: Actor, series_key: str) -> SeriesPanel:
    """Counts, alarms per detector, forecast mean and 80 % band of one series."""
    authorize(actor, "flows:read")
    source_name, dims = parse_series_key(series_key)
    source = _visible_source(session, actor, source_name)
    frame = source_frame(session, source)
    rows = (
        frame.filter(pl.col("series_key") == series_key).sort("period")
        if frame.height
        else frame
    )
    if rows.height == 0:
        raise SeriesNotFound(series_key=series_key)
    alarms = {
        name: rows[name].to_list()
        for name in (
            "c1_alarm",
            "c2_alarm",
            "c3_alarm",
            "cusum_alarm",
            "farrington_alarm",
        )
    }
    last = (
        rows.filter(pl.col("forecast_h1").is_not_null()).tail(1)
        if "forecast_h1" in rows.columns
        else rows.clear()
    )
    if last.height == 0:
        last = forecast_on_demand(session, source, rows)
    means: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    periods: list[dt.date] = []
    model = None
    if last.height:
        origin: dt.date = last["period"][0]
        model = last["forecast_model"][0]
        for h in (1, 2, 3):
            if f"forecast_h{h}" not in last.columns:
                continue
            index = origin.year * 12 + origin.month - 1 + h
            periods.append(dt.date(index // 12, index % 12 + 1, 1))
            means.append(float(last[f"forecast_h{h}"][0]))
            lows.append(float(last[f"forecast_h{h}_lo80"][0]))
            highs.append(float(last[f"forecast_h{h}_hi80"][0]))
    return SeriesPanel(
        series_key=series_key,
        source=source_name,
        dimensions=dims,
        periods=rows["period"].to_list(),
        counts=rows["count"].to_list(),
        alarms=alarms,
        forecast_model=model,
        forecast_periods=periods,
        forecast_mean=means,
        forecast_lo80=lows,
        forecast_hi80=highs,
        firings=firings_for_series(session, actor=actor, series_key=series_key),
    )
