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


@dataclass(frozen=True)
class AlertMessageIssued:
    """Published by the alert lifecycle when one of this node's alerts gets a
    message that notifies people (a live Alert, Update or Cancel; not a firing
    replayed from history). Exchange forwards its CAP to the peers under an
    alerts agreement. Never published for an alert received from a peer."""

    alert_id: uuid.UUID
    message_id: uuid.UUID
    tenant_code: str
