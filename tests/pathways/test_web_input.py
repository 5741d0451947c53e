"""Odd input never makes a 500: forms and query parameters answer 4xx naming the
field, keep what was typed, and write nothing (issue 9, item 10)."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.pathways.models import JobOffer as OfferRow
from puente.pathways.models import SavedTotalisation, Screening
from puente.pathways.web.offers import OFFER_FIELDS
from puente.pathways.web.totalisation import WORKED_EXAMPLE
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]
ODD = ["²", "1" * 5000, "NaN", "1e308", "-1", "9999-12-31T23:59:59+00:00"]
FULLWIDTH_TWELVE = "１２"


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestScreeningForm:
    @pytest.mark.parametrize("value", ODD)
    @pytest.mark.parametrize("field", ["age", "years_experience", "date_of_entry"])
    def test_a_value_that_is_not_one_names_the_field_and_is_kept(
        self,
        client: TestClient,
        login_as: Login,
        session: Session,
        field: str,
        value: str,
    ) -> None:
        login_as(client, "pathways.col")
        before = _count(session, Screening)
        response = client.post(
            "/pathways/screen",
            data={**CSRF, "language": "en", f"fact_{field}": value, "action": "save"},
        )
        assert response.status_code == 422
        assert f"Invalid fact {field}" in response.text
        # What was typed stays in the form (a field holds 2,000 characters at most).
        assert f'value="{html.escape(value[:2000])}"' in response.text
        assert _count(session, Screening) == before

    def test_fullwidth_digits_are_a_number(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "pathways.col")
        response = client.post(
            "/pathways/screen",
            data={**CSRF, "language": "en", "fact_age": FULLWIDTH_TWELVE},
        )
        assert response.status_code == 200
        assert 'value="12"' in response.text

    def test_an_odd_language_falls_back_to_english(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "pathways.col")
        assert client.get("/pathways/screen?language=²").status_code == 200


class TestOfferForm:
    @pytest.mark.parametrize("value", ODD)
    @pytest.mark.parametrize(
        "field",
        [
            "wage_hourly",
            "hours_week",
            "contract_delivery_days_before_departure",
            "recruitment_fee",
            "travel_cost",
            "start_date",
            "lmt_valid_to",
        ],
    )
    def test_a_value_that_is_not_one_names_the_field_and_is_kept(
        self,
        client: TestClient,
        login_as: Login,
        session: Session,
        field: str,
        value: str,
    ) -> None:
        login_as(client, "employer.can")
        data = {name: default for name, _label, _w, default in OFFER_FIELDS}
        data.update(CSRF, lmt_reference="LMIA-1", housing_provided="on")
        data[field] = value
        before = _count(session, OfferRow)
        response = client.post("/pathways/offers", data=data)
        assert response.status_code == 422, response.text[:300]
        label = next(str(lbl) for n, lbl, _w, _d in OFFER_FIELDS if n == field)
        assert f"This value is not valid: {html.escape(label)}." in response.text
        assert f'id="{field}"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert f'value="{html.escape(value[:2000])}"' in response.text
        assert _count(session, OfferRow) == before


class TestTotalisationForm:
    @pytest.mark.parametrize("value", ODD)
    @pytest.mark.parametrize("column", ["years", "reference_wage", "base_rate"])
    def test_a_value_that_is_not_one_names_the_column_and_is_kept(
        self,
        client: TestClient,
        login_as: Login,
        session: Session,
        column: str,
        value: str,
    ) -> None:
        login_as(client, "pathways.col")
        data = dict(CSRF, action="save")
        for i, row in enumerate(WORKED_EXAMPLE):
            for key, typed in row.items():
                data[f"{key}_{i}"] = typed
        data[f"{column}_1"] = value
        before = _count(session, SavedTotalisation)
        response = client.post("/pathways/totalisation", data=data)
        assert response.status_code == 422, response.text[:300]
        assert "This value is not valid:" in response.text
        assert f'value="{html.escape(value[:40])}"' in response.text
        assert _count(session, SavedTotalisation) == before

    @pytest.mark.parametrize("value", ODD)
    def test_an_odd_person_id_in_the_query_is_a_4xx(
        self, client: TestClient, login_as: Login, value: str
    ) -> None:
        login_as(client, "pathways.col")
        response = client.get(
            "/pathways/totalisation/saved", params={"person_id": value}
        )
        assert response.status_code == 422


class TestApplicationForms:
    def test_a_bad_screening_id_is_a_4xx(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "pathways.col")
        response = client.post(
            "/pathways/applications",
            data={**CSRF, "screening_id": "²", "pathway_id": "col-etpv"},
        )
        assert response.status_code == 422

    @pytest.mark.parametrize("value", ["1" * 5000, "NaN"])
    def test_the_catalogue_filter_never_fails(
        self, client: TestClient, login_as: Login, value: str
    ) -> None:
        login_as(client, "pathways.col")
        response = client.get("/pathways/catalogue", params={"state": value})
        assert response.status_code == 200
        bad = client.get("/pathways/catalogue", params={"open_only": value})
        assert bad.status_code == 422


class TestApi:
    @pytest.mark.parametrize("value", ["²", "1" * 5000, "１２", 1e308, -1, True])
    def test_screening_facts_that_are_not_numbers(
        self, client: TestClient, token_for: Callable[[str], str], value: object
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('pathways.col')}"}
        response = client.post(
            "/api/v1/pathways/screenings",
            json={"facts": {"age": value}, "store": False},
            headers=headers,
        )
        assert response.status_code == 422
        assert "age" in response.json()["detail"]

    @pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
    def test_screening_on_the_first_and_last_days(
        self, client: TestClient, token_for: Callable[[str], str], day: str
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('pathways.col')}"}
        response = client.post(
            "/api/v1/pathways/screenings",
            json={"facts": {"age": 30}, "store": False, "on": day},
            headers=headers,
        )
        assert response.status_code == 200

    @pytest.mark.parametrize("wage", ["1e5000", "1" * 5000, "1e308"])
    def test_totalisation_amounts_too_large_are_refused(
        self, client: TestClient, token_for: Callable[[str], str], wage: str
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('pathways.col')}"}
        request = {
            "periods": [
                {
                    "state": "A",
                    "years": "9",
                    "scheme": {"minimum_years": "20", "reference_wage": wage},
                },
                {
                    "state": "B",
                    "years": "13",
                    "scheme": {"minimum_years": "15", "reference_wage": "1500"},
                },
            ]
        }
        response = client.post(
            "/api/v1/pathways/totalisation", json=request, headers=headers
        )
        assert response.status_code == 422

    @pytest.mark.parametrize(
        ("changes", "field"),
        [({"title": "x" * 201}, "title"), ({"hours_week": 200}, "hours_week")],
    )
    def test_an_offer_the_database_could_not_store_is_a_422(
        self,
        client: TestClient,
        token_for: Callable[[str], str],
        session: Session,
        changes: dict[str, object],
        field: str,
    ) -> None:
        from puente.pathways.demo import compliant_offer

        headers = {"Authorization": f"Bearer {token_for('employer.can')}"}
        before = _count(session, OfferRow)
        offer = compliant_offer("Farm", "BN 1") | changes
        response = client.post("/api/v1/pathways/offers", json=offer, headers=headers)
        assert response.status_code == 422
        assert field in response.json()["detail"]
        assert _count(session, OfferRow) == before
