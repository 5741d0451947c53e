from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from puente.pathways.errors import CatalogueError, SignatureRejected
from puente.pathways.rules.catalogue import (
    LAD_STATES,
    Pathway,
    PathwayKind,
    VerifiedCatalogue,
    parse_pathway,
)
from puente.pathways.service import publications
from puente.pathways.service.publications import (
    CATALOGUE_PATH,
    build_catalogue,
    load_public_keys,
    read_sources,
    sign_catalogue,
    verify_catalogue,
)


def seeded_pathways() -> list[Pathway]:
    return [p for source in read_sources() for p in source.pathways]


@pytest.fixture(scope="module")
def keys() -> dict[str, Ed25519PrivateKey]:
    return {state: Ed25519PrivateKey.generate() for state in LAD_STATES}


@pytest.fixture(scope="module")
def document(keys: dict[str, Ed25519PrivateKey]) -> dict[str, object]:
    return build_catalogue(read_sources(), keys)


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

    def test_shipped_file_equals_a_fresh_build_of_the_state_files(self) -> None:
        sources = read_sources()
        keys = publications.generate_demo_keys(
            publications.DEMO_KEYS_DIR, [s.state for s in sources]
        )
        fresh = publications.catalogue_text(build_catalogue(sources, keys))
        assert fresh == CATALOGUE_PATH.read_text(encoding="utf-8")

    def test_one_file_per_state_each_with_its_sources(self) -> None:
        sources = read_sources()
        names = sorted(p.name for p in publications.SOURCE_DIR.glob("*.json"))
        assert names == sorted(f"{s.state}.json" for s in sources)
        assert all(p.state == s.state for s in sources for p in s.pathways)
        assert all(
            p.source_url.startswith("https://") for s in sources for p in s.pathways
        )

    def test_programme_law_is_signed_catalogue_data(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        h2a = catalogue.by_id()["usa-h2a"].programme
        assert h2a is not None
        assert h2a.pay_times_per_month == 2
        assert h2a.hours_guarantee_ratio == Decimal("0.75")
        assert h2a.free_housing
        assert h2a.labour_market_test
        assert catalogue.minimum_wages["USA"].hourly == Decimal("7.25")
        assert catalogue.minimum_wages["USA"].currency == "USD"

    def test_a_changed_minimum_wage_breaks_the_signature(self) -> None:
        document = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
        usa = next(p for p in document["publications"] if p["state"] == "USA")
        usa["minimum_wage"]["hourly"] = "1.00"
        with pytest.raises(SignatureRejected, match="manifest"):
            verify_catalogue(document, load_public_keys())
        usa["manifest"]["minimum_wage"]["hourly"] = "1.00"
        with pytest.raises(SignatureRejected, match="signature"):
            verify_catalogue(document, load_public_keys())

    def test_a_state_file_naming_an_unknown_document_is_refused(
        self, tmp_path: Path
    ) -> None:
        raw = json.loads((publications.SOURCE_DIR / "COL.json").read_text("utf-8"))
        raw["pathways"][0]["documents"] = ["birth_certificate_of_the_moon"]
        (tmp_path / "COL.json").write_text(json.dumps(raw), encoding="utf-8")
        with pytest.raises(CatalogueError, match=r"COL\.json: pathway col-etpv"):
            read_sources(tmp_path)

    def test_a_state_file_must_be_named_after_its_state(self, tmp_path: Path) -> None:
        raw = (publications.SOURCE_DIR / "COL.json").read_text("utf-8")
        (tmp_path / "PER.json").write_text(raw, encoding="utf-8")
        with pytest.raises(CatalogueError, match="state must be PER"):
            read_sources(tmp_path)

    def test_the_old_signing_entry_point_still_signs_per_state(
        self, keys: dict[str, Ed25519PrivateKey]
    ) -> None:
        document = sign_catalogue(
            seeded_pathways(), keys, version="t1", published_on=date(2026, 1, 1)
        )
        verified = verify_catalogue(document, _public(keys))  # type: ignore[arg-type]
        assert set(verified.versions.values()) == {"t1"}


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
