from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from puente.pathways.demo import compliant_offer

FEE = {
    "category": "recruitment_fee",
    "amount": 500,
    "currency": "CAD",
    "paid_by": "worker",
}
FACTS = {
    "age": 30,
    "nationality": "VEN",
    "country_of_residence": "COL",
    "date_of_entry": "2020-03-01",
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestOffersApi:
    def test_post_offer_returns_checks_and_blocks_a_worker_paid_fee(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = auth(token_for("employer.can"))
        good = compliant_offer("Prairie Growers Co-operative", "CRA BN 1")
        response = client.post("/api/v1/pathways/offers", json=good, headers=headers)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["blocked"] is False
        assert len(body["checks"]) == 24
        bad = dict(good, costs=[*good["costs"], FEE])
        response = client.post("/api/v1/pathways/offers", json=bad, headers=headers)
        body = response.json()
        assert body["blocked"] is True
        assert body["status"] == "blocked"
        er01 = next(c for c in body["checks"] if c["id"] == "ER-01")
        assert er01["result"] == "fail"
        matches = client.get(
            f"/api/v1/pathways/offers/{body['id']}/matches", headers=headers
        )
        assert matches.status_code == 409
        assert matches.json()["error"] == "OfferBlocked"

    def test_bad_offer_field_is_a_422_naming_it(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        bad = compliant_offer("X", "Y")
        bad["costs"] = [dict(FEE, paid_by="nobody")]
        response = client.post(
            "/api/v1/pathways/offers", json=bad, headers=auth(token_for("employer.can"))
        )
        assert response.status_code == 422
        assert "costs[0].paid_by" in response.json()["detail"]


class TestScreeningApi:
    def test_screening_and_unknown_fact(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = auth(token_for("pathways.bra"))
        response = client.post(
            "/api/v1/pathways/screenings",
            json={"facts": FACTS, "language": "pt"},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["id"]
        assert any(
            r["pathway_id"] == "col-etpv" and r["outcome"] == "eligible"
            for r in body["results"]
        )
        bad = client.post(
            "/api/v1/pathways/screenings",
            json={"facts": {"eye_colour": "brown"}},
            headers=headers,
        )
        assert bad.status_code == 422
        assert "eye_colour" in bad.json()["detail"]

    def test_employer_cannot_screen(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        response = client.post(
            "/api/v1/pathways/screenings",
            json={"facts": FACTS},
            headers=auth(token_for("employer.can")),
        )
        assert response.status_code == 403

    def test_catalogue_and_totalisation(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = auth(token_for("employer.can"))
        catalogue = client.get("/api/v1/pathways/catalogue?state=COL", headers=headers)
        assert catalogue.status_code == 200
        assert any(p["id"] == "col-etpv" for p in catalogue.json())
        body = {
            "periods": [
                {
                    "state": "A",
                    "years": 9,
                    "scheme": {
                        "minimum_years": 20,
                        "reference_wage": 2000,
                        "base_rate": "0.40",
                        "base_years": 20,
                        "rate_per_year": "0.02",
                    },
                },
                {
                    "state": "B",
                    "years": 13,
                    "scheme": {
                        "minimum_years": 15,
                        "reference_wage": 1500,
                        "rate_per_year": "0.016",
                    },
                },
            ]
        }
        response = client.post(
            "/api/v1/pathways/totalisation", json=body, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["total_payable"] == "672.00"
