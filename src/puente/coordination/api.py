"""Coordination JSON routes under /api/v1/coordination: 5W rows (list, record,
import), totals and the HXL export."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from puente.coordination import service
from puente.coordination.schemas import (
    ImportSummary,
    ReportCreate,
    ReportRead,
    TotalsRead,
)
from puente.core.tabular import DEFAULT_LIMITS
from puente.identity import Actor
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/coordination", tags=["coordination"])
Reader = Annotated[Actor, Depends(Require("coordination:read"))]
Writer = Annotated[Actor, Depends(Require("coordination:write"))]
FinancingReader = Annotated[Actor, Depends(Require("financing:read"))]


def _filter(
    country: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    sector: Annotated[str | None, Query(max_length=30)] = None,
    population_type: Annotated[str | None, Query(max_length=20)] = None,
    flow_id: uuid.UUID | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
) -> service.ReportFilter:
    return service.ReportFilter(
        country=country,
        sector=sector,
        population_type=population_type,
        flow_id=flow_id,
        month_from=month_from,
        month_to=month_to,
    )


Filter = Annotated[service.ReportFilter, Depends(_filter)]


@router.get("/reports", response_model=list[ReportRead])
def reports(
    session: DbSession, actor: Reader, _names: FinancingReader, where: Filter
) -> list[ReportRead]:
    """5W rows, newest month first."""
    return service.list_reports(session, actor=actor, where=where)


@router.get("/reports/{report_id}", response_model=ReportRead)
def report(
    session: DbSession, actor: Reader, _names: FinancingReader, report_id: uuid.UUID
) -> ReportRead:
    return service.get_report(session, actor=actor, report_id=report_id)


@router.post("/reports", response_model=ReportRead, status_code=201)
def record(
    session: DbSession, actor: Writer, _names: FinancingReader, body: ReportCreate
) -> ReportRead:
    """Record one 5W row; organisations and the flow by id."""
    return service.record_report(session, actor=actor, data=body)


@router.get("/totals", response_model=TotalsRead)
def totals(session: DbSession, actor: Reader, where: Filter) -> TotalsRead:
    """People reached: individuals, and assistance events for people in transit."""
    return service.totals(session, actor=actor, where=where)


@router.post("/reports/import", response_model=ImportSummary)
async def import_reports(
    session: DbSession,
    actor: Writer,
    _names: FinancingReader,
    file: Annotated[UploadFile, File()],
    add_organisations: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Import a 5W file (all rows or none); `detail` names file, row and column."""
    data = await file.read(DEFAULT_LIMITS.max_bytes + 1)
    return service.import_reports(
        session,
        actor=actor,
        data=data,
        file_name=file.filename or "upload",
        add_organisations=add_organisations,
        dry_run=dry_run,
    )


@router.get(
    "/reports.hxl.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def reports_hxl(
    session: DbSession, actor: Reader, _names: FinancingReader, where: Filter
) -> Response:
    """The rows as HXL-tagged CSV (the import format)."""
    return Response(
        service.reports_hxl(session, actor=actor, where=where),
        media_type="text/csv; charset=utf-8",
    )
