from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from puente.pathways.rules.catalogue import (
    CATALOGUE_PATH,
    LAD_STATES,
    CatalogueError,
    PathwayKind,
    SignatureRejected,
    VerifiedCatalogue,
    load_public_keys,
    parse_pathway,
    sign_catalogue,
    verify_catalogue,
)
from puente.pathways.rules.seed import seeded_pathways


@pytest.fixture(scope="module")
def keys() -> dict[str, Ed25519PrivateKey]:
    return {state: Ed25519PrivateKey.generate() for state in LAD_STATES}


@pytest.fixture(scope="module")
def document(keys: dict[str, Ed25519PrivateKey]) -> dict[str, object]:
    return sign_catalogue(
        seeded_pathways(), keys, version="t1", published_on=date(2026, 1, 1)
    )


def _public(keys: dict[str, Ed25519PrivateKey]) -> dict[str, object]:
    return {s: k.public_key() for s, k in keys.items()}


class TestSeededCatalogue:
    def test_has_at_least_twenty_real_pathways_of_endorsers(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        assert len(catalogue.pathways) >= 20
        assert {p.state for p in catalogue.pathways} <= set(LAD_STATES)
        assert {p.kind for p in catalogue.pathways} == set(PathwayKind)
        assert all(p.source_url.startswith("https://") for p in catalogue.pathways)
        assert all(p.notes and p.clauses for p in catalogue.pathways)

    def test_shipped_file_is_signed_by_the_shipped_demo_keys(self) -> None:
        document = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
        verified = verify_catalogue(document, load_public_keys())
        assert not verified.rejected

    def test_shipped_file_is_up_to_date_with_the_seed(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        assert [p.to_json() for p in catalogue.pathways] == [
            p.to_json() for p in sorted(seeded_pathways(), key=lambda p: p.state)
        ]


class TestSignatures:
    def test_round_trip(
        self, document: dict[str, object], keys: dict[str, Ed25519PrivateKey]
    ) -> None:
        verified = verify_catalogue(document, _public(keys))  # type: ignore[arg-type]
        assert len(verified.pathways) == len(seeded_pathways())

    def test_tampered_pathway_is_rejected(
        self, document: dict[str, object], keys: dict[str, Ed25519PrivateKey]
    ) -> None:
        tampered = copy.deepcopy(document)
        publication = next(p for p in tampered["publications"] if p["state"] == "COL")  # type: ignore[attr-defined]
        publication["pathways"][0]["clauses"][0]["cel"] = "true"
        with pytest.raises(SignatureRejected) as error:
            verify_catalogue(tampered, _public(keys))  # type: ignore[arg-type]
        assert error.value.state == "COL"
        lenient = verify_catalogue(tampered, _public(keys), strict=False)  # type: ignore[arg-type]
        assert [r.pathway_id for r in lenient.rejected] == ["col-etpv"]
        assert "col-etpv" not in lenient.by_id()
        assert "col-visa-m-spouse" in lenient.by_id()

    def test_wrong_key_rejects_the_whole_publication(
        self, document: dict[str, object], keys: dict[str, Ed25519PrivateKey]
    ) -> None:
        public = _public(keys)
        public["USA"] = Ed25519PrivateKey.generate().public_key()
        lenient = verify_catalogue(document, public, strict=False)  # type: ignore[arg-type]
        assert {r.state for r in lenient.rejected} == {"USA"}
        assert all(p.state != "USA" for p in lenient.pathways)

    def test_removed_pathway_is_detected(
        self, document: dict[str, object], keys: dict[str, Ed25519PrivateKey]
    ) -> None:
        tampered = copy.deepcopy(document)
        publication = next(p for p in tampered["publications"] if p["state"] == "USA")  # type: ignore[attr-defined]
        publication["pathways"].pop()
        with pytest.raises(SignatureRejected, match="removed"):
            verify_catalogue(tampered, _public(keys))  # type: ignore[arg-type]


class TestParsing:
    def test_rule_with_unknown_fact_fails_the_lint(self) -> None:
        raw = seeded_pathways()[0].to_json()
        raw["clauses"][0]["cel"] = "salary > 10"  # type: ignore[index]
        with pytest.raises(CatalogueError, match="unknown facts"):
            parse_pathway(raw)

    def test_missing_language_is_rejected(self) -> None:
        raw = seeded_pathways()[0].to_json()
        del raw["title"]["ht"]  # type: ignore[attr-defined]
        with pytest.raises(CatalogueError, match="title"):
            parse_pathway(raw)


class TestDocs:
    def test_every_fact_is_documented(self) -> None:
        from pathlib import Path

        from puente.pathways.rules.facts import FACTS

        text = (Path(__file__).parents[2] / "docs" / "pathways-facts.md").read_text()
        assert all(f"`{name}`" in text for name in FACTS)

    def test_every_check_is_documented(self) -> None:
        from pathlib import Path

        from puente.pathways.rules.fair_recruitment import CHECKS

        text = (Path(__file__).parents[2] / "docs" / "pathways-offers.md").read_text()
        assert all(f"| {c.id} |" in text for c in CHECKS)
