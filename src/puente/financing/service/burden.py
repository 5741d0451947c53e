"""Host burden, fair shares and instrument eligibility, from the shipped data:
UNHCR year-end stocks (refugees, asylum-seekers and, from the OIP extract,
other people in need of international protection), World Bank population and
GDP (`data/README.md` says where each file comes from).

Reads need `financing:read`; nothing here writes.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.errors import InvalidInput
from puente.core.expressions import Truth
from puente.core.i18n import N_
from puente.financing.errors import InstrumentNotFound
from puente.financing.models import FundingOrganisation, Instrument
from puente.financing.rules import codes, eligibility
from puente.financing.rules.burden import (
    AMERICAS_ORIGINS,
    HostBurden,
    HostInputs,
    host_burden,
    latest_complete_year,
)
from puente.financing.rules.fair_share import (
    INDICATOR_LABELS,
    PRESETS,
    StateIndicators,
    actual_shares,
    fair_shares,
)
from puente.financing.schemas import (
    BurdenRead,
    ClauseRead,
    EligibilityRead,
    FactRead,
    FairShareRead,
    InstrumentRead,
    ShareRead,
)
from puente.financing.service.common import READ, allow, seen
from puente.financing.service.flows import paid_by_country
from puente.identity import Actor
from puente.reference.countries import ENDORSING_STATES, country_name

DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"
# Years in which the OIP extract covers every endorsing state (a state without a
# row hosts no OIP that year); in other years only the states with a row are known.
OIP_FULL_YEARS: Final = frozenset({2022})
FIRST_YEAR, LAST_YEAR = 2015, 2024


@dataclass(frozen=True, slots=True)
class _Inputs:
    population: dict[tuple[str, int], int]
    gdp: dict[tuple[str, int], float]
    stocks: dict[tuple[str, int], dict[str, int]]  # refugee, asylum, intraregional
    oip: dict[tuple[str, int], int]


@cache
def _inputs() -> _Inputs:
    population: dict[tuple[str, int], int] = {}
    gdp: dict[tuple[str, int], float] = {}
    with (DATA_DIR / "lad_endorsers_pop_gdp_2015_2024.csv").open(
        encoding="utf-8"
    ) as handle:
        for row in csv.DictReader(handle):
            key = (row["iso3"], int(row["year"]))
            if row["population"]:
                population[key] = int(row["population"])
            if row["gdp_current_usd"]:
                gdp[key] = float(row["gdp_current_usd"])
    stocks: dict[tuple[str, int], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    with (DATA_DIR / "unhcr_endorser_stocks_2015_2024.csv").open(
        encoding="utf-8"
    ) as handle:
        for row in csv.DictReader(handle):
            key = (row["geo"], int(row["t"]))
            count = int(row["n"])
            stocks[key][row["group"]] += count
            if row["from"] in AMERICAS_ORIGINS:
                stocks[key]["intraregional"] += count
    oip: dict[tuple[str, int], int] = {}
    with (DATA_DIR / "unhcr_oip_venezuelans_2021_2022.csv").open(
        encoding="utf-8"
    ) as handle:
        for row in csv.DictReader(handle):
            key = (row["asylum"], int(row["year"]))
            oip[key] = oip.get(key, 0) + int(row["oip"])
    return _Inputs(population, gdp, {k: dict(v) for k, v in stocks.items()}, oip)


@cache
def burdens() -> tuple[HostBurden, ...]:
    """Host burden of every endorsing state in every year of the data."""
    data = _inputs()
    found = []
    for state in ENDORSING_STATES:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            key = (state, year)
            stock = data.stocks.get(key, {})
            known = key in data.oip or year in OIP_FULL_YEARS
            oip = data.oip.get(key, 0)
            found.append(
                host_burden(
                    HostInputs(
                        state=state,
                        year=year,
                        population=data.population.get(key),
                        gdp_usd=data.gdp.get(key),
                        refugees=stock.get("refugee", 0),
                        asylum_seekers=stock.get("asylum", 0),
                        oip=oip,
                        oip_known=known,
                        intraregional=stock.get("intraregional", 0) + oip,
                    )
                )
            )
    return tuple(found)


def _read(burden: HostBurden) -> BurdenRead:
    return BurdenRead(
        state=burden.state,
        state_name=country_name(burden.state),
        year=burden.year,
        population=burden.population,
        gdp_usd=burden.gdp_usd,
        gdp_per_capita=burden.gdp_per_capita,
        refugees=burden.refugees,
        asylum_seekers=burden.asylum_seekers,
        oip=burden.oip,
        oip_known=burden.oip_known,
        hosted=burden.hosted,
        per_1000=burden.per_1000,
        per_usd_gdp_per_capita=burden.per_usd_gdp_per_capita,
        per_million_usd_gdp=burden.per_million_usd_gdp,
        is_complete=burden.is_complete,
    )


def latest_year() -> int:
    """The latest year with complete figures (population, GDP and OIP) for the
    endorsing states."""
    years = [latest_complete_year(burdens(), state) for state in ENDORSING_STATES]
    return max(year for year in years if year is not None)


def burden_years() -> list[int]:
    return list(range(FIRST_YEAR, LAST_YEAR + 1))


def host_burden_table(
    session: Session,  # noqa: ARG001 - services take the unit of work first
    *,
    actor: Actor,
    year: int | None = None,
) -> list[BurdenRead]:
    """Every endorsing state's burden in `year` (default: the latest complete
    year), the heaviest per 1,000 inhabitants first. Needs `financing:read`."""
    allow(actor, READ)
    chosen = year if year is not None else latest_year()
    if chosen not in burden_years():
        raise InvalidInput(
            N_("Choose a year from %(first)s to %(last)s."),
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    rows = [_read(b) for b in burdens() if b.year == chosen]
    return sorted(rows, key=lambda r: (-(r.per_1000 or -1), r.state_name))


def state_burden(
    session: Session,  # noqa: ARG001 - services take the unit of work first
    *,
    actor: Actor,
    state: str,
    year: int | None = None,
) -> BurdenRead:
    """One state's burden in `year` (default: its latest complete year)."""
    allow(actor, READ)
    code = state.upper()
    if code not in ENDORSING_STATES:
        raise InvalidInput(N_("Choose one of the endorsing states."))
    chosen = year if year is not None else latest_complete_year(burdens(), code)
    for burden in burdens():
        if burden.state == code and burden.year == chosen:
            return _read(burden)
    raise InvalidInput(
        N_("Choose a year from %(first)s to %(last)s."),
        first=FIRST_YEAR,
        last=LAST_YEAR,
    )


