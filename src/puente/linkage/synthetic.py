"""A synthetic Latin-American registry with injected duplicates, for tests and
benchmarks (research/04 §3.4): Spanish, Portuguese, French and Haitian Creole
names (Zipf-weighted), double surnames, and the corruptions seen at borders —
accents lost, typos, transliteration, a surname dropped or the two swapped,
given and family names swapped, day and month swapped, only the year known, a
year off by one, missing values. Seeded: the same arguments give the same rows.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

_NAMES = Path(__file__).resolve().parent / "data" / "names.csv"
# Share of persons by origin and the name pools each draws from.
_ORIGINS: tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    ("VEN", 0.30, ("es",), ("es",)),
    ("COL", 0.25, ("es",), ("es",)),
    ("PER", 0.12, ("es",), ("es",)),
    ("ECU", 0.08, ("es",), ("es",)),
    ("BRA", 0.15, ("pt",), ("pt",)),
    ("HTI", 0.10, ("ht", "fr"), ("ht", "fr")),
)
_TRANSLITERATIONS = (
    ("y", "i"), ("i", "y"), ("v", "b"), ("b", "v"), ("z", "s"), ("s", "z"),
    ("ll", "y"), ("h", ""), ("j", "y"), ("c", "k"), ("k", "c"), ("w", "gu"),
    ("ph", "f"), ("ou", "u"),
)  # fmt: skip
_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


@dataclass(frozen=True, slots=True)
class Corruption:
    """Probabilities of each corruption on an injected duplicate."""

    strip_accents: float = 0.35
    typo_given: float = 0.20
    typo_surname: float = 0.20
    drop_surname2: float = 0.25
    swap_surnames: float = 0.05
    drop_given2: float = 0.25
    transliterate_given: float = 0.10
    transliterate_surname: float = 0.10
    swap_names: float = 0.03
    swap_day_month: float = 0.05
    year_only: float = 0.10
    year_off: float = 0.05
    birth_missing: float = 0.05
    sex_missing: float = 0.03


@cache
def _pools() -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    found: dict[tuple[str, str], list[str]] = {}
    with _NAMES.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            found.setdefault((row["group"], row["kind"]), []).append(row["name"])
    pools = {}
    for key, names in found.items():
        order = np.random.default_rng(len(names)).permutation(len(names))
        weights = 1.0 / (np.arange(len(names)) + 1.0) ** 0.9  # Zipf-like
        pools[key] = (np.asarray(names, dtype=object)[order], weights / weights.sum())
    return pools


def _draw(
    rng: np.random.Generator, groups: tuple[str, ...], kind: str, count: int
) -> np.ndarray:
    pools = _pools()
    names = np.concatenate([pools[(g, kind)][0] for g in groups])
    weights = np.concatenate([pools[(g, kind)][1] / len(groups) for g in groups])
    return rng.choice(names, size=count, p=weights / weights.sum())


def _strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _typo(rng: np.random.Generator, text: str) -> str:
    if len(text) < 3:
        return text
    at = int(rng.integers(1, len(text)))
    kind = int(rng.integers(0, 4))
    letter = str(rng.choice(_LETTERS))
    if kind == 0:  # substitute
        return text[:at] + letter + text[at + 1 :]
    if kind == 1:  # insert
        return text[:at] + letter + text[at:]
    if kind == 2:  # delete
        return text[:at] + text[at + 1 :]
    return text[: at - 1] + text[at] + text[at - 1] + text[at + 1 :]  # transpose


def _transliterate(rng: np.random.Generator, text: str) -> str:
    lowered = text.lower()
    options = [pair for pair in _TRANSLITERATIONS if pair[0] in lowered]
    if not options:
        return text
    old, new = options[int(rng.integers(0, len(options)))]
    at = lowered.index(old)
    replaced = lowered[:at] + new + lowered[at + len(old) :]
    return replaced.capitalize() if text[:1].isupper() else replaced


def generate_registry(
    records: int, *, seed: int = 2026, corruption: Corruption | None = None
) -> pd.DataFrame:
    """`records` rows: 75 % distinct persons, 25 % duplicates of random persons.

    Columns: record_id, person_id (the truth), given_name, surname1, surname2,
    sex, birth_date (YYYY-MM-DD, or YYYY when only the year is known),
    birth_country.
    """
    corruption = corruption or Corruption()
    rng = np.random.default_rng(seed)
    persons = int(records * 0.75)
    shares = np.array([o[1] for o in _ORIGINS])
    origin = rng.choice(len(_ORIGINS), size=persons, p=shares / shares.sum())
    sex = rng.choice(np.array(["F", "M"]), size=persons)
    given1 = np.empty(persons, dtype=object)
    given2 = np.full(persons, "", dtype=object)
    surname1 = np.empty(persons, dtype=object)
    surname2 = np.full(persons, "", dtype=object)
    for index, (_code, _share, given_groups, family_groups) in enumerate(_ORIGINS):
        for value in ("F", "M"):
            rows = np.flatnonzero((origin == index) & (sex == value))
            kind = "given_female" if value == "F" else "given_male"
            given1[rows] = _draw(rng, given_groups, kind, len(rows))
            second = rows[rng.random(len(rows)) < 0.45]
            given2[second] = _draw(rng, given_groups, kind, len(second))
        rows = np.flatnonzero(origin == index)
        surname1[rows] = _draw(rng, family_groups, "family", len(rows))
        double = 0.05 if _ORIGINS[index][0] == "HTI" else 0.90
        second = rows[rng.random(len(rows)) < double]
        surname2[second] = _draw(rng, family_groups, "family", len(second))
    year = rng.integers(1945, 2024, persons)
    month = rng.integers(1, 13, persons)
    day = rng.integers(1, 29, persons)
    country = np.array([o[0] for o in _ORIGINS], dtype=object)[origin]

    duplicates = records - persons
    source = np.concatenate([np.arange(persons), rng.integers(0, persons, duplicates)])
    frame = pd.DataFrame(
        {
            "record_id": [f"r{i:07d}" for i in range(records)],
            "person_id": [f"p{i:07d}" for i in source],
            "given_name": [
                f"{a} {b}".strip()
                for a, b in zip(given1[source], given2[source], strict=True)
            ],
            "surname1": surname1[source],
            "surname2": surname2[source],
            "sex": sex[source].astype(object),
            "birth_date": [
                f"{y:04d}-{m:02d}-{d:02d}"
                for y, m, d in zip(
                    year[source], month[source], day[source], strict=True
                )
            ],
            "birth_country": country[source],
        }
    )
    _corrupt(frame, persons, rng, corruption)
    order = rng.permutation(records)  # duplicates are not all at the end
    return frame.iloc[order].reset_index(drop=True)


def _corrupt(
    frame: pd.DataFrame, start: int, rng: np.random.Generator, c: Corruption
) -> None:
    rows = np.arange(start, len(frame))

    def chosen(probability: float) -> np.ndarray:
        return rows[rng.random(len(rows)) < probability]

    given = frame["given_name"].to_numpy(dtype=object)
    s1 = frame["surname1"].to_numpy(dtype=object)
    s2 = frame["surname2"].to_numpy(dtype=object)
    for i in chosen(c.drop_given2):
        given[i] = given[i].split(" ")[0]
    for i in chosen(c.drop_surname2):
        s2[i] = ""
    for i in chosen(c.swap_surnames):
        if s2[i]:
            s1[i], s2[i] = s2[i], s1[i]
    for i in chosen(c.transliterate_given):
        given[i] = _transliterate(rng, given[i])
    for i in chosen(c.transliterate_surname):
        s1[i] = _transliterate(rng, s1[i])
    for i in chosen(c.typo_given):
        given[i] = _typo(rng, given[i])
    for i in chosen(c.typo_surname):
        s1[i] = _typo(rng, s1[i])
    for i in chosen(c.strip_accents):
        given[i], s1[i], s2[i] = _strip(given[i]), _strip(s1[i]), _strip(s2[i])
    for i in chosen(c.swap_names):
        given[i], s1[i], s2[i] = s1[i], given[i], ""
    birth = frame["birth_date"].to_numpy(dtype=object)
    for i in chosen(c.swap_day_month):
        y, m, d = birth[i].split("-")
        if int(d) <= 12:
            birth[i] = f"{y}-{d}-{m}"
    for i in chosen(c.year_off):
        y, rest = birth[i][:4], birth[i][4:]
        birth[i] = f"{int(y) + (1 if rng.random() < 0.5 else -1):04d}{rest}"
    for i in chosen(c.year_only):
        birth[i] = birth[i][:4]
    for i in chosen(c.birth_missing):
        birth[i] = ""
    sex = frame["sex"].to_numpy(dtype=object)
    for i in chosen(c.sex_missing):
        sex[i] = ""
    frame["given_name"] = given
    frame["surname1"] = s1
    frame["surname2"] = s2
    frame["birth_date"] = birth
    frame["sex"] = sex
