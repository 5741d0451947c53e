"""`make proof`: run every proof and write docs/proof.md with the figures.

Runs crash.py, load.py, backup.py, security.py and invariants.py (the stateful
invariant suite, 100,000 sequences split over the CPUs), each as its own process,
keeps their JSON, and writes docs/proof.md with the machine and the date. A step
that fails is reported as failed with its output's last lines; the run goes on.
`--short` is for iteration (fewer cycles, shorter load, 10,000 people);
`--long` adds the 100-user, 30-minute load. Every step's record (its start time
and the load average then included) is kept in docs/proof.json as well; `--only
load,security` measures those steps again and keeps the others from that file,
so a latency step can be re-measured on a quiet machine without redoing the
hour-long crash proof. docs/proof.md is rewritten after
every step, so a run cut short still leaves what it measured; `--deadline HH:MM`
(UTC) stops a step still running at that time (reported as cut) and starts no
step after it (reported as not run).
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

from _common import ROOT

HERE = ROOT / "scripts" / "proof"


DEADLINE: dt.datetime | None = None
SIDECAR = ROOT / "docs" / "proof.json"


def _left() -> float | None:
    if DEADLINE is None:
        return None
    return (DEADLINE - dt.datetime.now(dt.UTC)).total_seconds()


def _step(
    name: str, argv: list[str], env: dict[str, str] | None = None
) -> dict[str, Any]:
    left = _left()
    if left is not None and left < 60:
        return {
            "name": name,
            "command": " ".join(argv),
            "exit": None,
            "seconds": 0,
            "data": None,
            "tail": ["not run: the deadline was reached before this step"],
        }
    print(f"== {name}: {' '.join(argv)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    began = _began()
    try:
        done = subprocess.run(
            argv,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            env=env,
            timeout=left,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else ""
        err = exc.stderr if isinstance(exc.stderr, str) else ""
        return {
            **began,
            "name": name,
            "command": " ".join(argv),
            "exit": "cut",
            "seconds": round(time.monotonic() - started, 1),
            "data": None,
            "tail": [
                *(out + err).strip().splitlines()[-8:],
                "cut: still running at the deadline",
            ],
        }
    seconds = round(time.monotonic() - started, 1)
    data: Any = None
    text = done.stdout.strip()
    # A log line may come before the JSON: it starts at the first line "{".
    lines = text.splitlines()
    if "{" in lines:
        text = "\n".join(lines[lines.index("{") :])
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
    tail = (done.stdout + done.stderr).strip().splitlines()[-8:]
    return {
        **began,
        "name": name,
        "command": " ".join(argv),
        "exit": done.returncode,
        "seconds": seconds,
        "data": data,
        "tail": tail,
    }


def _began() -> dict[str, str]:
    load = os.getloadavg()
    return {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_at_start": "/".join(f"{x:.1f}" for x in load),
    }


def _kept() -> list[dict[str, Any]]:
    """The steps of the last run, as docs/proof.json keeps them ([] if none)."""
    try:
        steps = json.loads(SIDECAR.read_text())["steps"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [step for step in steps if isinstance(step, dict) and "name" in step]


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


def _goal_missed(data: Any) -> bool:
    """A step's JSON says `"goal_met": false` somewhere (the load steps do)."""
    if isinstance(data, dict):
        return data.get("goal_met") is False or any(
            _goal_missed(value) for value in data.values()
        )
    return False


def _row(step: dict[str, Any]) -> str:
    when = f"{step.get('started', '?')} (load {step.get('load_at_start', '?')})"
    if step["exit"] is None:
        status = "not run (deadline)"
    elif step["exit"] == "cut":
        status = "cut at the deadline"
    else:
        status = "passed" if step["exit"] == 0 else f"FAILED (exit {step['exit']})"
        if step["exit"] == 0 and _goal_missed(step["data"]):
            status = "ran without errors; latency goal MISSED"
    return f"| {step['name']} | {status} | {step['seconds']} s | {when} |"


