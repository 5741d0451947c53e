"""`make proof`: run every proof and write docs/proof.md with the figures.

Runs crash.py, load.py, backup.py, security.py and the stateful invariant suite
(`pytest tests/test_invariants.py` with PUENTE_PROOF=1), each as its own process,
keeps their JSON, and writes docs/proof.md with the machine and the date. A step
that fails is reported as failed with its output's last lines; the run goes on.
`--short` is for iteration (fewer cycles, shorter load, 10,000 people);
`--long` adds the 100-user, 30-minute load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import BIN, ROOT

HERE = ROOT / "scripts" / "proof"


def _step(
    name: str, argv: list[str], env: dict[str, str] | None = None
) -> dict[str, Any]:
    print(f"== {name}: {' '.join(argv)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    done = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, check=False, env=env
    )
    seconds = round(time.monotonic() - started, 1)
    data: Any = None
    text = done.stdout.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
    tail = (done.stdout + done.stderr).strip().splitlines()[-8:]
    return {
        "name": name,
        "command": " ".join(argv),
        "exit": done.returncode,
        "seconds": seconds,
        "data": data,
        "tail": tail,
    }


def _machine() -> str:
    cpus = os.cpu_count()
    try:
        mem = next(
            line.split(":")[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = "unknown"
    load = os.getloadavg()
    return (
        f"{platform.node()} · {platform.system()} {platform.release()} · "
        f"{cpus} CPUs · {mem} RAM · Python {platform.python_version()} · "
        f"load average at start {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}"
    )


def _row(step: dict[str, Any]) -> str:
    status = "passed" if step["exit"] == 0 else f"FAILED (exit {step['exit']})"
    return f"| {step['name']} | {status} | {step['seconds']} s |"


def _write(steps: list[dict[str, Any]], machine: str, args: argparse.Namespace) -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Proof: figures measured by `make proof`",
        "",
        f"Date: {now}. Machine: {machine}.",
        "",
        "The machine is shared: other engineers' builds and tests ran at the same",
        "time, so latencies and durations are pessimistic and vary between runs.",
        f"Variant: {'short (for iteration)' if args.short else 'full'}"
        f"{', with --long load' if args.long else ''}.",
        "",
        "| Step | Result | Time |",
        "|---|---|---|",
        *[_row(step) for step in steps],
        "",
    ]
    for step in steps:
        lines += [f"## {step['name']}", "", f"`{step['command']}`", ""]
        if step["data"] is not None:
            lines += ["```json", json.dumps(step["data"], indent=2), "```", ""]
        else:
            lines += ["Output (last lines):", "", "```", *step["tail"], "```", ""]
    if not args.long:
        lines += [
            "## Not run",
            "",
            "The 100-user, 30-minute load (`scripts/proof/load.py --long`,",
            "`make proof PROOF_ARGS=--long`) was not run in this measurement.",
            "",
        ]
    (ROOT / "docs" / "proof.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--long", action="store_true")
    parser.add_argument("--cycles", help="kill -9 cycles per backend (default 50)")
    parser.add_argument("--seconds", help="load duration (default 300)")
    parser.add_argument("--people", help="people in the backup (default 100000)")
    args = parser.parse_args()
    machine = _machine()
    py = sys.executable
    cycles = args.cycles or ("5" if args.short else "50")
    seconds = args.seconds or ("60" if args.short else "300")
    people = args.people or ("10000" if args.short else "100000")
    steps = [_step("load", [py, str(HERE / "load.py"), "--seconds", seconds])]
    if args.long:
        steps.append(_step("load --long", [py, str(HERE / "load.py"), "--long"]))
    steps += [
        _step("backup", [py, str(HERE / "backup.py"), "--people", people]),
        _step("security", [py, str(HERE / "security.py")]),
        _step("crash", [py, str(HERE / "crash.py"), "--cycles", cycles]),
        _step(
            "invariants",
            [str(BIN / "pytest"), "-q", "tests/test_invariants.py"],
            env={**os.environ, "PUENTE_PROOF": "1"},
        ),
    ]
    _write(steps, machine, args)
    print(json.dumps({s["name"]: s["exit"] for s in steps}))
    if any(step["exit"] for step in steps):
        sys.exit(1)


if __name__ == "__main__":
    main()
