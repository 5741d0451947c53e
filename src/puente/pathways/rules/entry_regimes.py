"""The visa and entry matrix as data: for each nationality and each endorsing state,
the entry regime (visa-free with its stay, eVisa, visa, transit visa, humanitarian
visa, or suspended), its official source and the day it took effect.

A state publishes its regimes with its catalogue: one entry per nationality and
date (a later `valid_from` for the same nationality is a change, the earlier entry
stays as history) and a documented `default` for every nationality it does not
list. Pure: parsing, checking and answering; signing is the service's job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from puente.core.i18n import N_
from puente.pathways.errors import CatalogueError
from puente.pathways.rules.catalogue import LAD_STATES, canonical_json

REGIMES_FORMAT: Final = "puente.pathways.entry_regimes/1"


class EntryRegime(StrEnum):
    VISA_FREE = "visa_free"
    EVISA = "evisa"
    VISA = "visa"
    TRANSIT_VISA = "transit_visa"
    HUMANITARIAN_VISA = "humanitarian_visa"
    SUSPENDED = "suspended"


REGIME_LABELS: Final[Mapping[str, str]] = {
    EntryRegime.VISA_FREE.value: N_("No visa needed"),
    EntryRegime.EVISA.value: N_("Electronic visa or travel authorisation"),
    EntryRegime.VISA.value: N_("Visa needed"),
    EntryRegime.TRANSIT_VISA.value: N_("Transit visa needed"),
    EntryRegime.HUMANITARIAN_VISA.value: N_("Humanitarian visa"),
    EntryRegime.SUSPENDED.value: N_("Entry or visas suspended"),
}
"""The label of each regime, as a person reads it."""


@dataclass(frozen=True, slots=True)
class RegimeEntry:
    """The regime for nationals of `nationality` entering `destination` from
    `valid_from`. `obtainable` is false when the visa cannot be had at present
    (issuance suspended for that nationality)."""

    destination: str
    nationality: str
    regime: EntryRegime
    max_stay_days: int | None
    source_url: str
    valid_from: date
    obtainable: bool = True
    is_default: bool = False

    @property
    def source_confirmed(self) -> bool:
        """False when the source is only an office's home page, not the page that
        states the rule: a placeholder, shown as "source to be confirmed"
        (listed in `data/entry_regimes/README.md`)."""
        return urlsplit(self.source_url).path.strip("/") != ""

    @property
    def blocks_entry(self) -> bool:
        """True when a national cannot get in by this regime at present."""
        return self.regime is EntryRegime.SUSPENDED or not self.obtainable

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "nationality": self.nationality,
            "regime": self.regime.value,
            "max_stay_days": self.max_stay_days,
            "source_url": self.source_url,
            "valid_from": self.valid_from.isoformat(),
        }
        if not self.obtainable:
            data["obtainable"] = False
        return data


@dataclass(frozen=True, slots=True)
class RegimeTable:
    """One state's published regimes: its default and its listed entries."""

    state: str
    version: str
    published_on: date
    default: RegimeEntry
    note: str
    entries: tuple[RegimeEntry, ...]

    def entry_for(self, nationality: str, today: date) -> RegimeEntry:
        """The entry in force on `today` for `nationality` (own nationals enter
        freely; an unlisted nationality gets the published default)."""
        if nationality == self.state:
            return RegimeEntry(
                self.state,
                nationality,
                EntryRegime.VISA_FREE,
                None,
                self.default.source_url,
                self.default.valid_from,
                is_default=True,
            )
        found: RegimeEntry | None = None
        for entry in self.entries:
            if entry.nationality != nationality or entry.valid_from > today:
                continue
            if found is None or entry.valid_from > found.valid_from:
                found = entry
        if found is not None:
            return found
        return RegimeEntry(
            self.state,
            nationality,
            self.default.regime,
            self.default.max_stay_days,
            self.default.source_url,
            self.default.valid_from,
            self.default.obtainable,
            is_default=True,
        )

    def listed(self) -> tuple[str, ...]:
        return tuple(sorted({e.nationality for e in self.entries}))

    def to_json(self) -> dict[str, object]:
        default = self.default.to_json()
        default.pop("nationality")
        return {
            "state": self.state,
            "version": self.version,
            "published_on": self.published_on.isoformat(),
            "default": {**default, "note": self.note},
            "regimes": [e.to_json() for e in self.entries],
        }


