"""Financing JSON routes under /api/v1/financing: plans and gaps, flows (list,
record, status, import), pledges to early-warning plans, host burden, fair
shares, instruments and eligibility, and the IATI and HXL exports."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import Response

from puente.core.tabular import DEFAULT_LIMITS
from puente.financing import service
from puente.financing.schemas import (
    BurdenRead,
    EarlyWarningNeeds,
    EligibilityRead,
    FairShareRead,
    FlowCreate,
    FlowRead,
    GapRead,
    ImportSummary,
    InstrumentRead,
    OrganisationRead,
    PlanPledge,
    PlanSummary,
    StatusChange,
)
from puente.financing.service import FlowFilter
from puente.identity import Actor
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/financing", tags=["financing"])
Reader = Annotated[Actor, Depends(Require("financing:read"))]
Writer = Annotated[Actor, Depends(Require("financing:write"))]
Importer = Annotated[Actor, Depends(Require("financing:import"))]
Pledger = Annotated[Actor, Depends(Require("financing:pledge"))]
PlanReader = Annotated[Actor, Depends(Require("plan:read"))]
IATI_MEDIA_TYPE = "application/xml"


@router.get("/plans", response_model=list[PlanSummary])
def plans(session: DbSession, actor: Reader) -> list[PlanSummary]:
    """Every plan with its requirement, funding and gap over all its years."""
    return service.list_plans(session, actor=actor)


@router.get("/plans/{plan}/gap", response_model=GapRead)
def plan_gap(
    session: DbSession,
    actor: Reader,
    plan: Annotated[str, Path(max_length=60)],
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> GapRead:
    """Requirement, funding, pledges and gap by country, sector and year; flows
    inside the plan are reported apart and never counted twice."""
    return service.plan_gap(session, actor=actor, plan=plan, year=year)


@router.get("/organisations", response_model=list[OrganisationRead])
def organisations(session: DbSession, actor: Reader) -> list[OrganisationRead]:
    return service.list_organisations(session, actor=actor)


@router.get("/flows", response_model=list[FlowRead])
def flows(
    session: DbSession,
    actor: Reader,
    plan_id: uuid.UUID | None = None,
    status: Annotated[str | None, Query(max_length=12)] = None,
    country: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    sector: Annotated[str | None, Query(max_length=30)] = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[FlowRead]:
    return service.list_flows(
        session,
        actor=actor,
        where=FlowFilter(
            plan_id=plan_id,
            status=status,
            country=country,
            sector=sector,
            year=year,
            limit=limit,
        ),
    )


@router.get(
    "/flows.hxl.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def flows_hxl(session: DbSession, actor: Reader) -> Response:
    """Every flow as HXL-tagged CSV (the import format)."""
    return Response(
        service.flows_hxl(session, actor=actor), media_type="text/csv; charset=utf-8"
    )


@router.get("/flows/{flow_id}", response_model=FlowRead)
def flow(session: DbSession, actor: Reader, flow_id: uuid.UUID) -> FlowRead:
    return service.get_flow(session, actor=actor, flow_id=flow_id)


@router.post("/flows", response_model=FlowRead, status_code=201)
def record_flow(session: DbSession, actor: Writer, body: FlowCreate) -> FlowRead:
    """Record a flow (coordinators). Organisations and plans are given by id."""
    return service.record_flow(session, actor=actor, data=body)


@router.post("/flows/{flow_id}/status", response_model=FlowRead)
def change_status(
    session: DbSession, actor: Reader, flow_id: uuid.UUID, body: StatusChange
) -> FlowRead:
    """Move a flow pledge → commitment → paid (or cancel it): its recording
    coordinator's tenant, or the donor whose organisation gave it."""
    return service.change_flow_status(
        session, actor=actor, flow_id=flow_id, status=body.status
    )


@router.post("/flows/import", response_model=ImportSummary)
async def import_flows(
    session: DbSession,
    actor: Importer,
    file: Annotated[UploadFile, File()],
    add_organisations: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Import a CSV/XLSX/HXL file of flows: all rows or none; `detail` lists
    each problem with its file, row and column."""
    data = await file.read(DEFAULT_LIMITS.max_bytes + 1)
    return service.import_flows(
        session,
        actor=actor,
        data=data,
        file_name=file.filename or "upload",
        add_organisations=add_organisations,
        dry_run=dry_run,
    )


@router.get("/early-warning-plans/{plan_id}/needs", response_model=EarlyWarningNeeds)
def plan_needs(
    session: DbSession, actor: Reader, _plans: PlanReader, plan_id: uuid.UUID
) -> EarlyWarningNeeds:
    """An early-warning plan's needs by sector: covered and uncovered."""
    return service.early_warning_needs(
        session, actor=actor, early_warning_plan_id=plan_id
    )


@router.post(
    "/early-warning-plans/{plan_id}/pledges", response_model=FlowRead, status_code=201
)
def pledge(
    session: DbSession,
    actor: Pledger,
    _plans: PlanReader,
    plan_id: uuid.UUID,
    body: PlanPledge,
) -> FlowRead:
    """A donor's pledge against one sector of an early-warning plan."""
    return service.pledge_to_plan(
        session, actor=actor, early_warning_plan_id=plan_id, pledge=body
    )


@router.get("/burden", response_model=list[BurdenRead])
def burden(
    session: DbSession,
    actor: Reader,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> list[BurdenRead]:
    """Host burden of the endorsing states in a year (default: latest complete)."""
    return service.host_burden_table(session, actor=actor, year=year)


@router.get("/burden/{state}", response_model=BurdenRead)
def state_burden(
    session: DbSession,
    actor: Reader,
    state: str,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> BurdenRead:
    return service.state_burden(session, actor=actor, state=state[:3], year=year)


@router.get("/fair-share", response_model=FairShareRead)
def fair_share(
    session: DbSession,
    actor: Reader,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    preset: Annotated[str, Query(max_length=20)] = "eu_2015",
) -> FairShareRead:
    """Each endorsing state's share under a preset key, beside what it hosts
    and funds."""
    return service.fair_share_table(session, actor=actor, year=year, preset=preset)


@router.get("/instruments", response_model=list[InstrumentRead])
def instruments(session: DbSession, actor: Reader) -> list[InstrumentRead]:
    return service.list_instruments(session, actor=actor)


@router.get("/instruments/{code}/eligibility", response_model=EligibilityRead)
def eligibility(
    session: DbSession,
    actor: Reader,
    code: str,
    state: Annotated[str, Query(min_length=3, max_length=3)],
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    protection_framework: bool | None = None,
) -> EligibilityRead:
    """Whether a state meets an instrument's conditions, clause by clause."""
    return service.check_eligibility(
        session,
        actor=actor,
        instrument=code[:40],
        state=state,
        year=year,
        has_protection_framework=protection_framework,
    )


@router.get(
    "/iati.xml",
    response_class=Response,
    responses={200: {"content": {IATI_MEDIA_TYPE: {}}}},
)
def iati(session: DbSession, actor: Reader) -> Response:
    """Every plan as IATI 2.03 activity XML, validated against the schema."""
    return Response(
        service.export_iati(session, actor=actor), media_type=IATI_MEDIA_TYPE
    )
