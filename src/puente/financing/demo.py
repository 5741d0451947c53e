"""Financing demo: the directory, exchange rates, the RMRP plans from the seed
(real totals; the 2023 and 2024 totals split across countries and sectors by a
clearly marked sample allocation), the seed flows (sample flows marked as such,
and the announced contributions of the commitments seed) and the instruments.
Idempotent: a second load changes nothing."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Final

from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.financing import service
from puente.financing.models import Instrument
from puente.financing.rules import codes
from puente.identity import Organisation, system_actor

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
SAMPLE_YEARS: Final = (2023, 2024)
RMRP_TITLE: Final = (
    "Regional Refugee and Migrant Response Plan (RMRP) for refugees and migrants "
    "from Venezuela, {year}"
)


def _puente_organisation(session: Session, link: str) -> Organisation | None:
    if "/" not in link:
        return None
    tenant, slug = link.split("/", 1)
    return session.scalars(
        select(Organisation).where(
            Organisation.tenant_code == tenant, Organisation.slug == slug
        )
    ).first()


def load_organisations(session: Session) -> int:
    actor = system_actor()
    added = 0
    with (DATA_DIR / "organisations.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if service.find_organisation(session, row["name"]) is not None:
                continue
            linked = _puente_organisation(session, row["puente_organisation"])
            service.add_organisation(
                session,
                actor=actor,
                name=row["name"],
                kind=row["kind"],
                country=row["country"] or None,
                iati_ref=row["iati_ref"],
                puente_organisation_id=linked.id if linked else None,
                is_sample=row["is_sample"] == "1",
            )
            added += 1
    return added


def load_rates(session: Session) -> None:
    with (DATA_DIR / "fx_rates.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            service.set_exchange_rate(
                session,
                actor=system_actor(),
                currency=row["currency"],
                year=int(row["year"]),
                usd_per_unit=Decimal(row["usd_per_unit"]),
                source=row["source"],
            )


def allocation() -> list[tuple[str | None, str, Decimal]]:
    with (DATA_DIR / "requirement_allocation_sample.csv").open(
        encoding="utf-8"
    ) as handle:
        return [
            (row["country"] or None, row["sector"], Decimal(row["share"]))
            for row in csv.DictReader(handle)
        ]


def split(
    total: Decimal, shares: list[tuple[str | None, str, Decimal]]
) -> list[tuple[str | None, str, Decimal]]:
    """`total` split by `shares`, to the cent; the rounding remainder goes to the
    largest line so the lines add up to exactly `total`."""
    lines = [
        (
            country,
            sector,
            (total * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        )
        for country, sector, share in shares
    ]
    remainder = total - sum(amount for _, _, amount in lines)
    largest = max(range(len(lines)), key=lambda i: lines[i][2])
    country, sector, amount = lines[largest]
    lines[largest] = (country, sector, amount + remainder)
    return lines


def load_plans(session: Session) -> int:
    actor = system_actor()
    shares = allocation()
    created = 0
    with (DATA_DIR / "rmrp_requirements_seed.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            year = int(row["plan_year"])
            code = f"RMRP-{year}"
            existed = service.find_plan_code(session, code)
            plan = service.create_plan(
                session,
                actor=actor,
                code=code,
                title=RMRP_TITLE.format(year=year),
                kind=codes.PlanKind.REGIONAL.value,
                first_year=year,
                last_year=year,
                source=row["source_url"],
            )
            created += int(not existed)
            total = Decimal(row["requirement_usd"])
            if year in SAMPLE_YEARS:
                for country, sector, amount in split(total, shares):
                    service.set_requirement(
                        session,
                        actor=actor,
                        plan_id=plan.id,
                        year=year,
                        amount_usd=amount,
                        country=country,
                        sector=sector,
                        is_sample=True,
                        source="sample split of the real total; " + row["source_url"],
                    )
            else:
                service.set_requirement(
                    session,
                    actor=actor,
                    plan_id=plan.id,
                    year=year,
                    amount_usd=total,
                    source=row["source_url"],
                )
    return created


def load_instruments(session: Session) -> int:
    added = 0
    for code, rules in service.instrument_rules().items():
        if session.scalars(
            select(Instrument.id).where(Instrument.code == code)
        ).first():
            continue
        administrator = service.find_organisation(session, rules["administrator"])
        service.add_instrument(
            session,
            actor=system_actor(),
            code=code,
            name=rules["name"],
            kind=rules["kind"],
            administrator_id=administrator.id if administrator else None,
            grant_usd=Decimal(rules["grant_usd"]),
            loan_usd=Decimal(rules["loan_usd"]),
            beneficiaries=list(rules["beneficiaries"]),
            source=rules["source"],
        )
        added += 1
    return added


def load(session: Session, progress: Progress) -> str:
    task = progress.add_task("financing", total=5)
    organisations = load_organisations(session)
    progress.advance(task)
    load_rates(session)
    progress.advance(task)
    plans = load_plans(session)
    progress.advance(task)
    summary = service.import_flows(
        session,
        actor=system_actor(),
        data=(DATA_DIR / "flows_seed.csv").read_bytes(),
        file_name="flows_seed.csv",
    )
    progress.advance(task)
    instruments = load_instruments(session)
    progress.advance(task)
    return (
        f"{organisations} organisations, {plans} plans, {summary.created} flows "
        f"({summary.unchanged} unchanged) and {instruments} instruments added"
    )