def state_history(
    session: Session,  # noqa: ARG001 - services take the unit of work first
    *,
    actor: Actor,
    state: str,
) -> list[BurdenRead]:
    allow(actor, READ)
    return [_read(b) for b in burdens() if b.state == state.upper()]


def fair_share_table(
    session: Session,
    *,
    actor: Actor,
    year: int | None = None,
    preset: str | None = "eu_2015",
    weights: dict[str, float] | None = None,
    cap: float | None = None,
    unemployment: dict[str, float] | None = None,
) -> FairShareRead:
    """Each endorsing state's share under a key (a preset, or weights given),
    beside its share of the people hosted and of the funding it gave (new money
    from its organisations, commitments and payments). Unemployment rates are
    not in the shipped data: give them, or that indicator is left out."""
    allow(actor, READ)
    chosen = year if year is not None else latest_year()
    chosen_preset = PRESETS.get(preset or "")
    used_weights = (
        dict(weights)
        if weights is not None
        else dict(
            chosen_preset.weights if chosen_preset else PRESETS["eu_2015"].weights
        )
    )
    used_cap = (
        cap if weights is not None else (chosen_preset.cap if chosen_preset else None)
    )
    rows = [b for b in burdens() if b.year == chosen and b.population and b.gdp_usd]
    unemployment = unemployment or {}
    states = [
        StateIndicators(
            b.state,
            {
                "population": float(b.population or 0),
                "gdp": float(b.gdp_usd or 0),
                "past_effort": b.hosted * 1_000_000 / b.population
                if b.population
                else None,
                "unemployment": unemployment.get(b.state),
            },
        )
        for b in rows
    ]
    key = fair_shares(states, used_weights, cap=used_cap)
    hosted = actual_shares({b.state: float(b.hosted) for b in rows})
    paid = paid_by_country(session, actor=actor, year=chosen)
    funding = actual_shares(
        {b.state: float(paid.get(b.state, Decimal(0))) for b in rows}
    )
    shares = [
        ShareRead(
            state=b.state,
            state_name=country_name(b.state),
            fair_share=key.shares.get(b.state, 0.0),
            hosted=b.hosted,
            hosted_share=hosted.get(b.state, 0.0),
            funding_usd=paid.get(b.state, Decimal(0)),
            funding_share=funding.get(b.state, 0.0),
        )
        for b in rows
    ]
    shares.sort(key=lambda s: (-s.fair_share, s.state_name))
    return FairShareRead(
        year=chosen,
        preset=preset if weights is None else None,
        weights=used_weights,
        used=key.used,
        left_out=list(key.left_out),
        cap=used_cap,
        shares=shares,
    )


