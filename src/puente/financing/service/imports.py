"""Importing flows from CSV/XLSX (HXL tags or plain headers) and exporting them
as HXL-tagged CSV in the same format, so an export imports back unchanged.

The import bar: the whole file is validated before anything is written (every
problem names file, row and column; nothing is half-written); the same file
again changes nothing (rows are keyed by `reference`; a row may only move its
flow's status forward); blanks, odd encodings and sizes are handled by
`core.tabular`. Codes or words are both accepted for statuses, sectors and
countries, in any of the five languages. Needs `financing:import`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit, i18n
from puente.core.db import utcnow
from puente.core.i18n import N_
from puente.core.tabular import Problem, Table, read_table, restore, to_hxl
from puente.financing.errors import FlowFileRejected, NoExchangeRate
from puente.financing.models import FinancePlan, FundingFlow, FundingOrganisation
from puente.financing.rules import codes
from puente.financing.schemas import ImportSummary
from puente.financing.service.common import allow, seen
from puente.financing.service.directory import add_organisation, name_key
from puente.financing.service.flows import change_flow_status, insert_flow, usd_value
from puente.identity import Actor
from puente.reference.countries import ALPHA2, country_name

# field -> (plain header, HXL tags...)
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "reference": ("reference", "#meta+id"),
    "date": ("date", "#date"),
    "status": ("status", "#status"),
    "source_organisation": ("source_organisation", "#org+funder+name", "#org+funder"),
    "destination_organisation": (
        "destination_organisation",
        "#org+impl+name",
        "#org+impl",
    ),
    "source_plan": ("source_plan", "#activity+code+plan+source"),
    "plan": ("plan", "#activity+code+plan"),
    "country": ("country", "#country+code"),
    "sector": ("sector", "#sector+code"),
    "usage_year": ("usage_year", "#date+year"),
    "amount": ("amount", "#value"),
    "currency": ("currency", "#currency"),
    "amount_usd": ("amount_usd", "#value+usd"),
    "description": ("description", "#description"),
    "sample": ("sample", "#meta+sample"),
}
REQUIRED: Final = (
    "reference",
    "date",
    "status",
    "source_organisation",
    "amount",
    "currency",
)
TRUE_WORDS: Final = frozenset({"1", "true", "yes", "sí", "si", "sim", "oui", "wi", "x"})
FALSE_WORDS: Final = frozenset({"", "0", "false", "no", "não", "nao", "non", "non."})
_NUMBER = re.compile(r"^[0-9][0-9.,\s]*$")


def _in_every_language(labels: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for locale in i18n.LOCALES:
        with i18n.use_locale(locale):
            for code, label in labels.items():
                found[i18n.gettext(label).casefold()] = code
    for code in labels:
        found[code.casefold()] = code
    return found


@cache
def _status_words() -> dict[str, str]:
    return _in_every_language(codes.STATUS_LABELS)


@cache
def _sector_words() -> dict[str, str]:
    return _in_every_language(codes.SECTOR_LABELS)


@cache
def _country_words() -> dict[str, str]:
    found = {code.casefold(): code for code in ALPHA2}
    for locale in i18n.LOCALES:
        for code in ALPHA2:
            found[country_name(code, locale).casefold()] = code
    return found


def parse_amount(text: str) -> Decimal | None:
    """1234.5, 1,234.50, 1.234,50 or 1 234,5: the last separator followed by
    one or two digits is the decimal one."""
    clean = text.strip().replace("\u00a0", " ")
    if not clean or not _NUMBER.match(clean):
        return None
    clean = clean.replace(" ", "")
    last = max(clean.rfind(","), clean.rfind("."))
    if last != -1 and len(clean) - last - 1 in (1, 2):
        whole, fraction = clean[:last], clean[last + 1 :]
        clean = re.sub(r"[.,]", "", whole) + "." + fraction
    else:
        clean = re.sub(r"[.,]", "", clean)
    try:
        value = Decimal(clean)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_date(text: str) -> dt.date | None:
    clean = text.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(clean, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    reference: str
    flow_date: dt.date
    status: codes.FlowStatus
    source: str
    destination: str | None
    source_plan: str | None
    plan: str | None
    country: str | None
    sector: str | None
    usage_year: int
    amount: Decimal
    currency: str
    amount_usd: Decimal | None
    description: str
    is_sample: bool


class _Checker:
    """Validates rows, collecting problems instead of stopping at the first."""

    def __init__(self, table: Table, known_plans: set[str]) -> None:
        self.table = table
        self.problems: list[Problem] = []
        self.known_plans = known_plans
        self.columns: dict[str, str | None] = {
            field: table.find(*names) for field, names in COLUMNS.items()
        }
        for field in REQUIRED:
            if self.columns[field] is None:
                self.problems.append(
                    Problem(
                        table.file_name,
                        N_("there is no %(column)s column (header or HXL tag %(tag)s)"),
                        row=1,
                        column=field,
                        params={"column": field, "tag": COLUMNS[field][1]},
                    )
                )

    def _bad(self, number: int, field: str, message: str, **params: object) -> None:
        self.problems.append(
            Problem(
                self.table.file_name,
                message,
                row=number,
                column=self.columns.get(field) or field,
                params=dict(params),
            )
        )

    def _parse(
        self,
        record: dict[str, str],
        number: int,
        field: str,
        parse: Callable[[str], object | None],
        message: str,
    ) -> object | None:
        column = self.columns.get(field)
        text = record.get(column, "") if column else ""
        if not text:
            return None
        value = parse(text)
        if value is None:
            self._bad(number, field, message, value=text[:60])
        return value

    def row(self, number: int, record: dict[str, str]) -> _Row | None:
        before = len(self.problems)

        def text(field: str) -> str:
            column = self.columns.get(field)
            return restore(record.get(column, "").strip()) if column else ""

        for field in REQUIRED:
            if self.columns[field] is not None and not text(field):
                self._bad(number, field, N_("the cell is empty"))
        flow_date = self._parse(
            record,
            number,
            "date",
            parse_date,
            N_("%(value)r is not a date: write it as 2024-03-31"),
        )
        status = self._parse(
            record,
            number,
            "status",
            lambda t: _status_words().get(t.casefold()),
            N_("%(value)r is not a status (pledge, commitment, paid)"),
        )
        amount = self._parse(
            record, number, "amount", parse_amount, N_("%(value)r is not an amount")
        )
        amount_usd = self._parse(
            record, number, "amount_usd", parse_amount, N_("%(value)r is not an amount")
        )
        country = self._parse(
            record,
            number,
            "country",
            lambda t: _country_words().get(t.casefold()),
            N_("%(value)r is not a country we know"),
        )
        sector = self._parse(
            record,
            number,
            "sector",
            lambda t: _sector_words().get(t.casefold()),
            N_("%(value)r is not a sector we know"),
        )
        year = self._parse(
            record,
            number,
            "usage_year",
            lambda t: (
                int(t)
                if t.isascii() and t.isdigit() and 1990 <= int(t) <= 2100
                else None
            ),
            N_("%(value)r is not a year"),
        )
        currency = text("currency").upper()
        if currency and not (len(currency) == 3 and currency.isalpha()):
            self._bad(
                number,
                "currency",
                N_("%(value)r is not a three-letter currency code"),
                value=currency[:20],
            )
        for field in ("amount", "amount_usd"):
            value = amount if field == "amount" else amount_usd
            if isinstance(value, Decimal) and value <= 0:
                self._bad(number, field, N_("the amount must be greater than zero"))
        for field in ("plan", "source_plan"):
            code = text(field).upper()
            if code and code not in self.known_plans:
                self._bad(
                    number, field, N_("there is no plan %(value)r"), value=code[:40]
                )
        sample = text("sample").casefold()
        if sample not in TRUE_WORDS | FALSE_WORDS:
            self._bad(
                number, "sample", N_("%(value)r is not yes or no"), value=sample[:20]
            )
        if len(text("reference")) > 80:
            self._bad(
                number, "reference", N_("the reference is longer than 80 characters")
            )
        if (
            status is codes.FlowStatus.PAID
            and isinstance(flow_date, dt.date)
            and flow_date > utcnow().date()
        ):
            self._bad(number, "date", N_("a payment cannot be dated in the future"))
        if (
            len(self.problems) > before
            or not isinstance(flow_date, dt.date)
            or not isinstance(amount, Decimal)
            or not isinstance(status, codes.FlowStatus)
        ):
            return None
        return _Row(
            number=number,
            reference=text("reference"),
            flow_date=flow_date,
            status=status,
            source=text("source_organisation"),
            destination=text("destination_organisation") or None,
            source_plan=text("source_plan").upper() or None,
            plan=text("plan").upper() or None,
            country=country if isinstance(country, str) else None,
            sector=sector if isinstance(sector, str) else None,
            usage_year=year if isinstance(year, int) else flow_date.year,
            amount=amount,
            currency=currency,
            amount_usd=amount_usd if isinstance(amount_usd, Decimal) else None,
            description=text("description")[:2000],
            is_sample=sample in TRUE_WORDS,
        )


def _same(flow: FundingFlow, row: _Row, usd: Decimal) -> bool:
    return (
        flow.amount == row.amount.quantize(Decimal("0.01"))
        and flow.currency == row.currency
        and flow.amount_usd == usd
        and flow.flow_date == row.flow_date
        and flow.country == row.country
        and flow.sector == row.sector
        and flow.usage_year == row.usage_year
    )


def import_flows(
    session: Session,
    *,
    actor: Actor,
    data: bytes,
    file_name: str,
    add_organisations: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate the whole file, then write it. With `add_organisations`,
    organisations not yet in the directory are added (kind "other"); otherwise
    they are problems. `dry_run` validates and writes nothing."""
    allow(actor, "financing:import", tenant_code=actor.tenant_code)
    table = read_table(data, file_name)
    plans = {
        plan.code: plan
        for plan in session.scalars(seen(actor, select(FinancePlan), FinancePlan))
    }
    checker = _Checker(table, set(plans))
    rows: list[_Row] = []
    seen_refs: dict[str, int] = {}
    if not checker.problems:
        for number, record in table.records():
            row = checker.row(number, record)
            if row is None:
                continue
            if row.reference in seen_refs:
                checker._bad(
                    number,
                    "reference",
                    N_("repeats the reference of row %(other)s"),
                    other=seen_refs[row.reference],
                )
                continue
            seen_refs[row.reference] = number
            rows.append(row)
    organisations = {
        org.name_key: org
        for org in session.scalars(
            seen(actor, select(FundingOrganisation), FundingOrganisation)
        )
    }
    names = [org.name for org in organisations.values()]
    missing: dict[str, str] = {}
    for row in rows:
        for field, name in (
            ("source_organisation", row.source),
            ("destination_organisation", row.destination),
        ):
            if name is None or name_key(name) in organisations:
                continue
            if add_organisations:
                missing.setdefault(name_key(name), name)
                continue
            close = difflib.get_close_matches(name, names, n=1)
            if close:
                checker._bad(
                    row.number,
                    field,
                    N_("%(value)r is not in the directory (did you mean %(close)r?)"),
                    value=name[:80],
                    close=close[0],
                )
            else:
                checker._bad(
                    row.number,
                    field,
                    N_("%(value)r is not in the directory"),
                    value=name[:80],
                )
    existing = (
        {
            flow.reference: flow
            for flow in session.scalars(
                select(FundingFlow).where(FundingFlow.reference.in_(list(seen_refs)))
            )
        }
        if seen_refs
        else {}
    )
    values: dict[str, tuple[Decimal, Decimal]] = {}
    for row in rows:
        try:
            values[row.reference] = usd_value(
                session,
                amount=row.amount,
                currency=row.currency,
                year=row.flow_date.year,
                amount_usd=row.amount_usd,
            )
        except NoExchangeRate:
            checker._bad(
                row.number,
                "amount_usd",
                N_(
                    "there is no US dollar rate for %(currency)s in %(year)s: fill in "
                    "the amount in US dollars"
                ),
                currency=row.currency,
                year=row.flow_date.year,
            )
            continue
        flow = existing.get(row.reference)
        if flow is None:
            continue
        current = codes.FlowStatus(flow.status)
        usd = values[row.reference][1]
        if not _same(flow, row, usd):
            checker._bad(
                row.number,
                "reference",
                N_("the reference %(value)r belongs to a flow with other figures"),
                value=row.reference[:80],
            )
        elif row.status is not current and not codes.can_move(current, row.status):
            checker._bad(
                row.number,
                "status",
                N_("the flow cannot go back from %(current)s to %(target)s"),
                current=current.value,
                target=row.status.value,
            )
    if checker.problems:
        raise FlowFileRejected(checker.problems)
    if dry_run:
        return ImportSummary(
            file=table.file_name,
            rows=len(rows),
            created=0,
            unchanged=0,
            organisations_added=0,
        )
    for key, name in missing.items():
        organisations[key] = add_organisation(
            session, actor=actor, name=name, kind=codes.OrganisationKind.OTHER.value
        )
    created = unchanged = 0
    for row in rows:
        rate, usd = values[row.reference]
        flow = existing.get(row.reference)
        if flow is not None:
            if row.status.value == flow.status:
                unchanged += 1
                continue
            change_flow_status(
                session, actor=actor, flow_id=flow.id, status=row.status.value
            )
            continue
        insert_flow(
            session,
            actor,
            reference=row.reference,
            source=organisations[name_key(row.source)],
            destination=organisations[name_key(row.destination)]
            if row.destination
            else None,
            source_plan=plans[row.source_plan] if row.source_plan else None,
            plan=plans[row.plan] if row.plan else None,
            country=row.country,
            sector=row.sector,
            usage_year=row.usage_year,
            status=row.status,
            amount=row.amount,
            currency=row.currency,
            rate=rate,
            amount_usd=usd,
            flow_date=row.flow_date,
            description=row.description,
            is_sample=row.is_sample,
            action="financing:flow:import",
        )
        created += 1
    audit.record(
        session,
        actor,
        "financing:flows:import",
        tenant_code=actor.tenant_code,
        object_type="import",
        object_id=None,
        rows=len(rows),
        created=created,
    )
    return ImportSummary(
        file=table.file_name,
        rows=len(rows),
        created=created,
        unchanged=unchanged,
        organisations_added=len(missing),
    )


