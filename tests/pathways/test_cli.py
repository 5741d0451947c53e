"""The command contract, checked as an outsider would (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from puente.cli import app
from tests.pathways.test_fair_recruitment import compliant_offer

runner = CliRunner()
VENEZUELAN_IN_COLOMBIA = {
    "age": 30,
    "nationality": "VEN",
    "country_of_residence": "COL",
    "date_of_entry": "2020-03-01",
}
KINDS = {"labour", "family", "humanitarian", "resettlement", "regularisation", "study"}


def _screen(tmp_path: Path, facts: dict[str, Any], *extra: str) -> Any:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "pathways",
            "screen",
            "--facts",
            str(path),
            "--json",
            "--on",
            "2026-11-28",
            *extra,
        ],
    )
    return result


class TestScreen:
    def test_venezuelan_in_colombia_gets_etpv_and_undetermined_pathways(
        self, tmp_path: Path
    ) -> None:
        result = _screen(tmp_path, VENEZUELAN_IN_COLOMBIA)
        assert result.exit_code == 0, result.output
        results = json.loads(result.stdout)["results"]
        assert {"pathway_id", "state", "kind", "outcome", "reasons", "missing"} <= set(
            results[0]
        )
        assert all(r["kind"] in KINDS for r in results)
        etpv = next(r for r in results if r["pathway_id"] == "col-etpv")
        assert etpv["state"] == "COL"
        assert etpv["outcome"] == "eligible"
        assert etpv["reasons"]
        undetermined = [r for r in results if r["outcome"] == "undetermined"]
        assert undetermined
        assert all(r["missing"] for r in undetermined)

    def test_an_agricultural_job_offer_changes_a_labour_pathway(
        self, tmp_path: Path
    ) -> None:
        before = json.loads(_screen(tmp_path, VENEZUELAN_IN_COLOMBIA).stdout)
        with_offer = dict(
            VENEZUELAN_IN_COLOMBIA,
            has_job_offer=True,
            job_offer_isco="6111",
            job_offer_state="CAN",
        )
        after = json.loads(_screen(tmp_path, with_offer).stdout)
        old = {r["pathway_id"]: r for r in before["results"]}
        changed = [
            r
            for r in after["results"]
            if r["kind"] == "labour" and r["outcome"] != old[r["pathway_id"]]["outcome"]
        ]
        assert changed
        assert all(r["reasons"] for r in changed)

    def test_unknown_fact_key_fails_naming_it(self, tmp_path: Path) -> None:
        result = _screen(tmp_path, {"age": 30, "favourite_colour": "blue"})
        assert result.exit_code != 0
        assert "favourite_colour" in result.output

    def test_reasons_in_portuguese(self, tmp_path: Path) -> None:
        result = _screen(tmp_path, VENEZUELAN_IN_COLOMBIA, "--language", "pt")
        etpv = next(
            r
            for r in json.loads(result.stdout)["results"]
            if r["pathway_id"] == "col-etpv"
        )
        assert any(
            "Venezuela" in reason and "Sua" in reason for reason in etpv["reasons"]
        )


class TestCheckOffer:
    def _check(self, tmp_path: Path, offer: dict[str, Any]) -> Any:
        path = tmp_path / "offer.json"
        path.write_text(json.dumps(offer), encoding="utf-8")
        return runner.invoke(
            app, ["pathways", "check-offer", str(path), "--json", "--on", "2026-11-28"]
        )

    def test_compliant_offer_is_not_blocked(self, tmp_path: Path) -> None:
        result = self._check(tmp_path, compliant_offer())
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert payload["blocked"] is False
        assert len(payload["checks"]) == 24
        assert {c["result"] for c in payload["checks"]} <= {
            "pass",
            "fail",
            "needs_attestation",
        }

    def test_worker_paid_recruitment_fee_fails_er01_and_blocks(
        self, tmp_path: Path
    ) -> None:
        offer = compliant_offer()
        offer["costs"].append(
            {
                "category": "recruitment_fee",
                "amount": 500,
                "currency": "USD",
                "paid_by": "worker",
            }
        )
        payload = json.loads(self._check(tmp_path, offer).stdout)
        assert payload["blocked"] is True
        er01 = next(c for c in payload["checks"] if c["id"] == "ER-01")
        assert er01["result"] == "fail"
        assert "recruitment fee" in er01["reason"]

    def test_bad_field_is_named(self, tmp_path: Path) -> None:
        result = self._check(tmp_path, compliant_offer(isco="farm"))
        assert result.exit_code != 0
        assert "isco" in result.output
