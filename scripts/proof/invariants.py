"""The stateful invariants at proof scale: N sequences split over P processes.

Runs `pytest tests/test_invariants.py` in P processes at once, each with
`PUENTE_PROOF=1` (random, not derandomised), its share of `--examples` in
`PUENTE_INVARIANT_EXAMPLES` and its own `--hypothesis-seed` (base seed + its
number, so a run can be replayed), and counts the sequences that hypothesis
writes as run (`PUENTE_INVARIANT_REPORT`: sequences begun and checked after
every step). Prints JSON; exits 1 when a process failed (a promise broken: its
output names the failing sequence) or ran fewer sequences than asked.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from _common import BIN, ROOT, emit

from puente.core.config import child_environment

TEST = "tests/test_invariants.py"
STEPS = 10  # `stateful_step_count` in the test


def _shares(total: int, processes: int) -> list[int]:
    base, extra = divmod(total, processes)
    return [
        base + (1 if n < extra else 0) for n in range(processes) if base or n < extra
    ]


def _command(seed: int) -> list[str]:
    return [
        str(BIN / "pytest"),
        "-q",
        "-n",
        "0",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        f"--hypothesis-seed={seed}",
        TEST,
    ]


def counted(report: Path) -> int:
    """Sequences a process reports as run (0 when it wrote no report)."""
    try:
        lines = report.read_text().splitlines()
        return sum(int(json.loads(line)["sequences"]) for line in lines if line)
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def run(total: int, processes: int, seed: int, work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    running = []
    for number, share in enumerate(_shares(total, processes)):
        report = work / f"invariants-{number}.json"
        report.unlink(missing_ok=True)
        env = child_environment(
            {
                "PUENTE_PROOF": "1",
                "PUENTE_INVARIANT_EXAMPLES": str(share),
                "PUENTE_INVARIANT_REPORT": str(report),
            }
        )
        log = (work / f"invariants-{number}.log").open("w")
        process = subprocess.Popen(
            _command(seed + number),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        running.append((number, share, process, log))
    parts = []
    for number, share, process, log in running:
        code = process.wait()
        log.close()
        output = (work / f"invariants-{number}.log").read_text(errors="replace")
        parts.append(
            {
                "process": number,
                "seed": seed + number,
                "asked": share,
                "sequences": counted(work / f"invariants-{number}.json"),
                "exit": code,
                "tail": output.strip().splitlines()[-3:] if code else [],
            }
        )
    sequences = sum(part["sequences"] for part in parts)
    failed = any(part["exit"] for part in parts)
    return {
        "asked": total,
        "sequences": sequences,
        "steps_per_sequence": STEPS,
        "processes": len(parts),
        "seconds": round(time.monotonic() - started, 1),
        "promises_held": not failed and sequences >= total,
        "parts": parts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=9_000)
    parser.add_argument(
        "--work", type=Path, default=ROOT / "var" / "proof" / "invariants"
    )
    args = parser.parse_args()
    if args.examples < 1 or args.processes < 1:
        parser.error("--examples and --processes must be at least 1")
    result = run(
        args.examples,
        args.processes,
        args.seed,
        args.work,
    )
    emit({"invariants": result})
    if not result["promises_held"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
