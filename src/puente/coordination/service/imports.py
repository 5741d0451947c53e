"""5W imports and exports with HXL hashtags.

The import bar: the whole file is validated before anything is written (each
problem names file, row and column); the same file again changes nothing (rows
are keyed by `reference`; a reference with other figures is a problem); codes
or words are accepted for sectors, indicators, countries and population
groups, in any of the five languages; organisations must be in financing's
directory unless the caller asks to add them. Needs `coordination:write`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Callable
from functools import cache
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import financing
from puente.coordination.errors import ReportFileRejected
from puente.coordination.models import ActivityReport
from puente.coordination.rules import codes
from puente.coordination.rules.reach import Reach, check_new_people
from puente.coordination.schemas import ImportSummary, ReportCreate
from puente.coordination.service.reports import (
    WRITE,
    ReportFilter,
    allow,
    insert_report,
    list_reports,
)
from puente.core import audit, i18n
from puente.core.i18n import N_
from puente.core.tabular import Problem, read_table, restore, to_hxl
from puente.financing import FlowRead, OrganisationRead
from puente.identity import Actor
from puente.reference.countries import ALPHA2, country_name

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "reference": ("reference", "#meta+id"),
    "organisation": ("organisation", "#org+name", "#org+prog"),
    "implementing_partner": ("implementing_partner", "#org+impl"),
    "sector": ("sector", "#sector+code"),
    "indicator": ("indicator", "#indicator+code"),
    "country": ("country", "#country+code"),
    "admin1": ("admin1", "#adm1+name"),
    "admin1_code": ("admin1_code", "#adm1+code"),
    "admin2": ("admin2", "#adm2+name"),
    "month": ("month", "#date+month"),
    "population_type": ("population_type", "#meta+population_type"),
    "women": ("women", "#reached+f+adults"),
    "men": ("men", "#reached+m+adults"),
    "girls": ("girls", "#reached+f+children"),
    "boys": ("boys", "#reached+m+children"),
    "other": ("other", "#reached+unspecified"),
    "total": ("total", "#reached+total"),
    "new_people": ("new_people", "#reached+new"),
    "flow": ("flow", "#meta+flow_id"),
    "description": ("description", "#description"),
    "sample": ("sample", "#meta+sample"),
}
REQUIRED: Final = (
    "reference",
    "organisation",
    "indicator",
    "country",
    "month",
    "population_type",
)
COUNTS: Final = ("women", "men", "girls", "boys", "other")
TRUE_WORDS: Final = frozenset({"1", "true", "yes", "sí", "si", "sim", "oui", "wi", "x"})


def _every_language(labels: dict[str, str]) -> dict[str, str]:
    found = {code.casefold(): code for code in labels}
    for locale in i18n.LOCALES:
        with i18n.use_locale(locale):
            for code, label in labels.items():
                found[i18n.gettext(label).casefold()] = code
    return found


@cache
def _population_words() -> dict[str, str]:
    return _every_language(codes.POPULATION_LABELS)


@cache
def _indicator_words() -> dict[str, str]:
    return _every_language(
        {code: item.label for code, item in codes.INDICATORS.items()}
    )


@cache
def _sector_words() -> dict[str, str]:
    return _every_language(dict(financing.SECTOR_LABELS))


@cache
def _country_words() -> dict[str, str]:
    found = {code.casefold(): code for code in ALPHA2}
    for locale in i18n.LOCALES:
        for code in ALPHA2:
            found[country_name(code, locale).casefold()] = code
    return found


def _month(text: str) -> str | None:
    clean = text.strip()[:10]
    if (
        len(clean) >= 7
        and clean[4] == "-"
        and clean.isascii()
        and clean[:4].isdigit()
        and clean[5:7].isdigit()
    ):
        year, month = int(clean[:4]), int(clean[5:7])
        if 1990 <= year <= 2100 and 1 <= month <= 12:
            return f"{year:04d}-{month:02d}-01"
    return None


def _count(text: str) -> int | None:
    clean = text.strip().replace(",", "").replace(".", "").replace(" ", "")
    if not clean:
        return 0
    digits = clean.isascii() and clean.isdigit()  # not "²" or "１２"
    return int(clean) if digits and len(clean) <= 9 else None


def import_reports(
    session: Session,
    *,
    actor: Actor,
    data: bytes,
    file_name: str,
    add_organisations: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate the whole 5W file, then write it (or nothing)."""
    allow(actor, WRITE, tenant_code=actor.tenant_code)
    table = read_table(data, file_name)
    columns = {field: table.find(*names) for field, names in COLUMNS.items()}
    problems: list[Problem] = []

    def bad(row: int, field: str, message: str, **params: object) -> None:
        problems.append(
            Problem(
                table.file_name,
                message,
                row=row,
                column=columns.get(field) or field,
                params=dict(params),
            )
        )

    for field in REQUIRED:
        if columns[field] is None:
            bad(
                1,
                field,
                N_("there is no %(column)s column (header or HXL tag %(tag)s)"),
                column=field,
                tag=COLUMNS[field][1],
            )
    if problems:
        raise ReportFileRejected(problems)
    directory = {
        org.name.casefold(): org
        for org in financing.list_organisations(session, actor=actor)
    }
    names = [org.name for org in directory.values()]
    references = [
        value.strip()
        for _number, record in table.records()
        if columns["reference"]
        and (value := record.get(columns["reference"] or "", ""))
    ]
    existing: dict[str, ActivityReport] = {}
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        for row in session.scalars(
            select(ActivityReport).where(ActivityReport.reference.in_(chunk))
        ):
            existing[row.reference] = row
    wanted: list[tuple[int, ReportCreate, str, str | None, bool]] = []
    missing: dict[str, str] = {}
    seen_refs: dict[str, int] = {}
    flows: dict[str, FlowRead | None] = {}
    for number, record in table.records():
        before = len(problems)

        def text(field: str, record: dict[str, str] = record) -> str:
            column = columns.get(field)
            return restore(record.get(column, "").strip()) if column else ""

        def lookup(
            field: str,
            words: Callable[[], dict[str, str]],
            message: str,
            number: int = number,
        ) -> str | None:
            value = text(field)
            if not value:
                return None
            found = words().get(value.casefold())
            if found is None:
                bad(number, field, message, value=value[:60])
            return found

        for field in REQUIRED:
            if not text(field):
                bad(number, field, N_("the cell is empty"))
        indicator = lookup(
            "indicator", _indicator_words, N_("%(value)r is not an indicator we know")
        )
        sector = lookup(
            "sector", _sector_words, N_("%(value)r is not a sector we know")
        )
        if indicator and sector and codes.INDICATORS[indicator].sector != sector:
            bad(number, "sector", N_("the indicator belongs to another sector"))
        country = lookup(
            "country", _country_words, N_("%(value)r is not a country we know")
        )
        population = lookup(
            "population_type",
            _population_words,
            N_("%(value)r is not a population group we know"),
        )
        month = _month(text("month")) if text("month") else None
        if text("month") and month is None:
            bad(
                number,
                "month",
                N_("%(value)r is not a month: write it as 2024-03"),
                value=text("month")[:20],
            )
        counts: dict[str, int] = {}
        for field in (*COUNTS, "new_people", "total"):
            amount = _count(text(field))
            if amount is None:
                bad(
                    number,
                    field,
                    N_("%(value)r is not a whole number of people"),
                    value=text(field)[:20],
                )
            else:
                counts[field] = amount
        reference = text("reference")
        if len(reference) > 80:
            bad(number, "reference", N_("the reference is longer than 80 characters"))
        if reference in seen_refs:
            bad(
                number,
                "reference",
                N_("repeats the reference of row %(other)s"),
                other=seen_refs[reference],
            )
        seen_refs.setdefault(reference, number)
        organisations: dict[str, OrganisationRead | None] = {}
        for field in ("organisation", "implementing_partner"):
            name = text(field)
            if not name:
                continue
            found_org = directory.get(name.casefold())
            if found_org is None and not add_organisations:
                close = difflib.get_close_matches(name, names, n=1)
                if close:
                    bad(
                        number,
                        field,
                        N_(
                            "%(value)r is not in the directory (did you mean "
                            "%(close)r?)"
                        ),
                        value=name[:80],
                        close=close[0],
                    )
                else:
                    bad(
                        number,
                        field,
                        N_("%(value)r is not in the directory"),
                        value=name[:80],
                    )
            elif found_org is None:
                missing.setdefault(name.casefold(), name)
            organisations[field] = found_org
        flow_reference = text("flow")
        if flow_reference and flow_reference not in flows:
            flows[flow_reference] = financing.flow_by_reference(
                session, actor=actor, reference=flow_reference
            )
        if flow_reference and flows[flow_reference] is None:
            bad(
                number,
                "flow",
                N_("there is no funding flow %(value)r"),
                value=flow_reference[:80],
            )
        if len(problems) > before or not (
            indicator and country and population and month
        ):
            continue
        reach = Reach(
            month=dt.date.fromisoformat(month),
            country=country,
            sector="",
            population_type=codes.PopulationType(population),
            women=counts.get("women", 0),
            men=counts.get("men", 0),
            girls=counts.get("girls", 0),
            boys=counts.get("boys", 0),
            other=counts.get("other", 0),
            new_people=counts["new_people"] if text("new_people") else None,
        )
        if reach.total == 0:
            bad(
                number,
                "women",
                N_("the row reaches nobody: give the number of people reached"),
            )
            continue
        if text("total") and counts.get("total") != reach.total:
            bad(
                number,
                "total",
                N_(
                    "the total %(value)s is not the sum of the people by sex and age "
                    "(%(sum)s)"
                ),
                value=counts.get("total"),
                sum=reach.total,
            )
            continue
        if not check_new_people(reach):
            bad(
                number,
                "new_people",
                N_("new people cannot be more than everyone reached"),
            )
            continue
        flow = flows.get(flow_reference) if flow_reference else None
        main, partner = (
            organisations.get("organisation"),
            organisations.get("implementing_partner"),
        )
        report = ReportCreate(
            reference=reference,
            organisation_id=main.id if main is not None else _PLACEHOLDER,
            implementing_partner_id=partner.id if partner is not None else None,
            indicator=indicator,
            country=country,
            admin1=text("admin1")[:120],
            admin1_code=text("admin1_code")[:20],
            admin2=text("admin2")[:120],
            month=reach.month,
            population_type=population,
            women=reach.women,
            men=reach.men,
            girls=reach.girls,
            boys=reach.boys,
            other=reach.other,
            new_people=reach.new_people,
            flow_id=flow.id if flow is not None else None,
            description=text("description")[:2000],
        )
        old = existing.get(reference)
        if old is not None and not _same(old, report):
            bad(
                number,
                "reference",
                N_("the reference %(value)r belongs to a report with other figures"),
                value=reference[:80],
            )
            continue
        wanted.append(
            (
                number,
                report,
                text("organisation"),
                text("implementing_partner") or None,
                text("sample").casefold() in TRUE_WORDS,
            )
        )
    if problems:
        raise ReportFileRejected(problems)
    if dry_run:
        return ImportSummary(
            file=table.file_name,
            rows=len(wanted),
            created=0,
            unchanged=0,
            organisations_added=0,
        )
    for key, name in missing.items():
        directory[key] = financing.register_organisation(
            session, actor=actor, name=name
        )
    created = unchanged = 0
    for _number, report, organisation, partner_name, is_sample in wanted:
        if report.reference in existing:
            unchanged += 1
            continue
        complete = report.model_copy(
            update={
                "organisation_id": directory[organisation.casefold()].id,
                "implementing_partner_id": directory[partner_name.casefold()].id
                if partner_name
                else None,
            }
        )
        insert_report(
            session,
            actor,
            complete,
            is_sample=is_sample,
            action="coordination:report:import",
        )
        created += 1
    audit.record(
        session,
        actor,
        "coordination:reports:import",
        tenant_code=actor.tenant_code,
        object_type="import",
        object_id=None,
        rows=len(wanted),
        created=created,
    )
    return ImportSummary(
        file=table.file_name,
        rows=len(wanted),
        created=created,
        unchanged=unchanged,
        organisations_added=len(missing),
    )


