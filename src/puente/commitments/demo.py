"""Commitments demo: the Declaration's commitments, the action packages and
the per-state deliverables seed. Idempotent."""

from __future__ import annotations

from rich.progress import Progress
from sqlalchemy.orm import Session

from puente.commitments import service
from puente.identity import system_actor


def load(session: Session, progress: Progress) -> str:
    task = progress.add_task("commitments", total=1)
    added = service.load_seed(session, actor=system_actor())
    progress.advance(task)
    return f"{added} commitments added"
