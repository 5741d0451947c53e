"""Fair-recruitment checks in five languages: the screens translate each check's title
and reason (values filled in and formatted for the locale), while the JSON API and the
CLI keep the English `title` and `reason` (docs/pathways-offers.md)."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.pathways import service
from puente.pathways.demo import compliant_offer
from puente.pathways.models import JobOffer as OfferRow
from puente.pathways.rules import fair_recruitment
from puente.pathways.rules.fair_recruitment import CHECKS
from puente.pathways.rules.messages import TERM_LABELS
from puente.pathways.rules.offers import Attestation, JobOffer, RecruiterLicence
from puente.pathways.schemas import CheckRead, OfferRead
from puente.pathways.service import parse_offer
from puente.pathways.service.text import check_reason, check_title
from tests.pathways.helpers import actor, officer_in
from tests.pathways.helpers import check_with_law as check_offer

Login = Callable[[TestClient, str], TestClient]
LANGS = ("es", "pt", "fr", "ht")
FEE = {
    "category": "recruitment_fee",
    "amount": 500,
    "currency": "CAD",
    "paid_by": "worker",
}
ER01_EN = (
    "The worker would pay a recruitment fee (recruitment_fee 500 CAD); the "
    "employer must pay them."
)


def _catalog(lang: str) -> Catalog:
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def _translated(catalog: Catalog, msgid: str) -> bool:
    message = catalog.get(msgid)
    return message is not None and bool(message.string) and not message.fuzzy


def _offers_for_every_branch() -> list[JobOffer]:
    """Offers that between them reach every reason the checks can give."""

    def offer(**changes: object) -> JobOffer:
        data = compliant_offer("Farm", "BN 1")
        data.update(changes)
        return parse_offer(data)

    def licence(number: str, valid_to: str = "2030-01-01") -> dict[str, str]:
        return {"number": number, "authority": "MINTRAB", "valid_to": valid_to}

    contract = {"wage_hourly": 17.4, "hours_week": 40, "isco": "9211", "state": "CAN"}
    expired_test = {"type": "LMIA", "reference": "L-1", "valid_to": "2020-01-01"}
    return [
        offer(),
        offer(costs=[FEE]),
        offer(costs=[dict(FEE, category="medical")]),
        offer(deposit_required=True),
        offer(deductions=[{"type": "travel", "amount": 5, "legal_basis": "x"}]),
        offer(deductions=[{"type": "meals", "amount": 5}]),
        offer(employer_legal_id="", tasks=""),
        offer(recruitment_languages=["es", "fr"]),
        offer(contract_delivery_days_before_departure=3),
        offer(wage_floor_hourly=None),
        offer(wage_floor_hourly=30),
        offer(employer_holds_documents=True),
        offer(resignation_penalty=5),
        offer(requires_permission_to_change_employer=True),
        offer(pathway_id="usa-h2a", return_travel_paid_by="worker"),
        offer(contract=contract),
        offer(contract=dict(contract, wage_hourly=1)),
        offer(recruiter_licence="GT-42"),
        # parse_offer refuses an empty licence number; the check still words it
        dataclasses.replace(offer(), recruiter_licence=RecruiterLicence("")),
        offer(recruiter_licence=licence("GT-1", "2020-01-01")),
        offer(recruiter_licence=licence("GT-2"), iris_certified=True),
        offer(grievance_contact=""),
        offer(grievance_cost=3),
        offer(pay_method="third_party"),
        offer(pathway_id="usa-h2a", pay_frequency="monthly"),
        offer(guaranteed_hours_ratio=0.5),
        offer(pathway_id="", housing_provided=True, housing_cost_weekly=40),
        offer(housing_provided=False),
        offer(pathway_id="usa-h2b", inbound_travel_paid_by="worker"),
        offer(requirements=[{"text": "Men only"}]),
        offer(minimum_age=16),
        offer(labour_market_test=None),
        offer(labour_market_test=expired_test),
        offer(privacy_notice_url=""),
    ]


def _reason_msgids() -> set[str]:
    found: set[str] = set()
    accepted = [
        Attestation("ER-13", "officer-1", date(2027, 1, 2)),
        Attestation("ER-07", "officer-2", date(2027, 1, 3)),
    ]
    for offer in _offers_for_every_branch():
        for attestations in ((), accepted):
            result = check_offer(
                offer,
                attestations=attestations,
                today=date(2026, 11, 28),
                debarred_recruiters=["GT-2"],
            )
            found |= {m.msgid for c in result.checks for m in c.reason_messages}
    return found


def _create(session: Session, *, blocked: bool) -> OfferRead:
    data = compliant_offer("Prairie Growers Co-operative", "CRA BN 1")
    if blocked:
        data["costs"] = [*data["costs"], FEE]
    created = service.create_offer(
        session, actor=actor(session, "employer.can"), data=data
    )
    session.commit()
    return created


def _row(html: str, check: str) -> str:
    found = re.search(rf'<tr data-check="{check}"[^>]*>.*?</tr>', html, re.S)
    assert found, check
    return found.group(0)


def _page(client: TestClient, login_as: Login, offer_id: uuid.UUID, lang: str) -> str:
    login_as(client, "employer.can")
    client.cookies.set("puente_lang", lang)
    page = client.get(f"/pathways/offers/{offer_id}")
    assert page.status_code == 200
    return page.text.replace("\xa0", " ")


class TestCatalogues:
    @pytest.mark.parametrize("lang", LANGS)
    def test_every_check_title_is_translated(self, lang: str) -> None:
        catalog = _catalog(lang)
        missing = [c.id for c in CHECKS if not _translated(catalog, c.title)]
        assert missing == []

    def test_the_offers_here_reach_every_reason(self) -> None:
        tree = ast.parse(inspect.getsource(fair_recruitment))
        marked = {
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "N_"
            and isinstance(node.args[0], ast.Constant)
        }
        titles = {c.title for c in CHECKS}
        assert marked - titles - set(TERM_LABELS.values()) == _reason_msgids()

    @pytest.mark.parametrize("lang", LANGS)
    def test_every_reason_and_term_is_translated(self, lang: str) -> None:
        msgids = _reason_msgids() | set(TERM_LABELS.values())
        catalog = _catalog(lang)
        assert sorted(m for m in msgids if not _translated(catalog, m)) == []


class TestRendering:
    def test_english_reason_is_the_messages_filled_in(self) -> None:
        offer = parse_offer(dict(compliant_offer("Farm", "BN 1"), costs=[FEE]))
        er01 = next(c for c in check_offer(offer).checks if c.id == "ER-01")
        assert er01.reason == ER01_EN
        assert [m.english() for m in er01.reason_messages] == [ER01_EN]

    def test_values_are_formatted_for_the_locale(self) -> None:
        offer = parse_offer(
            dict(
                compliant_offer("Farm", "BN 1"),
                recruiter_licence="GT-42",
                guaranteed_hours_ratio=0.5,
            )
        )
        accepted = [Attestation("ER-13", "officer-1", date(2027, 1, 2))]
        by_id = {
            c.id: CheckRead.model_validate(c.to_json())
            for c in check_offer(offer, attestations=accepted).checks
        }
        assert "2027-01-02" in by_id["ER-13"].reason  # the API's English text
        with i18n.use_locale("fr"):
            assert "le 2 janvier 2027" in check_reason(by_id["ER-13"])
            assert "au moins 75\xa0% des heures" in check_reason(by_id["ER-19"])
            assert check_title("ER-19") == "Garantie d'heures"
        with i18n.use_locale("ht"):
            assert "nan dat 2 janvye 2027" in check_reason(by_id["ER-13"])
        with i18n.use_locale("es"):
            assert "al menos el 75\xa0% de las horas" in check_reason(by_id["ER-19"])

    def test_a_result_stored_without_messages_shows_its_reason(self) -> None:
        legacy = CheckRead(
            id="ER-10",
            title="No retention of identity documents",
            kind="automatic",
            result="pass",
            reason="Workers keep their own passports and identity documents.",
        )
        with i18n.use_locale("es"):
            assert check_reason(legacy) == (
                "Los trabajadores conservan sus pasaportes y documentos de identidad."
            )
            assert check_title("ER-99", "Something new") == "Something new"


class TestOfferPage:
    def test_spanish_titles_and_a_reason_with_its_amount(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _create(session, blocked=True)
        html = _page(client, login_as, offer.id, "es")
        er01 = _row(html, "ER-01")
        assert "Sin comisiones de reclutamiento pagadas por el trabajador" in er01
        assert (
            "El trabajador pagaría una comisión de reclutamiento (comisión de "
            "reclutamiento 500,00 CAD); debe pagarla el empleador." in er01
        )
        assert "Salario no inferior al mínimo aplicable" in _row(html, "ER-08")
        assert "Contrato escrito completo" in _row(html, "ER-04")
        assert "No worker-paid recruitment fees" not in html
        assert "recruitment_fee" not in er01
        assert "Bloqueada" in html

    def test_haitian_creole_titles_and_a_reason_with_its_amount(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _create(session, blocked=True)
        html = _page(client, login_as, offer.id, "ht")
        er01 = _row(html, "ER-01")
        assert "Travayè a pa peye okenn frè rekritman" in er01
        assert "Travayè a ta peye yon frè rekritman (frè rekritman" in er01
        assert "500,00" in er01
        assert "se patwon an ki pou peye l." in er01
        er08 = _row(html, "ER-08")
        assert "Salè a pa anba minimòm ki aplike a" in er08
        assert "17,40 pa èdtan an rive nan minimòm" in er08
        assert "The worker would pay" not in html

    def test_the_attestation_forms_carry_translated_titles(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _create(session, blocked=False)
        html = _page(client, login_as, offer.id, "pt")
        assert "<legend>ER-07 Sem substituição do contrato</legend>" in html
        assert "Requer uma declaração assinada com evidência e uma revisão." in (
            _row(html, "ER-07")
        )

    def test_the_api_still_gives_english(
        self, client: TestClient, token_for: Callable[[str], str], session: Session
    ) -> None:
        offer = _create(session, blocked=True)
        response = client.get(
            f"/api/v1/pathways/offers/{offer.id}",
            headers={
                "Authorization": f"Bearer {token_for('employer.can')}",
                "Accept-Language": "es",
            },
        )
        assert response.status_code == 200
        er01 = next(c for c in response.json()["checks"] if c["id"] == "ER-01")
        assert er01["title"] == "No worker-paid recruitment fees"
        assert er01["reason"] == ER01_EN
        [message] = er01["reason_messages"]
        assert message["msgid"] == (
            "The worker would pay a recruitment fee (%(costs)s); the employer must "
            "pay them."
        )
        [cost] = message["params"]["costs"]["items"]
        assert cost == {
            "kind": "money",
            "value": "500",
            "currency": "CAD",
            "term": "recruitment_fee",
        }

    def test_an_offer_checked_before_messages_existed_still_shows(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _create(session, blocked=True)
        row = session.get(OfferRow, offer.id)
        assert row is not None
        row.checks = [
            {k: v for k, v in c.items() if k != "reason_messages"} for c in row.checks
        ]
        session.commit()
        html = _page(client, login_as, offer.id, "es")
        assert ER01_EN in _row(html, "ER-01")  # English, as stored
        assert "Sin comisiones de reclutamiento" in _row(html, "ER-01")


class TestAttestationQueue:
    def test_the_reviewer_reads_the_check_in_french(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _create(session, blocked=False)
        service.record_attestation(
            session,
            actor=actor(session, "employer.can"),
            offer_id=offer.id,
            check_id="ER-07",
            evidence="The contract shown is the one signed on arrival.",
        )
        officer_in(session, "CAN")
        session.commit()
        login_as(client, "pathways.can")
        client.cookies.set("puente_lang", "fr")
        page = client.get("/pathways/attestations")
        assert page.status_code == 200
        assert "ER-07 Aucune substitution de contrat" in page.text
        assert "No contract substitution" not in page.text


class TestStatusWords:
    def test_offers_list_words_each_status(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        published = _create(session, blocked=False)
        draft = service.create_offer(
            session,
            actor=actor(session, "employer.can"),
            data=compliant_offer("Prairie Growers Co-operative", "CRA BN 1"),
            publish=False,
        )
        session.commit()
        assert (published.status, draft.status) == ("published", "draft")
        login_as(client, "employer.can")
        client.cookies.set("puente_lang", "fr")
        page = client.get("/pathways/offers")
        assert page.status_code == 200
        cells = re.findall(r'<td data-status="(\w+)">(.*?)</td>', page.text, re.S)
        words = dict(cells)
        assert "Publiée" in words["published"]
        assert "Brouillon" in words["draft"]
        assert "✔ published" not in page.text

    def test_offer_page_words_its_status(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _create(session, blocked=False)
        html = _page(client, login_as, offer.id, "ht")
        assert '<span data-status="published">Pibliye</span>' in html