# Stands in for an organisation that the import adds before writing.
_PLACEHOLDER: Final = uuid.UUID(int=0)


def _same(row: ActivityReport, data: ReportCreate) -> bool:
    return (
        row.indicator == data.indicator
        and row.country == data.country
        and row.month == data.month.replace(day=1)
        and row.population_type == data.population_type
        and (row.women, row.men, row.girls, row.boys, row.other)
        == (data.women, data.men, data.girls, data.boys, data.other)
        and row.new_people == data.new_people
        and row.admin1 == data.admin1
    )


def reports_hxl(
    session: Session, *, actor: Actor, where: ReportFilter | None = None
) -> str:
    """The reports as HXL-tagged CSV in the import format."""
    rows = list_reports(session, actor=actor, where=where or ReportFilter(limit=5000))
    return to_hxl(
        COLUMNS,
        [names[1] for names in COLUMNS.values()],
        (
            [
                row.reference,
                row.organisation,
                row.implementing_partner or "",
                row.sector,
                row.indicator,
                row.country,
                row.admin1,
                row.admin1_code,
                row.admin2,
                row.month.isoformat()[:7],
                row.population_type,
                row.women,
                row.men,
                row.girls,
                row.boys,
                row.other,
                row.total,
                "" if row.new_people is None else row.new_people,
                row.flow_reference or "",
                row.description,
                "1" if row.is_sample else "0",
            ]
            for row in sorted(rows, key=lambda r: (r.month, r.reference))
        ),
    )
