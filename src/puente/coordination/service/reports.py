"""5W activity reports: recorded by hand, listed with filters, and totalled the
R4V way (people in transit are assistance events, not individuals).

Reads need `coordination:read`; recording needs `coordination:write` on the
recorder's tenant and is audited (`coordination:report:create`). Organisations
come from financing's directory and funding flows from financing's flows,
through `puente.financing`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from puente import financing
from puente.coordination.errors import InvalidReport, ReportNotFound
from puente.coordination.models import ActivityReport
from puente.coordination.rules import codes
from puente.coordination.rules.reach import Reach, Tally, check_new_people, reach_totals
from puente.coordination.schemas import ReportCreate, ReportRead, TallyRead, TotalsRead
from puente.core import audit, i18n
from puente.core.i18n import N_
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.reference.countries import country_name, is_known_country

READ: Final = "coordination:read"
WRITE: Final = "coordination:write"
SelectT = TypeVar("SelectT", bound=Select[Any])
COUNTED_AS: Final = {
    "individuals": N_("Counted as individuals (people reached for the first time)"),
    "events": N_(
        "Counted as assistance events: people in transit may be helped in several "
        "countries"
    ),
}
NOTE: Final = N_(
    "People in destination, host communities and returnees are counted once, "
    "when first reached; people in transit are counted as assistance events, "
    "because the same person may be helped in several countries (as R4V counts "
    "them). A person helped by two partners or in two sectors is counted by each."
)


def allow(actor: Actor, permission: str, *, tenant_code: str | None = None) -> None:
    """`authorize` for 5W data: counts, never people (grants carry the PUBLIC
    ceiling)."""
    authorize(
        actor, permission, tenant_code=tenant_code, sensitivity=Sensitivity.PUBLIC
    )


def seen(actor: Actor, stmt: SelectT) -> SelectT:
    allow(actor, READ)
    return visible(actor, stmt, ActivityReport, READ)


@dataclass(frozen=True, slots=True)
class ReportFilter:
    country: str | None = None
    sector: str | None = None
    population_type: str | None = None
    organisation_id: uuid.UUID | None = None
    flow_id: uuid.UUID | None = None
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    limit: int = 1000


def _filtered(where: ReportFilter) -> Select[ActivityReport]:
    stmt = select(ActivityReport)
    if where.country:
        stmt = stmt.where(ActivityReport.country == where.country.upper())
    if where.sector:
        stmt = stmt.where(ActivityReport.sector == where.sector)
    if where.population_type:
        stmt = stmt.where(ActivityReport.population_type == where.population_type)
    if where.organisation_id is not None:
        stmt = stmt.where(
            (ActivityReport.organisation_id == where.organisation_id)
            | (ActivityReport.implementing_partner_id == where.organisation_id)
        )
    if where.flow_id is not None:
        stmt = stmt.where(ActivityReport.flow_id == where.flow_id)
    if where.month_from is not None:
        stmt = stmt.where(ActivityReport.month >= where.month_from.replace(day=1))
    if where.month_to is not None:
        stmt = stmt.where(ActivityReport.month <= where.month_to)
    return stmt


def sector_label(sector: str) -> str:
    return i18n.gettext(financing.SECTOR_LABELS.get(sector, sector))


def population_label(population_type: str) -> str:
    return i18n.gettext(codes.POPULATION_LABELS.get(population_type, population_type))


def indicator_label(indicator: str) -> str:
    found = codes.INDICATORS.get(indicator)
    return i18n.gettext(found.label) if found else indicator


def reach_of(row: ActivityReport) -> Reach:
    return Reach(
        month=row.month,
        country=row.country,
        sector=row.sector,
        population_type=codes.PopulationType(row.population_type),
        women=row.women,
        men=row.men,
        girls=row.girls,
        boys=row.boys,
        other=row.other,
        new_people=row.new_people,
    )


def reads(
    session: Session, actor: Actor, rows: list[ActivityReport]
) -> list[ReportRead]:
    names = {
        org.id: org.name for org in financing.list_organisations(session, actor=actor)
    }
    flows: dict[uuid.UUID, str] = {}
    for flow_id in {row.flow_id for row in rows if row.flow_id is not None}:
        try:
            flows[flow_id] = financing.get_flow(
                session, actor=actor, flow_id=flow_id
            ).reference
        except financing.FlowNotFound:
            continue
    found = []
    for row in rows:
        reach = reach_of(row)
        found.append(
            ReportRead(
                id=row.id,
                reference=row.reference,
                organisation_id=row.organisation_id,
                organisation=names.get(row.organisation_id, ""),
                implementing_partner_id=row.implementing_partner_id,
                implementing_partner=names.get(row.implementing_partner_id)
                if row.implementing_partner_id
                else None,
                sector=row.sector,
                sector_label=sector_label(row.sector),
                indicator=row.indicator,
                indicator_label=indicator_label(row.indicator),
                country=row.country,
                country_name=country_name(row.country),
                admin1=row.admin1,
                admin1_code=row.admin1_code,
                admin2=row.admin2,
                month=row.month,
                population_type=row.population_type,
                population_label=population_label(row.population_type),
                women=row.women,
                men=row.men,
                girls=row.girls,
                boys=row.boys,
                other=row.other,
                total=reach.total,
                new_people=row.new_people,
                counted_as=i18n.gettext(
                    COUNTED_AS["events" if reach.transit_events else "individuals"]
                ),
                flow_id=row.flow_id,
                flow_reference=flows.get(row.flow_id) if row.flow_id else None,
                description=row.description,
                is_sample=row.is_sample,
            )
        )
    return found


def list_reports(
    session: Session, *, actor: Actor, where: ReportFilter | None = None
) -> list[ReportRead]:
    """Reports, newest month first. Needs `coordination:read`."""
    where = where or ReportFilter()
    stmt = _filtered(where).order_by(
        ActivityReport.month.desc(), ActivityReport.country, ActivityReport.reference
    )
    rows = list(
        session.scalars(seen(actor, stmt.limit(max(1, min(where.limit, 5000)))))
    )
    return reads(session, actor, rows)


def count_reports(
    session: Session, *, actor: Actor, where: ReportFilter | None = None
) -> int:
    stmt = _filtered(where or ReportFilter()).with_only_columns(func.count())
    return int(session.scalar(seen(actor, stmt)) or 0)


def get_report(session: Session, *, actor: Actor, report_id: uuid.UUID) -> ReportRead:
    row = session.scalars(
        seen(actor, select(ActivityReport).where(ActivityReport.id == report_id))
    ).first()
    if row is None:
        raise ReportNotFound()
    return reads(session, actor, [row])[0]


def _tallies(items: dict[Any, Tally], label: Any) -> list[TallyRead]:
    rows = [
        TallyRead(
            key=str(key),
            label=label(key),
            individuals=t.individuals,
            transit_events=t.transit_events,
            women=t.women,
            men=t.men,
            girls=t.girls,
            boys=t.boys,
            other=t.other,
        )
        for key, t in items.items()
    ]
    return sorted(rows, key=lambda r: (-(r.individuals + r.transit_events), r.label))


def totals(
    session: Session, *, actor: Actor, where: ReportFilter | None = None
) -> TotalsRead:
    """People reached: individuals apart from assistance events in transit, by
    country, sector, population type and month. Needs `coordination:read`."""
    stmt = _filtered(where or ReportFilter())
    found = reach_totals(reach_of(row) for row in session.scalars(seen(actor, stmt)))
    by_month = _tallies(found.by_month, lambda month: month.isoformat()[:7])
    return TotalsRead(
        rows=found.rows,
        individuals=found.overall.individuals,
        transit_events=found.overall.transit_events,
        note=i18n.gettext(NOTE),
        by_country=_tallies(found.by_country, country_name),
        by_sector=_tallies(found.by_sector, sector_label),
        by_population=_tallies(found.by_population, population_label),
        by_month=sorted(by_month, key=lambda r: r.key),
    )


def people_reached(
    session: Session,
    *,
    actor: Actor,
    country: str,
    sectors: Iterable[str] | None = None,
    indicators: Iterable[str] | None = None,
    since: dt.date | None = None,
) -> int:
    """Individuals reached in `country` (optionally in some sectors or by some
    indicators, from a month on): for other modules' progress figures. Needs
    `coordination:read`."""
    stmt = _filtered(ReportFilter(country=country, month_from=since))
    if sectors is not None:
        stmt = stmt.where(ActivityReport.sector.in_(list(sectors)))
    if indicators is not None:
        stmt = stmt.where(ActivityReport.indicator.in_(list(indicators)))
    return reach_totals(
        reach_of(row) for row in session.scalars(seen(actor, stmt))
    ).overall.individuals


def validate(data: ReportCreate) -> list[tuple[str, str]]:
    """(field, msgid) for each problem of a report entered by hand."""
    problems: list[tuple[str, str]] = []
    if data.indicator not in codes.INDICATORS:
        problems.append(("indicator", N_("Choose an indicator from the list.")))
    if not is_known_country(data.country):
        problems.append(("country", N_("Choose a country from the list.")))
    if data.population_type not in codes.POPULATION_LABELS:
        problems.append(
            ("population_type", N_("Choose a population group from the list."))
        )
    else:
        reach = Reach(
            data.month,
            data.country,
            "",
            codes.PopulationType(data.population_type),
            data.women,
            data.men,
            data.girls,
            data.boys,
            data.other,
            data.new_people,
        )
        if reach.total == 0:
            problems.append(("women", N_("Give the number of people reached.")))
        if not check_new_people(reach):
            problems.append(
                ("new_people", N_("New people cannot be more than everyone reached."))
            )
    return problems


def insert_report(
    session: Session,
    actor: Actor,
    data: ReportCreate,
    *,
    is_sample: bool = False,
    action: str = "coordination:report:create",
) -> ActivityReport:
    """Write one validated report and audit it (no permission check: callers)."""
    indicator = codes.INDICATORS[data.indicator]
    row = ActivityReport(
        tenant_code=actor.tenant_code,
        reference=(data.reference or "").strip()
        or f"5W-{uuid.uuid4().hex[:12].upper()}",
        organisation_id=data.organisation_id,
        implementing_partner_id=data.implementing_partner_id,
        sector=indicator.sector,
        indicator=indicator.code,
        country=data.country.upper(),
        admin1=data.admin1.strip(),
        admin1_code=data.admin1_code.strip(),
        admin2=data.admin2.strip(),
        month=data.month.replace(day=1),
        population_type=data.population_type,
        women=data.women,
        men=data.men,
        girls=data.girls,
        boys=data.boys,
        other=data.other,
        new_people=data.new_people,
        flow_id=data.flow_id,
        description=data.description.strip(),
        is_sample=is_sample,
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        tenant_code=row.tenant_code,
        object_type="coordination_activity",
        object_id=row.id,
        indicator=row.indicator,
        country=row.country,
    )
    return row


def record_report(session: Session, *, actor: Actor, data: ReportCreate) -> ReportRead:
    """Record one 5W row. Needs `coordination:write`; audited."""
    allow(actor, WRITE, tenant_code=actor.tenant_code)
    problems = validate(data)
    if problems:
        raise InvalidReport(reason=i18n.gettext(problems[0][1]))
    names = {org.id for org in financing.list_organisations(session, actor=actor)}
    if data.organisation_id not in names or (
        data.implementing_partner_id is not None
        and data.implementing_partner_id not in names
    ):
        raise InvalidReport(
            reason=i18n.gettext("Choose the organisations from the list.")
        )
    if data.flow_id is not None:
        financing.get_flow(session, actor=actor, flow_id=data.flow_id)
    if (
        data.reference
        and session.scalars(
            select(ActivityReport.id).where(
                ActivityReport.reference == data.reference.strip()
            )
        ).first()
    ):
        raise InvalidReport(
            reason=i18n.gettext("A report with this reference already exists.")
        )
    row = insert_report(session, actor, data)
    return reads(session, actor, [row])[0]
