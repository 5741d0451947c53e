"""Flow imports: validated, idempotent, all or nothing, errors that say where;
the HXL export imports back unchanged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.errors import PermissionDenied
from puente.core.tabular import Limits, TableRejected, read_table
from puente.financing import service
from puente.financing.errors import FlowFileRejected
from puente.financing.models import FundingFlow, FundingOrganisation
from puente.financing.schemas import ImportSummary
from puente.financing.service.imports import parse_amount
from puente.identity import Role, system_actor
from tests.financing.conftest import role_actor

SEED = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "puente"
    / "financing"
    / "data"
    / "flows_seed.csv"
)
HEADER = (
    "reference,date,status,source_organisation,destination_organisation,plan,"
    "country,sector,amount,currency,amount_usd\n"
)


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(FundingFlow)) or 0,
        session.scalar(select(func.count()).select_from(FundingOrganisation)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def _import(
    session: Session, text: str | bytes, name: str = "flows.csv", **options: bool
) -> ImportSummary:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return service.import_flows(
        session,
        actor=role_actor(Role.COORDINATOR),
        data=data,
        file_name=name,
        **options,
    )


class TestIdempotent:
    def test_the_seed_again_changes_nothing(self, demo_session: Session) -> None:
        before = _counts(demo_session)
        summary = service.import_flows(
            demo_session,
            actor=system_actor(),
            data=SEED.read_bytes(),
            file_name="flows_seed.csv",
        )
        assert summary.created == 0
        assert summary.unchanged == 16
        flows, orgs, audit = _counts(demo_session)
        assert (flows, orgs) == before[:2]
        assert audit == before[2] + 1  # the import itself is audited

    def test_the_hxl_export_imports_back_unchanged(self, demo_session: Session) -> None:
        exported = service.flows_hxl(demo_session, actor=role_actor(Role.ANALYST))
        assert exported.splitlines()[1].startswith(
            "#meta+id,#date,#status,#org+funder+name"
        )
        summary = _import(demo_session, exported, "export.csv")
        assert summary.created == 0
        assert summary.unchanged == exported.count("\n") - 2

    def test_a_later_status_updates_the_flow(self, demo_session: Session) -> None:
        text = SEED.read_text("utf-8").replace(
            "SAMPLE-2023-05,2023-07-01,pledge", "SAMPLE-2023-05,2023-07-01,commitment"
        )
        gap_before = service.plan_gap(
            demo_session, actor=system_actor(), plan="RMRP-2023", year=2023
        )
        summary = _import(demo_session, text)
        assert summary.unchanged == 15
        gap_after = service.plan_gap(
            demo_session, actor=system_actor(), plan="RMRP-2023", year=2023
        )
        assert gap_after.funding_usd - gap_before.funding_usd == 5_000_000
        assert gap_before.pledged_usd - gap_after.pledged_usd == 5_000_000


class TestRejected:
    def test_every_problem_names_file_row_and_column_and_nothing_is_written(
        self, demo_session: Session
    ) -> None:
        text = HEADER + (
            "N-1,2023-02-30,paid,UNHCR,IOM,RMRP-2023,COL,protection,1000,USD,\n"
            "N-2,2023-02-01,given,UNHCR,IOM,RMRP-2023,COL,protection,1000,USD,\n"
            "N-3,2023-02-01,paid,UNHCR,IOM,RMRP-2099,XXX,fishing,-5,USD,\n"
            "N-4,2023-02-01,paid,UNHRC,IOM,,,,100,USD,\n"
            "N-5,2023-02-01,paid,UNHCR,IOM,,,,100,JPY,\n"
            "N-5,2023-02-01,paid,UNHCR,IOM,,,,100,USD,\n"
        )
        before = _counts(demo_session)
        with pytest.raises(FlowFileRejected) as caught:
            _import(demo_session, text, "bad.csv")
        problems = caught.value.detail
        assert (
            "bad.csv, row 2, column date: '2023-02-30' is not a date: write it as "
            "2024-03-31" in problems
        )
        assert (
            "bad.csv, row 3, column status: 'given' is not a status (pledge, "
            "commitment, paid)" in problems
        )
        assert "bad.csv, row 4, column plan: there is no plan 'RMRP-2099'" in problems
        assert (
            "bad.csv, row 4, column country: 'XXX' is not a country we know" in problems
        )
        assert (
            "bad.csv, row 4, column sector: 'fishing' is not a sector we know"
            in problems
        )
        assert "bad.csv, row 4, column amount: '-5' is not an amount" in problems
        assert (
            "bad.csv, row 5, column source_organisation: 'UNHRC' is not in the "
            "directory (did you mean 'UNHCR'?)" in problems
        )
        assert any(
            p.startswith(
                "bad.csv, row 6, column amount_usd: there is no US dollar rate for JPY"
            )
            for p in problems
        )
        assert (
            "bad.csv, row 7, column reference: repeats the reference of row 6"
            in problems
        )
        assert _counts(demo_session) == before

    def test_a_missing_column_is_named(self, demo_session: Session) -> None:
        with pytest.raises(FlowFileRejected) as caught:
            _import(
                demo_session, "reference,date,status\nA,2023-01-01,paid\n", "short.csv"
            )
        assert (
            "short.csv, row 1, column source_organisation: there is no "
            "source_organisation column (header or HXL tag #org+funder+name)"
            in caught.value.detail
        )

    def test_a_reference_with_other_figures_is_a_conflict(
        self, demo_session: Session
    ) -> None:
        text = SEED.read_text("utf-8").replace(",180000000,USD,", ",180000001,USD,")
        with pytest.raises(FlowFileRejected) as caught:
            _import(demo_session, text, "changed.csv")
        assert caught.value.detail == [
            "changed.csv, row 3, column reference: the reference 'SAMPLE-2023-01' "
            "belongs to a flow with other figures"
        ]

    def test_only_importers(self, demo_session: Session) -> None:
        before = _counts(demo_session)
        with pytest.raises(PermissionDenied):
            service.import_flows(
                demo_session,
                actor=role_actor(Role.DONOR, "CAN"),
                data=SEED.read_bytes(),
                file_name="x.csv",
            )
        assert _counts(demo_session) == before


class TestFormats:
    def test_windows_encoding_semicolons_blank_lines_and_european_numbers(
        self, demo_session: Session
    ) -> None:
        text = (
            "reference;date;status;source_organisation;destination_organisation;country;amount;currency\r\n"
            "\r\n"
            "W-1;2023-05-01;pagado;Fundación Refugio "
            "(NGO);UNHCR;Colombia;1.234,50;USD\r\n"
            ";;;;;;;\r\n"
        ).encode("cp1252")
        summary = _import(demo_session, text, "windows.csv")
        assert summary.created == 1
        [flow] = [
            f
            for f in service.list_flows(demo_session, actor=system_actor())
            if f.reference == "W-1"
        ]
        assert flow.amount_usd == pytest.approx(1234.5)
        assert flow.status == "paid"
        assert flow.country == "COL"
        assert flow.source_organisation == "Fundación Refugio (NGO)"

    def test_xlsx_with_hxl_tags(self, demo_session: Session) -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["Ref", "Fecha", "Estado", "Donante", "Monto", "Moneda"])
        sheet.append(
            ["#meta+id", "#date", "#status", "#org+funder+name", "#value", "#currency"]
        )
        sheet.append(["X-1", "2023-04-04", "commitment", "IOM", 2500, "usd"])
        buffer = io.BytesIO()
        book.save(buffer)
        summary = _import(demo_session, buffer.getvalue(), "book.xlsx")
        assert summary.created == 1

    def test_new_organisations_only_when_asked(self, demo_session: Session) -> None:
        text = HEADER + "O-1,2023-01-01,pledge,Fondo Nuevo,IOM,,,,100,USD,\n"
        with pytest.raises(FlowFileRejected):
            _import(demo_session, text)
        summary = _import(demo_session, text, add_organisations=True)
        assert summary.organisations_added == 1
        assert service.find_organisation(demo_session, "fondo  NUEVO") is not None

    def test_a_dry_run_writes_nothing(self, demo_session: Session) -> None:
        before = _counts(demo_session)
        summary = _import(
            demo_session,
            HEADER + "D-1,2023-01-01,pledge,UNHCR,IOM,,,,100,USD,\n",
            dry_run=True,
        )
        assert summary.rows == 1
        assert _counts(demo_session) == before


class TestLimits:
    def test_too_many_bytes(self) -> None:
        with pytest.raises(TableRejected) as caught:
            read_table(b"a,b\n" + b"1,2\n" * 100, "big.csv", Limits(max_bytes=100))
        assert caught.value.detail == ["big.csv: the file is larger than 0 MB"]

    def test_too_many_columns_are_refused_early(self) -> None:
        header = ",".join(f"c{i}" for i in range(5000))
        with pytest.raises(TableRejected) as caught:
            read_table(header.encode(), "wide.csv")
        assert caught.value.detail == ["wide.csv, row 1: more than 100 columns"]

    def test_too_many_rows(self) -> None:
        with pytest.raises(TableRejected) as caught:
            read_table(b"a\n" + b"1\n" * 50, "long.csv", Limits(max_rows=10))
        assert caught.value.detail == ["long.csv, row 12: more than 10 rows"]

    def test_a_zip_bomb_is_refused_before_parsing(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "xl/worksheets/sheet1.xml", b"<a>" + b" " * 20_000_000 + b"</a>"
            )
        with pytest.raises(TableRejected) as caught:
            read_table(buffer.getvalue(), "bomb.xlsx")
        assert "compressed suspiciously well" in caught.value.detail[0]

    def test_nul_and_long_cells(self) -> None:
        with pytest.raises(TableRejected) as caught:
            read_table(b"a,b\nx\x00y," + b"z" * 3000 + b"\n", "odd.csv")
        assert caught.value.detail == [
            "odd.csv, row 2, column a: the cell contains a NUL character",
            "odd.csv, row 2, column b: the cell is longer than 2000 characters",
        ]

    def test_empty_and_blank_files(self) -> None:
        for data in (b"", b"\n\n  \n"):
            with pytest.raises(TableRejected):
                read_table(data, "empty.csv")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.5", "1234.5"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1 234,5", "1234.5"),
        ("1,234", "1234"),
        ("12", "12"),
        ("abc", None),
        ("", None),
    ],
)
def test_amounts_in_any_common_notation(text: str, value: str | None) -> None:
    parsed = parse_amount(text)
    assert (str(parsed) if parsed is not None else None) == value
