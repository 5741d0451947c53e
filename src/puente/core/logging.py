"""Structured logging, configured once. Ids only: never names, dates of birth or
case facts. The redaction processor is a safety net, not the plan."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO, cast

import structlog

REDACTED_KEYS = frozenset(
    {
        "name",
        "given_name",
        "family_name",
        "full_name",
        "birth_date",
        "password",
        "token",
        "secret",
        "narrative",
        "note",
        "notes",
        "address",
        "phone",
        "email",
        "document_number",
        "totp",
        "code",
    }
)

_state = {"configured": False}


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the time of writing: a test runner or
    CliRunner that swaps it (and closes its own) must not leave logging bound to a
    closed stream for the rest of the process."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


CURRENT_STDERR: TextIO = cast(TextIO, _CurrentStderr())


def redact(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    for key in list(event_dict):
        if key.lower() in REDACTED_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(*, json: bool = False, level: int = logging.INFO) -> None:
    if _state["configured"]:
        return
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(CURRENT_STDERR),
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    _state["configured"] = True
