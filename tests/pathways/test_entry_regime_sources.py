"""Every entry regime the catalogue ships says where it comes from: an https
source on an official domain (the list kept in the data README), a date not in
the future, placeholders named as such; and the contract endpoint answers for
every nationality of the Americas toward each of the 20 endorsing states."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from puente.pathways.rules.entry_regimes import EntryRegime, parse_regime_table
from puente.pathways.service import regime_publications
from puente.pathways.service.entry_regimes import americas_nationalities
from puente.reference import ENDORSING_STATES

README = regime_publications.REGIME_SOURCE_DIR / "README.md"


def _listed(marker: str) -> list[str]:
    text = README.read_text("utf-8")
    block = re.search(
        rf"<!-- {marker}:.*?-->(.*?)<!-- /{marker} -->", text, flags=re.DOTALL
    )
    assert block is not None, marker
    return re.findall(r"^- `([^`]+)`", block.group(1), flags=re.MULTILINE)


def _rows() -> Iterator[tuple[str, dict[str, Any]]]:
    """(state, row) for every default and listed row of the shipped file."""
    document = regime_publications.shipped_regimes_document()
    for publication in document["publications"]:
        regimes = publication["regimes"]
        yield regimes["state"], regimes["default"]
        for row in regimes["regimes"]:
            yield regimes["state"], row


class TestSources:
    def test_every_row_has_an_https_source_on_an_official_domain(self) -> None:
        official = set(_listed("official-domains"))
        assert len(official) >= len(ENDORSING_STATES)
        rows = list(_rows())
        assert {state for state, _row in rows} == set(ENDORSING_STATES)
        for state, row in rows:
            parts = urlsplit(row["source_url"])
            assert parts.scheme == "https", (state, row)
            assert parts.hostname in official, (state, parts.hostname)

    def test_no_date_is_in_the_future(self) -> None:
        today = dt.datetime.now(dt.UTC).date()
        document = regime_publications.shipped_regimes_document()
        for publication in document["publications"]:
            published = dt.date.fromisoformat(publication["published_on"])
            assert published <= today, publication["state"]
        for state, row in _rows():
            assert dt.date.fromisoformat(row["valid_from"]) <= today, (state, row)

    def test_placeholders_are_the_ones_the_readme_names(self) -> None:
        tables = regime_publications.read_regime_sources()
        placeholders = {
            entry.source_url
            for table in tables
            for entry in (table.default, *table.entries)
            if not entry.source_confirmed
        }
        assert placeholders == set(_listed("to-confirm"))

    def test_a_home_page_is_not_a_confirmed_source(self) -> None:
        raw = {
            "state": "HTI",
            "version": "1",
            "published_on": "2026-01-01",
            "default": {
                "regime": "visa_free",
                "max_stay_days": 90,
                "source_url": "https://www.mae.gouv.ht/",
                "valid_from": "2016-01-01",
                "note": "General rule.",
            },
            "regimes": [
                {
                    "nationality": "VEN",
                    "regime": "visa",
                    "max_stay_days": 90,
                    "source_url": "https://www.mae.gouv.ht/visas/liste",
                    "valid_from": "2016-01-01",
                }
            ],
        }
        table = parse_regime_table(raw)
        assert not table.default.source_confirmed
        assert table.entries[0].source_confirmed


class TestScreenSaysToBeConfirmed:
    def test_haiti_s_placeholder_is_marked_on_the_matrix(
        self,
        client: TestClient,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        web = login_as(client, "caseworker.col")
        page = web.get(
            "/pathways/entry-regimes",
            params={"nationality": "DOM"},
            headers={"Accept-Language": "es"},
        )
        assert page.status_code == 200
        marked = page.text.count("fuente por confirmar")
        rows = list(_rows())
        expected = {
            state
            for state, row in rows
            if not urlsplit(row["source_url"]).path.strip("/")
        }
        assert expected == {"HTI"}
        assert marked == 1  # one destination (Haiti) in the table for DOM


@pytest.mark.slow
class TestContract:
    def test_every_nationality_of_the_americas_toward_every_endorsing_state(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('donor.can')}"}
        nationalities = americas_nationalities()
        assert {"VEN", "HTI", "CUB", "NIC", "TTO", "USA", "CAN"} <= set(nationalities)
        today = dt.datetime.now(dt.UTC).date()
        regimes = {r.value for r in EntryRegime}
        answered = 0
        for nationality in nationalities:
            for destination in ENDORSING_STATES:
                response = client.get(
                    "/api/v1/pathways/entry-regimes",
                    params={"nationality": nationality, "destination": destination},
                    headers=headers,
                )
                assert response.status_code == 200, (nationality, destination)
                body = response.json()
                assert set(body) == {
                    "nationality",
                    "destination",
                    "regime",
                    "max_stay_days",
                    "source_url",
                    "valid_from",
                }
                assert (body["nationality"], body["destination"]) == (
                    nationality,
                    destination,
                )
                assert body["regime"] in regimes
                assert body["source_url"].startswith("https://")
                assert dt.date.fromisoformat(body["valid_from"]) <= today
                answered += 1
        assert answered == len(nationalities) * len(ENDORSING_STATES)
