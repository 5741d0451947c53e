"""Protection: screening, specific needs, cases and their workflow, referrals, best
interests of children, family tracing, return safeguards and consular notification.
It does not own who a person is (see `puente.people`) nor sharing between states."""

from puente.protection.events import RemoteMatchDecided, TracingForwarded
from puente.protection.service import (
    feared_states,
    open_reunification_case,
    record_remote_candidates,
    tracing_description,
)

__all__ = [
    "RemoteMatchDecided",
    "TracingForwarded",
    "feared_states",
    "open_reunification_case",
    "record_remote_candidates",
    "tracing_description",
]
