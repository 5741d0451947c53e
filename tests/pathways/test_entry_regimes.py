"""The visa and entry matrix: signed with the catalogue, answered for every
nationality of the Americas toward each endorsing state, used by the screening,
and a change announced to the states downstream on the route."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from puente.app import route_notes_after_regime_change
from puente.core.db import SYSTEM_SCOPE, set_tenant_scope
from puente.core.errors import PermissionDenied
from puente.early_warning.models import RouteNote
from puente.identity import system_actor
from puente.pathways import EntryRegimeChanged, service
from puente.pathways.errors import CatalogueError, SignatureRejected
from puente.pathways.models import EntryRegimeVersion
from puente.pathways.rules.entry_regimes import (
    EntryRegime,
    RegimeEntry,
    parse_regime_table,
)
from puente.pathways.service import publications, regime_publications
from puente.pathways.service.entry_regimes import active_regimes
from puente.reference import ENDORSING_STATES
from tests.pathways.helpers import actor

KEYS = ("nationality", "destination", "regime", "max_stay_days", "source_url")
REGIMES = {r.value for r in EntryRegime}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _signed(table_json: dict[str, object]) -> dict[str, object]:
    table = parse_regime_table(table_json)
    keys = publications.generate_demo_keys(publications.DEMO_KEYS_DIR, [table.state])
    return regime_publications.sign_regimes(
        table, keys[table.state], f"demo-{table.state}"
    )


def _mexico_imposes_a_visa_on(nationality: str) -> dict[str, object]:
    source = regime_publications.REGIME_SOURCE_DIR / "MEX.json"
    table = parse_regime_table(json.loads(source.read_text("utf-8")))
    entry = RegimeEntry(
        "MEX",
        nationality,
        EntryRegime.VISA,
        180,
        table.default.source_url,
        date(2026, 12, 1),
    )
    changed = dataclasses.replace(
        table, version="2026.2", entries=(*table.entries, entry)
    )
    return _signed(changed.to_json())


class TestShippedMatrix:
    def test_shipped_file_is_the_signed_build_of_the_sources(self) -> None:
        tables = regime_publications.read_regime_sources()
        assert sorted(t.state for t in tables) == sorted(ENDORSING_STATES)
        keys = publications.generate_demo_keys(
            publications.DEMO_KEYS_DIR, [t.state for t in tables]
        )
        fresh = regime_publications.regimes_text(
            regime_publications.build_regimes(tables, keys)
        )
        assert fresh == regime_publications.REGIMES_PATH.read_text("utf-8")

    def test_every_nationality_of_the_americas_gets_an_answer(
        self, session: Session
    ) -> None:
        caseworker = actor(session, "caseworker.col")
        rows = service.regime_matrix(session, actor=caseworker)
        nationalities = {row.nationality for row in rows}
        assert {"VEN", "HTI", "CUB", "NIC", "TTO", "GUY", "SUR"} <= nationalities
        for row in rows:
            assert len(row.cells) == 20
            for cell in row.cells:
                assert cell.regime.value in REGIMES
                assert cell.source_url.startswith("https://")

    def test_a_tampered_regime_is_rejected(self) -> None:
        document = regime_publications.shipped_regimes_document()
        publication = dict(document["publications"][0])
        regimes = dict(publication["regimes"])
        regimes["regimes"] = []
        publication["regimes"] = regimes
        with pytest.raises(SignatureRejected):
            regime_publications.verify_regime_publication(
                publication, publications.shipped_public_keys()
            )

    def test_a_default_without_its_note_is_refused(self) -> None:
        raw = {
            "state": "MEX",
            "version": "1",
            "published_on": "2026-01-01",
            "default": {
                "regime": "visa",
                "max_stay_days": None,
                "source_url": "https://www.gob.mx/",
                "valid_from": "2020-01-01",
            },
            "regimes": [],
        }
        with pytest.raises(CatalogueError):
            parse_regime_table(raw)

    def test_history_answers_by_date(self, session: Session) -> None:
        table = active_regimes(session)["MEX"]
        assert table.entry_for("VEN", date(2021, 6, 1)).regime is EntryRegime.VISA_FREE
        assert table.entry_for("VEN", date(2022, 2, 1)).regime is EntryRegime.VISA


class TestEntryRegimeApi:
    def test_contract_for_any_role(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        for user in ("caseworker.col", "donor.can", "pathways.col"):
            response = client.get(
                "/api/v1/pathways/entry-regimes",
                params={"nationality": "VEN", "destination": "MEX"},
                headers=auth(token_for(user)),
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert set(body) == {*KEYS, "valid_from"}
            assert body["nationality"] == "VEN"
            assert body["destination"] == "MEX"
            assert body["regime"] == "visa"
            assert body["valid_from"] == "2022-01-21"

    def test_unknown_codes_are_4xx_and_anonymous_is_refused(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = auth(token_for("caseworker.col"))
        for params in (
            {"nationality": "XXX", "destination": "MEX"},
            {"nationality": "VEN", "destination": "FRA"},
            {"nationality": "VEN", "destination": "M'X"},
            {"nationality": "VEN"},
        ):
            response = client.get(
                "/api/v1/pathways/entry-regimes", params=params, headers=headers
            )
            assert 400 <= response.status_code < 500, params
        anonymous = client.get(
            "/api/v1/pathways/entry-regimes",
            params={"nationality": "VEN", "destination": "MEX"},
        )
        assert anonymous.status_code == 401


class TestScreeningSaysSo:
    FACTS: ClassVar[dict[str, object]] = {
        "age": 30,
        "nationality": "VEN",
        "country_of_residence": "COL",
        "date_of_entry": "2020-03-01",
    }

    def test_a_venezuelan_is_told_the_us_visa_cannot_be_obtained(
        self, session: Session
    ) -> None:
        officer = actor(session, "pathways.col")
        for language, words in (
            ("en", "cannot obtain"),
            ("es", "no pueden obtener"),
        ):
            read = service.screen_person(
                session,
                actor=officer,
                facts=self.FACTS,
                language=language,
                store=False,
            )
            usa = [r for r in read.results if r.state == "USA"]
            assert usa
            assert all(words in r.reasons[0] for r in usa), usa[0].reasons
            colombia = [r for r in read.results if r.state == "COL"]
            assert colombia
            assert not any(words in " ".join(r.reasons) for r in colombia)

    def test_a_canadian_gets_no_such_note(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        read = service.screen_person(
            session,
            actor=officer,
            facts={**self.FACTS, "nationality": "CAN"},
            store=False,
        )
        assert not any("cannot obtain" in " ".join(r.reasons) for r in read.results)


class TestRegimeChange:
    def test_a_new_visa_is_announced_and_noted_downstream(
        self,
        session: Session,
        sessions: sessionmaker[Session],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        published: list[object] = []
        monkeypatch.setattr(
            "puente.pathways.service.entry_regimes.events.publish",
            lambda _session, event: published.append(event),
        )
        changes = service.publish_entry_regimes(
            session,
            actor=system_actor(),
            publication=_mexico_imposes_a_visa_on("COL"),
            today=date(2026, 12, 6),
        )
        assert [
            (c.destination, c.nationality, c.previous, c.regime) for c in changes
        ] == [("MEX", "COL", "visa_free", "visa")]
        assert published == [
            EntryRegimeChanged("MEX", "COL", "visa_free", "visa", date(2026, 12, 6))
        ]
        rows = session.scalars(
            select(EntryRegimeVersion).where(EntryRegimeVersion.tenant_code == "MEX")
        ).all()
        assert [r.version for r in rows if r.is_current] == ["2026.2"]
        assert (
            active_regimes(session)["MEX"].entry_for("COL", date(2026, 12, 6)).regime
            is EntryRegime.VISA
        )
        session.commit()

        @contextmanager
        def open_uow() -> Iterator[Session]:
            job = sessions()
            set_tenant_scope(job, SYSTEM_SCOPE)
            try:
                yield job
                job.commit()
            finally:
                job.close()

        event = published[0]
        assert isinstance(event, EntryRegimeChanged)
        try:
            assert route_notes_after_regime_change(event, open_uow=open_uow) >= 1
            notes = session.scalars(
                select(RouteNote).where(RouteNote.changed_state == "MEX")
            ).all()
            states = {n.tenant_code for n in notes}
            assert "USA" in states
            assert "CAN" in states
            assert "GTM" not in states  # upstream of Mexico
            assert route_notes_after_regime_change(event, open_uow=open_uow) == 0
        finally:
            for note in session.scalars(select(RouteNote)).all():
                session.delete(note)
            for row in session.scalars(select(EntryRegimeVersion)).all():
                session.delete(row)
            session.commit()

    def test_an_unsigned_change_is_refused_and_nothing_is_stored(
        self, session: Session
    ) -> None:
        publication = _mexico_imposes_a_visa_on("COL")
        publication["signature"] = str(publication["signature"])[:-4] + "AAA="
        with pytest.raises(SignatureRejected):
            service.publish_entry_regimes(
                session, actor=system_actor(), publication=publication
            )
        assert session.scalars(select(EntryRegimeVersion)).all() == []

    def test_another_state_cannot_publish_mexico_s_regimes(
        self, session: Session
    ) -> None:
        officer = actor(session, "pathways.col")
        with pytest.raises(PermissionDenied):
            service.publish_entry_regimes(
                session, actor=officer, publication=_mexico_imposes_a_visa_on("COL")
            )
        assert session.scalars(select(EntryRegimeVersion)).all() == []


class TestMatrixScreen:
    def test_map_table_and_downloads_in_spanish(
        self, client: TestClient, login_as: Callable[[TestClient, str], TestClient]
    ) -> None:
        web = login_as(client, "caseworker.col")
        page = web.get(
            "/pathways/entry-regimes",
            params={"nationality": "VEN"},
            headers={"Accept-Language": "es"},
        )
        assert page.status_code == 200, page.text
        html = page.text
        assert "Regímenes de visa y de entrada" in html
        assert "<svg" in html
        assert "burden-4" in html  # the United States: suspended
        assert "México: Necesita visa" in html
        assert "visa_free" not in html
        assert "suspended" not in html
        csv = web.get("/pathways/entry-regimes", params={"download": "csv"})
        assert csv.status_code == 200
        text = csv.content.decode("utf-8-sig")
        assert text.count("\n") == 57 * 20 + 1
        xlsx = web.get("/pathways/entry-regimes", params={"download": "xlsx"})
        assert xlsx.status_code == 200
        assert xlsx.content[:2] == b"PK"

    def test_odd_nationality_falls_back_and_anonymous_is_sent_to_login(
        self, client: TestClient, login_as: Callable[[TestClient, str], TestClient]
    ) -> None:
        anonymous = client.get("/pathways/entry-regimes", follow_redirects=False)
        assert anonymous.status_code in (302, 303, 401)
        web = login_as(client, "donor.can")
        page = web.get("/pathways/entry-regimes", params={"nationality": "<x>"})
        assert page.status_code == 200
