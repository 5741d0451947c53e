"""5W imports, totals and the link to funding flows, through the services and
the screens."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente import financing
from puente.coordination import service
from puente.coordination.errors import InvalidReport, ReportFileRejected
from puente.coordination.models import ActivityReport
from puente.coordination.schemas import ReportCreate
from puente.core import db as core_db
from puente.core.audit import AuditEvent
from puente.core.errors import PermissionDenied
from puente.identity import Role, system_actor
from tests.conftest import CSRF
from tests.financing.conftest import role_actor

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src/puente/coordination/data/activities_sample_5w.csv"
)
HEADER = (
    "reference,organisation,indicator,country,month,population_type,"
    "women,men,girls,boys,total,new_people,flow\n"
)
Login = Callable[[TestClient, str], TestClient]


def _counts(session: Session) -> tuple[int, int]:
    # a request narrows the shared connection's RLS scope to its actor: widen it
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    return (
        session.scalar(select(func.count()).select_from(ActivityReport)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def _import(session: Session, text: str, name: str = "5w.csv") -> object:
    return service.import_reports(
        session,
        actor=role_actor(Role.COORDINATOR),
        data=text.encode("utf-8"),
        file_name=name,
    )


class TestImport:
    def test_the_sample_again_changes_nothing(self, demo_session: Session) -> None:
        before = _counts(demo_session)
        summary = service.import_reports(
            demo_session,
            actor=system_actor(),
            data=SAMPLE.read_bytes(),
            file_name=SAMPLE.name,
        )
        assert (summary.created, summary.unchanged) == (0, 22)
        assert _counts(demo_session)[0] == before[0]

    def test_the_hxl_export_imports_back_unchanged(self, demo_session: Session) -> None:
        exported = service.reports_hxl(demo_session, actor=role_actor(Role.ANALYST))
        assert exported.splitlines()[1].startswith(
            "#meta+id,#org+name,#org+impl,#sector+code,#indicator+code"
        )
        summary = service.import_reports(
            demo_session,
            actor=role_actor(Role.COORDINATOR),
            data=exported.encode(),
            file_name="export.csv",
        )
        assert summary.created == 0
        assert summary.unchanged == exported.count("\n") - 2

    def test_problems_name_file_row_and_column_and_nothing_is_written(
        self, demo_session: Session
    ) -> None:
        text = HEADER + (
            "T-1,UNHCR,PRO-01,COL,2024-13,in_destination,10,0,0,0,,,\n"
            "T-2,UNHCRR,PRO-01,COL,2024-01,in_destination,10,0,0,0,,,\n"
            "T-3,UNHCR,FISH-01,XXX,2024-01,tourists,10,0,0,0,,,\n"
            "T-4,UNHCR,PRO-01,COL,2024-01,in_destination,10,5,0,0,16,,\n"
            "T-5,UNHCR,PRO-01,COL,2024-01,in_destination,10,0,0,0,,11,\n"
            "T-6,UNHCR,PRO-01,COL,2024-01,in_destination,10,0,0,0,,,NO-SUCH-FLOW\n"
            "T-7,UNHCR,PRO-01,COL,2024-01,in_destination,0,0,0,0,,,\n"
        )
        before = _counts(demo_session)
        with pytest.raises(ReportFileRejected) as caught:
            _import(demo_session, text, "bad.csv")
        problems = caught.value.detail
        assert (
            "bad.csv, row 2, column month: '2024-13' is not a month: write it as "
            "2024-03" in problems
        )
        assert (
            "bad.csv, row 3, column organisation: 'UNHCRR' is not in the directory "
            "(did you mean 'UNHCR'?)" in problems
        )
        assert (
            "bad.csv, row 4, column indicator: 'FISH-01' is not an indicator we know"
            in problems
        )
        assert (
            "bad.csv, row 4, column country: 'XXX' is not a country we know" in problems
        )
        assert (
            "bad.csv, row 4, column population_type: 'tourists' is not a population "
            "group we know" in problems
        )
        assert (
            "bad.csv, row 5, column total: the total 16 is not the sum of the people "
            "by sex and age (15)" in problems
        )
        assert (
            "bad.csv, row 6, column new_people: new people cannot be more than "
            "everyone reached" in problems
        )
        assert (
            "bad.csv, row 7, column flow: there is no funding flow 'NO-SUCH-FLOW'"
            in problems
        )
        assert (
            "bad.csv, row 8, column women: the row reaches nobody: give the number of "
            "people reached" in problems
        )
        assert _counts(demo_session) == before

    def test_only_writers_import(self, demo_session: Session) -> None:
        before = _counts(demo_session)
        with pytest.raises(PermissionDenied):
            service.import_reports(
                demo_session,
                actor=role_actor(Role.DONOR, "CAN"),
                data=SAMPLE.read_bytes(),
                file_name="x.csv",
            )
        assert _counts(demo_session) == before


class TestTotals:
    def test_transit_rows_are_assistance_events(self, demo_session: Session) -> None:
        found = service.totals(
            demo_session,
            actor=role_actor(Role.DONOR, "CAN"),
            where=service.ReportFilter(country="PAN"),
        )
        assert found.individuals == 0
        assert found.transit_events == 2820 + 5060
        assert "in transit" in found.note

    def test_colombia_adds_new_people_across_months(
        self, demo_session: Session
    ) -> None:
        assert (
            service.people_reached(
                demo_session,
                actor=role_actor(Role.ANALYST),
                country="COL",
                sectors=["protection"],
            )
            == 2990 + 1400 + 1710
        )

    def test_rows_are_linked_to_their_funding_flow(self, demo_session: Session) -> None:
        flow = financing.flow_by_reference(
            demo_session, actor=role_actor(Role.ANALYST), reference="SAMPLE-2023-08"
        )
        assert flow is not None
        rows = service.list_reports(
            demo_session,
            actor=role_actor(Role.ANALYST),
            where=service.ReportFilter(flow_id=flow.id),
        )
        assert {r.reference for r in rows} == {"S5W-014", "S5W-015"}
        assert all(r.flow_reference == "SAMPLE-2023-08" for r in rows)


class TestRecord:
    def test_record_validates_audits_and_refuses_nobody(
        self, demo_session: Session
    ) -> None:
        coordinator = role_actor(Role.COORDINATOR)
        unhcr = financing.organisation_named(
            demo_session, actor=coordinator, name="UNHCR"
        )
        assert unhcr is not None
        data = ReportCreate(
            organisation_id=unhcr.id,
            indicator="SHE-01",
            country="ECU",
            month=dt.date(2024, 9, 9),
            population_type="in_destination",
            women=3,
            boys=2,
        )
        report = service.record_report(demo_session, actor=coordinator, data=data)
        assert (report.sector, report.total, report.month) == (
            "shelter",
            5,
            dt.date(2024, 9, 1),
        )
        assert demo_session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(report.id))
        ).all() == ["coordination:report:create"]
        before = _counts(demo_session)
        with pytest.raises(InvalidReport):
            service.record_report(
                demo_session,
                actor=coordinator,
                data=data.model_copy(update={"women": 0, "boys": 0}),
            )
        assert _counts(demo_session) == before


class TestScreens:
    def test_the_map_table_and_downloads(
        self, coordination_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        page = client.get("/coordination")
        assert page.status_code == 200
        assert 'href="/coordination?country=PAN"' in page.text
        assert "Assistance events for people in transit" in page.text
        assert 'data-chart="sector-chart"' in page.text
        csv_file = client.get("/coordination?download=csv&country=COL")
        assert csv_file.status_code == 200
        assert (
            csv_file.content.decode("utf-8-sig")
            .splitlines()[0]
            .startswith("Reference,Organisation,Implementing partner,Sector")
        )
        assert client.get("/coordination/new").status_code == 403

    def test_activity_reports_on_the_list_kit(
        self, coordination_demo: str, client: TestClient, login_as: Login
    ) -> None:
        """Search, sort by any column (aria-sort), pages of 25, a count and
        CSV/XLSX of every matching row in words."""
        login_as(client, "donor.can")
        page = client.get("/coordination?sort=total&dir=asc")
        assert 'aria-sort="ascending"' in page.text
        table = page.text.split('id="activity-reports"', 1)[1].split("</table>")[0]
        reached = [
            int(n.replace(",", ""))
            for n in re.findall(r'<td class="num">([\d,]+)</td></tr>', table)
        ]
        assert 1 < len(reached) <= 25
        assert reached == sorted(reached)
        count = re.search(r"Showing 1–(\d+) of ([\d,]+)", page.text)
        assert count is not None
        matched = int(count.group(2).replace(",", ""))
        if matched > 25:
            assert 'rel="next"' in page.text
        got = client.get("/coordination?export=xlsx&country=COL")
        sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
        assert sheet is not None
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert rows[0][:4] == [
            "Reference",
            "Organisation",
            "Implementing partner",
            "Sector",
        ]
        assert len(rows) > 1
        assert {r[5] for r in rows[1:]} == {"Colombia"}
        first = str(rows[1][1])
        found = client.get("/coordination", params={"q": first, "country": "COL"})
        shown = re.search(r"Showing 1–\d+ of ([\d,]+)", found.text)
        assert shown is not None
        assert 0 < int(shown.group(1).replace(",", "")) <= len(rows) - 1
        assert 'name="country" value="COL"' in found.text

    def test_a_bad_form_keeps_what_was_typed(
        self,
        coordination_demo: str,
        client: TestClient,
        login_as: Login,
        session: Session,
    ) -> None:
        login_as(client, "coordinator.hub")
        before = _counts(session)
        response = client.post(
            "/coordination/new",
            data={
                **CSRF,
                "organisation_id": "",
                "indicator": "PRO-01",
                "country": "COL",
                "month": "2024-02",
                "women": "twelve",
                "admin1": "Arauca",
            },
        )
        assert response.status_code == 422
        assert 'value="twelve"' in response.text
        assert 'value="Arauca"' in response.text
        assert 'id="organisation_id-error"' in response.text
        assert _counts(session) == before
