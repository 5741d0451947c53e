"""The walled enforcement channel: networks and their analysis, sharing only under
an agreement (logged), and no way from enforcement into people, protection or
pathways (import contract, PostgreSQL grants) nor from a caseworker into it."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from puente.core.db import SYSTEM_SCOPE, set_tenant_scope
from puente.core.errors import PermissionDenied
from puente.core.rls import wall_role
from puente.enforcement import service
from puente.enforcement.models import Network, RequestLog, SharedReport
from puente.enforcement.rules import network
from puente.identity import Actor
from tests.conftest import CSRF
from tests.pathways.helpers import actor

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/enforcement"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestAnalysis:
    def test_components_and_centrality_match_the_textbook(self) -> None:
        graph = network.adjacency(
            "ABCDEXY", [("A", "B"), ("B", "C"), ("C", "D"), ("B", "E"), ("X", "Y")]
        )
        assert network.components(graph) == [["A", "B", "C", "D", "E"], ["X", "Y"]]
        between = network.betweenness_centrality(graph)
        # B lies on 5 of the shortest paths (A-C, A-D, A-E, C-E, D-E), C on 3
        # (D to A, B, E); n = 7 normalises by (n-1)(n-2)/2 = 15, as networkx.
        assert between["B"] == pytest.approx(5 / 15)
        assert between["C"] == pytest.approx(3 / 15)
        assert between["A"] == 0
        assert network.degree_centrality(graph)["B"] == pytest.approx(3 / 6)


def _record(session: Session, investigator: Actor) -> Network:
    net = service.create_network(session, actor=investigator, name="Red del Darién")
    route = service.add_entity(
        session,
        actor=investigator,
        network_id=net.id,
        kind="route",
        label="Necoclí – Acandí",
    )
    boat = service.add_entity(
        session,
        actor=investigator,
        network_id=net.id,
        kind="vehicle",
        label="Lancha Doña Rosa",
    )
    phone = service.add_entity(
        session,
        actor=investigator,
        network_id=net.id,
        kind="phone_number",
        label="+57 300 000 0000",
    )
    service.add_link(
        session,
        actor=investigator,
        network_id=net.id,
        source_id=route.id,
        target_id=boat.id,
    )
    service.add_link(
        session,
        actor=investigator,
        network_id=net.id,
        source_id=boat.id,
        target_id=phone.id,
    )
    return net


class TestSharing:
    def test_share_needs_agreements_both_ways_and_every_request_is_logged(
        self, session: Session
    ) -> None:
        col = actor(session, "investigator.col")
        pan = actor(session, "investigator.pan")
        net = _record(session, col)
        view = service.get_network(session, actor=col, network_id=net.id)
        assert max(view.betweenness.values()) == pytest.approx(1.0)
        refused = service.share_network(
            session,
            actor=col,
            network_id=net.id,
            recipient_state="PAN",
        )
        assert refused is None
        assert session.scalars(select(SharedReport)).all() == []
        until = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=365)
        service.create_agreement(
            session,
            actor=col,
            partner_state="PAN",
            reference="COL-PAN-1",
            valid_until=until,
        )
        assert (
            service.share_network(
                session,
                actor=col,
                network_id=net.id,
                recipient_state="PAN",
            )
            is None
        )
        service.create_agreement(
            session,
            actor=pan,
            partner_state="COL",
            reference="PAN-COL-1",
            valid_until=until,
        )
        shared = service.share_network(
            session,
            actor=col,
            network_id=net.id,
            recipient_state="PAN",
        )
        assert shared is not None
        got = service.received_reports(session, actor=pan)
        assert [r.network_name for r in got] == ["Red del Darién"]
        assert {e["label"] for e in got[0].report["entities"]} >= {"Lancha Doña Rosa"}
        assert service.received_reports(session, actor=col) == []
        actions = sorted(
            (r.tenant_code, r.action) for r in session.scalars(select(RequestLog))
        )
        assert actions == [
            ("COL", "refused"),
            ("COL", "refused"),
            ("COL", "share"),
            ("PAN", "read"),
        ]

    def test_a_protection_caseworker_sees_none_of_it(
        self, session: Session, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        caseworker = actor(session, "caseworker.col")
        with pytest.raises(PermissionDenied):
            service.list_networks(session, actor=caseworker)
        with pytest.raises(PermissionDenied):
            service.received_reports(session, actor=caseworker)
        headers = auth(token_for("caseworker.col"))
        assert client.get(f"{API}/received", headers=headers).status_code == 403
        created = client.post(f"{API}/networks", json={"name": "x"}, headers=headers)
        assert created.status_code == 403

    def test_api_records_and_analyses_a_network(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = auth(token_for("investigator.col"))
        net = client.post(
            f"{API}/networks", json={"name": "Red norte"}, headers=headers
        )
        assert net.status_code == 201, net.text
        nid = net.json()["id"]
        ids = [
            client.post(
                f"{API}/networks/{nid}/entities",
                json={"kind": kind, "label": label},
                headers=headers,
            ).json()["id"]
            for kind, label in (
                ("route", "R1"),
                ("vehicle", "V1"),
                ("organisation", "O"),
            )
        ]
        linked = client.post(
            f"{API}/networks/{nid}/links",
            json={"source_id": ids[0], "target_id": ids[1]},
            headers=headers,
        )
        assert linked.status_code == 201
        assert linked.json()["components"] == [["R1", "V1"], ["O"]]
        bad = client.post(
            f"{API}/networks/{nid}/entities",
            json={"kind": "person", "label": "x"},
            headers=headers,
        )
        assert bad.status_code == 422
        refused = client.post(
            f"{API}/networks/{nid}/share",
            json={"recipient_state": "PAN"},
            headers=headers,
        )
        assert refused.status_code == 403


class TestTheWall:
    def test_import_contracts_forbid_both_directions(self) -> None:
        config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        contracts = config["tool"]["importlinter"]["contracts"]
        forbidden = {
            (tuple(c["source_modules"]), tuple(c["forbidden_modules"]))
            for c in contracts
            if c["type"] == "forbidden"
        }
        walled = ("puente.people", "puente.protection", "puente.pathways")
        assert (("puente.enforcement",), walled) in forbidden
        assert (walled, ("puente.enforcement",)) in forbidden

    def test_no_enforcement_source_names_a_walled_module(self) -> None:
        folder = ROOT / "src" / "puente" / "enforcement"
        for path in folder.rglob("*.py"):
            text = path.read_text("utf-8")
            for name in ("puente.people", "puente.protection", "puente.pathways"):
                assert name not in text, path

    def test_the_enforcement_database_role_cannot_read_walled_tables(
        self, session: Session, backend: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("database roles are PostgreSQL's")
        from tests.conftest import PG_ADMIN_URL, PG_ROLE

        # The tests' app role may not create roles: the administrator makes the
        # enforcement role (as a deployment does) and lets the app role use it.
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(
                sa.text("SELECT 1 FROM pg_roles WHERE rolname = 'puente_enforcement'")
            ).first():
                conn.execute(sa.text("CREATE ROLE puente_enforcement NOLOGIN"))
            conn.execute(sa.text(f"GRANT puente_enforcement TO {PG_ROLE}"))
        admin.dispose()
        walled = ("person", "people_", "household", "protection_", "pathway_")
        tables = [
            "enforcement_network",
            "enforcement_entity",
            "enforcement_link",
            "enforcement_agreement",
            "enforcement_shared_report",
            "enforcement_request_log",
            "enforcement_mo_report",
        ]
        assert wall_role(session.connection(), "puente_enforcement", tables, walled)
        session.execute(sa.text("SET LOCAL ROLE puente_enforcement"))
        session.execute(sa.text("SELECT count(*) FROM enforcement_network"))
        for table in ("person", "protection_case", "pathway_screening"):
            session.execute(sa.text("SAVEPOINT walled"))
            with pytest.raises(sa.exc.ProgrammingError) as refused:
                session.execute(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            assert "permission denied" in str(refused.value)
            session.execute(sa.text("ROLLBACK TO SAVEPOINT walled"))
        session.rollback()


class TestScreens:
    def test_investigator_records_and_shares_a_caseworker_sees_nothing(
        self,
        session: Session,
        client: TestClient,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        until = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)
        service.create_agreement(
            session,
            actor=actor(session, "investigator.pan"),
            partner_state="COL",
            reference="PAN-COL-9",
            valid_until=until,
        )
        session.commit()
        web = login_as(client, "investigator.col")
        home = web.get("/enforcement", headers={"Accept-Language": "es"})
        assert home.status_code == 200
        assert "Redes de tráfico ilícito y trata de personas" in home.text
        made = web.post(
            "/enforcement/networks",
            data={**CSRF, "name": "Red de Turbo"},
            follow_redirects=False,
        )
        assert made.status_code == 303
        page_url = made.headers["location"]
        for kind, label in (("route", "Turbo – Capurganá"), ("vehicle", "Lancha 7")):
            web.post(
                f"{page_url}/entities",
                data={**CSRF, "kind": kind, "label": label},
            )
        page = web.get(page_url)
        assert "<svg" in page.text
        assert "Lancha 7" in page.text
        web.post(
            "/enforcement/agreements",
            data={
                **CSRF,
                "partner_state": "PAN",
                "reference": "COL-PAN-9",
                "valid_until": until.isoformat(),
            },
        )
        shared = web.post(
            f"{page_url}/share",
            data={**CSRF, "recipient_state": "PAN"},
            follow_redirects=False,
        )
        assert "shared=PAN" in shared.headers["location"]
        client.cookies.clear()
        web = login_as(client, "investigator.pan")
        assert "Red de Turbo" in web.get("/enforcement").text
        client.cookies.clear()
        web = login_as(client, "caseworker.col")
        refused = web.get("/enforcement", follow_redirects=False)
        assert refused.status_code in (302, 303, 403)
        assert "Red de Turbo" not in refused.text
        assert web.get(page_url, follow_redirects=False).status_code in (302, 303, 403)


class TestModusOperandiReport:
    def test_only_with_consent_and_another_officer_s_approval_only_text_crosses(
        self,
        session: Session,
        sessions: sessionmaker[Session],
    ) -> None:
        from puente import people, protection
        from puente.app import mo_report_to_enforcement
        from puente.enforcement.models import ReceivedModusOperandi
        from puente.protection import service as protection_service
        from puente.protection.errors import (
            InformedConsentMissing,
            SelfApprovalNotAllowed,
        )
        from puente.protection.models import ModusOperandiReport

        caseworker = actor(session, "caseworker.col")
        officer = actor(session, "protection.col")
        person = people.register_person(
            session,
            actor=caseworker,
            data=people.PersonCreate.model_validate(
                {
                    "given_name": "Ana",
                    "family_name": "Mora",
                    "sex": "F",
                    "birth_date": "1994-03-02",
                    "nationality": "VEN",
                }
            ),
        )
        screening, _ = protection_service.screen_person(
            session,
            actor=caseworker,
            person_id=person.id,
            answers={"is_child": False},
        )
        case = protection_service.open_case(
            session, actor=caseworker, person_id=person.id, screening_id=screening.id
        )
        with pytest.raises(InformedConsentMissing):
            protection_service.draft_mo_report(
                session,
                actor=caseworker,
                case_id=case.id,
                route="Necoclí – Acandí en lancha",
                modus_operandi="Cobro por adelantado",
                informed_consent=False,
            )
        report = protection_service.draft_mo_report(
            session,
            actor=officer,
            case_id=case.id,
            route="Necoclí – Acandí en lancha",
            modus_operandi="Cobro por adelantado, retención de documentos",
            informed_consent=True,
        )
        assert protection.anonymised_text(session, report.id) is None  # a draft
        with pytest.raises(PermissionDenied):
            protection_service.approve_mo_report(
                session, actor=caseworker, report_id=report.id
            )
        with pytest.raises(SelfApprovalNotAllowed):
            protection_service.approve_mo_report(
                session, actor=officer, report_id=report.id
            )
        protection_service.approve_mo_report(
            session, actor=actor(session, "supervisor.col"), report_id=report.id
        )
        session.commit()

        @contextmanager
        def open_uow() -> Iterator[Session]:
            job = sessions()
            set_tenant_scope(job, SYSTEM_SCOPE)
            try:
                yield job
                job.commit()
            finally:
                job.close()

        try:
            assert mo_report_to_enforcement(
                protection.ModusOperandiReportApproved(report.id, "COL"),
                open_uow=open_uow,
            )
            got = service.mo_reports(session, actor=actor(session, "investigator.col"))
            assert [g.route for g in got] == ["Necoclí – Acandí en lancha"]
            columns = set(ReceivedModusOperandi.__table__.columns.keys())
            assert columns == {
                "id",
                "tenant_code",
                "route",
                "modus_operandi",
                "received_at",
            }
        finally:
            for row in session.scalars(select(ReceivedModusOperandi)).all():
                session.delete(row)
            session.execute(
                sa.delete(ModusOperandiReport).where(
                    ModusOperandiReport.id == report.id
                )
            )
            session.commit()
