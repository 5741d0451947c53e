"""Logs carry ids, never names: the redaction net catches personal keys."""

from __future__ import annotations

import io
import sys

import pytest

from puente.core.logging import CURRENT_STDERR, redact


def test_personal_keys_are_redacted() -> None:
    event = redact(
        None,
        "info",
        {
            "event": "x",
            "given_name": "Ana",
            "person_id": "p1",
            "Password": "pw",
            "birth_date": "1990",
        },
    )
    assert event == {
        "event": "x",
        "given_name": "[redacted]",
        "person_id": "p1",
        "Password": "[redacted]",
        "birth_date": "[redacted]",
    }


def test_logs_follow_stderr_when_it_is_swapped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Logging configured while a CLI test had swapped stderr kept writing to the
    swapped (later closed) stream; it must write to the stderr of the moment."""
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    CURRENT_STDERR.write("one\n")
    monkeypatch.setattr(sys, "stderr", second)
    first.close()
    CURRENT_STDERR.write("two\n")
    CURRENT_STDERR.flush()
    assert second.getvalue() == "two\n"
