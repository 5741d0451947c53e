"""Early warning between states over real HTTP (three loopback nodes, `puente
federation up`, one uvicorn process each): an alert raised in COL reaches PAN
under the alerts agreement as CAP 1.2 and is listed there as PAN's alert from
Colombia; HUB, with no agreement, gets nothing; PAN down gets it once back,
exactly once; with the agreement revoked nothing leaves. COL's monthly counts
reach PAN under the statistics agreement with no count under five."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from puente.early_warning.rules import cap
from puente.exchange.cli import node_command, node_env
from tests.exchange.loopback import NODES, Federation, federation_up, until

pytestmark = pytest.mark.slow

RAISE_ALERT = """
import datetime as dt, uuid
import puente.all_models, puente.exchange.service
from puente.core import db
from puente.early_warning.schemas import FiringRead
from puente.early_warning.service.alerts import raise_alerts
from puente.identity import system_actor
first = dt.datetime.now(dt.UTC).date().replace(day=1)
period = (first - dt.timedelta(days=1)).replace(day=1)
firing = FiringRead(
    id=uuid.uuid4(), trigger_id="surge-" + uuid.uuid4().hex[:8],
    trigger_version="2026.1", catalogue_version="test", series_key="col_nat|*",
    source="col_nat", country="COL", tenant_code="COL", period=period,
    values={"arrivals_month": 8124.0}, severity="Severe", urgency="Expected",
    certainty="Likely", plan_template=None,
    title={"en": "Surge of arrivals in Colombia",
           "es": "Aumento de llegadas en Colombia"},
    vintage_id=None, is_open=True, fired_at=dt.datetime.now(dt.UTC),
)
with db.uow("COL") as session:
    raise_alerts(session, actor=system_actor("COL"), firings=[firing])
"""

IMPORT_FLOWS = """
import pathlib, sys
import puente.all_models, puente.exchange.service
from puente.core import db
from puente.early_warning.service.flows import import_flows
from puente.identity import system_actor
with db.uow("COL") as session:
    import_flows(session, actor=system_actor("COL"), path=pathlib.Path(sys.argv[1]),
        source="col_nat", date_column="t", count_column="n", dimensions=["nat"],
        profile={"tenant": "COL", "reporting_state": "COL"})
