"""Demo: import every vendored flow file with its profile, adopt the default
trigger catalogue by PAN, COL, MEX, CRI, HND and GTM, evaluate the triggers.
Idempotent: a second load imports nothing new.

The vendored files end in 2025, so their alerts are history by now. So that the
demo also shows *current* alerts, it replays real figures as the latest months:
the Darién transits of January 2020 to August 2023 (the 2023 surge), their dates
moved forward so August 2023 falls on the last complete month. The replay is a
source of its own, named as such on every screen ("Darién (2023 figures
replayed, demo)"); the real source keeps its true dates. A load in a later month
imports the replay again, moved to that month (a new vintage)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any, Final

from rich.progress import Progress
from sqlalchemy.orm import Session

from puente.core.db import utcnow
from puente.early_warning import service
from puente.early_warning.rules.sources import SOURCE_TITLES
from puente.identity import system_actor

DATA_DIR = Path(__file__).resolve().parent / "data"
ADOPTERS = ("PAN", "COL", "MEX", "CRI", "HND", "GTM")
REPLAY_SOURCE: Final = "darien_replay"
REPLAY_OF: Final = "darien_nat"
REPLAY_FIRST: Final = dt.date(2020, 1, 1)
REPLAY_LAST: Final = dt.date(2023, 8, 1)  # the month the 2023 surge peaked


def profiles() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads(
        (DATA_DIR / "profiles.json").read_text("utf-8")
    )
    return loaded


def load(session: Session, progress: Progress) -> str:
    actor = system_actor()
    document = service.default_catalogue_document()
    catalogue = service.propose_catalogue(session, actor=actor, document=document)
    for state in ADOPTERS:
        service.adopt_catalogue(
            session, actor=actor, version=catalogue.version, state=state
        )
    sources = profiles()
    task = progress.add_task("early warning: flows", total=len(sources))
    imported = firings = 0
    for name, profile in sources.items():
        summary = service.import_flows(
            session,
            actor=actor,
            path=DATA_DIR / profile["file"],
            source=name,
            date_column=profile["date_column"],
            count_column=profile["count_column"],
            dimensions=profile["dimensions"],
            profile=profile,
        )
        imported += int(summary.is_new_vintage)
        firings += summary.firing_count
        progress.advance(task)
    imported_replay, replay_firings = load_replay(session, today=utcnow().date())
    imported += imported_replay
    firings += replay_firings
    firings += service.run_triggers(session, actor=actor)
    alerts = service.alerts.raise_alerts(session, actor=actor)
    return (
        f"{imported} flow vintages imported, catalogue {catalogue.version} "
        f"adopted by {len(ADOPTERS)} states, {firings} trigger firings, "
        f"{len(alerts)} alerts raised or updated"
    )


def last_complete_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def shift_month(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def replay_rows(today: dt.date) -> list[dict[str, str]]:
    """The real Darién rows of the replay window, each dated `offset` months
    later so that the window's last month is the last complete month."""
    last = last_complete_month(today)
    offset = (last.year - REPLAY_LAST.year) * 12 + last.month - REPLAY_LAST.month
    profile = profiles()[REPLAY_OF]
    date_column = profile["date_column"]
    rows: list[dict[str, str]] = []
    with (DATA_DIR / profile["file"]).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            month = dt.date.fromisoformat(row[date_column][:10]).replace(day=1)
            if REPLAY_FIRST <= month <= REPLAY_LAST:
                moved = shift_month(month, offset).isoformat()
                rows.append({**row, date_column: moved})
    return rows


def load_replay(session: Session, *, today: dt.date) -> tuple[int, int]:
    """Import the replay source; (1 if a new vintage, trigger firings)."""
    profile = dict(profiles()[REPLAY_OF])
    profile.pop("from", None)
    profile.pop("note", None)
    # Stored in English; shown in the reader's language (`rules.sources`).
    profile["title"] = SOURCE_TITLES[REPLAY_SOURCE]
    rows = replay_rows(today)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{REPLAY_SOURCE}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        summary = service.import_flows(
            session,
            actor=system_actor(),
            path=path,
            source=REPLAY_SOURCE,
            date_column=profile["date_column"],
            count_column=profile["count_column"],
            dimensions=profile["dimensions"],
            profile=profile,
        )
    return int(summary.is_new_vintage), summary.firing_count
