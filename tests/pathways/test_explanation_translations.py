"""Match explanations and totalisation steps in five languages: the screens render
each line from its msgid and typed values (numbers and dates for the locale), while
the JSON API and the CLI keep their English text, byte for byte as before the
messages existed (`data/english_before_translation.json`, captured then); the API
only gains `explanation_messages`. A computation saved before still shows."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from puente.cli import app
from puente.core import i18n
from puente.pathways import service
from puente.pathways.demo import compliant_offer
from puente.pathways.models import SavedTotalisation
from puente.pathways.rules import match_explanations, totalisation
from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.match_explanations import explain, explain_messages
from puente.pathways.rules.matching import Match, WorkerProfile
from puente.pathways.rules.offers import JobOffer
from puente.pathways.rules.totalisation import (
    PensionFormula,
    TotalisationResult,
    totalise,
)
from puente.pathways.schemas import OfferRead, TotalisationRead, TotalisationRequest
from puente.pathways.service import parse_offer
from puente.pathways.service.text import render_lines, totalisation_steps
from tests.conftest import CSRF
from tests.pathways.helpers import actor, workers

Login = Callable[[TestClient, str], TestClient]
BEFORE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "english_before_translation.json").read_text(
        "utf-8"
    )
)
LANGS = ("es", "pt", "fr", "ht")
A = {
    "state": "A",
    "years": "9",
    "scheme": {
        "minimum_years": "20",
        "reference_wage": "2000",
        "base_rate": "0.40",
        "base_years": "20",
        "rate_per_year": "0.02",
    },
}
B = {
    "state": "B",
    "years": "13",
    "scheme": {
        "minimum_years": "15",
        "reference_wage": "1500",
        "rate_per_year": "0.016",
    },
}
# The requests whose English answers were captured, in order: the worked example,
# an autonomous pension, nothing payable, an agreement with decimals, the national
# pension chosen over the pro-rata share, and a zero-year minimum.
REQUESTS: list[dict[str, Any]] = [
    {"periods": [A, B]},
    {"periods": [dict(A, years="25"), B]},
    {"periods": [dict(A, years="2.5"), dict(B, years="3")]},
    {
        "periods": [
            {
                "state": "ESP",
                "years": "12.25",
                "scheme": {
                    "minimum_years": "15",
                    "reference_wage": "1234.5",
                    "rate_per_year": "0.03",
                },
            },
            {
                "state": "COL",
                "years": "10",
                "scheme": {
                    "minimum_years": "20",
                    "reference_wage": "900",
                    "base_rate": "0.5",
                    "base_years": "20",
                    "rate_per_year": "0.01",
                    "max_rate": "0.8",
                },
            },
        ],
        "agreement": "ibero_american",
        "on": "2025-01-01",
    },
    {
        "periods": [
            {
                "state": "A",
                "years": "25",
                "scheme": {**A["scheme"], "max_rate": "0.5"},  # type: ignore[dict-item]
            },
            dict(B, years="5"),
        ]
    },
    {
        "periods": [
            {
                "state": "A",
                "years": "0",
                "scheme": {
                    "minimum_years": "0",
                    "reference_wage": "12345.678",
                    "base_rate": "0.4",
                },
            }
        ]
    },
]
IDS = ("worker_id", "offer_id", "id", "saved_at", "saved_by", "person_id")


def _english(data: Any) -> Any:
    """The answer as it was: no `explanation_messages`, no ids or times."""
    if isinstance(data, dict):
        return {
            k: _english(v)
            for k, v in data.items()
            if k not in IDS and k != "explanation_messages"
        }
    if isinstance(data, list):
        return [_english(v) for v in data]
    return data


def _offer(session: Session) -> OfferRead:
    workers(session)
    created = service.create_offer(
        session,
        actor=actor(session, "employer.can"),
        data=compliant_offer("Prairie Growers Co-operative", "CRA BN 1"),
    )
    session.commit()
    assert created.status == "published"
    return created


def _get(client: TestClient, login_as: Login, user: str, url: str, lang: str) -> str:
    login_as(client, user)
    client.cookies.set("puente_lang", lang)
    page = client.get(url)
    assert page.status_code == 200, page.text
    return page.text.replace("\xa0", " ").replace("\u202f", " ")


def _post_totalisation(
    client: TestClient, login_as: Login, lang: str, periods: list[dict[str, Any]]
) -> str:
    login_as(client, "pathways.col")
    client.cookies.set("puente_lang", lang)
    data = dict(CSRF, action="calculate")
    for i, period in enumerate(periods):
        data[f"state_{i}"] = period["state"]
        data[f"years_{i}"] = period["years"]
        for key, value in period["scheme"].items():
            data[f"{key}_{i}"] = value
    response = client.post("/pathways/totalisation", data=data)
    assert response.status_code == 200, response.text
    return response.text.replace("\xa0", " ").replace("\u202f", " ")


def _steps(html: str) -> str:
    start = html.index('<ol id="steps">')
    return html[start : html.index("</ol>", start)]


def _explain_cases() -> list[tuple[Match, WorkerProfile, JobOffer]]:
    """A match explained for workers and offers that reach every line's wording."""
    offer = parse_offer(compliant_offer("F", "B"))
    worker = WorkerProfile(
        "w",
        "9211",
        ("harvesting", "packing"),
        {"es": "native", "en": "A2"},
        ("CAN", "USA"),
        date(2027, 3, 1),
        30,
        {"can-sawp": Outcome.ELIGIBLE},
    )
    unskilled = WorkerProfile("w2", "9212", (), {}, (), date(2027, 5, 20), 30, {})
    undetermined = dataclasses.replace(
        unskilled, pathway_outcomes={"can-sawp": Outcome.UNDETERMINED}
    )
    match = Match(
        "o",
        0,
        0.8,
        {
            "occupation": 1.0,
            "skills": 0.5,
            "language": 0.3333,
            "location": 0.0,
            "availability": 0.1667,
            "eligibility": 0.5,
        },
    )
    offers = [
        offer,
        dataclasses.replace(
            offer,
            required_language="",
            required_cefr="",
            start_date=None,
            pathway_id="",
            skills=(),
        ),
        dataclasses.replace(offer, required_cefr=""),
    ]
    return [(match, w, o) for w in (worker, unskilled, undetermined) for o in offers]


