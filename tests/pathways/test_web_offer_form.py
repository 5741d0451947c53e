"""The employer's offer form asks for words, never codes: occupation and pathway are
picked by words (with and without JavaScript), country, province, currency, pay
frequency and languages are chosen from lists, and the hints are in the reader's
language (issue 11)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.pathways.models import JobOffer as OfferRow
from puente.pathways.web.offers import OFFER_FIELDS
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]


def _offers(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OfferRow)) or 0)


def _example() -> dict[str, str]:
    data = {name: example for name, _label, _w, example in OFFER_FIELDS}
    data.update(CSRF, lmt_reference="LMIA-1", housing_provided="on")
    return data


class TestNoCodeIsTyped:
    def test_codes_are_chosen_from_lists(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        page = client.get("/pathways/offers/new").text
        for name in (
            "state",
            "subdivision",
            "currency",
            "pay_frequency",
            "contract_language",
            "required_language",
            "required_cefr",
        ):
            assert f'<select id="{name}" name="{name}"' in page, name
        for name in ("isco", "pathway_id"):
            assert f'name="{name}__q"' in page
            assert 'hx-get="/pick/' in page
            assert not re.search(rf'<input id="{name}" name="{name}" type="text"', page)
        assert 'type="checkbox" id="contract_translations-en"' in page
        assert "Every two weeks" in page
        assert "Manitoba" in page
        assert "biweekly</option>" not in page
        assert "ISO" not in page
        assert "ISCO-08 code" not in page

    def test_the_hints_are_in_the_readers_language(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        page = client.get(
            "/pathways/offers/new", headers={"Accept-Language": "es"}
        ).text
        assert "Vegetable harvest worker" not in page
        assert "Harvesting and packing vegetables" not in page
        assert "p. ej." in page or "ej." in page


class TestPickingWithoutJavaScript:
    def test_search_shows_choices_and_keeps_everything_typed(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "employer.can")
        before = _offers(session)
        data = _example()
        data.update(
            {
                "isco": "",
                "isco__q": "crop farm",
                "_pick": "isco",
                "title": "Cosechador de fresas",
            }
        )
        response = client.post("/pathways/offers", data=data)
        assert response.status_code == 200
        page = response.text
        assert 'type="radio" id="isco-c1" name="isco" value="9211"' in page
        assert "Crop farm labourers" in page
        assert 'value="Cosechador de fresas"' in page  # typed text kept
        assert 'value="crop farm"' in page  # the words searched kept
        assert '<option value="CAN" selected>' in page  # choices kept
        assert 'value="can-sawp"' in page  # the chosen pathway kept
        assert _offers(session) == before  # a search never publishes

    def test_a_chosen_occupation_publishes(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "employer.can")
        before = _offers(session)
        data = _example()
        data["isco"] = "9211"
        response = client.post("/pathways/offers", data=data, follow_redirects=False)
        assert response.status_code == 303
        assert _offers(session) == before + 1

    def test_a_bad_value_keeps_the_picked_words(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "employer.can")
        before = _offers(session)
        data = _example()
        data["wage_hourly"] = "lots"
        response = client.post("/pathways/offers", data=data)
        assert response.status_code == 422
        assert "Crop farm labourers" in response.text
        assert "Seasonal Agricultural Worker" in response.text
        assert _offers(session) == before


class TestScreeningAsksNoCode:
    def test_occupation_is_picked_and_province_chosen_by_name(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "pathways.col")
        facts = {
            **CSRF,
            "language": "en",
            "fact_nationality": "HTI",
            "fact_has_job_offer": "true",
            "fact_job_offer_state": "CAN",
            "fact_job_offer_isco": "",
            "fact_job_offer_isco__q": "crop farm",
            "fact_occupation_isco": "6111",
            "fact_subdivision_of_residence": "BR-RR",
            "fact_age": "31",
            "_pick": "fact_job_offer_isco",
        }
        page = client.post("/pathways/screen", data=facts).text
        # The no-JS search lists the occupations; what was answered is kept.
        assert 'name="fact_job_offer_isco" value="9211"' in page
        assert "Crop farm labourers" in page
        assert "Field crop and vegetable growers" in page  # chosen, in words
        assert 'value="31"' in page
        assert '<option value="BR-RR" selected>Roraima</option>' in page
        assert 'name="fact_job_offer_isco" type="text"' not in page
        assert "For example</small>" not in page
        facts.pop("_pick")
        facts["fact_job_offer_isco"] = "9211"
        page = client.post("/pathways/screen", data=facts).text
        assert "Chosen:" in page
        assert 'type="hidden" name="fact_job_offer_isco" value="9211"' in page
