from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import CSRF


class TestScreeningPage:
    def test_screens_in_portuguese_without_js(
        self, client: TestClient, login_as: Callable[[TestClient, str], TestClient]
    ) -> None:
        login_as(client, "pathways.bra")
        page = client.get("/pathways/screen?language=pt")
        assert page.status_code == 200
        assert 'name="fact_nationality"' in page.text
        response = client.post(
            "/pathways/screen",
            data={
                **CSRF,
                "language": "pt",
                "fact_nationality": "ven",
                "fact_country_of_residence": "BRA",
                "fact_date_of_entry": "2020-03-01",
                "fact_age": "30",
                "fact_has_criminal_record": "false",
            },
        )
        assert response.status_code == 200
        assert "Elegível" in response.text
        assert 'data-outcome="eligible"' in response.text

    def test_htmx_gets_the_partial(
        self, client: TestClient, login_as: Callable[[TestClient, str], TestClient]
    ) -> None:
        login_as(client, "pathways.col")
        response = client.post(
            "/pathways/screen",
            data={**CSRF, "language": "es", "fact_nationality": "VEN"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div id="screening"')


class TestOfferPages:
    def test_employer_publishes_and_sees_checks(
        self, client: TestClient, login_as: Callable[[TestClient, str], TestClient]
    ) -> None:
        login_as(client, "employer.can")
        form = client.get("/pathways/offers/new")
        assert form.status_code == 200
        # No demo values: the examples are hints, the fields start empty.
        assert 'value="Vegetable harvest worker"' not in form.text
        assert 'placeholder="e.g. Vegetable harvest worker"' in form.text
        from puente.pathways.web.offers import OFFER_FIELDS

        data = {name: default for name, _label, _w, default in OFFER_FIELDS}
        data.update(
            CSRF,
            employer_name="Prairie Growers Co-operative",
            employer_legal_id="CRA BN 1",
            worksite_address="Road 12, Portage la Prairie",
            lmt_reference="LMIA-1",
            housing_provided="on",
        )
        response = client.post("/pathways/offers", data=data, follow_redirects=True)
        assert response.status_code == 200
        assert 'id="offer-status"' in response.text
        assert 'data-check="ER-01" data-result="pass"' in response.text
        assert 'data-result="fail"' not in response.text

    def test_totalisation_page_explains_the_worked_example(
        self, client: TestClient, login_as: Callable[[TestClient, str], TestClient]
    ) -> None:
        login_as(client, "pathways.col")
        from puente.pathways.web.totalisation import WORKED_EXAMPLE

        data = dict(CSRF)
        for i, row in enumerate(WORKED_EXAMPLE):
            for key, value in row.items():
                data[f"{key}_{i}"] = value
        response = client.post("/pathways/totalisation", data=data)
        assert response.status_code == 200
        assert "672.00" in response.text
        assert "880.00 × 9/22 = 360.00" in response.text
