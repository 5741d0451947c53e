"""5W exports neutralise formula injection through `core.tabular` (issue 9): a
hostile place name and description leave the HXL export and the CSV download as
text, and the HXL export imports back unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente import financing
from puente.coordination import service
from puente.coordination.schemas import ReportCreate
from puente.identity import Role
from tests.financing.conftest import role_actor

HOSTILE_PLACE = '=HYPERLINK("http://evil.example","x")'
HOSTILE_TEXT = "+cmd|' /C calc'!A0"
Login = Callable[[TestClient, str], TestClient]


def _plant(session: Session) -> None:
    coordinator = role_actor(Role.COORDINATOR)
    unhcr = financing.organisation_named(session, actor=coordinator, name="UNHCR")
    assert unhcr is not None
    service.record_report(
        session,
        actor=coordinator,
        data=ReportCreate(
            reference="INJ-5W-1",
            organisation_id=unhcr.id,
            indicator="SHE-01",
            country="ECU",
            admin1=HOSTILE_PLACE,
            month=dt.date(2024, 9, 1),
            population_type="in_destination",
            women=3,
            description=HOSTILE_TEXT,
        ),
    )


def test_the_hxl_export_neutralises_and_imports_back(demo_session: Session) -> None:
    _plant(demo_session)
    exported = service.reports_hxl(demo_session, actor=role_actor(Role.ANALYST))
    line = next(r for r in exported.splitlines() if r.startswith("INJ-5W-1,"))
    assert "'=HYPERLINK" in line
    assert "'+cmd" in line
    summary = service.import_reports(
        demo_session,
        actor=role_actor(Role.COORDINATOR),
        data=exported.encode(),
        file_name="export.csv",
    )
    assert summary.created == 0
    assert summary.unchanged == exported.count("\n") - 2


def test_the_csv_download_neutralises(
    demo_session: Session, client: TestClient, login_as: Login
) -> None:
    _plant(demo_session)
    login_as(client, "donor.can")
    answer = client.get("/coordination?download=csv&country=ECU")
    assert answer.status_code == 200
    text = answer.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