def _write(steps: list[dict[str, Any]], machine: str, args: argparse.Namespace) -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Proof: figures measured by `make proof`",
        "",
        f"Date: {now}. Machine: {machine}.",
        "",
        "The machine is shared: other engineers' builds and tests ran at the same",
        "time, so latencies and durations are pessimistic and vary between runs.",
        "Load average when this page was last written: "
        + "/".join(f"{x:.1f}" for x in os.getloadavg())
        + ".",
        f"Variant: {'short (for iteration)' if args.short else 'full'}"
        f"{', with --long load' if args.long else ''}.",
        "",
        "| Step | Result | Time | Started (load average then) |",
        "|---|---|---|---|",
        *[_row(step) for step in steps],
        "",
    ]
    for step in steps:
        lines += [f"## {step['name']}", "", f"`{step['command']}`", ""]
        if step["data"] is not None:
            lines += ["```json", json.dumps(step["data"], indent=2), "```", ""]
        else:
            lines += ["Output (last lines):", "", "```", *step["tail"], "```", ""]
    if not any(step["name"] == "load --long" for step in steps):
        lines += [
            "## Not run",
            "",
            "The 100-user, 30-minute load (`scripts/proof/load.py --long`,",
            "`make proof PROOF_ARGS=--long`) was not run in this measurement.",
            "",
        ]
    (ROOT / "docs" / "proof.md").write_text("\n".join(lines))
    SIDECAR.write_text(json.dumps({"machine": machine, "steps": steps}, indent=1))


def main() -> None:
    global DEADLINE  # noqa: PLW0603 - one run, one deadline
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--long", action="store_true")
    parser.add_argument("--cycles", help="kill -9 cycles per backend (default 50)")
    parser.add_argument("--seconds", help="load duration (default 300)")
    parser.add_argument("--people", help="people in the backup (default 100000)")
    parser.add_argument("--examples", help="invariant sequences (default 100000)")
    parser.add_argument("--deadline", help="HH:MM UTC: cut and skip steps after it")
    parser.add_argument(
        "--only", help="comma-separated steps to measure again; others kept"
    )
    args = parser.parse_args()
    if args.deadline:
        hour, minute = (int(part) for part in args.deadline.split(":"))
        DEADLINE = dt.datetime.now(dt.UTC).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
    machine = _machine()
    py = sys.executable
    cycles = args.cycles or ("5" if args.short else "50")
    seconds = args.seconds or ("60" if args.short else "300")
    people = args.people or ("10000" if args.short else "100000")
    examples = args.examples or ("2000" if args.short else "100000")
    plan: list[tuple[str, list[str], dict[str, str] | None]] = [
        ("load", [py, str(HERE / "load.py"), "--seconds", seconds], None)
    ]
    if args.long:
        plan.append(("load --long", [py, str(HERE / "load.py"), "--long"], None))
    plan += [
        ("crash", [py, str(HERE / "crash.py"), "--cycles", cycles], None),
        ("backup", [py, str(HERE / "backup.py"), "--people", people], None),
        ("security", [py, str(HERE / "security.py")], None),
        (
            "invariants",
            [
                py,
                str(HERE / "invariants.py"),
                "--examples",
                examples,
                "--processes",
                str(max(1, (os.cpu_count() or 1))),
            ],
            None,
        ),
    ]
    only = set(args.only.split(",")) if args.only else None
    if only is not None:
        unknown = only - {name for name, _, _ in plan}
        if unknown:
            parser.error(f"--only: no step named {', '.join(sorted(unknown))}")
    kept = {step["name"]: step for step in _kept()} if only is not None else {}
    steps: list[dict[str, Any]] = []
    for name, argv, env in plan:
        if only is not None and name not in only:
            if name in kept:
                steps.append(kept[name])
            continue
        steps.append(_step(name, argv, env))
        _write(steps, machine, args)  # what is measured is kept, step by step
    _write(steps, machine, args)
    print(json.dumps({s["name"]: s["exit"] for s in steps}))
    if any(step["exit"] for step in steps):
        sys.exit(1)


if __name__ == "__main__":
    main()