_TABLE_KEYS: Final = frozenset(
    {"state", "version", "published_on", "default", "regimes"}
)
_ENTRY_KEYS: Final = frozenset(
    {"nationality", "regime", "max_stay_days", "source_url", "valid_from", "obtainable"}
)


def parse_regime_table(raw: object, where: str = "entry regimes") -> RegimeTable:
    """Parse one state's regimes; raise `CatalogueError` naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: must be an object")
    unknown = set(raw) - _TABLE_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    state = raw.get("state")
    if state not in LAD_STATES:
        raise CatalogueError(f"{where}: state must be an endorsing state")
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise CatalogueError(f"{where}: version must be a non-empty string")
    published = _date(raw.get("published_on"), f"{where} published_on")
    default_raw = raw.get("default")
    if not isinstance(default_raw, Mapping):
        raise CatalogueError(f"{where}: needs a documented default")
    note = default_raw.get("note")
    if not isinstance(note, str) or not note:
        raise CatalogueError(f"{where}: the default needs a note saying what it is")
    default = _parse_entry(
        {**{k: v for k, v in default_raw.items() if k != "note"}, "nationality": "*"},
        str(state),
        f"{where} default",
        is_default=True,
    )
    items = raw.get("regimes")
    if not isinstance(items, list):
        raise CatalogueError(f"{where}: regimes must be a list")
    entries = tuple(
        _parse_entry(item, str(state), f"{where} regime {n}")
        for n, item in enumerate(items)
    )
    seen: set[tuple[str, date]] = set()
    for entry in entries:
        key = (entry.nationality, entry.valid_from)
        if key in seen or entry.nationality == state:
            raise CatalogueError(
                f"{where}: {entry.nationality} twice on {entry.valid_from} or own"
            )
        seen.add(key)
    return RegimeTable(str(state), version, published, default, note, entries)


def _parse_entry(
    raw: object, state: str, where: str, *, is_default: bool = False
) -> RegimeEntry:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: must be an object")
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    nationality = raw.get("nationality")
    if not isinstance(nationality, str) or not (
        nationality == "*"
        if is_default
        else len(nationality) == 3 and nationality.isalpha() and nationality.isupper()
    ):
        raise CatalogueError(f"{where}: nationality must be an ISO 3166 alpha-3 code")
    try:
        regime = EntryRegime(str(raw.get("regime")))
    except ValueError:
        raise CatalogueError(f"{where}: unknown regime {raw.get('regime')!r}") from None
    days = raw.get("max_stay_days")
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650
    ):
        raise CatalogueError(f"{where}: max_stay_days must be 1 to 3650 or null")
    source = raw.get("source_url")
    if not isinstance(source, str) or not source.startswith("https://"):
        raise CatalogueError(f"{where}: source_url must be an https address")
    obtainable = raw.get("obtainable", True)
    if not isinstance(obtainable, bool):
        raise CatalogueError(f"{where}: obtainable must be true or false")
    return RegimeEntry(
        destination=state,
        nationality=nationality,
        regime=regime,
        max_stay_days=days,
        source_url=source,
        valid_from=_date(raw.get("valid_from"), f"{where} valid_from"),
        obtainable=obtainable,
        is_default=is_default,
    )


def _date(value: object, where: str) -> date:
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CatalogueError(f"{where}: expected YYYY-MM-DD") from None


def regimes_digest(table: RegimeTable) -> str:
    return hashlib.sha256(canonical_json(table.to_json())).hexdigest()


@dataclass(frozen=True, slots=True)
class RegimeChange:
    """A nationality's regime toward a state moved between two readings."""

    destination: str
    nationality: str
    previous: str
    regime: str


def regime_changes(
    before: Mapping[str, RegimeTable],
    after: Mapping[str, RegimeTable],
    nationalities: Sequence[str],
    today: date,
) -> list[RegimeChange]:
    """Pairs whose regime in force differs between two matrices on `today`."""
    changes = []
    for state in sorted(after):
        old_table = before.get(state)
        if old_table is None:
            continue
        table = after[state]
        for nationality in nationalities:
            old = old_table.entry_for(nationality, today)
            new = table.entry_for(nationality, today)
            if (old.regime, old.obtainable) != (new.regime, new.obtainable):
                changes.append(
                    RegimeChange(state, nationality, old.regime.value, new.regime.value)
                )
    return changes
