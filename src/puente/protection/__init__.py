"""Protection: screening, specific needs, cases and their workflow, referrals, best
interests of children, family tracing, return safeguards and consular notification.
It does not own who a person is (see `puente.people`) nor sharing between states."""

from puente.protection.events import (
    ModusOperandiReportApproved,
    RemoteMatchDecided,
    TracingForwarded,
)
from puente.protection.service import (
    anonymised_text,
    feared_states,
    open_reunification_case,
    record_remote_candidates,
    tracing_description,
    withdraw_remote_candidates,
)

__all__ = [
    "ModusOperandiReportApproved",
    "RemoteMatchDecided",
    "TracingForwarded",
    "anonymised_text",
    "feared_states",
    "open_reunification_case",
    "record_remote_candidates",
    "tracing_description",
    "withdraw_remote_candidates",
]
