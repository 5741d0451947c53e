"""The one country table: every code that shipped data uses has a name in each of the
five languages; codes agree with CLDR; pickers list names, sorted for the reader."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.core import get_global

from puente import reference
from puente.core import i18n
from puente.demo import ENDORSERS
from puente.reference import (
    ENDORSING_STATES,
    LOCALES,
    CodeKind,
    CountryNotFound,
    country_name,
    country_options,
    find_country,
    get_country,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "puente"
# Columns and keys that hold a country (or nationality) code in shipped data.
CSV_COLUMNS = frozenset({"nat", "geo", "origin", "iso3", "nationality"})
JSON_KEYS = frozenset(
    {
        "state",
        "states",
        "destinations",
        "reporting_state",
        "country",
        "nationality",
        "nationalities",
        "iso3",
    }
)
CEL_CODE = re.compile(r"\"([A-Z]{3})\"")
NOT_COUNTRIES = frozenset({"HUB"})  # the regional hub is a tenant, not a country


def _json_codes(value: Any, key: str | None = None) -> Iterator[str]:
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _json_codes(child, child_key)
    elif isinstance(value, list):
        for item in value:
            yield from _json_codes(item, key)
    elif isinstance(value, str):
        if key in JSON_KEYS or key == "tenant":
            if re.fullmatch(r"[A-Z]{3}", value) and value not in NOT_COUNTRIES:
                yield value
        elif key == "cel":
            # Country facts are ISO alpha-3 strings (pathways/rules/facts.py).
            yield from CEL_CODE.findall(value)


def shipped_codes() -> dict[str, set[str]]:
    """Every country code in the data files under src/ -> the files that use it."""
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*")):
        if "vendor" in path.parts or "reference" in path.parts:
            continue
        codes: set[str] = set()
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    codes.update(
                        value
                        for column, value in row.items()
                        if column in CSV_COLUMNS and value
                    )
        elif path.suffix == ".json" or path.name.endswith(".geo.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            codes.update(_json_codes(data))
            if path.name.endswith(".geo.json"):
                codes.update(feature["id"] for feature in data["features"])
        for code in codes:
            found.setdefault(code, set()).add(str(path.relative_to(SRC)))
    return found


class TestShippedData:
    def test_the_scan_finds_the_data_it_must_cover(self) -> None:
        codes = shipped_codes()
        # Flow nationalities, catalogue states and CEL literals, map features.
        assert {"VEN", "AFG", "STL", "OOO", "XKX"} <= set(codes)
        assert "pathways/data/catalogue.json" in codes["KNA"]
        assert "web/static/geo/americas.geo.json" in codes["FLK"]
        assert len(codes) > 200

    def test_every_code_in_shipped_data_has_a_name_in_every_language(self) -> None:
        missing = []
        for code, files in sorted(shipped_codes().items()):
            country = find_country(code)
            if country is None:
                missing.append(f"{code} (in {', '.join(sorted(files))})")
                continue
            for locale in LOCALES:
                name = country.name(locale)
                if not name.strip() or name == code:
                    missing.append(f"{code} has no {locale} name")
        assert missing == []

    def test_the_endorsing_states_are_the_demo_tenants(self) -> None:
        assert tuple(ENDORSERS) == ENDORSING_STATES
        assert len(set(ENDORSING_STATES)) == 20
        assert all(get_country(code).is_americas for code in ENDORSING_STATES)
        assert ENDORSERS["USA"] == "United States"
        assert ENDORSERS["BRB"] == "Barbados"


class TestTable:
    def test_iso_rows_are_the_249_assigned_codes_and_agree_with_cldr(self) -> None:
        aliases = get_global("territory_aliases")
        iso = [c for c in reference.all_countries() if c.kind is CodeKind.ISO]
        assert len(iso) == 249
        wrong = [c.alpha3 for c in iso if aliases.get(c.alpha3) != [c.alpha2]]
        assert wrong == []

    def test_the_americas_are_un_m49_region_019(self) -> None:
        codes = {c.alpha3 for c in reference.americas()}
        assert len(codes) == 57
        assert {"BHS", "FLK", "GRL", "PRI", "HTI", "CAN", "ARG"} <= codes
        assert not codes & {"ESP", "FRA", "PRT", "STL"}

    def test_names_follow_the_locale(self) -> None:
        assert country_name("BHS", "en") == "Bahamas"  # one name, not two
        assert country_name("USA", "es") == "Estados Unidos"
        assert country_name("BRA", "pt") == "Brasil"
        assert country_name("HTI", "fr") == "Haïti"
        assert country_name("HTI", "ht") == "Ayiti"
        with i18n.use_locale("es"):
            assert country_name("MEX") == "México"
        assert country_name("col") == country_name("CO") == "Colombia"

    def test_creole_falls_back_to_french_and_says_so(self) -> None:
        aruba = get_country("ABW")
        assert aruba.ht_is_french
        assert aruba.name("ht") == aruba.name("fr")
        ayiti = get_country("HTI")
        assert not ayiti.ht_is_french
        assert ayiti.ht_source == "puente"
        fallbacks = [c for c in reference.all_countries() if c.ht_is_french]
        assert all(c.ht_source == "fr" for c in fallbacks)
        # Every state of the Declaration has its own Creole name.
        assert not any(get_country(code).ht_is_french for code in ENDORSING_STATES)

    def test_codes_outside_iso_have_their_own_names(self) -> None:
        stateless = get_country("XXA")
        assert stateless.kind is CodeKind.ICAO
        assert stateless.alpha2 is None
        assert country_name("STL", "es") == "Apátrida"

    def test_an_unknown_code_is_not_found(self) -> None:
        assert find_country("ZZZ") is None
        with pytest.raises(CountryNotFound):
            country_name("ZZZ")


class TestOptions:
    def test_options_are_sorted_by_the_name_people_read(self) -> None:
        options = country_options("fr")
        names = [name for _code, name in options]
        assert len(options) == 249
        # Accents sort with their letter: "Égypte" before "Espagne".
        assert names.index("Égypte") < names.index("Espagne")
        assert ("XXA", "Personne apatride") not in options

    def test_options_for_chosen_codes(self) -> None:
        assert country_options("es", ["USA", "BRA", "ARG"]) == [
            ("ARG", "Argentina"),
            ("BRA", "Brasil"),
            ("USA", "Estados Unidos"),
        ]
        with pytest.raises(CountryNotFound):
            country_options("es", ["USA", "QQQ"])
