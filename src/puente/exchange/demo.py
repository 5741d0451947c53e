"""Exchange demo: this node's key (created once in the key directory). Peers and
agreements between nodes are set up by `puente federation up`."""

from __future__ import annotations

from rich.progress import Progress
from sqlalchemy.orm import Session

from puente.exchange import service


def load(session: Session, progress: Progress) -> str:  # noqa: ARG001 - demo API
    task = progress.add_task("exchange", total=1)
    identity = service.node_identity()
    progress.advance(task)
    return f"node {identity.state} key ready"
