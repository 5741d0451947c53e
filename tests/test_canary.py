"""Canary leak scan (research/07 §5(b) #2, issue #9).

Marker strings go into every sensitive field each tenant can fill through the API
(names, sensitive attributes, case summary, notes, tracing descriptions, referral
purpose). Then every GET route of the router table is called with the planted
ids by users of other states and the hub, and the owners read their own records
and export them. Every response body and header, every export and every log
line (stdout, stderr and the logging tree at DEBUG) is captured and scanned:

- another tenant's markers never appear in any response or export;
- no marker ever appears in a log line.

A state-machine run (tests/test_invariants.py) is scanned the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from puente.identity import service as identity_service
from puente.identity import system_actor
from puente.identity.models import User
from puente.pathways.demo import compliant_offer
from puente.protection import service as protection_service
from puente.protection.models import TracingRequest
from puente.protection.service.remote_tracing import record_remote_candidates
from puente.protection.service.return_sharing import receive_incoming_return
from tests.pathways.helpers import actor as actor_of
from tests.pathways.test_api import FACTS as PATHWAY_FACTS
from tests.pathways.test_api_totalisations import PERIODS as TOTALISATION_PERIODS
from tests.protection.test_service_returns import ALL_CLEAR as RETURN_CLEAR
from tests.test_authorization_matrix import SKIP_PATHS, all_routes
from tests.test_invariants import base_actors  # noqa: F401 - a fixture

# Everyone whose answers are scanned; each marker names the few of them that may
# read it (its group's readers, below). Every other user is an observer of it.
USERS = (
    "caseworker.col",
    "supervisor.col",
    "protection.col",
    "pathways.col",
    "focal_point.col",
    "auditor.col",
    "investigator.col",
    "prosecutor.col",
    "caseworker.pan",
    "supervisor.pan",
    "pathways.pan",
    "investigator.pan",
    "caseworker.mex",
    "pathways.bra",
    "pathways.can",
    "employer.can",
    "analyst.hub",
    "auditor.hub",
    "admin",
)
TENANTS = ("COL", "PAN")
PATHWAY_STATES = ("col", "pan", "bra", "can")
TODAY = dt.datetime.now(dt.UTC).date()
# Who may read a marker of tenant `t`, by the marker's group: the grants of
# identity.permissions (scope and sensitivity ceiling), never what answers show.
READERS: dict[str, Callable[[str], set[str]]] = {
    # Names, documents, contacts: person:read (caseworker of the organisation,
    # supervisor and protection officer of the state, pathways officer).
    "person": lambda t: (
        {f"caseworker.{t}", f"supervisor.{t}", f"protection.{t}"} | {f"pathways.{t}"}
    ),
    # A sensitive attribute (ceiling SENSITIVE): supervisor, protection officer.
    "sensitive": lambda t: {f"supervisor.{t}", f"protection.{t}"},
    # Case summary, notes, tracing, referral purpose, peers' candidates: case:read.
    "case": lambda t: {f"caseworker.{t}", f"supervisor.{t}", f"protection.{t}"},
    # Return cases (reception, plan, referrals): return:decide.
    "return": lambda t: {f"supervisor.{t}", f"protection.{t}"},
    # Pathway screenings, applications, workers, totalisations: pathways officer.
    "pathways": lambda t: {f"pathways.{t}"},
    # The walled enforcement module: its own roles of the state only.
    "enforcement": lambda t: {f"investigator.{t}", f"prosecutor.{t}"},
    # A job offer: its employer, and pathways officers of every state (offer:read
    # REG) — never anyone else.
    "offer": lambda t: {"employer.can"} | {f"pathways.{s}" for s in PATHWAY_STATES},
}
# The path parameters the scan fills, per route: (a pattern of the path, the
# parameter) -> the kind of planted record. First match wins.
PARAMS: tuple[tuple[str, str, str], ...] = (
    ("/return-cases/", "case_id", "return_case"),
    ("", "case_id", "case"),
    ("/pathways/", "screening_id", "pathway_screening"),
    ("/protection/", "screening_id", "protection_screening"),
    ("", "person_id", "person"),
    ("", "referral_id", "referral"),
    ("", "request_id", "tracing"),
    ("", "decision_id", "return"),
    ("", "notification_id", "consular"),
    ("", "network_id", "network"),
    ("", "household_id", "household"),
    ("", "application_id", "application"),
    ("", "offer_id", "offer"),
    ("", "totalisation_id", "totalisation"),
    ("", "worker_id", "worker"),
    ("", "fmt", "format"),
    ("", "incoming_id", "incoming_return"),
)
# Path parameters of GET routes whose records carry nothing of a person, and
# why. A route with a parameter neither filled above nor named here fails
# `test_every_get_route_parameter_is_planted_or_named`, and a route the scan
# could not fill fails the scan itself.
NOT_PLANTED = {
    "agreement_id": "an exchange agreement: states, dates and keys, no person",
    "alert_id": "an early-warning alert: aggregate counts, no person",
    "code": "a financing instrument or commitment package code (catalogue)",
    "commitment_id": "a state's pledge: aggregate figures, no person",
    "flow_id": "a financing flow: amounts between organisations, no person",
    "organisation_id": "an organisation's name and kind, no person",
    "pathway_id": "a pathway of the catalogue, no person",
    "plan": "a response plan's code (aggregates)",
    "plan_id": "a response plan (aggregates)",
    "report_id": "a 5W report: aggregate activity counts, no person",
    "state": "a state's code: burden and commitment aggregates",
    "user_id": "a user account (admin screens; usernames, never a person)",
}


EXPORT_LINK = re.compile(r"[?&](export|download)=(csv|xlsx)")
# Planted fields no answer shows even to their readers (so the scan of them only
# proves they never leak), and why. Every other marker must reach a reader: that
# shows it was stored and the scan can see it.
NEVER_SHOWN = {
    "docno": "a document number is shown as a hint (its last characters) only",
    "employer": "an offer's employer name is checked, not shown (title and ref are)",
    "legalid": "an offer's employer legal id is checked, not shown",
    "site": "an offer's worksite address is checked, not shown",
}


def marker(tenant: str, field: str) -> str:
    return f"Qz{tenant}{field.replace('_', '')}Canary{uuid.uuid4().hex[:6]}"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Planted:
    """The ids of each kind per tenant, and each marker's tenant and group."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, str]] = {}
        self.groups: dict[str, tuple[str, str]] = {}
        self.fields: dict[str, str] = {}

    def mark(self, tenant: str, group: str, field: str) -> str:
        value = marker(tenant, field)
        self.groups[value] = (tenant, group)
        self.fields[value] = field
        return value

    def may_read(self, user: str, value: str) -> bool:
        tenant, group = self.groups[value]
        return user in READERS[group](tenant.lower())

    def forbidden(self, user: str) -> list[str]:
        return [m for m in self.groups if not self.may_read(user, m)]

    def allowed(self, user: str) -> list[str]:
        return [m for m in self.groups if self.may_read(user, m)]


