"""Reading and preparing the records to link: CSV or Parquet in, one tidy frame out.

Recognised columns (anything else is ignored, so an SSN column left in a file is
never compared): `given_name`; `surname`, or `surname1`/`surname2`; `sex`;
`birth_date` or `dob` (YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD); `birth_country`;
`address`; `postcode`. FEBRL's own location columns (`street_number`,
`address_1`, `address_2`, `suburb`, `state`) are read too when present.

`prepare()` turns raw values into comparison columns with a `NameRules`
implementation: the people module's (accents, particles, double surnames,
es/pt/fr/ht spellings) in Puente, a plain fold by default.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from puente.core.errors import InvalidInput
from puente.core.i18n import N_

ALIASES: dict[str, str] = {
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "first_name": "given_name",
    "last_name": "surname",
    "family_name": "surname",
    "country_of_birth": "birth_country",
    "zip": "postcode",
    "postal_code": "postcode",
}
FIELDS: tuple[str, ...] = (
    "given_name",
    "surname",
    "surname1",
    "surname2",
    "sex",
    "birth_date",
    "birth_country",
    "address",
    "postcode",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "state",
)
NAME_FIELDS = ("given_name", "surname", "surname1", "surname2")
_DATE = re.compile(r"^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MIN_YEAR, _MAX_YEAR = 1880, 2100


class RecordsInvalid(InvalidInput):
    """A file cannot be linked as given; the message names file, row and field."""

    message = N_("%(file)s, row %(row)s, field %(field)s: %(problem)s")


class NameRules(Protocol):
    """How names become comparable tokens and blocking keys."""

    def tokens(self, name: str) -> tuple[str, ...]:
        """Canonical tokens of a name (particles dropped, spellings unified)."""
        ...

    def phonetic(self, token: str) -> str:
        """A coarse key of one token, for blocking only."""
        ...


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, words single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_ALNUM.split(stripped)).strip()


class FoldRules:
    """The default `NameRules`: folded words and a consonant skeleton."""

    def tokens(self, name: str) -> tuple[str, ...]:
        return tuple(word for word in fold(name).split(" ") if word)

    def phonetic(self, token: str) -> str:
        if not token:
            return ""
        tail = "".join(ch for ch in token[1:] if ch not in "aeiouyhw")
        return re.sub(r"(.)\1+", r"\1", token[0] + tail)[:6]


@dataclass(frozen=True, slots=True)
class RecordSet:
    """Records of one file: ids, truth labels (may be empty) and raw fields."""

    name: str
    frame: pd.DataFrame  # columns: unique_id, truth (optional), FIELDS present

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c for c in FIELDS if c in self.frame.columns)

    def __len__(self) -> int:
        return len(self.frame)


def _problem(file: str, row: int | str, field: str, problem: str) -> RecordsInvalid:
    return RecordsInvalid(file=file, row=row, field=field, problem=problem)


def read_records(
    path: Path, *, id_column: str, truth_column: str | None = None
) -> RecordSet:
    """Read a CSV or Parquet file of persons; every value is kept as text."""
    name = path.name
    if not path.is_file():
        raise _problem(name, "-", "-", "the file does not exist")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path).astype("string")
        else:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8"
            )
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        raise _problem(
            name, "-", "-", f"cannot be read ({type(exc).__name__})"
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return records_from_frame(
        frame, name=name, id_column=id_column, truth_column=truth_column
    )


def records_from_frame(
    frame: pd.DataFrame,
    *,
    name: str,
    id_column: str,
    truth_column: str | None = None,
) -> RecordSet:
    """Validate a frame of raw values and keep the recognised columns."""
    for column in (id_column, truth_column):
        if column and column not in frame.columns:
            raise _problem(name, "header", column, "this column is missing")
    renamed = {c: ALIASES[c] for c in frame.columns if c in ALIASES}
    renamed.pop(id_column, None)
    if truth_column:
        renamed.pop(truth_column, None)
    source = frame.rename(columns=renamed)
    out = pd.DataFrame(
        {"unique_id": source[id_column].fillna("").astype(str).str.strip()}
    )
    if truth_column:
        out["truth"] = source[truth_column].fillna("").astype(str).str.strip()
    present = [f for f in FIELDS if f in source.columns and f != id_column]
    if not any(f in present for f in NAME_FIELDS):
        raise _problem(name, "header", "given_name", "no name column was found")
    for field in present:
        out[field] = source[field].fillna("").astype(str).str.strip()
    blank_ids = np.flatnonzero(out["unique_id"].to_numpy() == "")
    if blank_ids.size:
        raise _problem(name, int(blank_ids[0]) + 2, id_column, "the id is empty")
    duplicated = out["unique_id"].duplicated().to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise _problem(name, row + 2, id_column, "this id appears twice")
    if "birth_date" in out.columns:
        _check_dates(name, out["birth_date"])
    return RecordSet(name=name, frame=out.reset_index(drop=True))


def _check_dates(name: str, dates: pd.Series) -> None:
    text = dates.to_numpy(dtype=object)
    for row, value in enumerate(text):
        if value and _parse_date(value) is None and not _is_garbled(value):
            raise _problem(
                name,
                row + 2,
                "birth_date",
                "write dates as YYYY, YYYY-MM or YYYY-MM-DD",
            )


def _is_garbled(value: str) -> bool:
    # Eight digits that are not a calendar date (19560931) are a typo in the
    # source, which linkage must tolerate; anything else is a format error.
    return len(value) == 8 and value.isdigit()


def _parse_date(value: str) -> tuple[int, int | None, int | None] | None:
    match = _DATE.match(value)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return year, month, day


def _joined(tokens: Sequence[str]) -> str:
    return " ".join(tokens)


def prepare(records: RecordSet, rules: NameRules | None = None) -> pd.DataFrame:
    """Comparison columns of every record (empty strings become nulls).

    gn, gn1, gn_ph: given names, first given name, its phonetic key;
    sn, sn1, sn2, sn1_ph, sn2_ph: surnames (double surnames split);
    dob (YYYYMMDD when known to the day), b_year/b_month/b_day, dob_sorted (swap-proof);
    sex, country, addr (no spaces: typists split and join words), pc, and the
    FEBRL location columns num, addr1, suburb, state.
    """
    rules = rules or FoldRules()
    raw = records.frame
    n = len(raw)
    out = pd.DataFrame({"unique_id": raw["unique_id"].to_numpy()})
    if "truth" in raw.columns:
        out["truth"] = raw["truth"].to_numpy()

    def column(field: str) -> np.ndarray:
        if field in raw.columns:
            return np.asarray(raw[field].to_numpy(dtype=object))
        return np.full(n, "", dtype=object)

    def tokens(values: np.ndarray) -> np.ndarray:
        return _by_value(values, lambda v: rules.tokens(v) if v else ())

    given = tokens(column("given_name"))
    if "surname1" in raw.columns or "surname2" in raw.columns:
        family = _by_value(
            np.asarray(
                [
                    f"{a}\x1f{b}"
                    for a, b in zip(column("surname1"), column("surname2"), strict=True)
                ],
                dtype=object,
            ),
            lambda v: tuple(
                t for part in v.split("\x1f") if part for t in rules.tokens(part)
            ),
        )
    else:
        family = tokens(column("surname"))
    phonetic = _memo(rules.phonetic)
    out["gn"] = [_joined(t) or None for t in given]
    out["gn1"] = [t[0] if t else None for t in given]
    out["gn_ph"] = [phonetic(t[0]) or None if t else None for t in given]
    out["sn"] = [_joined(t) or None for t in family]
    out["sn1"] = [t[0] if t else None for t in family]
    out["sn2"] = [t[1] if len(t) > 1 else None for t in family]
    out["sn1_ph"] = [phonetic(t[0]) or None if t else None for t in family]
    out["sn2_ph"] = [phonetic(t[1]) or None if len(t) > 1 else None for t in family]
    dates = _by_value(column("birth_date"), _date_parts)
    out["b_year"] = pd.array([d[0] for d in dates], dtype="Int32")
    out["b_month"] = pd.array([d[1] for d in dates], dtype="Int32")
    out["b_day"] = pd.array([d[2] for d in dates], dtype="Int32")
    out["dob"] = [d[3] for d in dates]
    out["dob_sorted"] = [d[4] for d in dates]
    out["sex"] = _by_value(column("sex"), _sex)
    out["country"] = _by_value(
        column("birth_country"), lambda v: fold(v).replace(" ", "") or None
    )
    out["addr"] = _by_value(column("address"), _compact)
    out["pc"] = _by_value(column("postcode"), _compact)
    out["num"] = _by_value(column("street_number"), _compact)
    out["addr1"] = _by_value(
        np.asarray(
            [
                f"{a} {b}"
                for a, b in zip(column("address_1"), column("address_2"), strict=True)
            ],
            dtype=object,
        ),
        _compact,
    )
    out["suburb"] = _by_value(column("suburb"), _compact)
    out["state"] = _by_value(column("state"), _compact)
    return out


def _by_value(values: np.ndarray, function: Callable[[str], Any]) -> np.ndarray:
    """`function` of each value, computed once per distinct value (names repeat)."""
    codes, uniques = pd.factorize(values)
    results = np.empty(len(uniques) + 1, dtype=object)
    for index, value in enumerate(uniques):
        results[index] = function(value)
    results[-1] = function("")
    return np.asarray(results[codes])


def _memo(function: Callable[[str], str]) -> Callable[[str], str]:
    cache: dict[str, str] = {}

    def lookup(value: str) -> str:
        found = cache.get(value)
        if found is None:
            found = cache[value] = function(value)
        return found

    return lookup


_NO_DATE: tuple[None, None, None, None, None] = (None, None, None, None, None)


def _date_parts(
    value: str,
) -> tuple[int | None, int | None, int | None, str | None, str | None]:
    parsed = _parse_date(value) if value else None
    if parsed is None and value and _is_garbled(value):
        parsed = (int(value[:4]), int(value[4:6]), int(value[6:]))
    if parsed is None:
        return _NO_DATE
    year, month, day = parsed
    if month is None or day is None:
        return year, month, day, None, None
    low, high = sorted((month, day))
    return (
        year,
        month,
        day,
        f"{year:04d}{month:02d}{day:02d}",
        f"{year:04d}{low:02d}{high:02d}",
    )


def _compact(value: str) -> str | None:
    return fold(value).replace(" ", "") or None if value else None


def _sex(value: str) -> str | None:
    first = fold(value)[:1] if value else ""
    return first if first in ("f", "m", "x") else None


def used_columns(prepared: pd.DataFrame) -> frozenset[str]:
    """Comparison columns that hold at least one value."""
    return frozenset(
        c
        for c in prepared.columns
        if c not in ("unique_id", "truth") and prepared[c].notna().any()
    )
