"""Protection: screening, specific needs, cases and their workflow, referrals, best
interests of children, family tracing, return safeguards and consular notification.
It does not own who a person is (see `puente.people`) nor sharing between states."""

from puente.protection.events import (
    IncomingReturnReceived,
    ModusOperandiReportApproved,
    RemoteMatchDecided,
    ReturnCaseOpened,
    TracingForwarded,
)
from puente.protection.service import (
    ReturnOutcome,
    anonymised_text,
    feared_states,
    mark_return_case_shared,
    open_reunification_case,
    receive_incoming_return,
    receive_reception_report,
    reception_for_exchange,
    record_remote_candidates,
    return_case_for_exchange,
    return_outcomes,
    returns_total,
    tracing_description,
    withdraw_remote_candidates,
)

__all__ = [
    "IncomingReturnReceived",
    "ModusOperandiReportApproved",
    "RemoteMatchDecided",
    "ReturnCaseOpened",
    "ReturnOutcome",
    "TracingForwarded",
    "anonymised_text",
    "feared_states",
    "mark_return_case_shared",
    "open_reunification_case",
    "receive_incoming_return",
    "receive_reception_report",
    "reception_for_exchange",
    "record_remote_candidates",
    "return_case_for_exchange",
    "return_outcomes",
    "returns_total",
    "tracing_description",
    "withdraw_remote_candidates",
]
