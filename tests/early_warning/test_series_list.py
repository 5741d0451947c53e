"""The flow series list (issue 11): on the list kit, series named in words, the
source by its title, filtered, searched, exported; a tenant's series stay its
own; reachable from the early-warning menu."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.early_warning import service
from puente.early_warning.service import alerts as alert_service
from puente.identity import system_actor
from tests.early_warning.alert_factories import Firing

Login = Callable[[TestClient, str], TestClient]


def _import(session: Session, tmp_path: Path, tenant: str, source: str) -> None:
    path = tmp_path / f"{source}.csv"
    path.write_text(
        "t,nat,n\n2024-01-01,VEN,1200\n2024-02-01,VEN,1400\n2024-03-01,VEN,12345\n"
        "2024-01-01,HTI,10\n2024-02-01,HTI,40\n2024-03-01,HTI,100\n",
        encoding="utf-8",
    )
    service.import_flows(
        session,
        actor=system_actor(),
        path=path,
        source=source,
        date_column="t",
        count_column="n",
        dimensions=["nat"],
        profile={"tenant": tenant, "reporting_state": tenant, "title": "Llegadas"},
    )
    session.commit()


def test_series_in_words_filtered_searched_and_exported(
    client: TestClient,
    session: Session,
    login_as: Login,
    var_dir: Path,
    tmp_path: Path,
) -> None:
    _import(session, tmp_path, "COL", "col_series_list")
    _import(session, tmp_path, "PAN", "pan_series_list")
    login_as(client, "focal_point.col")  # reads its own state's flows
    home = client.get("/early-warning").text
    assert 'href="/early-warning/series"' in home  # from the menu, by clicking
    client.cookies.set("puente_lang", "es")
    page = client.get("/early-warning/series", params={"source": "col_series_list"})
    assert page.status_code == 200
    rows = page.text.split('id="series-list"', 1)[1]
    assert "Venezuela" in rows
    assert "Haití" in rows
    # A source imported under a name of its own reads as the title it was given.
    assert "Llegadas, Venezuela" in rows
    assert "Col series list" not in rows
    assert "12.345" in rows  # the last count, written the Spanish way
    assert "2024-03" in rows
    shown = re.sub(r'data-series="[^"]*"', "", rows)
    assert "nat=" not in shown  # words, not keys
    assert "pan_series_list" not in page.text  # another state's source
    found = client.get(
        "/early-warning/series", params={"source": "col_series_list", "q": "haiti"}
    ).text.split('id="series-list"', 1)[1]
    assert "Haití" in found
    assert "Venezuela" not in found
    exported = client.get(
        "/early-warning/series",
        params={"source": "col_series_list", "export": "csv"},
    )
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][0] == "Serie"
    assert {row[4] for row in table[1:]} == {"3"}
    assert not any("nat=" in cell for row in table for cell in row)


def test_an_unknown_source_shows_every_readable_series(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "analyst.hub")
    page = client.get("/early-warning/series", params={"source": "no_such_source"})
    assert page.status_code == 200
    assert 'id="series-list"' in page.text


def test_an_alert_on_an_imported_source_names_it_by_its_title(
    client: TestClient,
    session: Session,
    login_as: Login,
    var_dir: Path,
    tmp_path: Path,
) -> None:
    _import(session, tmp_path, "COL", "col_alert_source")
    [alert] = alert_service.raise_alerts(
        session,
        actor=system_actor(),
        firings=[
            Firing(
                series_key="col_alert_source|nat=VEN", tenant_code="COL", country="COL"
            )
        ],
    )
    session.commit()
    login_as(client, "focal_point.col")
    client.cookies.set("puente_lang", "es")
    pages = {
        "list": client.get("/early-warning/alerts").text,
        "detail": client.get(f"/early-warning/alerts/{alert.id}").text,
        "dashboard": client.get("/early-warning", params={"inline": "1"}).text,
    }
    for name, page in pages.items():
        assert "Llegadas, Venezuela" in page, name
        assert "Col alert source" not in page, name
