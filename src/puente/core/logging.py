"""Structured logging, configured once. Ids only: never names, dates of birth or
case facts. The redaction processor is a safety net, not the plan."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Final, TextIO, cast
from urllib.parse import parse_qsl

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


QUERY_VALUE_MASK: Final = "*"
ACCESS_LOGGER: Final = "puente.access"


def redact_query(query: str) -> str:
    """A query string with every value masked and only parameter names kept:
    `given_name=Ana&page=2` -> `given_name=*&page=*`. Search terms, names and
    document numbers never reach a log line; which parameters were sent does."""
    if not query:
        return ""
    names = [name for name, _value in parse_qsl(query, keep_blank_values=True)]
    if not names and query:
        return QUERY_VALUE_MASK
    return "&".join(f"{_safe_name(name)}={QUERY_VALUE_MASK}" for name in names)


def _safe_name(name: str) -> str:
    # A parameter *name* is chosen by the client too: keep it only when it looks
    # like one of ours (short, ASCII identifier), else mask it as well.
    if len(name) <= 40 and name.replace("_", "").replace("-", "").isalnum():
        return name if name.isascii() else QUERY_VALUE_MASK
    return QUERY_VALUE_MASK


def redact_target(target: str) -> str:
    """`/path?query` with the query redacted (`redact_query`)."""
    path, sep, query = target.partition("?")
    return f"{path}?{redact_query(query)}" if sep else path


class RedactQueryFilter(logging.Filter):
    """Masks query values in stdlib log records (uvicorn's access log passes the
    full `path?query` as an argument). Installed on uvicorn's access logger by
    `configure_logging`, in case someone serves without `puente serve`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_target(arg) if isinstance(arg, str) and "?" in arg else arg
                for arg in record.args
            )
        if isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = " ".join(
                redact_target(part) if "?" in part else part
                for part in record.msg.split(" ")
            )
        return True


def install_access_log_filter() -> None:
    """Redact query strings in uvicorn's access log (idempotent)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQueryFilter) for f in logger.filters):
            logger.addFilter(RedactQueryFilter())


def configure_logging(*, json: bool = False, level: int = logging.INFO) -> None:
    install_access_log_filter()
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
