"""The financing directory (who gives and receives money) and exchange rates.

Reads need `financing:read`; adding an organisation or a rate needs
`financing:write` (coordinators) or `financing:import`; both are audited.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.financing.errors import OrganisationNotFound
from puente.financing.models import ExchangeRate, FundingOrganisation, Instrument
from puente.financing.rules import codes
from puente.financing.schemas import OrganisationRead
from puente.financing.service.common import allow, organisation_read, seen
from puente.identity import Actor, can
from puente.reference.countries import is_known_country

MAX_NAME = 200


def name_key(name: str) -> str:
    """The case- and space-insensitive key of an organisation's name."""
    return " ".join(name.split()).casefold()


def list_organisations(session: Session, *, actor: Actor) -> list[OrganisationRead]:
    """The directory, by name. Needs `financing:read`."""
    stmt = select(FundingOrganisation).order_by(FundingOrganisation.name_key)
    return [
        organisation_read(org)
        for org in session.scalars(seen(actor, stmt, FundingOrganisation))
    ]


def get_organisation(
    session: Session, *, actor: Actor, organisation_id: uuid.UUID
) -> FundingOrganisation:
    stmt = select(FundingOrganisation).where(FundingOrganisation.id == organisation_id)
    found = session.scalars(seen(actor, stmt, FundingOrganisation)).first()
    if found is None:
        raise OrganisationNotFound()
    return found


def find_organisation(session: Session, name: str) -> FundingOrganisation | None:
    """The directory entry called `name` (any case or spacing), if any."""
    return session.scalars(
        select(FundingOrganisation).where(
            FundingOrganisation.name_key == name_key(name)
        )
    ).first()


def add_organisation(
    session: Session,
    *,
    actor: Actor,
    name: str,
    kind: str,
    country: str | None = None,
    iati_ref: str = "",
    puente_organisation_id: uuid.UUID | None = None,
    is_sample: bool = False,
) -> FundingOrganisation:
    """Add an organisation to the directory (or return the one with that name).
    Needs `financing:write` or `financing:import`; audited."""
    permission = (
        "financing:write" if can(actor, "financing:write") else "financing:import"
    )
    allow(actor, permission, tenant_code=actor.tenant_code)
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME:
        raise InvalidInput(N_("The organisation's name must have 1 to 200 characters."))
    if kind not in codes.ORGANISATION_KIND_LABELS:
        raise InvalidInput(N_("Choose the kind of organisation from the list."))
    if country is not None and not is_known_country(country):
        raise InvalidInput(N_("Choose a country from the list."))
    existing = find_organisation(session, clean)
    if existing is not None:
        return existing
    org = FundingOrganisation(
        tenant_code=actor.tenant_code,
        name=clean,
        name_key=name_key(clean),
        kind=kind,
        country=country.upper() if country else None,
        iati_ref=iati_ref.strip()[:60],
        puente_organisation_id=puente_organisation_id,
        is_sample=is_sample,
    )
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor,
        "financing:organisation:create",
        tenant_code=actor.tenant_code,
        object_type="financing_organisation",
        object_id=org.id,
    )
    return org


def organisation_of(session: Session, actor: Actor) -> FundingOrganisation | None:
    """The directory entry standing for the actor's own Puente organisation."""
    if actor.organisation_id is None:
        return None
    return session.scalars(
        select(FundingOrganisation).where(
            FundingOrganisation.puente_organisation_id == actor.organisation_id
        )
    ).first()


def usd_rate(session: Session, currency: str, year: int) -> Decimal | None:
    """US dollars per unit of `currency` in `year` (1 for USD), if stored."""
    code = currency.upper()
    if code == "USD":
        return Decimal(1)
    return session.scalars(
        select(ExchangeRate.usd_per_unit).where(
            ExchangeRate.currency == code, ExchangeRate.year == year
        )
    ).first()


def set_exchange_rate(
    session: Session,
    *,
    actor: Actor,
    currency: str,
    year: int,
    usd_per_unit: Decimal,
    source: str = "",
) -> ExchangeRate:
    """Store (or replace) a currency's annual rate. Needs `financing:write` or
    `financing:import`; audited."""
    permission = (
        "financing:write" if can(actor, "financing:write") else "financing:import"
    )
    allow(actor, permission, tenant_code=actor.tenant_code)
    code = currency.upper()
    if len(code) != 3 or not code.isalpha() or usd_per_unit <= 0:
        raise InvalidInput(
            N_("A rate needs a three-letter currency and a value above zero.")
        )
    row = session.scalars(
        select(ExchangeRate).where(
            ExchangeRate.currency == code, ExchangeRate.year == year
        )
    ).first()
    if row is None:
        row = ExchangeRate(
            tenant_code=actor.tenant_code,
            currency=code,
            year=year,
            usd_per_unit=usd_per_unit,
            source=source,
        )
        session.add(row)
    elif row.usd_per_unit == usd_per_unit and row.source == source:
        return row
    else:
        row.usd_per_unit, row.source = usd_per_unit, source
    session.flush()
    audit.record(
        session,
        actor,
        "financing:rate:set",
        tenant_code=row.tenant_code,
        object_type="financing_exchange_rate",
        object_id=row.id,
        currency=code,
        year=year,
    )
    return row


def add_instrument(
    session: Session,
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    administrator_id: uuid.UUID | None,
    grant_usd: Decimal,
    loan_usd: Decimal,
    beneficiaries: list[str],
    source: str,
) -> Instrument:
    """Add a development-finance instrument (or return the one with that code).
    Needs `financing:write`; audited."""
    allow(actor, "financing:write", tenant_code=actor.tenant_code)
    existing = session.scalars(
        select(Instrument).where(Instrument.code == code)
    ).first()
    if existing is not None:
        return existing
    if kind not in codes.INSTRUMENT_KIND_LABELS or grant_usd < 0 or loan_usd < 0:
        raise InvalidInput(
            N_("An instrument needs a kind and amounts of zero or more.")
        )
    row = Instrument(
        tenant_code=actor.tenant_code,
        code=code,
        name=name,
        kind=kind,
        administrator_id=administrator_id,
        grant_usd=grant_usd,
        loan_usd=loan_usd,
        beneficiaries=",".join(b for b in beneficiaries if is_known_country(b)),
        source=source,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "financing:instrument:create",
        tenant_code=row.tenant_code,
        object_type="financing_instrument",
        object_id=row.id,
    )
    return row


def organisation_named(
    session: Session, *, actor: Actor, name: str
) -> OrganisationRead | None:
    """The directory entry called `name` (any case or spacing), as a read model.
    Needs `financing:read`."""
    allow(actor, "financing:read")
    found = find_organisation(session, name)
    return organisation_read(found) if found is not None else None


def register_organisation(
    session: Session, *, actor: Actor, name: str, kind: str = "other"
) -> OrganisationRead:
    """Add `name` to the directory (or return its entry): for other modules'
    imports. Needs `financing:write` or `financing:import`; audited."""
    return organisation_read(
        add_organisation(session, actor=actor, name=name, kind=kind)
    )
