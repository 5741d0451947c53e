"""The flow sources' titles as a person reads them, in five languages (gettext):
the English text is the one `data/profiles.json` gives each source (a test keeps
them equal), and the demo replay's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from puente.core.i18n import N_, gettext

SOURCE_TITLES: Final[Mapping[str, str]] = {
    "darien_nat": N_("Darién irregular transits by nationality (Panama SNM)"),
    "darien_dmg": N_("Darién irregular transits by sex and age (Panama SNM)"),
    "mexico_nat": N_("Mexico INM irregular migrants presented, by nationality (UPM)"),
    "mexico_dmg": N_("Mexico INM irregular migrants presented, by sex and age (UPM)"),
    "honduras_total": N_("Honduras irregular arrivals (INM)"),
    "honduras_nat": N_("Honduras irregular arrivals by nationality (INM)"),
    "guatemala_returns": N_(
        "Guatemalans returned from Mexico and the United States (IGM)"
    ),
    "lighthouse": N_("IOM Lighthouse irregular entries (COL, HND, MEX, PAN)"),
    "darien_replay": N_(
        "Darién irregular transits by nationality (Panama SNM), January 2020 to "
        "August 2023 replayed as the months up to the last complete one (demo: "
        "real figures, dates moved forward)"
    ),
}


def source_title(name: str, stored: str) -> str:
    """A source's title in the current locale; a source imported under another
    name keeps the title it was given."""
    known = SOURCE_TITLES.get(name)
    return gettext(known) if known is not None else stored
