"""Pickers (`puente.web.pickers`): every kind answers choices in words for the words
typed, never an id in the visible text, only to roles that may read that kind."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from puente.web.pickers import PICKERS, query_text

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
Login = Callable[[TestClient, str], TestClient]


def visible_text(html: str) -> str:
    """What a reader sees: the markup without tags and attribute values."""
    return re.sub(r"<[^>]+>", " ", html)


def pick(client: TestClient, kind: str, words: str, name: str = "field") -> str:
    response = client.get(f"/pick/{kind}", params={"name": name, f"{name}__q": words})
    assert response.status_code == 200, response.text
    return response.text


def radio_values(html: str, name: str = "field") -> list[str]:
    return re.findall(rf'type="radio" id="[^"]+" name="{name}" value="([^"]+)"', html)


class TestReferenceKinds:
    def test_occupations_are_found_by_words_in_every_language(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        assert "9211" in radio_values(pick(client, "occupations", "crop farm"))
        assert "7112" in radio_values(pick(client, "occupations", "albañil"))
        assert "7112" in radio_values(pick(client, "occupations", "macons"))
        assert "7112" in radio_values(pick(client, "occupations", "pedreiro"))
        assert "7112" in radio_values(pick(client, "occupations", "bòs mason"))
        html = pick(client, "occupations", "crop farm")
        assert "Crop farm labourers" in html
        assert "9211" not in visible_text(html)
        assert "Elementary occupations" in visible_text(html)

    def test_languages_by_name_in_the_readers_language(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        html = pick(client, "languages", "creole")
        assert "ht" in radio_values(html)
        assert "Haitian Creole" in visible_text(html)

    def test_specific_needs_by_words_with_labels(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        html = client.get(
            "/pick/specific_needs",
            params={"name": "need", "need__q": "riesgo"},
            headers={"Accept-Language": "es"},
        ).text
        values = radio_values(html, "need")
        assert "CR" in values
        assert "riesgo" in visible_text(html)
        assert not re.search(r"\bCR-", visible_text(html))

    def test_specific_needs_are_not_offered_to_an_employer(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        response = client.get("/pick/specific_needs", params={"field__q": "child"})
        assert response.status_code == 403
        assert 'type="radio"' not in response.text

    def test_organisations_of_the_own_state_and_the_hub_only(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        html = pick(client, "organisations", "unhcr")
        text = visible_text(html)
        assert "UNHCR Colombia" in text
        assert "Panam" not in text
        assert not UUID_RE.search(text)
        assert all(uuid.UUID(v) for v in radio_values(html))


class TestPathways:
    def test_a_pathway_by_words_of_its_title_with_state_and_kind(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        html = pick(client, "pathways", "seasonal agricultural")
        assert "can-sawp" in radio_values(html)
        text = visible_text(html)
        assert "Canada" in text
        assert "can-sawp" not in text

    def test_not_offered_without_the_permission(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "caseworker.col")
        response = client.get("/pick/pathways", params={"field__q": "seasonal"})
        assert response.status_code == 403


class TestFragment:
    def test_no_words_no_choices(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "employer.can")
        assert radio_values(pick(client, "occupations", "   ")) == []

    def test_odd_input_is_bounded_and_never_a_server_error(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        response = client.get(
            "/pick/occupations",
            params={"name": "<script>", "field__q": "x" * 5000, "field": "'; --"},
        )
        assert response.status_code == 200
        assert "<script>" not in response.text

    def test_unknown_kind_is_a_page_not_found(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "employer.can")
        assert client.get("/pick/passwords").status_code == 404

    @pytest.mark.parametrize("kind", sorted(["occupations", "languages"]))
    def test_every_kind_needs_a_login(self, client: TestClient, kind: str) -> None:
        response = client.get(f"/pick/{kind}", follow_redirects=False)
        assert response.status_code in (303, 307)


def test_query_text_is_trimmed_and_bounded() -> None:
    assert query_text("  ana   maria ") == "ana maria"
    assert len(query_text("a" * 500)) == 100
    assert query_text(None) == ""


def test_the_core_kinds_are_registered() -> None:
    assert {"occupations", "languages", "specific_needs", "organisations"} <= set(
        PICKERS
    )
