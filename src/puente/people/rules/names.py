"""Name normalisation for search and duplicate detection.

Three levels, each built on the one before:

- `fold()`: case, accents and punctuation removed ("Muñoz-Pérez" -> "munoz perez").
- `canonical_token()`: one spelling for the variants that Spanish, Portuguese,
  French and Haitian Creole write differently for the same sound (ph/f, k/c/qu,
  y/i, ou/u, nh/ñ, lh/ll, ç, z/s, v/b, silent h, Jean/Jan). Used for
  Jaro-Winkler comparison.
- `phonetic_key()`: a coarse consonant skeleton of the canonical spelling, for
  blocking (candidate selection in SQL), never for deciding.

Particles (de, del, de la, da, dos, van ...) and the conjunctions joining two
surnames ("y", "e") are dropped; hyphenated and double surnames become tokens.

Partial birth dates live in `birth_dates` and are re-exported here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import combinations
from typing import Any

from puente.people.rules.birth_dates import (
    DateCompatibility,
    DatePrecision,
    InvalidPartialDate,
    PartialDate,
    compare_birth_dates,
    parse_partial_date,
)

__all__ = [
    "PARTICLES",
    "DateCompatibility",
    "DatePrecision",
    "InvalidPartialDate",
    "NormalisedName",
    "PartialDate",
    "canonical_token",
    "compare_birth_dates",
    "fold",
    "name_tokens",
    "name_variants",
    "normalise_name",
    "parse_partial_date",
    "phonetic_key",
]


def _tables() -> dict[str, Any]:
    """The name tables in `people/data/names.json` (see its README)."""
    resource = resources.files("puente.people").joinpath("data", "names.json")
    tables: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return tables


_TABLES = _tables()
# Particles and conjunctions in family and given names of the region. Dropped for
# matching only; the name as given is always kept by the caller.
PARTICLES: frozenset[str] = frozenset(_TABLES["particles"])
# Whole-token spellings that rules cannot reach (French <-> Creole given names).
# The right-hand side still goes through `_SPELLING_RULES`.
_TOKEN_ALIASES: dict[str, str] = dict(_TABLES["token_aliases"])

_NON_LETTER = re.compile(r"[^0-9a-z]+")

# Applied in order to a folded token.
_SPELLING_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        ("nh", "n"),  # Portuguese nh = Spanish ñ, folded to n (keyboards lose ñ)
        ("lh", "l"),
        ("ll", "l"),
        ("ph", "f"),
        ("th", "t"),
        ("sch", "x"),
        ("ch", "x"),
        ("sh", "x"),
        ("qu(?=[ei])", "k"),
        ("qu", "k"),
        ("gu(?=[ei])", "g"),
        ("ck", "k"),
        ("c(?=[eiy])", "s"),
        ("c", "k"),
        ("z", "s"),
        ("v", "b"),
        ("w", "u"),
        ("y", "i"),
        ("eau", "o"),
        ("au", "o"),
        ("ou", "u"),
        ("oi", "ua"),
        ("h", ""),  # silent in es/pt/fr/ht once the digraphs above are gone
        ("(.)\\1+", "\\1"),  # doubled letters
        ("(?<=...)e$", ""),  # silent final e of French spellings (Marie/Mari)
    )
)

_VOWELS = frozenset("aeiou")


def fold(text: str) -> str:
    """Case, accents and punctuation removed; words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ß", "ss").replace("æ", "ae").replace("ø", "o")
    return " ".join(_NON_LETTER.split(stripped)).strip()


# Names repeat a great deal (Zipf), so the pure functions below are memoised:
# search scores hundreds of candidates per query and must not re-run the regexes.
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_CACHE_SIZE)
def name_tokens(name: str) -> tuple[str, ...]:
    """Folded words of a name without particles ("de la Cruz y Pérez" -> cruz, perez).

    A name made only of particles ("De") keeps them, so nothing becomes empty.
    """
    words = tuple(word for word in fold(name).split(" ") if word)
    kept = tuple(word for word in words if word not in PARTICLES)
    return kept or words


@lru_cache(maxsize=_CACHE_SIZE)
def canonical_token(token: str) -> str:
    """One spelling for a folded or raw word across es/pt/fr/ht orthographies."""
    # ç sounds s; fold() would turn it into c, which sounds k before a, o, u.
    cedilla_as_s = unicodedata.normalize("NFC", token).casefold().replace("ç", "s")
    word = _NON_LETTER.sub("", fold(cedilla_as_s))
    word = _TOKEN_ALIASES.get(word, word)
    for pattern, replacement in _SPELLING_RULES:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=_CACHE_SIZE)
def phonetic_key(token: str) -> str:
    """Blocking key: first sound plus consonant skeleton of the canonical spelling.

    Coarse on purpose (Jozèf, Joseph and José share "jsf"/"js"); a candidate found
    by this key is then scored by `matching.compare_persons`.
    """
    word = canonical_token(token)
    if not word:
        return ""
    head, tail = word[0], word[1:]
    skeleton = head + "".join(ch for ch in tail if ch not in _VOWELS)
    skeleton = re.sub(r"(.)\1+", r"\1", skeleton)
    if len(skeleton) > 2 and skeleton.endswith("s"):
        skeleton = skeleton[:-1]  # final s is silent in French and Creole spellings
    return skeleton


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """A person's name prepared for search: canonical tokens and phonetic keys."""

    given: tuple[str, ...]
    family: tuple[str, ...]

    @property
    def full(self) -> str:
        return " ".join(self.given + self.family)

    @property
    def given_keys(self) -> tuple[str, ...]:
        return tuple(phonetic_key(token) for token in self.given)

    @property
    def family_keys(self) -> tuple[str, ...]:
        return tuple(phonetic_key(token) for token in self.family)

    @property
    def blocking_keys(self) -> frozenset[str]:
        """Keys a search index stores: each surname key with the first given key."""
        first_given = self.given_keys[0] if self.given else ""
        keys = {f"{first_given}|{key}" for key in self.family_keys}
        keys |= {f"|{key}" for key in self.family_keys}
        return frozenset(keys)


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_name(given_name: str, family_name: str) -> NormalisedName:
    """Canonical tokens of the given and family names, particles dropped."""
    return NormalisedName(
        given=tuple(canonical_token(token) for token in name_tokens(given_name)),
        family=tuple(canonical_token(token) for token in name_tokens(family_name)),
    )


def name_variants(given_name: str, family_name: str) -> frozenset[str]:
    """Spellings of a full name a search should try.

    Covers one or both surnames (the second one is often dropped abroad), the
    surnames in either order, the first given name alone, and given and family
    names swapped (a frequent registration error).
    """
    name = normalise_name(given_name, family_name)
    if not name.family:
        return frozenset({name.full}) if name.full else frozenset()
    given_options = {name.given, name.given[:1]} if name.given else {()}
    family_options: set[tuple[str, ...]] = {name.family, name.family[::-1]}
    family_options |= {
        subset
        for size in range(1, len(name.family))
        for subset in combinations(name.family, size)
    }
    variants = {" ".join(g + f) for g in given_options for f in family_options}
    variants |= {" ".join(f + g) for g in given_options for f in family_options}
    return frozenset(variant for variant in variants if variant)
