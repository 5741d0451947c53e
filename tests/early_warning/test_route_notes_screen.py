"""Route notes on the alerts page: a visa change noted for the states after it
on the route, in words, for whoever reads alerts (alerts are region-wide)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.early_warning.service.routes import note_regime_change

LoginAs = Callable[[TestClient, str], TestClient]


def _rows(html: str) -> list[str]:
    table = html.split('id="route-note-list"', 1)[1].split("</tbody>", 1)[0]
    return [row for row in table.split("<tr>")[2:] if "<td>" in row]


def test_route_notes_reach_the_states_downstream_only(
    session: Session, client: TestClient, login_as: LoginAs
) -> None:
    notes = note_regime_change(
        session,
        changed_state="COL",
        nationality="VEN",
        previous="visa_free",
        regime="visa",
        on=dt.date(2026, 11, 20),
    )
    session.commit()
    assert {n.tenant_code for n in notes} >= {"PAN", "MEX", "ECU"}
    assert "COL" not in {n.tenant_code for n in notes}

    login_as(client, "focal_point.pan")
    page = client.get("/early-warning/alerts")
    assert page.status_code == 200
    assert "visa_free" not in page.text  # words, not codes
    this = [
        r
        for r in _rows(page.text)
        if "Venezuela" in r and "No visa needed" in r and "Visa needed" in r
    ]
    states = {r.split("</td>", 1)[0].strip().removeprefix("<td>") for r in this}
    assert {"Panama", "Mexico", "Ecuador"} <= states
    assert "Colombia" not in states  # the state that changed gets no note
    assert "Ecuador → Colombia → Panama" in page.text
    assert client.get("/early-warning/alerts").text.count('id="route-notes"') == 1

    login_as(client, "caseworker.col")
    assert client.get("/early-warning/alerts").status_code == 403