def indicator_label(key: str) -> str:
    return i18n.gettext(INDICATOR_LABELS.get(key, key))


# ---------------------------------------------------------------- instruments


@cache
def instrument_rules() -> dict[str, dict[str, Any]]:
    document = json.loads((DATA_DIR / "instruments.json").read_text("utf-8"))
    return {item["code"]: item for item in document["instruments"]}


def list_instruments(session: Session, *, actor: Actor) -> list[InstrumentRead]:
    stmt = select(Instrument).order_by(Instrument.name)
    rows = list(session.scalars(seen(actor, stmt, Instrument)))
    names = {
        org.id: org.name
        for org in session.scalars(
            select(FundingOrganisation).where(
                FundingOrganisation.id.in_(
                    [r.administrator_id for r in rows if r.administrator_id]
                )
            )
        )
    }
    return [
        InstrumentRead(
            id=row.id,
            code=row.code,
            name=row.name,
            kind=row.kind,
            kind_label=i18n.gettext(
                codes.INSTRUMENT_KIND_LABELS.get(row.kind, row.kind)
            ),
            administrator=names.get(row.administrator_id)
            if row.administrator_id
            else None,
            grant_usd=row.grant_usd,
            loan_usd=row.loan_usd,
            leverage=float(row.loan_usd / row.grant_usd) if row.grant_usd else None,
            beneficiaries=[c for c in row.beneficiaries.split(",") if c],
            beneficiary_names=[
                country_name(c) for c in row.beneficiaries.split(",") if c
            ],
            source=row.source,
        )
        for row in rows
    ]


def _fact_text(name: str, value: Any) -> str:
    if name == "income_group":
        return i18n.gettext(eligibility.INCOME_GROUP_LABELS.get(str(value), str(value)))
    if isinstance(value, bool):
        return i18n.gettext("yes") if value else i18n.gettext("no")
    if isinstance(value, float):
        return str(format_decimal(round(value), locale=i18n.get_locale()))
    return str(value)


def check_eligibility(
    session: Session,
    *,
    actor: Actor,
    instrument: str,
    state: str,
    year: int | None = None,
    has_protection_framework: bool | None = None,
) -> EligibilityRead:
    """Whether `state` meets `instrument`'s conditions in `year` (default: its
    latest complete year), clause by clause, in words; a policy judgement not
    given is unknown. Needs `financing:read`."""
    rules = instrument_rules().get(instrument)
    if rules is None:
        raise InstrumentNotFound()
    burden = state_burden(session, actor=actor, state=state, year=year)
    facts = eligibility.facts_for(
        population=burden.population,
        hosted=burden.hosted,
        intraregional=_intraregional(burden.state, burden.year),
        gdp_per_capita=burden.gdp_per_capita,
        has_protection_framework=has_protection_framework,
    )
    result = eligibility.check(
        [eligibility.Clause(c["id"], c["cel"]) for c in rules["clauses"]], facts
    )
    return EligibilityRead(
        instrument=instrument,
        instrument_name=rules["name"],
        state=burden.state,
        state_name=burden.state_name,
        year=burden.year,
        outcome=result.outcome.value,
        outcome_label=i18n.gettext(eligibility.OUTCOME_LABELS[result.outcome]),
        clauses=[
            ClauseRead(
                id=clause.id,
                label=i18n.gettext(eligibility.CLAUSE_LABELS.get(clause.id, clause.id)),
                truth=clause.truth.value,
                truth_label=i18n.gettext(eligibility.TRUTH_LABELS[Truth(clause.truth)]),
            )
            for clause in result.clauses
        ],
        facts=[
            FactRead(
                name=name,
                label=i18n.gettext(eligibility.FACT_LABELS.get(name, name)),
                value=_fact_text(name, value),
            )
            for name, value in sorted(facts.items())
        ],
        missing=[
            i18n.gettext(eligibility.FACT_LABELS.get(name, name))
            for name in result.missing
        ],
        basis=i18n.gettext(
            eligibility.BASIS_LABELS.get(instrument, rules["rule_basis"])
        ),
    )


def _intraregional(state: str, year: int) -> int:
    for burden in burdens():
        if burden.state == state and burden.year == year:
            return burden.intraregional
    return 0
