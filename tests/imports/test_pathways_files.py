"""Hostile facts files for `puente pathways screen --facts`: every one is refused
with exit 2 and a one-line error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from puente.cli import app

HOSTILE = {
    "invalid-utf8": b'{"nationality": "\xff\xfe"}',
    "utf16": '{"nationality": "VEN"}'.encode("utf-16"),
    "bom": b'\xef\xbb\xbf{"nationality": "VEN"',
    "empty": b"",
    "nul": b"\x00" * 10,
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "huge": b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}',
    "truncated": b'{"nationality": "VE',
    "garbage": bytes(range(256)),
    "nan": b'{"age": NaN}',
    "big-number": b'{"age": 1' + b"0" * 5_000 + b"}",
    "list": b"[1, 2, 3]",
    "string": b'"facts"',
    "null": b"null",
    "wrong-types": b'{"nationality": 12, "age": "old", "languages": {"a": 1}}',
    "xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_facts_file_is_refused_in_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(HOSTILE[name])
    result = CliRunner().invoke(
        app, ["pathways", "screen", "--facts", str(path), "--on", "2026-11-28"]
    )
    assert result.exit_code == 2, result.output[-500:]
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("error:")
    assert len(result.output) < 2_000
