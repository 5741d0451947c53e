"""Demo: import every vendored flow file with its profile, adopt the default
trigger catalogue by PAN, COL, MEX, CRI, HND and GTM, evaluate the triggers.
Idempotent: a second load imports nothing new."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy.orm import Session

from puente.early_warning import service
from puente.identity import system_actor

DATA_DIR = Path(__file__).resolve().parent / "data"
ADOPTERS = ("PAN", "COL", "MEX", "CRI", "HND", "GTM")


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
    firings += service.run_triggers(session, actor=actor)
    alerts = service.alerts.raise_alerts(session, actor=actor)
    return (
        f"{imported} flow vintages imported, catalogue {catalogue.version} "
        f"adopted by {len(ADOPTERS)} states, {firings} trigger firings, "
        f"{len(alerts)} alerts raised or updated"
    )
