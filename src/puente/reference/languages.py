"""Languages a person speaks or a contract is written in (ISO 639-1), named in the
reader's language by Babel (CLDR). CLDR has few Haitian Creole language names: a
name it lacks is shown in French."""

from __future__ import annotations

from functools import cache
from typing import Final

from babel import Locale, UnknownLocaleError

from puente.core import i18n
from puente.reference.occupations import fold

# The languages of the endorsing states, their main migrant groups and the common
# languages of international recruitment.
LANGUAGE_CODES: Final = (
    "en", "es", "pt", "fr", "ht", "nl", "qu", "ay", "gn", "ar", "zh", "hi", "bn",
    "ur", "ru", "uk", "tr", "fa", "ps", "so", "am", "ti", "wo", "ln", "sw", "vi",
    "tl", "ko", "ja", "de", "it", "pap", "srn", "jam", "kea", "yo", "ha",
)  # fmt: skip


@cache
def _names(locale: str) -> dict[str, str]:
    try:
        names = dict(Locale.parse(locale).languages)
    except (UnknownLocaleError, ValueError):
        names = {}
    if locale != "fr":
        french = _names("fr")
        names = {**french, **names} if locale == "ht" else names
    return names


def is_known_language(code: str) -> bool:
    return code in LANGUAGE_CODES


def language_name(code: str, locale: str | None = None) -> str:
    wanted = (locale or i18n.get_locale()).split("-")[0]
    return _names(wanted).get(code) or _names("en").get(code) or code


def language_options(locale: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in `locale`."""
    pairs = [(code, language_name(code, locale)) for code in LANGUAGE_CODES]
    return sorted(pairs, key=lambda pair: fold(pair[1]))


def search_languages(query: str, locale: str | None = None) -> list[tuple[str, str]]:
    """Languages whose name in `locale` or in English holds every typed word."""
    words = fold(query).split()
    found = []
    for code, name in language_options(locale):
        haystack = fold(name) + " " + fold(language_name(code, "en"))
        if all(word in haystack for word in words):
            found.append((code, name))
    return found