"""


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    with federation_up(
        tmp_path_factory.mktemp("sharing"), NODES, agreement=False
    ) as fed:
        yield fed


def _python(fed: Federation, node: str, code: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=node_env(fed.root, node),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _agree(fed: Federation, purpose: str, categories: list[str]) -> str:
    drafted = fed.call(
        "COL",
        "focal_point.col",
        "POST",
        "/api/v1/exchange/agreements",
        {
            "parties": ["COL", "PAN"],
            "purpose": purpose,
            "categories": categories,
            "legal_basis": "Regional early-warning memorandum (test)",
            "dpia_reference": "DPIA-EW-LOOPBACK",
            "retention_days": 90,
            "expires_on": "2099-01-01",
        },
    )
    assert drafted.status_code == 201, drafted.text
    agreement_id: str = drafted.json()["id"]
    path = f"/api/v1/exchange/agreements/{agreement_id}"
    assert fed.call("COL", "focal_point.col", "POST", path + "/sign").status_code == 200
    until(lambda: fed.call("PAN", "focal_point.pan", "GET", path).status_code == 200)
    signed = fed.call("PAN", "focal_point.pan", "POST", path + "/sign")
    assert signed.json()["status"] == "active", signed.text
    until(
        lambda: (
            fed.call("COL", "focal_point.col", "GET", path).json()["status"] == "active"
        )
    )
    return agreement_id


def _received(fed: Federation, node: str, kind: str) -> list[dict[str, Any]]:
    return [
        e for e in fed.log(node) if e["kind"] == kind and e["direction"] == "received"
    ]


def _peer_alerts(fed: Federation) -> list[dict[str, Any]]:
    answer = fed.call(
        "PAN", "focal_point.pan", "GET", "/api/v1/early-warning/peer-alerts"
    )
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def _refused(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.HTTPError:
        return True
    return False


class TestAlertsBetweenNodes:
    def test_an_alert_in_col_reaches_pan_as_cap_and_not_hub(
        self, federation: Federation
    ) -> None:
        _agree(federation, "alerts", ["alerts"])
        _python(federation, "COL", RAISE_ALERT)
        got = until(lambda: _received(federation, "PAN", "cap_alert"))
        assert len(got) == 1
        assert got[0]["peer"] == "COL"
        xml = got[0]["body"]["payload"]["cap"].encode("utf-8")
        assert cap.validate_cap(xml) == []
        shown = until(lambda: _peer_alerts(federation))
        assert [(a["from_state"], a["severity"]) for a in shown] == [("COL", "Severe")]
        assert shown[0]["headline"] == "Surge of arrivals in Colombia"
        time.sleep(2)  # two sender runs
        assert [e for e in federation.log("HUB") if e["kind"] == "cap_alert"] == []
        # PAN stored it as a peer's alert: nothing goes back or onward.
        assert [
            e
            for e in federation.log("PAN")
            if e["kind"] == "cap_alert" and e["direction"] == "sent"
        ] == []

    def test_pan_down_gets_the_alert_once_back_exactly_once(
        self, federation: Federation
    ) -> None:
        before = len(_received(federation, "PAN", "cap_alert"))
        pids = json.loads((federation.root / "pids.json").read_text("utf-8"))
        os.kill(pids["PAN"], signal.SIGTERM)
        port = federation.port("PAN")
        until(lambda: _refused(port), 30)
        _python(federation, "COL", RAISE_ALERT)

        def waiting() -> list[dict[str, Any]]:
            rows = federation.call(
                "COL", "auditor.col", "GET", "/api/v1/exchange/outbound"
            ).json()
            return [
                r
                for r in rows
                if r["kind"] == "cap_alert"
                and r["status"] == "queued"
                and r["attempts"] >= 2
            ]

        pending = until(waiting, 60)[0]
        restarted = subprocess.Popen(
            node_command(port), env=node_env(federation.root, "PAN", port)
        )
        federation.extra.append(restarted)
        until(lambda: not _refused(port), 120)
        until(
            lambda: [
                e
                for e in _received(federation, "PAN", "cap_alert")
                if e["envelope_id"] == pending["envelope_id"]
            ],
            120,
        )
        time.sleep(3)
        got = _received(federation, "PAN", "cap_alert")
        assert len(got) == before + 1
        assert len(_peer_alerts(federation)) == before + 1

    def test_with_the_agreement_revoked_no_alert_leaves(
        self, federation: Federation
    ) -> None:
        agreements = federation.call(
            "COL", "focal_point.col", "GET", "/api/v1/exchange/agreements"
        ).json()
        alerts = [a for a in agreements if a["purpose"] == "alerts"]
        revoked = federation.call(
            "COL",
            "focal_point.col",
            "POST",
            f"/api/v1/exchange/agreements/{alerts[0]['id']}/revoke",
        )
        assert revoked.json()["status"] == "revoked"
        before = len(_received(federation, "PAN", "cap_alert"))
        _python(federation, "COL", RAISE_ALERT)
        time.sleep(3)
        assert len(_received(federation, "PAN", "cap_alert")) == before
        rows = federation.call(
            "COL", "auditor.col", "GET", "/api/v1/exchange/outbound"
        ).json()
        assert [
            r["refusal"]
            for r in rows
            if r["kind"] == "cap_alert" and r["status"] == "refused"
        ] == ["agreement_not_active"]


class TestCountsBetweenNodes:
    def test_monthly_counts_reach_pan_with_no_count_under_five(
        self, federation: Federation
    ) -> None:
        _agree(federation, "statistics", ["aggregates"])
        csv = federation.root / "col_nat.csv"
        csv.write_text(
            "t,nat,n\n"
            "2026-08-01,VEN,300\n2026-08-01,HTI,3\n2026-08-01,ECU,40\n"
            "2026-09-01,VEN,320\n2026-09-01,HTI,7\n2026-09-01,ECU,2\n"
            "2026-09-01,CUB,1\n",
            "utf-8",
        )
        _python(federation, "COL", IMPORT_FLOWS, str(csv))
        shared = federation.call(
            "COL", "focal_point.col", "POST", "/api/v1/exchange/statistics/share"
        )
        assert shared.status_code == 201, shared.text
        assert [r["recipient"] for r in shared.json()] == ["PAN"]
        got = until(lambda: _received(federation, "PAN", "monthly_counts"))
        body = got[0]["body"]["payload"]
        numbers = [
            v
            for m in body["months"]
            for v in [*m["counts"].values(), m["total"]]
            if v is not None
        ]
        assert numbers
        assert [n for n in numbers if 0 < n < 5] == []
        series = federation.call(
            "PAN", "focal_point.pan", "GET", "/api/v1/early-warning/peer-series"
        ).json()
        assert [s["from_state"] for s in series] == ["COL"]
        rows = {r["nationality"]: r["cells"] for r in series[0]["rows"]}
        assert rows["VEN"] == [300, 320]
        assert rows["HTI"] == [None, None]
        assert rows[None] == [343, 330]
        assert [e for e in federation.log("HUB") if e["kind"] == "monthly_counts"] == []
