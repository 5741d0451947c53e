"""Early-warning events (dispatched by `core.events` after commit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class FlowsImported:
    """Published by `service.import_flows` when a new vintage was stored and the
    triggers were evaluated; alerts subscribe to raise alerts from the stored
    firings (`service.list_firings`). Not published for an unchanged re-import."""

    source: str
    vintage_id: uuid.UUID