def _totalise(request: dict[str, Any]) -> TotalisationResult:
    return totalise(
        {p["state"]: Decimal(p["years"]) for p in request["periods"]},
        {
            p["state"]: PensionFormula(
                **{k: Decimal(v) for k, v in p["scheme"].items()}
            )
            for p in request["periods"]
        },
    )


def _msgids(module: ModuleType) -> set[str]:
    """The strings a rules module marks with `N_`."""
    tree = ast.parse(inspect.getsource(module))
    return {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and isinstance(node.args[0], ast.Constant)
    }


class TestEnglishIsUnchanged:
    def test_explain_words_every_case_as_before(self) -> None:
        lines = [explain(m, w, o) for m, w, o in _explain_cases()]
        assert lines == BEFORE["explain"]
        for m, w, o in _explain_cases():
            assert explain(m, w, o) == [
                message.english() for message in explain_messages(m, w, o)
            ]

    def test_a_factor_is_rounded_as_before(self) -> None:
        offer = parse_offer(compliant_offer("F", "B"))
        worker = WorkerProfile("w", "9211", (), {}, (), date(2027, 3, 1), 30, {})
        for value in (0.165, 0.005, 0.375, 0.9999, 0.0, 1.0):
            factors = dict.fromkeys(("occupation", "skills", "language"), value)
            factors |= dict.fromkeys(("location", "availability", "eligibility"), 1.0)
            [line, *_] = explain(Match("o", 0, 1.0, factors), worker, offer)
            assert line.startswith(f"Occupation ({value:.0%}): ")

    def test_api_matches_are_as_before_plus_their_messages(
        self, client: TestClient, token_for: Callable[[str], str], session: Session
    ) -> None:
        offer = _offer(session)
        headers = {
            "Authorization": f"Bearer {token_for('employer.can')}",
            "Accept-Language": "es",
        }
        response = client.get(
            f"/api/v1/pathways/offers/{offer.id}/matches", headers=headers
        )
        assert response.status_code == 200
        body = response.json()
        assert _english(body) == BEFORE["api_matches"]
        first = body[0]
        assert list(first)[-1] == "explanation_messages"  # added after the rest
        assert len(first["explanation_messages"]) == len(first["explanation"]) == 6
        language = first["explanation_messages"][2]
        assert language["msgid"] == (
            "Language (%(score)s): needs %(language)s %(cefr)s, the worker has "
            "%(level)s."
        )
        assert language["params"]["language"]["kind"] == "language"
        assert language["params"]["score"] == {
            "kind": "percent",
            "value": "1",
            "currency": "",
            "term": "",
            "items": [],
        }

        officer = {
            "Authorization": f"Bearer {token_for('pathways.col')}",
            "Accept-Language": "fr",
        }
        listed = client.get("/api/v1/pathways/workers", headers=officer).json()
        worker_id = next(w["id"] for w in listed if w["worker_ref"] == "T-W0-9211")
        offers = client.get(
            f"/api/v1/pathways/workers/{worker_id}/offers", headers=officer
        )
        assert offers.status_code == 200
        assert _english(offers.json()) == BEFORE["api_worker_offers"]

    def test_api_totalisation_is_byte_identical_before_its_messages(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {
            "Authorization": f"Bearer {token_for('pathways.col')}",
            "Accept-Language": "pt",
        }
        for request, before in zip(REQUESTS, BEFORE["api_totalisation"], strict=True):
            response = client.post(
                "/api/v1/pathways/totalisation", json=request, headers=headers
            )
            assert response.status_code == 200
            assert response.text.startswith(
                before[:-1] + ',"explanation_messages":[{"msgid":'
            )
            body = response.json()
            assert _english(body) == json.loads(before)
            assert len(body["explanation_messages"]) == len(body["explanation"])

    def test_api_saved_totalisation_is_as_before(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('pathways.col')}"}
        saved = client.post(
            "/api/v1/pathways/totalisations", json=REQUESTS[0], headers=headers
        )
        assert saved.status_code == 201
        assert _english(saved.json()) == BEFORE["api_saved"]
        read = client.get(
            f"/api/v1/pathways/totalisations/{saved.json()['id']}", headers=headers
        )
        assert _english(read.json()) == BEFORE["api_saved_get"]

    def test_cli_check_offer_is_byte_identical(self, tmp_path: Path) -> None:
        blocked = compliant_offer("F", "B")
        blocked["costs"].append(
            {
                "category": "recruitment_fee",
                "amount": 500,
                "currency": "USD",
                "paid_by": "worker",
            }
        )
        outputs = []
        for offer in (compliant_offer("F", "B"), blocked):
            path = tmp_path / "offer.json"
            path.write_text(json.dumps(offer), encoding="utf-8")
            for extra in ([], ["--json"]):
                result = CliRunner().invoke(
                    app,
                    [
                        "pathways",
                        "check-offer",
                        str(path),
                        "--on",
                        "2026-11-28",
                        *extra,
                    ],
                )
                outputs.append(result.stdout)
        assert outputs == BEFORE["cli_check_offer"]


class TestCatalogues:
    @pytest.mark.parametrize("lang", LANGS)
    def test_every_line_and_step_is_translated(self, lang: str) -> None:
        with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=lang)
        steps = _msgids(totalisation)
        lines = _msgids(match_explanations)  # 17 line wordings and the level "native"
        assert len(steps) == 10
        assert len(lines) == 18
        # the captured requests reach every step's wording
        assert {
            m.msgid for r in REQUESTS for m in _totalise(r).explanation_messages
        } == steps
        for msgid in steps | lines:
            message = catalog.get(msgid)
            assert message is not None, msgid
            assert message.string, msgid
            assert not message.fuzzy, msgid

    def test_messages_absent_or_not_matching_fall_back_to_the_english(self) -> None:
        result = TotalisationRead.model_validate(
            {
                "agreement": None,
                "total_years": "22",
                "states": [],
                "total_payable": "672.00",
                "explanation": ["Step by step", "A pays 360.00 (pro-rata)."],
            }
        )
        with i18n.use_locale("fr"):
            assert totalisation_steps(result) == [
                "Étape par étape",
                "A pays 360.00 (pro-rata).",
            ]
            assert render_lines(["Step by step"], []) == ["Étape par étape"]


