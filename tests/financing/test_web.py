"""Financing screens, JSON API and command line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import xmlschema
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from puente.cli import app as cli_app
from puente.core.config import Settings
from puente.financing import service
from puente.financing.models import FundingFlow
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]
SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "src/puente/financing/data/iati-schema/iati-activities-schema.xsd"
)


def _flows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FundingFlow)) or 0


class TestDonorView:
    def test_the_plan_page_has_gap_charts_and_tables(
        self, financing_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        home = client.get("/")
        assert 'href="/financing"' in home.text
        plans = client.get("/financing")
        assert plans.status_code == 200
        assert "RMRP-2023" in plans.text
        page = client.get("/financing/plans/RMRP-2023?year=2023")
        assert page.status_code == 200
        for chart in ("gap-by-country", "gap-by-sector", "funding-over-time"):
            assert f'data-chart="{chart}"' in page.text
        spec = page.text.split('data-chart="gap-by-country">', 1)[1].split(
            "</script>", 1
        )[0]
        assert json.loads(spec)["encoding"]["x"]["stack"] == "zero"
        assert "Colombia" in page.text
        assert "not counted again" in page.text  # the internal transfer is explained
        assert "RMRP-2023</td>" not in page.text  # codes stay out of the visible text

    def test_every_table_downloads_as_csv_and_xlsx(
        self, financing_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        csv_file = client.get(
            "/financing/plans/RMRP-2023?year=2023&download=csv&table=sector"
        )
        assert csv_file.status_code == 200
        assert (
            csv_file.headers["content-disposition"]
            == 'attachment; filename="RMRP-2023-sector.csv"'
        )
        text = csv_file.content.decode("utf-8-sig")
        assert (
            text.splitlines()[0]
            == "Sector,Requirement (USD),Funding (USD),Pledges (USD),Gap (USD),Coverage"
        )
        for path in (
            "/financing?download=xlsx",
            "/financing/flows?download=xlsx",
            "/financing/burden?download=xlsx",
            "/financing/fair-share?download=xlsx",
            "/financing/instruments?download=xlsx",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
            assert sheet.max_row > 1, path

    def test_the_burden_map_links_every_endorsing_state(
        self, financing_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        page = client.get("/financing/burden")
        assert page.status_code == 200
        assert (
            page.text.count('class="map-link"') >= 19
        )  # Barbados is not in the boundaries file
        assert 'href="/financing/burden/COL"' in page.text
        assert client.get("/financing/burden/COL").status_code == 200

    def test_the_pages_speak_spanish(
        self, financing_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        client.cookies.set("puente_lang", "es")
        page = client.get("/financing/plans/RMRP-2023?year=2023")
        assert '<html lang="es"' in page.text
        assert "Financiamiento" in page.text or "Financiación" in page.text


class TestCoordinatorForms:
    def test_a_flow_recorded_from_the_form_shows_its_confirmation(
        self, financing_demo: str, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "coordinator.hub")
        org = service.find_organisation(session, "Government of Canada")
        assert org is not None
        response = client.post(
            "/financing/flows/new",
            data={
                **CSRF,
                "source_organisation_id": str(org.id),
                "plan": "RMRP-2024",
                "country": "ECU",
                "sector": "health",
                "status": "paid",
                "amount": "12,500",
                "currency": "USD",
                "flow_date": "2024-07-01",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        page = client.get(response.headers["location"])
        assert "The flow is recorded." in page.text
        assert "$12,500" in page.text

    def test_a_bad_form_keeps_what_was_typed(
        self, financing_demo: str, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "coordinator.hub")
        before = _flows(session)
        response = client.post(
            "/financing/flows/new",
            data={
                **CSRF,
                "source_organisation_id": "",
                "amount": "lots",
                "currency": "USD",
                "flow_date": "2024-07-01",
                "description": "Kept text",
            },
        )
        assert response.status_code == 422
        assert 'id="amount-error"' in response.text
        assert 'value="lots"' in response.text
        assert "Kept text" in response.text
        assert _flows(session) == before

    def test_a_bad_import_lists_its_problems_and_writes_nothing(
        self, financing_demo: str, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "coordinator.hub")
        before = _flows(session)
        response = client.post(
            "/financing/import",
            data=CSRF,
            files={
                "file": (
                    "bad.csv",
                    b"reference,date,status,source_organisation,amount,currency\nB-1,someday,paid,UNHCR,1,USD\n",
                    "text/csv",
                )
            },
        )
        assert response.status_code == 422
        assert "bad.csv, row 2, column date" in response.text
        assert _flows(session) == before

    def test_cancelling_asks_for_confirmation(
        self, financing_demo: str, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "coordinator.hub")
        flow = session.scalars(
            select(FundingFlow).where(FundingFlow.reference == "SAMPLE-2023-05")
        ).one()
        response = client.post(
            f"/financing/flows/{flow.id}/status", data={**CSRF, "status": "cancelled"}
        )
        assert response.status_code == 422
        session.refresh(flow)
        assert flow.status == "pledge"


class TestApi:
    def test_plans_and_gap(
        self, financing_demo: str, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('donor.can')}"}
        plans = client.get("/api/v1/financing/plans", headers=headers).json()
        assert {p["code"] for p in plans} >= {"RMRP-2023"}
        gap = client.get(
            "/api/v1/financing/plans/RMRP-2023/gap?year=2023", headers=headers
        ).json()
        assert gap["requirement_usd"] == 1720000000.0
        assert gap["gap_usd"] == gap["requirement_usd"] - gap["funding_usd"]

    def test_an_import_error_names_row_and_column(
        self,
        financing_demo: str,
        client: TestClient,
        token_for: Callable[[str], str],
        session: Session,
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('coordinator.hub')}"}
        before = _flows(session)
        response = client.post(
            "/api/v1/financing/flows/import",
            headers=headers,
            files={
                "file": (
                    "f.csv",
                    b"reference,date,status,source_organisation,amount,currency\nB-1,2023-01-01,paid,Nobody,1,USD\n",
                    "text/csv",
                )
            },
        )
        assert response.status_code == 422
        assert response.json()["detail"] == [
            "f.csv, row 2, column source_organisation: 'Nobody' is not in the directory"
        ]
        assert _flows(session) == before

    def test_the_iati_document_validates(
        self, financing_demo: str, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        response = client.get(
            "/api/v1/financing/iati.xml",
            headers={"Authorization": f"Bearer {token_for('analyst.hub')}"},
        )
        assert response.status_code == 200
        xmlschema.XMLSchema(str(SCHEMA)).validate(response.text)


class TestCommandLine:
    def test_plans_gap_and_export_contract(
        self, financing_demo: str, settings: Settings, tmp_path: Path
    ) -> None:
        runner = CliRunner()
        plans = runner.invoke(cli_app, ["financing", "plans", "--json"])
        assert plans.exit_code == 0, plans.output
        listed = json.loads(plans.stdout)
        assert all(set(item) == {"id", "title", "years"} for item in listed)
        rmrp = next(item for item in listed if item["id"] == "RMRP-2023")
        gap = runner.invoke(
            cli_app,
            ["financing", "gap", "--plan", rmrp["id"], "--year", "2023", "--json"],
        )
        assert gap.exit_code == 0, gap.output
        body = json.loads(gap.stdout)
        assert set(body) == {
            "plan",
            "year",
            "requirement_usd",
            "funding_usd",
            "gap_usd",
            "by_country",
            "by_sector",
        }
        assert body["plan"] == "RMRP-2023"
        assert body["year"] == 2023
        assert body["gap_usd"] == round(
            body["requirement_usd"] - body["funding_usd"], 2
        )
        assert {"country", "name", "requirement_usd", "funding_usd", "gap_usd"} <= set(
            body["by_country"][0]
        )
        out = tmp_path / "demo.xml"
        export = runner.invoke(cli_app, ["financing", "export-iati", "--out", str(out)])
        assert export.exit_code == 0, export.output
        xmlschema.XMLSchema(str(SCHEMA)).validate(str(out))

    def test_an_unknown_plan_exits_with_not_found(
        self, financing_demo: str, settings: Settings
    ) -> None:
        result = CliRunner().invoke(
            cli_app, ["financing", "gap", "--plan", "NOPE", "--json"]
        )
        assert result.exit_code == 4
