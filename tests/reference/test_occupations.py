"""ISCO-08 major groups are words from the gettext catalogues, in five
languages, like every other label (issue #10: no inline five-language dicts)."""

from __future__ import annotations

import pytest

from puente.core import i18n
from puente.reference.occupations import MAJOR_GROUPS, find_occupation

GROUP_OF_9111 = {  # Domestic cleaners and helpers: major group 9
    "en": "Elementary occupations",
    "es": "Ocupaciones elementales",
    "pt": "Trabalhadores não qualificados",
    "fr": "Professions élémentaires",
    "ht": "Travay senp",
}


@pytest.mark.parametrize("locale", sorted(GROUP_OF_9111))
def test_the_major_group_is_worded_in_each_language(locale: str) -> None:
    occupation = find_occupation("9111")
    assert occupation is not None
    assert occupation.group(locale) == GROUP_OF_9111[locale]
    with i18n.use_locale(locale):
        assert occupation.group() == GROUP_OF_9111[locale]


def test_an_unknown_language_falls_back_to_english() -> None:
    occupation = find_occupation("9111")
    assert occupation is not None
    assert occupation.group("de") == "Elementary occupations"


@pytest.mark.parametrize("locale", ["es", "pt", "fr", "ht"])
def test_every_major_group_has_a_translation(locale: str) -> None:
    catalogue = i18n.translations(locale)
    for code, msgid in MAJOR_GROUPS.items():
        assert catalogue.gettext(msgid) != msgid, (locale, code)
