"""Saved totalisations: kept only when an officer chooses to, with who, when, the
inputs, the result, the agreement and the rule version; a person by id only;
listed per person or worker; audited; walled to the tenant (both walls)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import people
from puente.core.audit import AuditEvent
from puente.core.config import get_settings
from puente.core.db import set_tenant_scope
from puente.core.errors import PermissionDenied
from puente.identity import rls_scope
from puente.pathways import service
from puente.pathways.errors import TotalisationNotFound
from puente.pathways.models import SavedTotalisation
from puente.pathways.rules.totalisation import RULES_VERSION
from puente.pathways.schemas import PeriodIn, SchemeIn, TotalisationRequest
from puente.pathways.web.totalisation import WORKED_EXAMPLE
from tests.conftest import CSRF
from tests.pathways.helpers import actor, workers

Login = Callable[[TestClient, str], TestClient]


def _request(agreement: str | None = None) -> TotalisationRequest:
    def period(state: str, years: int, scheme: SchemeIn) -> PeriodIn:
        return PeriodIn(state=state, years=Decimal(years), scheme=scheme)

    states = ("COL", "PER") if agreement else ("A", "B")
    return TotalisationRequest(
        periods=[
            period(
                states[0],
                9,
                SchemeIn(
                    minimum_years=Decimal(20),
                    reference_wage=Decimal(2000),
                    base_rate=Decimal("0.40"),
                    base_years=Decimal(20),
                    rate_per_year=Decimal("0.02"),
                ),
            ),
            period(
                states[1],
                13,
                SchemeIn(
                    minimum_years=Decimal(15),
                    reference_wage=Decimal(1500),
                    rate_per_year=Decimal("0.016"),
                ),
            ),
        ],
        agreement=agreement,
        on=dt.date(2026, 11, 1) if agreement else None,
    )


def _person(session: Session, username: str = "caseworker.col") -> uuid.UUID:
    created = people.register_person(
        session,
        actor=actor(session, username),
        data=people.PersonCreate(given_name="Ana", family_name="Pérez", sex="F"),
    )
    return created.id


def _form(**extra: str) -> dict[str, str]:
    data = dict(CSRF)
    for i, row in enumerate(WORKED_EXAMPLE):
        for key, value in row.items():
            data[f"{key}_{i}"] = value
    data.update(extra)
    return data


class TestService:
    def test_a_saved_computation_round_trips(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        person_id = _person(session)
        request = _request("ibero_american")
        expected = service.calculate_totalisation(
            session, actor=officer, request=request
        )
        saved = service.save_totalisation(
            session, actor=officer, request=request, person_id=person_id
        )
        assert saved.person_id == person_id
        assert saved.saved_by == officer.user_id
        assert saved.rule_version == RULES_VERSION
        assert saved.agreement == "ibero_american"
        listed = service.list_totalisations(session, actor=officer, person_id=person_id)
        assert [t.id for t in listed] == [saved.id]
        again = service.get_totalisation(
            session, actor=officer, totalisation_id=saved.id
        )
        assert again.request == request
        assert again.result == expected
        assert again.saved_at == saved.saved_at
        row = session.get(SavedTotalisation, saved.id)
        assert row is not None
        assert row.tenant_code == "COL"
        assert row.total_payable == expected.total_payable
        assert "Ana" not in str(row.inputs) + str(row.result)  # an id, not a name

    def test_listed_per_person_and_per_worker(self, session: Session) -> None:
        workers(session)
        officer = actor(session, "pathways.col")
        worker = service.find_worker(session, actor=officer, worker_ref="T-W0-9211")
        person_id = _person(session)
        for_worker = service.save_totalisation(
            session, actor=officer, request=_request(), worker_id=worker.id
        )
        for_person = service.save_totalisation(
            session, actor=officer, request=_request(), person_id=person_id
        )
        by_worker = service.list_totalisations(
            session, actor=officer, worker_id=worker.id
        )
        assert [t.id for t in by_worker] == [for_worker.id]
        assert by_worker[0].worker_ref == "T-W0-9211"
        by_person = service.list_totalisations(
            session, actor=officer, person_id=person_id
        )
        assert [t.id for t in by_person] == [for_person.id]

    def test_saving_and_reading_are_audited_with_ids_only(
        self, session: Session
    ) -> None:
        officer = actor(session, "pathways.col")
        person_id = _person(session)
        saved = service.save_totalisation(
            session, actor=officer, request=_request(), person_id=person_id
        )
        service.list_totalisations(session, actor=officer, person_id=person_id)
        service.get_totalisation(session, actor=officer, totalisation_id=saved.id)
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action.like("pathways:totalisation:%"),
                AuditEvent.actor_id == str(officer.user_id),
            )
        ).all()
        actions = [e.action for e in events]
        assert actions[-3:] == [
            "pathways:totalisation:create",
            "pathways:totalisation:list",
            "pathways:totalisation:read",
        ]
        assert str(person_id) in events[-3].details
        assert all("Ana" not in e.details for e in events)

    def test_a_person_out_of_reach_is_refused(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        panama_person = _person(session, "caseworker.pan")
        with pytest.raises(people.PersonNotFound):
            service.save_totalisation(
                session, actor=officer, request=_request(), person_id=panama_person
            )
        assert service.list_totalisations(session, actor=officer) == []

    def test_only_officers_who_screen_people_keep_computations(
        self, session: Session
    ) -> None:
        for username in ("employer.can", "focal_point.col"):
            someone = actor(session, username)
            service.calculate_totalisation(session, actor=someone, request=_request())
            with pytest.raises(PermissionDenied):
                service.save_totalisation(session, actor=someone, request=_request())
            with pytest.raises(PermissionDenied):
                service.list_totalisations(session, actor=someone)


class TestTenantWall:
    def test_another_state_sees_nothing(self, session: Session) -> None:
        saved = service.save_totalisation(
            session, actor=actor(session, "pathways.col"), request=_request()
        )
        brazil = actor(session, "pathways.bra")
        assert service.list_totalisations(session, actor=brazil) == []
        with pytest.raises(TotalisationNotFound):
            service.get_totalisation(session, actor=brazil, totalisation_id=saved.id)

    def test_row_level_security_alone_walls_it(
        self, session: Session, backend: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if backend != "postgresql":
            pytest.skip("row-level security is PostgreSQL's")
        saved = service.save_totalisation(
            session, actor=actor(session, "pathways.col"), request=_request()
        )
        monkeypatch.setattr(get_settings(), "app_filter_enabled", False)
        brazil = actor(session, "pathways.bra")
        set_tenant_scope(session, rls_scope(brazil))  # region_read is on for BRA
        assert session.scalars(select(SavedTotalisation)).all() == []
        assert service.list_totalisations(session, actor=brazil) == []
        with pytest.raises(TotalisationNotFound):
            service.get_totalisation(session, actor=brazil, totalisation_id=saved.id)
        nested = session.begin_nested()
        session.add(
            SavedTotalisation(
                tenant_code="COL",
                rule_version=RULES_VERSION,
                total_years=Decimal(1),
                total_payable=Decimal(1),
                inputs={},
                result={},
            )
        )
        with pytest.raises(Exception, match="row-level security"):
            session.flush()
        nested.rollback()


class TestWeb:
    def test_officer_saves_then_finds_it_for_the_worker(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        workers(session)
        session.commit()
        login_as(client, "pathways.col")
        page = client.get("/pathways/totalisation?worker_ref=T-W1-9212")
        assert '<label for="worker_ref">' in page.text
        assert 'value="T-W1-9212"' in page.text
        response = client.post(
            "/pathways/totalisation",
            data=_form(action="save", worker_ref="T-W1-9212"),
            follow_redirects=False,
        )
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith("/pathways/totalisation/saved/")
        shown = client.get(location)
        assert shown.status_code == 200
        assert 'id="saved-status"' in shown.text
        assert "672.00" in shown.text
        assert "880.00 × 9/22 = 360.00" in shown.text
        assert RULES_VERSION in shown.text
        listed = client.get("/pathways/totalisation/saved?worker_ref=T-W1-9212")
        assert listed.status_code == 200
        saved_id = location.rsplit("/", 1)[1].split("?")[0]
        assert f'data-id="{saved_id}"' in listed.text
        assert "T-W1-9212" in listed.text
        other = client.get("/pathways/totalisation/saved?worker_ref=T-W0-9211")
        assert saved_id not in other.text

    def test_calculating_alone_stores_nothing(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "pathways.col")
        response = client.post("/pathways/totalisation", data=_form())
        assert response.status_code == 200
        assert "672.00" in response.text
        assert session.scalars(select(SavedTotalisation)).all() == []

    def test_a_bad_person_id_is_explained_and_nothing_is_saved(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "pathways.col")
        response = client.post(
            "/pathways/totalisation", data=_form(action="save", person_id="Ana Pérez")
        )
        assert response.status_code == 422
        assert "The person id is not valid." in response.text
        assert session.scalars(select(SavedTotalisation)).all() == []

    def test_employer_may_calculate_but_not_save(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "employer.can")
        page = client.get("/pathways/totalisation")
        assert page.status_code == 200
        assert 'value="save"' not in page.text
        response = client.post("/pathways/totalisation", data=_form(action="save"))
        assert response.status_code == 403
        assert client.get("/pathways/totalisation/saved").status_code == 403
        assert session.scalars(select(SavedTotalisation)).all() == []

    def test_saving_without_the_csrf_token_is_refused(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "pathways.col")
        data = _form(action="save")
        del data["csrf_token"]
        response = client.post("/pathways/totalisation", data=data)
        assert response.status_code == 403
        assert session.scalars(select(SavedTotalisation)).all() == []

    def test_another_state_gets_404_for_the_saved_page(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        saved = service.save_totalisation(
            session, actor=actor(session, "pathways.col"), request=_request()
        )
        session.commit()
        login_as(client, "pathways.bra")
        assert client.get(f"/pathways/totalisation/saved/{saved.id}").status_code == 404
        listed = client.get("/pathways/totalisation/saved")
        assert str(saved.id) not in listed.text


class TestSavedFilterPicker:
    def test_the_person_is_picked_by_name_never_typed_by_id(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        officer = actor(session, "pathways.col")
        family = f"Totalizada{uuid.uuid4().hex[:5]}"
        person_id = people.register_person(
            session,
            actor=actor(session, "caseworker.col"),
            data=people.PersonCreate(given_name="Rosa", family_name=family, sex="F"),
        ).id
        saved = service.save_totalisation(
            session, actor=officer, request=_request(), person_id=person_id
        )
        other = service.save_totalisation(
            session, actor=officer, request=_request(), person_id=_person(session)
        )
        session.commit()
        login_as(client, "pathways.col")
        page = client.get("/pathways/totalisation/saved")
        assert 'name="person_id__q"' in page.text
        assert "Person id" not in page.text
        assert str(person_id) not in page.text.replace(f'value="{person_id}"', "")
        # Without JavaScript: "Search" sends the words and the choices come back.
        found = client.get(
            "/pathways/totalisation/saved",
            params={"_pick": "person_id", "person_id__q": f"rosa {family}"},
        )
        assert re.findall(r'name="person_id" value="([^"]+)"', found.text) == [
            str(person_id)
        ]
        chosen = client.get(
            "/pathways/totalisation/saved", params={"person_id": str(person_id)}
        )
        assert chosen.status_code == 200
        assert f'data-id="{saved.id}"' in chosen.text
        assert f'data-id="{other.id}"' not in chosen.text
        assert f"Rosa {family}" in chosen.text  # the person in words in the table
        assert re.search(r"<td>[0-9a-f]{8}-[0-9a-f]{4}-", chosen.text) is None
