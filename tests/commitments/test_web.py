"""Commitments screens, JSON API and command line."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from puente.cli import app as cli_app
from puente.commitments.models import Commitment, Evidence
from puente.commitments.rules import texts
from puente.core.config import Settings
from puente.reference.countries import ENDORSING_STATES, country_name
from puente.web.maps import country_paths
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]


def _evidence(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Evidence)) or 0


def _commitment(session: Session, state: str | None) -> Commitment:
    stmt = select(Commitment).order_by(Commitment.position)
    stmt = stmt.where(
        Commitment.state == state if state else Commitment.kind == "declaration"
    )
    row = session.scalars(stmt).first()
    assert row is not None
    return row


class TestBoard:
    def test_the_board_shows_the_declarations_commitments_by_section(
        self, commitments_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        home = client.get("/")
        assert 'href="/commitments"' in home.text
        page = client.get("/commitments")
        assert page.status_code == 200
        body = page.text.split('id="declaration-h"', 1)[1].split('id="packages-h"')[0]
        headings = [
            chunk.split(">", 1)[1].split("</h3>", 1)[0]
            for chunk in body.split("<h3 ")[1:]
        ]
        assert len(headings) >= 5
        for key, text in texts.DECLARATION_TEXTS.items():
            assert text.replace("'", "&#39;") in body, key
        assert 'data-chart="status-chart"' in page.text
        on_map = {code for code, _ in country_paths()}
        for state in ENDORSING_STATES:  # the map (when drawn) and the list link it
            links = page.text.count(f'href="/commitments/states/{state}"')
            assert links == (2 if state in on_map else 1), state

    def test_every_endorsing_state_has_a_commitments_page(
        self, commitments_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "analyst.hub")
        for state in ENDORSING_STATES:
            page = client.get(f"/commitments/states/{state}")
            assert page.status_code == 200, state
            assert f"<h1>{country_name(state)}" in page.text or (
                country_name(state) in page.text.split("<h1>", 1)[1].split("</h1>")[0]
            )
        usa = client.get("/commitments/states/USA")
        assert "Resettle refugees from the Americas" in usa.text

    def test_a_code_that_is_not_an_endorsing_state_is_refused(
        self, commitments_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        assert client.get("/commitments/states/HUB").status_code == 422
        assert client.get("/commitments/states/VEN").status_code == 422

    def test_tables_download_as_csv_and_xlsx(
        self, commitments_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        csv_file = client.get("/commitments/states/USA?download=csv")
        assert csv_file.status_code == 200
        lines = csv_file.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("Commitment,State,Section,Action package,Status")
        assert all("United States" in line for line in lines[1:])
        xlsx = client.get("/commitments?download=xlsx")
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        assert sheet.max_row > len(texts.DECLARATION_TEXTS)

    def test_a_states_commitments_on_the_list_kit(
        self, commitments_demo: str, client: TestClient, login_as: Login
    ) -> None:
        """Search, a status filter, sort links, a count and exports of what the
        filters chose (CSV/XLSX in words)."""
        login_as(client, "donor.can")
        page = client.get("/commitments/states/USA")
        count = re.search(r"Showing 1–\d+ of (\d+)", page.text)
        assert count is not None
        total = int(count.group(1))
        assert total >= 2
        found = client.get("/commitments/states/USA", params={"q": "resettle"})
        shown = re.search(r"Showing 1–\d+ of (\d+)", found.text)
        assert shown is not None
        assert 0 < int(shown.group(1)) < total
        assert "Resettle refugees from the Americas" in found.text
        exported = client.get(
            "/commitments/states/USA", params={"q": "resettle", "export": "csv"}
        )
        lines = exported.content.decode("utf-8-sig").splitlines()
        assert len(lines) == int(shown.group(1)) + 1
        assert all("resettl" in line.lower() for line in lines[1:])
        ordered = client.get(
            "/commitments/states/USA", params={"sort": "text", "dir": "desc"}
        )
        texts_shown = re.findall(
            r'<a href="/commitments/[0-9a-f-]{36}">([^<]+)</a>', ordered.text
        )
        assert texts_shown == sorted(texts_shown, key=str.casefold, reverse=True)
        statuses = {
            s: client.get("/commitments/states/USA", params={"status": s}).text
            for s in ("planned", "in_progress", "fulfilled")
        }
        counted = 0
        for text in statuses.values():
            got = re.search(r"Showing 1–\d+ of (\d+)", text)
            counted += int(got.group(1)) if got else 0
        assert counted == total

    def test_an_action_package_page_names_its_states(
        self, commitments_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "donor.can")
        page = client.get("/commitments/packages/AP2")
        assert page.status_code == 200
        assert "Colombia" in page.text
        assert client.get("/commitments/packages/AP99").status_code == 422

    def test_readers_see_no_form(
        self,
        commitments_demo: str,
        client: TestClient,
        login_as: Login,
        session: Session,
    ) -> None:
        login_as(client, "donor.can")
        row = _commitment(session, "COL")
        page = client.get(f"/commitments/{row.id}")
        assert page.status_code == 200
        assert f'action="/commitments/{row.id}/status"' not in page.text
        refused = client.post(
            f"/commitments/{row.id}/status",
            data={**CSRF, "status": "fulfilled", "evidence_note": "x"},
        )
        assert refused.status_code == 403


class TestFocalPoint:
    def test_mine_goes_to_the_focal_points_state(
        self, commitments_demo: str, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "focal_point.col")
        home = client.get("/")
        assert 'href="/commitments/mine"' in home.text
        mine = client.get("/commitments/mine", follow_redirects=False)
        assert mine.headers["location"] == "/commitments/states/COL"

    def test_marks_a_commitment_in_progress_with_evidence_in_spanish(
        self,
        commitments_demo: str,
        client: TestClient,
        login_as: Login,
        session: Session,
    ) -> None:
        login_as(client, "focal_point.col")
        client.cookies.set("puente_lang", "es")
        row = _commitment(session, "COL")
        form = client.get(f"/commitments/{row.id}")
        assert '<html lang="es"' in form.text
        assert "En curso" in form.text
        before = _evidence(session)
        saved = client.post(
            f"/commitments/{row.id}/status",
            data={
                **CSRF,
                "status": "in_progress",
                "evidence_url": "https://www.migracioncolombia.gov.co/etpv",
                "evidence_note": "Permisos expedidos según el Decreto 216 de 2021.",
                "evidence_date": "2024-09-30",
            },
        )
        assert saved.status_code == 200
        assert "Guardado" in saved.text
        assert "Decreto 216" in saved.text
        assert _evidence(session) == before + 1

    def test_missing_evidence_keeps_what_was_typed(
        self,
        commitments_demo: str,
        client: TestClient,
        login_as: Login,
        session: Session,
    ) -> None:
        login_as(client, "focal_point.col")
        row = _commitment(session, "COL")
        before = _evidence(session)
        response = client.post(
            f"/commitments/{row.id}/status",
            data={**CSRF, "status": "fulfilled", "evidence_date": "2024-01-31"},
        )
        assert response.status_code == 422
        assert "Give a link or a note" in response.text
        assert 'value="2024-01-31"' in response.text
        assert 'id="status-fulfilled" name="status" value="fulfilled" checked' in (
            response.text
        )
        assert _evidence(session) == before

    @pytest.mark.parametrize("state", ["USA", None])
    def test_cannot_change_another_states_or_the_declarations(
        self,
        commitments_demo: str,
        client: TestClient,
        login_as: Login,
        session: Session,
        state: str | None,
    ) -> None:
        login_as(client, "focal_point.col")
        row = _commitment(session, state)
        page = client.get(f"/commitments/{row.id}")
        assert f'action="/commitments/{row.id}/status"' not in page.text
        before = row.status, _evidence(session)
        refused = client.post(
            f"/commitments/{row.id}/status",
            data={**CSRF, "status": "fulfilled", "evidence_note": "Done."},
        )
        assert refused.status_code == 403
        session.refresh(row)
        assert (row.status, _evidence(session)) == before

    def test_adds_a_deliverable_for_their_state(
        self,
        commitments_demo: str,
        client: TestClient,
        login_as: Login,
    ) -> None:
        login_as(client, "focal_point.col")
        state = client.get("/commitments/states/COL")
        assert 'href="/commitments/states/COL/new"' in state.text
        assert (
            'href="/commitments/states/PER/new"'
            not in client.get("/commitments/states/PER").text
        )
        bad = client.post(
            "/commitments/states/COL/new",
            data={
                **CSRF,
                "text": "Two more centres",
                "section": "stability",
                "target_quantity": "many",
            },
        )
        assert bad.status_code == 422
        assert 'value="many"' in bad.text
        assert "Two more centres" in bad.text
        made = client.post(
            "/commitments/states/COL/new",
            data={
                **CSRF,
                "text": "Two more centres",
                "section": "stability",
                "action_package": "AP1",
                "target_quantity": "2",
                "target_unit": "centres",
            },
        )
        assert made.status_code == 200
        assert "Two more centres" in made.text
        other = client.post(
            "/commitments/states/PER/new",
            data={**CSRF, "text": "Not ours", "section": "stability"},
        )
        assert other.status_code == 403


class TestApiAndCli:
    def test_the_api_lists_and_changes_with_a_token(
        self,
        commitments_demo: str,
        client: TestClient,
        token_for: Callable[[str], str],
        session: Session,
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('focal_point.col')}"}
        listed = client.get("/api/v1/commitments?state=COL", headers=headers)
        assert listed.status_code == 200
        assert {item["state"] for item in listed.json()} == {"COL"}
        row = _commitment(session, "COL")
        changed = client.post(
            f"/api/v1/commitments/{row.id}/status",
            headers=headers,
            json={"status": "fulfilled", "evidence_note": "All permits issued."},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["status"] == "fulfilled"
        refused = client.post(
            f"/api/v1/commitments/{row.id}/status",
            headers=headers,
            json={"status": "fulfilled"},
        )
        assert refused.status_code == 422

    def test_the_command_lists_a_states_commitments_with_status_and_target(
        self, commitments_demo: str, settings: Settings
    ) -> None:
        result = CliRunner().invoke(
            cli_app, ["commitments", "list", "--state", "USA", "--json"]
        )
        assert result.exit_code == 0, result.output
        items = json.loads(result.stdout)
        assert items
        assert {item["state"] for item in items} == {"USA"}
        for item in items:
            assert {"id", "text", "status", "target"} <= set(item)
            assert set(item["target"]) == {
                "quantity",
                "quantity_max",
                "unit",
                "deadline",
            }
        resettle = next(i for i in items if i["text"].startswith("Resettle refugees"))
        assert resettle["target"] == {
            "quantity": 20000.0,
            "quantity_max": None,
            "unit": "people",
            "deadline": "2024-09-30",
        }

    def test_the_command_refuses_an_unknown_state(
        self, commitments_demo: str, settings: Settings
    ) -> None:
        result = CliRunner().invoke(
            cli_app, ["commitments", "list", "--state", "XYZ", "--json"]
        )
        assert result.exit_code == 2
