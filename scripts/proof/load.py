"""Load on loopback: N concurrent users on a realistic mix for a while.

Each simulated user loops: think (exponential, mean --think seconds), then one of
search (35 %), case read (30 %), screening (15 %), dashboard (20 %), over the JSON
API with a bearer token, against `puente serve` (one process) on SQLite. Prints
p50/p95/p99 per operation and overall, and the errors (status >= 400 or no
answer). Exits 1 when there are errors. `--long` runs 100 users for 30 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from typing import Any

import httpx
from _common import ROOT, Server, emit, prepared_database, token

MIX = (("search", 35), ("case_read", 30), ("screening", 15), ("dashboard", 20))
SEARCHES = ("Maria", "Jose Perez", "Rodriguez", "Ana", "Luis Garcia", "Carmen")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


async def _user(
    client: httpx.AsyncClient,
    rng: random.Random,
    deadline: float,
    think: float,
    case_ids: list[str],
    screener: dict[str, str],
    analyst: dict[str, str],
    times: dict[str, list[float]],
    errors: dict[str, int],
    statuses: dict[str, dict[str, int]],
) -> None:
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    while time.monotonic() < deadline:
        await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)
        op = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            if op == "search":
                response = await client.get(
                    "/api/v1/people/search", params={"q": rng.choice(SEARCHES)}
                )
            elif op == "case_read":
                response = await client.get(
                    f"/api/v1/protection/cases/{rng.choice(case_ids)}"
                )
            elif op == "screening":
                response = await client.post(
                    "/api/v1/pathways/screenings",
                    json={"facts": {"age": rng.randint(18, 60)}, "store": False},
                    headers=screener,
                )
            else:
                # The dashboard's alerts as its client reads them: the current
                # ones, first page (the API's default page size), by the role
                # that has them.
                response = await client.get(
                    "/api/v1/early-warning/alerts",
                    params={"current": "true"},
                    headers=analyst,
                )
            ok = response.status_code < 400
            status = str(response.status_code)
        except httpx.HTTPError as exc:
            ok = False
            status = type(exc).__name__  # a timeout or a dropped connection
        times[op].append(time.perf_counter() - started)
        if not ok:
            errors[op] = errors.get(op, 0) + 1
            by_status = statuses.setdefault(op, {})
            by_status[status] = by_status.get(status, 0) + 1


async def _run(
    base: str,
    bearers: tuple[str, str, str],
    users: int,
    seconds: float,
    think: float,
) -> Any:
    headers = {"Authorization": f"Bearer {bearers[0]}"}
    screener = {"Authorization": f"Bearer {bearers[1]}"}
    analyst = {"Authorization": f"Bearer {bearers[2]}"}
    limits = httpx.Limits(max_connections=users)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=30, limits=limits
    ) as client:
        cases = await client.get("/api/v1/protection/cases")
        if cases.status_code != 200 or not cases.json():
            raise SystemExit(f"error: no cases to read ({cases.status_code})")
        case_ids = [item["id"] for item in cases.json()]
        times: dict[str, list[float]] = {name: [] for name, _ in MIX}
        errors: dict[str, int] = {}
        statuses: dict[str, dict[str, int]] = {}
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(
                _user(
                    client,
                    random.Random(seed),
                    deadline,
                    think,
                    case_ids,
                    screener,
                    analyst,
                    times,
                    errors,
                    statuses,
                )
                for seed in range(users)
            )
        )
    return times, errors, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--long", action="store_true", help="100 users, 30 minutes")
    args = parser.parse_args()
    if args.long:
        args.users, args.seconds = 100, 1800
    work = ROOT / "var" / "proof" / "load"
    work.mkdir(parents=True, exist_ok=True)
    env = prepared_database("sqlite", work, "load")
    bearers = (
        token(env, "supervisor.col"),
        token(env, "pathways.col"),
        token(env, "analyst.hub"),
    )
    server = Server(env, work)
    server.start()
    try:
        times, errors, statuses = asyncio.run(
            _run(server.base, bearers, args.users, args.seconds, args.think)
        )
    finally:
        server.stop()
    every = [t for values in times.values() for t in values]
    result = {
        "backend": "sqlite",
        "users": args.users,
        "seconds": args.seconds,
        "think_mean_seconds": args.think,
        "requests": len(every),
        "throughput_rps": round(len(every) / args.seconds, 1),
        "errors": sum(errors.values()),
        "errors_by_operation": errors,
        # Why: the status of each failed answer, or the exception's kind.
        "errors_by_status": statuses,
        "p50_ms": _pct(every, 0.50),
        "p95_ms": _pct(every, 0.95),
        "p99_ms": _pct(every, 0.99),
        "mean_ms": round(statistics.fmean(every) * 1000, 1) if every else 0.0,
        "operations": {
            op: {
                "requests": len(values),
                "p50_ms": _pct(values, 0.50),
                "p95_ms": _pct(values, 0.95),
                "p99_ms": _pct(values, 0.99),
                "max_ms": round(max(values) * 1000, 1) if values else 0.0,
            }
            for op, values in times.items()
        },
        "goal": {"p95_ms": 300, "p99_ms": 800, "errors": 0},
    }
    result["goal_met"] = (
        result["p95_ms"] < 300 and result["p99_ms"] < 800 and result["errors"] == 0
    )
    emit({"load": result})
    if result["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
