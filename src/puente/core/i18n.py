"""Translations (gettext catalogs via Babel) and locale negotiation.

Catalogs live in `puente/locale/<lang>/LC_MESSAGES/messages.po`; they are compiled in
memory at first use, so no binary `.mo` file can go stale. Locale order: the user's
choice, then `Accept-Language`, then the default.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALES: tuple[str, ...] = ("en", "es", "pt", "fr", "ht")
LOCALE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "ht": "Kreyòl ayisyen",
}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default="en")


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> contextvars.Token[str]:
    return _current.set(locale if locale in LOCALES else "en")


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = set_locale(locale)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: Any) -> str:
    text = translations(get_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def lazy_gettext(message: str, **params: Any) -> LazyProxy:
    return LazyProxy(gettext, message, **params, enable_cache=False)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def negotiate(accept_language: str | None, choice: str | None, default: str) -> str:
    """Pick the locale: explicit choice, then Accept-Language, then the default."""
    if choice in LOCALES:
        return str(choice)
    if accept_language:
        weighted: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            piece = part.strip()
            if not piece:
                continue
            lang, _sep, params = piece.partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            weighted.append((quality, lang.strip().lower().split("-")[0]))
        for _quality, lang in sorted(weighted, key=lambda item: -item[0]):
            if lang in LOCALES:
                return lang
    return default
