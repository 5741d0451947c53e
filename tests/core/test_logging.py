"""Logs carry ids, never names: the redaction net catches personal keys."""

from __future__ import annotations

from puente.core.logging import redact


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