def flows_hxl(session: Session, *, actor: Actor, plan_id: object = None) -> str:
    """Every visible flow (or a plan's) as HXL-tagged CSV in the import format."""
    stmt = select(FundingFlow).order_by(FundingFlow.flow_date, FundingFlow.reference)
    if plan_id is not None:
        stmt = stmt.where(
            (FundingFlow.plan_id == plan_id) | (FundingFlow.source_plan_id == plan_id)
        )
    flows = list(session.scalars(seen(actor, stmt, FundingFlow)))
    orgs = {
        org.id: org.name
        for org in session.scalars(
            seen(actor, select(FundingOrganisation), FundingOrganisation)
        )
    }
    plans = {
        plan.id: plan.code
        for plan in session.scalars(seen(actor, select(FinancePlan), FinancePlan))
    }
    return to_hxl(
        COLUMNS,
        [names[1] for names in COLUMNS.values()],
        (
            [
                flow.reference,
                flow.flow_date.isoformat(),
                flow.status,
                orgs.get(flow.source_organisation_id, ""),
                orgs.get(flow.destination_organisation_id, "")
                if flow.destination_organisation_id
                else "",
                plans.get(flow.source_plan_id, "") if flow.source_plan_id else "",
                plans.get(flow.plan_id, "") if flow.plan_id else "",
                flow.country or "",
                flow.sector or "",
                flow.usage_year,
                flow.amount,
                flow.currency,
                flow.amount_usd,
                flow.description,
                "1" if flow.is_sample else "0",
            ]
            for flow in flows
        ),
    )