class TestOfferPage:
    def test_spanish_match_explanations_with_their_values(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        html = _get(
            client, login_as, "employer.can", f"/pathways/offers/{offer.id}", "es"
        )
        assert 'id="matches"' in html
        for line in (
            "Ocupación (100 %): CIUO del trabajador 9211, CIUO de la oferta 9211 — "
            "mismo grupo primario.",
            "Habilidades (100 %): el trabajador tiene 2 de las 2 habilidades que pide "
            "la oferta.",
            "Idioma (100 %): se requiere español B1; nivel del trabajador: nativo.",
            "Ubicación (100 %): el trabajo está en CAN; destinos preferidos: CAN.",
            "Disponibilidad (100 %): disponible desde el 1 de marzo de 2027; el "
            "trabajo empieza el 1 de abril de 2027.",
            "Elegibilidad (",
            "Ocupación (60 %): CIUO del trabajador 9212, CIUO de la oferta 9211 — "
            "grupo relacionado (puntaje parcial).",
        ):
            assert line in html, line
        for english in ("Occupation (", "Skills (", "Availability (", "2027-03-01"):
            assert english not in html

    def test_haitian_creole_match_explanations_with_their_values(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        for url in (
            f"/pathways/offers/{offer.id}",
            f"/pathways/offers/{offer.id}/matches",
        ):
            html = _get(client, login_as, "employer.can", url, "ht")
            for line in (
                "Okipasyon (100%): ISCO travayè a 9211, ISCO òf la 9211 — menm gwoup "
                "de baz.",
                "Konpetans (100%): travayè a gen 2 nan 2 konpetans òf la mande yo.",
                "Lang (100%): yo mande español B1; nivo travayè a: lang manman.",
                "Disponiblite (100%): disponib apati 1 mas 2027; travay la kòmanse 1 "
                "avril 2027.",
                "Okipasyon (60%): ISCO travayè a 9212, ISCO òf la 9211 — gwoup ki "
                "pwòch (yon pati nan nòt la).",
            ):
                assert line in html, (url, line)
            assert "Occupation (" not in html
            assert "the worker has" not in html


class TestTotalisationPage:
    def test_portuguese_steps_with_locale_numbers(
        self, client: TestClient, login_as: Login
    ) -> None:
        html = _post_totalisation(client, login_as, "pt", REQUESTS[1]["periods"])
        steps = _steps(html)
        for line in (
            "Períodos totalizados: D = 25 (A) + 13 (B) = 38 anos.",
            "A sozinho: 25 ≥ 20 anos, portanto a aposentadoria nacional é de 1.000,00.",
            "A com totalização: D = 38 ≥ 20, há direito. Valor teórico T = 1.520,00.",
            "A pro rata: P = 1.520,00 × 25/38 = 1.000,00.",
            "A paga 1.000,00 (pro rata).",
            "B sozinho: 13 &lt; 15 anos, portanto não há aposentadoria com seus "
            "próprios períodos.",
            "Total a pagar: 1.312,00 por mês",
        ):
            assert line in steps, line
        assert '<strong id="total-payable">1.312,00</strong>' in html
        assert "<strong>1.000,00</strong>" in html  # A pays, in the table
        assert "Totalised periods" not in html
        assert "1312.00" not in html

    def test_french_steps_with_locale_numbers(
        self, client: TestClient, login_as: Login
    ) -> None:
        periods = [
            {**p, "scheme": {k: v for k, v in p["scheme"].items() if k != "max_rate"}}
            for p in REQUESTS[3]["periods"]
        ]
        steps = _steps(_post_totalisation(client, login_as, "fr", periods))
        for line in (
            "Périodes totalisées : D = 12,25 (ESP) + 10 (COL) = 22,25 ans.",
            "ESP seul : 12,25 &lt; 15 ans, donc pas de pension sur ses seules "
            "périodes.",
            "ESP avec totalisation : D = 22,25 ≥ 15, droit ouvert. Montant théorique "
            "T = 824,03.",
            "ESP au prorata : P = 824,03 × 12,25/22,25 = 453,68.",
            "COL verse 211,35 (au prorata).",
            "Total à verser : 665,03 par mois",
        ):
            assert line in steps, line
        thousands = _steps(
            _post_totalisation(client, login_as, "fr", REQUESTS[1]["periods"])
        )
        assert "A verse 1 000,00 (au prorata)." in thousands
        assert "pays" not in steps


class TestSavedTotalisation:
    def _saved(self, session: Session, *, legacy: bool) -> uuid.UUID:
        saved = service.save_totalisation(
            session,
            actor=actor(session, "pathways.col"),
            request=TotalisationRequest.model_validate(REQUESTS[0]),
        )
        if legacy:  # as kept before steps carried their messages
            row = session.get(SavedTotalisation, saved.id)
            assert row is not None
            result = dict(row.result)
            del result["explanation_messages"]
            row.result = result
        session.commit()
        return saved.id

    def test_a_computation_saved_before_the_messages_still_shows(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        legacy = self._saved(session, legacy=True)
        stored = session.get(SavedTotalisation, legacy)
        assert stored is not None
        assert "explanation_messages" not in stored.result
        html = _get(
            client,
            login_as,
            "pathways.col",
            f"/pathways/totalisation/saved/{legacy}",
            "fr",
        )
        steps = _steps(html)
        assert "Totalised periods: D = 9 (A) + 13 (B) = 22 years." in steps
        assert "A pro-rata: P = 880.00 × 9/22 = 360.00." in steps
        assert "Étape par étape" in html
        assert '<strong id="total-payable">672,00</strong>' in html
        listed = _get(
            client, login_as, "pathways.col", "/pathways/totalisation/saved", "fr"
        )
        assert f'data-id="{legacy}"' in listed

    def test_a_computation_saved_now_shows_in_french(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        saved = self._saved(session, legacy=False)
        html = _get(
            client,
            login_as,
            "pathways.col",
            f"/pathways/totalisation/saved/{saved}",
            "fr",
        )
        steps = _steps(html)
        assert "Périodes totalisées : D = 9 (A) + 13 (B) = 22 ans." in steps
        assert "A au prorata : P = 880,00 × 9/22 = 360,00." in steps
        assert "Totalised periods" not in steps
