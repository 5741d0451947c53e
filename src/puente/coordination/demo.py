"""Coordination demo: the sample 5W rows (marked as samples), imported with
the financing demo's organisations and flows. Idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from rich.progress import Progress
from sqlalchemy.orm import Session

from puente.coordination import service
from puente.identity import system_actor

DATA_DIR: Final = Path(__file__).resolve().parent / "data"


def load(session: Session, progress: Progress) -> str:
    task = progress.add_task("coordination", total=1)
    summary = service.import_reports(
        session,
        actor=system_actor(),
        data=(DATA_DIR / "activities_sample_5w.csv").read_bytes(),
        file_name="activities_sample_5w.csv",
    )
    progress.advance(task)
    return f"{summary.created} sample 5W rows added ({summary.unchanged} unchanged)"
