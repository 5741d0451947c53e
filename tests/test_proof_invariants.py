"""`make proof`'s invariant step works: `scripts/proof/invariants.py` splits the
sequences over processes with their own seeds, each process runs the state
machine of `tests/test_invariants.py`, and the figure it prints is the count the
processes report as run (issue 9: 100,000 sequences in `make proof`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from puente.core.config import child_environment

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "proof" / "invariants.py"


def _run(tmp_path: Path, *args: str) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--work", str(tmp_path), *args],
        cwd=ROOT,
        # SQLite only: the figure, not the backends, is what this test checks.
        env=child_environment({"PUENTE_TEST_POSTGRES": "0"}),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    return done.returncode, json.loads(done.stdout)["invariants"]


@pytest.mark.slow
def test_the_proof_step_runs_the_sequences_across_processes(tmp_path: Path) -> None:
    code, result = _run(tmp_path, "--examples", "3", "--processes", "2")
    assert code == 0
    assert result["promises_held"] is True
    assert result["processes"] == 2
    assert isinstance(result["sequences"], int)
    assert result["sequences"] >= 3  # counted by the processes, not assumed
    parts = result["parts"]
    assert isinstance(parts, list)
    assert sorted(part["asked"] for part in parts) == [1, 2]
    assert len({part["seed"] for part in parts}) == 2  # each its own sequences
    assert all(part["sequences"] >= part["asked"] for part in parts)


def test_the_proof_step_refuses_a_count_below_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--work", str(tmp_path), "--examples", "0"],
        cwd=ROOT,
        env=child_environment({}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--examples" in done.stderr
