"""Demo data: the 20 endorsing states and the hub, organisations, demo users, and each
module's demo data. Idempotent: a second load changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.commitments import demo as commitments_demo
from puente.coordination import demo as coordination_demo
from puente.core import db as core_db
from puente.core.config import get_settings
from puente.early_warning import demo as early_warning_demo
from puente.exchange import demo as exchange_demo
from puente.financing import demo as financing_demo
from puente.identity import Organisation, Tenant, User, create_user, system_actor
from puente.pathways import demo as pathways_demo
from puente.people import demo as people_demo
from puente.protection import demo as protection_demo
from puente.reference import ENDORSING_STATES, country_name

# The 20 states that endorsed the Declaration in June 2022 (names from the one
# reference table), and the regional hub.
ENDORSERS: dict[str, str] = {
    code: country_name(code, "en") for code in ENDORSING_STATES
}
HUB = "HUB"

MIGRATION_AUTHORITIES: dict[str, str] = {
    "COL": "Migración Colombia",
    "PAN": "Servicio Nacional de Migración",
    "MEX": "Instituto Nacional de Migración",
    "CAN": "Immigration, Refugees and Citizenship Canada",
    "USA": "Department of State, Bureau of Population, Refugees, and Migration",
    "BRA": "Ministério da Justiça e Segurança Pública",
    "CRI": "Dirección General de Migración y Extranjería",
    "GTM": "Instituto Guatemalteco de Migración",
    "HND": "Instituto Nacional de Migración",
    "HTI": "Office National de la Migration",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    tenant: str
    organisation: str
    roles: tuple[str, ...]
    locale: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", HUB, "hub-secretariat", ("admin",), "en"),
    # A second administrator: resetting a lost authenticator needs two.
    DemoUser("admin2", HUB, "hub-secretariat", ("admin",), "es"),
    DemoUser("caseworker.col", "COL", "migration", ("caseworker",), "es"),
    DemoUser("supervisor.col", "COL", "migration", ("supervisor",), "es"),
    DemoUser("protection.col", "COL", "unhcr", ("protection_officer",), "es"),
    DemoUser("pathways.col", "COL", "migration", ("pathways_officer",), "es"),
    DemoUser("focal_point.col", "COL", "migration", ("focal_point",), "es"),
    DemoUser("caseworker.pan", "PAN", "migration", ("caseworker",), "es"),
    # Federation: the peer's focal point signs agreements; auditors read the log.
    DemoUser("focal_point.pan", "PAN", "migration", ("focal_point",), "es"),
    # Receives the return cases other states share under a returns agreement.
    DemoUser("supervisor.pan", "PAN", "migration", ("supervisor",), "es"),
    DemoUser("auditor.col", "COL", "migration", ("auditor",), "es"),
    DemoUser("auditor.pan", "PAN", "migration", ("auditor",), "es"),
    DemoUser("caseworker.mex", "MEX", "migration", ("caseworker",), "es"),
    DemoUser("pathways.bra", "BRA", "migration", ("pathways_officer",), "pt"),
    DemoUser("employer.can", "CAN", "employer-agri", ("employer",), "en"),
    # Reviews the demo employer's attestations (offers are reviewed in their state).
    DemoUser("pathways.can", "CAN", "migration", ("pathways_officer",), "en"),
    DemoUser("analyst.hub", HUB, "hub-secretariat", ("analyst",), "en"),
    DemoUser("coordinator.hub", HUB, "hub-secretariat", ("coordinator",), "en"),
    DemoUser("donor.can", "CAN", "migration", ("donor",), "en"),
    DemoUser("auditor.hub", HUB, "hub-secretariat", ("auditor",), "en"),
    # Enforcement's walled channel: investigators of two states and a liaison.
    DemoUser("investigator.col", "COL", "police", ("investigator",), "es"),
    DemoUser("investigator.pan", "PAN", "police", ("investigator",), "es"),
    DemoUser("prosecutor.col", "COL", "police", ("prosecutor_liaison",), "es"),
)


def _organisations(code: str) -> list[tuple[str, str, str]]:
    if code == HUB:
        return [("hub-secretariat", "Regional hub secretariat", "secretariat")]
    orgs = [
        (
            "migration",
            MIGRATION_AUTHORITIES.get(code, f"Migration authority ({code})"),
            "ministry",
        ),
        ("unhcr", f"UNHCR {ENDORSERS[code]}", "un_agency"),
        ("iom", f"IOM {ENDORSERS[code]}", "un_agency"),
    ]
    if code in ("COL", "PAN"):
        orgs.append(
            ("police", f"Anti-smuggling police ({ENDORSERS[code]})", "ministry")
        )
    if code == "COL":
        orgs.append(("ngo-refugio", "Fundación Refugio (NGO)", "ngo"))
    if code == "CAN":
        orgs.append(("employer-agri", "Prairie Growers Co-operative", "employer"))
    return orgs


def load_identity(session: Session) -> tuple[int, int]:
    """Tenants, organisations and demo users; returns how many rows were added."""
    added_orgs = added_users = 0
    tenants = {**ENDORSERS, HUB: "Regional hub"}
    for code, name in tenants.items():
        if session.get(Tenant, code) is None:
            session.add(
                Tenant(code=code, name=name, kind="hub" if code == HUB else "state")
            )
        for slug, org_name, kind in _organisations(code):
            exists = session.scalars(
                select(Organisation.id).where(
                    Organisation.tenant_code == code, Organisation.slug == slug
                )
            ).first()
            if exists is None:
                session.add(
                    Organisation(tenant_code=code, slug=slug, name=org_name, kind=kind)
                )
                added_orgs += 1
    session.flush()
    password = get_settings().demo_password.get_secret_value()
    for demo in DEMO_USERS:
        if session.scalars(
            select(User.id).where(User.username == demo.username)
        ).first():
            continue
        org_id = session.scalars(
            select(Organisation.id).where(
                Organisation.tenant_code == demo.tenant,
                Organisation.slug == demo.organisation,
            )
        ).one()
        create_user(
            session,
            actor=system_actor(),
            username=demo.username,
            password=password,
            tenant_code=demo.tenant,
            roles=list(demo.roles),
            organisation_id=org_id,
            locale=demo.locale,
        )
        added_users += 1
    return added_orgs, added_users


def load_federation_node(session: Session) -> None:
    """One loopback node of `puente federation up`: tenants, users and the
    service directory (a confirmed match refers to a family tracing service)."""
    load_identity(session)
    session.flush()
    protection_demo.load_directory(session)


# Each module's demo loader, in dependency order (people before the cases and
# screenings that refer to them). Imported by name so mypy and import-linter see
# every edge; a new module with a `demo.py` adds its line here.
DemoLoader = Callable[[Session, Progress], str]
DEMO_LOADERS: tuple[tuple[str, DemoLoader], ...] = (
    ("people", people_demo.load),
    ("protection", protection_demo.load),
    ("pathways", pathways_demo.load),
    ("early_warning", early_warning_demo.load),
    # Coordination's 5W rows name financing's organisations and flows.
    ("financing", financing_demo.load),
    ("coordination", coordination_demo.load),
    ("commitments", commitments_demo.load),
    ("exchange", exchange_demo.load),
)


def load_demo(console: Console | None = None) -> list[str]:
    """Load everything; each module's `demo.load(session, progress)` is idempotent."""
    console = console or Console()
    lines: list[str] = []
    with core_db.uow() as session:
        orgs, users = load_identity(session)
        lines.append(f"identity: {orgs} organisations and {users} users added")
    with Progress(console=console, transient=True) as progress:
        for module, load in DEMO_LOADERS:
            with core_db.uow() as session:
                lines.append(f"{module}: {load(session, progress)}")
    return lines