def _created(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text[:300]
    return response.json()


def _plant_people_and_cases(
    client: TestClient,
    token_for: Callable[[str], str],
    session: Session,
    tenant: str,
    planted: Planted,
) -> None:
    """A person (names, a document, a contact, a sensitive attribute), a
    screening, a case with a note, a household, a referral, a tracing request
    with a peer's candidate and a consular wish."""
    t = tenant.lower()
    mark = planted.mark
    writer, boss = _h(token_for(f"caseworker.{t}")), _h(token_for(f"supervisor.{t}"))
    person = _created(
        client.post(
            "/api/v1/people",
            json={
                "given_name": mark(tenant, "person", "given"),
                "family_name": mark(tenant, "person", "family"),
                "sex": "F",
                "birth_date": "1990",
                "nationality": "NIC",
                "documents": [
                    {
                        "document_type": "passport",
                        "number": mark(tenant, "person", "docno"),
                    }
                ],
                "contacts": [{"kind": "phone", "value": mark(tenant, "person", "tel")}],
            },
            headers=writer,
        )
    )
    pid = person["id"]
    relative = _created(
        client.post(
            "/api/v1/people",
            json={
                "given_name": mark(tenant, "person", "kin"),
                "family_name": mark(tenant, "person", "kinfamily"),
                "sex": "M",
                "birth_date": "2015",
            },
            headers=writer,
        )
    )
    _created(
        client.post(
            f"/api/v1/people/{pid}/sensitive",
            json={
                "attribute": "gbv",
                "value": mark(tenant, "sensitive", "gbv"),
                "consent": {},
            },
            headers=boss,
        )
    )
    household = _created(
        client.post(
            "/api/v1/people/households",
            json={
                "members": [
                    {"person_id": pid, "relationship": "head", "is_caregiver": True},
                    {"person_id": relative["id"], "relationship": "child"},
                ]
            },
            headers=writer,
        )
    )
    screening = _created(
        client.post(
            "/api/v1/protection/screenings",
            json={"person_id": pid, "answers": {"is_child": False}},
            headers=writer,
        )
    )
    case = _created(
        client.post(
            "/api/v1/protection/cases",
            json={"person_id": pid, "summary": mark(tenant, "case", "summary")},
            headers=writer,
        )
    )
    cid = case["id"]
    _created(
        client.post(
            f"/api/v1/protection/cases/{cid}/notes",
            json={"body": mark(tenant, "case", "note")},
            headers=writer,
        )
    )
    shelter = protection_service.add_service(
        session,
        actor=actor_of(session, f"supervisor.{t}"),
        slug=f"canary-{uuid.uuid4().hex[:8]}",
        organisation_name="Canary shelter",
        state=tenant,
        service_type="shelter",
        place="Centro",
        languages=["es"],
    )
    session.commit()
    referral = _created(
        client.post(
            "/api/v1/protection/referrals",
            json={
                "case_id": cid,
                "service_id": str(shelter.id),
                "purpose": mark(tenant, "case", "purpose"),
                "shared_fields": ["identity"],
                "consent_until": str(
                    dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
                ),
            },
            headers=writer,
        )
    )
    tracing = _created(
        client.post(
            "/api/v1/protection/tracing",
            json={
                "requester_person_id": pid,
                "relationship": "sibling",
                "sought_given_name": mark(tenant, "case", "sought"),
                "sought_family_name": mark(tenant, "case", "soughtfamily"),
                "last_seen_place": mark(tenant, "case", "place"),
            },
            headers=writer,
        )
    )
    # A peer state's candidate for the request (what the exchange module stores
    # from an incoming answer): its reference is the peer's, for this state only.
    other = "PAN" if tenant == "COL" else "COL"
    session.execute(
        update(TracingRequest)
        .where(TracingRequest.id == uuid.UUID(tracing["id"]))
        .values(search_state=other, status="forwarded")
    )
    assert (
        record_remote_candidates(
            session,
            tenant_code=tenant,
            request_id=uuid.UUID(tracing["id"]),
            state=other,
            candidates=[
                {
                    "reference": mark(tenant, "case", "candidate"),
                    "score": 0.93,
                    "likelihood": "high",
                }
            ],
        )
        == 1
    )
    session.commit()
    consular = _created(
        client.post(
            "/api/v1/protection/consular",
            json={
                "person_id": pid,
                "wish": "requests",
                "detained_at": dt.datetime.now(dt.UTC).isoformat(),
            },
            headers=writer,
        )
    )
    planted.ids.setdefault(tenant, {}).update(
        person=pid,
        case=cid,
        household=household["id"],
        protection_screening=screening["id"],
        referral=referral["id"],
        tracing=tracing["id"],
        consular=consular[0]["id"],
    )


def _plant_return(
    client: TestClient,
    token_for: Callable[[str], str],
    session: Session,
    tenant: str,
    planted: Planted,
) -> None:
    """An approved return and its return case: reception, plan and follow-up;
    and a return another state shared, received here by a named caregiver."""
    mark = planted.mark
    boss = _h(token_for(f"supervisor.{tenant.lower()}"))
    person = _created(
        client.post(
            "/api/v1/people",
            json={
                "given_name": mark(tenant, "person", "returnee"),
                "family_name": mark(tenant, "person", "returneefamily"),
                "sex": "M",
                "birth_date": "1988",
                "nationality": "HND",
            },
            headers=boss,
        )
    )
    decision = _created(
        client.post(
            "/api/v1/protection/returns",
            json={
                "person_id": person["id"],
                "destination": "HND",
                "facts": {**RETURN_CLEAR, "is_child": False},
            },
            headers=boss,
        )
    )
    did = decision["id"]
    _created(client.post(f"/api/v1/protection/returns/{did}/approve", headers=boss))
    rcase = _created(
        client.post(f"/api/v1/protection/returns/{did}/case", headers=boss)
    )
    rid = rcase["id"]
    _created(
        client.put(
            f"/api/v1/protection/return-cases/{rid}/reception",
            json={
                "arrival_date": "2026-11-02",
                "place": mark(tenant, "return", "arrivalplace"),
                "receiving_party": mark(tenant, "return", "receiver"),
                "caregiver": mark(tenant, "return", "caregiver"),
            },
            headers=boss,
        )
    )
    _created(
        client.put(
            f"/api/v1/protection/return-cases/{rid}/plan",
            json={
                "economic": mark(tenant, "return", "economic"),
                "psychosocial": mark(tenant, "return", "psychosocial"),
                "referrals": [
                    {"dimension": "social", "service": mark(tenant, "return", "rsvc")}
                ],
            },
            headers=boss,
        )
    )
    _created(
        client.post(
            f"/api/v1/protection/return-cases/{rid}/follow-ups",
            json={
                "month": 3,
                "done_on": "2027-02-01",
                "economic": 0.5,
                "social": 0.6,
                "psychosocial": 0.7,
            },
            headers=boss,
        )
    )
    planted.ids[tenant].update({"return": did, "return_case": rid})
    incoming = receive_incoming_return(
        session,
        tenant_code=tenant,
        sender_state="MEX",
        payload={"reference": str(uuid.uuid4()), "is_child": True, "dimensions": []},
    )
    session.commit()
    _created(
        client.put(
            f"/api/v1/protection/incoming-returns/{incoming.id}/reception",
            json={
                "arrival_date": "2026-11-03",
                "place": mark(tenant, "return", "incomingplace"),
                "receiving_party": mark(tenant, "return", "incomingreceiver"),
                "caregiver": mark(tenant, "return", "incomingcaregiver"),
            },
            headers=boss,
        )
    )
    planted.ids[tenant]["incoming_return"] = str(incoming.id)


def _plant_pathways(
    client: TestClient, token_for: Callable[[str], str], tenant: str, planted: Planted
) -> None:
    """A stored pathway screening and an application (the applicant's reference),
    a worker (reference and skills) and a saved totalisation of the worker."""
    mark = planted.mark
    officer = _h(token_for(f"pathways.{tenant.lower()}"))
    pid = planted.ids[tenant]["person"]
    screening = _created(
        client.post(
            "/api/v1/pathways/screenings",
            json={
                "facts": PATHWAY_FACTS,
                "person_id": pid,
                "applicant_ref": mark(tenant, "pathways", "screenref"),
                "store": True,
            },
            headers=officer,
        )
    )
    pathway = screening["results"][0]["pathway_id"]
    application = _created(
        client.post(
            "/api/v1/pathways/applications",
            json={
                "pathway_id": pathway,
                "screening_id": screening["id"],
                "applicant_ref": mark(tenant, "pathways", "appref"),
            },
            headers=officer,
        )
    )
    worker = _created(
        client.post(
            "/api/v1/pathways/workers",
            json={
                "worker_ref": mark(tenant, "pathways", "workerref"),
                "isco": "9211",
                "skills": [mark(tenant, "pathways", "skill")],
                "years_experience": 4,
                "languages": {"es": "native"},
                "available_from": "2027-03-01",
                "birth_year": 1994,
                "nationality": "VEN",
                "preferred_destinations": ["CAN"],
                "consents_to_matching": True,
            },
            headers=officer,
        )
    )
    totalisation = _created(
        client.post(
            "/api/v1/pathways/totalisations",
            json={"periods": TOTALISATION_PERIODS, "worker_id": worker["id"]},
            headers=officer,
        )
    )
    planted.ids[tenant].update(
        pathway_screening=screening["id"],
        application=application["id"],
        worker=worker["id"],
        totalisation=totalisation["id"],
    )


def _plant_offer(
    client: TestClient, token_for: Callable[[str], str], planted: Planted
) -> None:
    """An employer's job offer (CAN): the employer's name, legal id and site."""
    mark = planted.mark
    offer = compliant_offer(
        mark("CAN", "offer", "employer"), mark("CAN", "offer", "legalid")
    )
    offer["worksite_address"] = mark("CAN", "offer", "site")
    offer["title"] = mark("CAN", "offer", "title")
    offer["id"] = mark("CAN", "offer", "ref")
    created = _created(
        client.post(
            "/api/v1/pathways/offers",
            json=offer,
            headers=_h(token_for("employer.can")),
        )
    )
    assert created["blocked"] is False, created["checks"]
    for tenant in TENANTS:
        planted.ids[tenant]["offer"] = created["id"]


def _plant_network(
    client: TestClient, token_for: Callable[[str], str], tenant: str, planted: Planted
) -> None:
    """An enforcement network (the walled module): its name, summary and an
    entity's label and detail carry markers."""
    mark = planted.mark
    h = _h(token_for(f"investigator.{tenant.lower()}"))
    network = _created(
        client.post(
            "/api/v1/enforcement/networks",
            json={
                "name": mark(tenant, "enforcement", "network"),
                "summary": mark(tenant, "enforcement", "netsummary"),
            },
            headers=h,
        )
    )
    nid = network["id"]
    _created(
        client.post(
            f"/api/v1/enforcement/networks/{nid}/entities",
            json={
                "kind": "phone_number",
                "label": mark(tenant, "enforcement", "entity"),
                "detail": mark(tenant, "enforcement", "entitydetail"),
            },
            headers=h,
        )
    )
    planted.ids[tenant]["network"] = nid


def _kind(path: str, name: str) -> str | None:
    for pattern, param, kind in PARAMS:
        if param == name and pattern in path:
            return kind
    return None


def _fill(path: str, ids: dict[str, str]) -> str | None:
    for name in re.findall(r"\{([^}]+)\}", path):
        kind = _kind(path, name)
        if kind is None or kind not in ids:
            return None
        path = path.replace("{" + name + "}", ids[kind])
    return path


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_capture() -> Any:
    handler = Capture()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


def _hits(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m in text]


def _seen(response: Any) -> str:
    """A response as the scan reads it: the body (every part of a workbook,
    unzipped) and the headers."""
    body = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            text = "\n".join(
                book.read(name).decode("utf-8", "replace") for name in book.namelist()
            )
    else:
        text = body.decode("utf-8", "replace")
    return text + repr(dict(response.headers))


def _panama_staff(session: Session) -> None:
    """Panama's demo may lack a supervisor and a pathways officer: one each, in
    the caseworker's organisation, where the demo has none."""
    caseworker = session.scalars(
        select(User).where(User.username == "caseworker.pan")
    ).one()
    for role in ("supervisor", "pathways_officer"):
        username = f"{role.split('_')[0]}.pan"
        if session.scalars(select(User.id).where(User.username == username)).first():
            continue
        identity_service.create_user(
            session,
            actor=system_actor(),
            username=username,
            password="a-long-test-password-2026",
            tenant_code="PAN",
            roles=[role],
            organisation_id=caseworker.organisation_id,
        )
    session.commit()


def _plant_all(
    client: TestClient, token_for: Callable[[str], str], session: Session
) -> Planted:
    _panama_staff(session)
    planted = Planted()
    for tenant in TENANTS:
        # A table download's format: the workbook is unzipped and scanned whole.
        planted.ids.setdefault(tenant, {})["format"] = "xlsx"
        _plant_people_and_cases(client, token_for, session, tenant, planted)
        _plant_return(client, token_for, session, tenant, planted)
        _plant_network(client, token_for, tenant, planted)
        _plant_pathways(client, token_for, tenant, planted)
    _plant_offer(client, token_for, planted)
    return planted


def _get_routes(app: FastAPI) -> list[Any]:
    return [
        r
        for r in all_routes(app.routes)
        if "GET" in (r.methods or set()) and not r.path.startswith(SKIP_PATHS)
    ]


def test_no_marker_leaks_across_tenants_roles_or_into_logs(
    app: FastAPI,
    client: TestClient,
    session: Session,
    token_for: Callable[[str], str],
    login_as: Callable[[TestClient, str], TestClient],
    capfd: pytest.CaptureFixture[str],
    log_capture: Capture,
) -> None:
    """Every GET route, filled with each tenant's planted ids of the right kind,
    asked by every user: a marker only ever reaches its group's readers."""
    planted = _plant_all(client, token_for, session)
    leaks: list[str] = []
    unfilled: set[str] = set()
    routes = _get_routes(app)
    assert len(routes) > 50
    requests = downloads = 0
    readers_saw: set[str] = set()
    for user in USERS:
        forbidden = planted.forbidden(user)
        allowed = planted.allowed(user)
        api = _h(token_for(user))
        with TestClient(app, base_url="http://testserver") as web:
            login_as(web, user)
            for route in routes:
                for tenant in TENANTS:
                    path = _fill(route.path, planted.ids[tenant])
                    if path is None:
                        unfilled.add(route.path)
                        continue
                    if path.startswith("/api/"):
                        response = client.get(path, headers=api)
                    else:
                        response = web.get(path, follow_redirects=False)
                    requests += 1
                    assert response.status_code < 500, (user, path, response.text[:200])
                    answers = [(path, response)]
                    if EXPORT_LINK.search(response.text):
                        # The screen's own downloads (list kit, commitments).
                        for query in ("export=csv", "export=xlsx", "download=xlsx"):
                            url = f"{path}?{query}"
                            answers.append((url, web.get(url, follow_redirects=False)))
                            downloads += 1
                    for url, answer in answers:
                        seen = _seen(answer)
                        readers_saw.update(_hits(seen, allowed))
                        if hits := _hits(seen, forbidden):
                            leaks.append(f"{user} GET {url}: {hits}")
                    if "{" not in route.path:
                        break  # a route without ids is asked once
    # Exports: each role's, through the API and the screens' download.
    for user in USERS:
        for fmt in ("csv", "xlsx", "htcds"):
            export = client.post(
                "/api/v1/protection/exports",
                json={"format": fmt, "encrypt": False},
                headers=_h(token_for(user)),
            )
            if export.status_code == 200:
                downloads += 1
                seen = _seen(export)
                readers_saw.update(_hits(seen, planted.allowed(user)))
                if hits := _hits(seen, planted.forbidden(user)):
                    leaks.append(f"{user} {fmt} export: {hits}")
    out, err = capfd.readouterr()
    logged = "\n".join([out, err, *log_capture.lines])
    named = {
        route.path
        for route in routes
        if set(re.findall(r"\{([^}]+)\}", route.path)) & set(NOT_PLANTED)
    }
    assert leaks == []
    assert unfilled <= named, f"routes the scan cannot fill: {sorted(unfilled - named)}"
    assert requests > 1000
    assert downloads > 20
    # The scan can hit: readers saw markers of every group, of both tenants.
    groups_seen = {planted.groups[m] for m in readers_saw}
    unseen = {planted.fields[m] for m in planted.groups if m not in readers_saw}
    assert unseen == set(NEVER_SHOWN), "a planted field no reader saw: not scanned"
    assert {g for _t, g in groups_seen} == set(READERS), sorted(groups_seen)
    assert {t for t, _g in groups_seen} >= set(TENANTS)
    assert _hits(logged, list(planted.groups)) == [], "a marker reached a log line"


def test_every_get_route_parameter_is_planted_or_named(app: FastAPI) -> None:
    """A new GET route whose records the scan cannot reach fails here."""
    unknown = sorted(
        {
            (name, route.path)
            for route in _get_routes(app)
            for name in re.findall(r"\{([^}]+)\}", route.path)
            if _kind(route.path, name) is None and name not in NOT_PLANTED
        }
    )
    assert unknown == []
    assert not {param for _p, param, _k in PARAMS} & set(NOT_PLANTED)


def test_a_state_machine_run_logs_no_names(
    session: Session,
    capfd: pytest.CaptureFixture[str],
    log_capture: Capture,
    request: pytest.FixtureRequest,
) -> None:
    from tests import test_invariants as machine

    base = request.getfixturevalue("base_actors")

    machine.NAME_MARKER = "QzMachineCanary"
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PUENTE_INVARIANT_EXAMPLES", "15")
            mp.delenv("PUENTE_PROOF", raising=False)
            machine.test_promises_hold(session, base)
    finally:
        machine.NAME_MARKER = "Inv"
    out, err = capfd.readouterr()
    logged = "\n".join([out, err, *log_capture.lines])
    assert "QzMachineCanary" not in logged
