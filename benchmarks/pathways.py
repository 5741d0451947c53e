"""Pathways benchmark: screening throughput and labour matching at scale.

    .venv/bin/python benchmarks/pathways.py --json

1. Screening: 100,000 generated people against the whole seeded catalogue (two
   worker processes), people/s; beside it a naive peer in the same run: every
   clause evaluated with `celpy` (cel-python, pure Python, no memo) on a sample,
   projected to 100,000.
2. Matching: 1,000,000 workers × 10,000 offers, top 20 per offer (seconds, peak
   RSS), uniform and skewed (40 % of workers in one ISCO sub-major group).
Not run in tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

import numpy as np

from puente.pathways.rules.catalogue import load_catalogue
from puente.pathways.rules.eligibility import Screener
from puente.pathways.rules.facts import parse_facts
from puente.pathways.rules.fair_recruitment import JobOffer, check_offer, parse_offer
from puente.pathways.rules.matching import (
    LANGUAGE_INDEX,
    SKILL_WORDS,
    WorkerArrays,
    rank_workers_for_offers,
)

TODAY = date(2026, 11, 28)
ISO = ["VEN", "COL", "HTI", "CUB", "MEX", "GTM", "HND", "SLV", "NIC", "ECU"]
ISO += ["PER", "BRA", "JAM", "CRI"]


def people(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    first, last = date(2010, 1, 1).toordinal(), date(2026, 1, 1).toordinal()
    for _ in range(n):
        d: dict[str, Any] = {
            "age": rng.randint(10, 70),
            "nationality": rng.choice(ISO),
            "country_of_residence": rng.choice(ISO),
            "date_of_entry": date.fromordinal(rng.randint(first, last)).isoformat(),
        }
        if rng.random() < 0.4:
            d.update(
                has_job_offer=True,
                job_offer_isco=rng.choice(["6111", "9211", "5120", "7112"]),
                job_offer_state=rng.choice(["USA", "CAN", "MEX"]),
            )
        if rng.random() < 0.5:
            d["has_passport"] = rng.random() < 0.6
        if rng.random() < 0.5:
            d["has_criminal_record"] = rng.random() < 0.05
        if rng.random() < 0.3:
            d["protection_status"] = rng.choice(["none", "asylum_seeker", "refugee"])
        if rng.random() < 0.3:
            d["family_in"] = rng.sample(["USA", "CAN", "CHL", "COL"], rng.randint(0, 2))
            d["family_relationship"] = rng.choice(["spouse", "child", "parent"])
            d["family_sponsor_status"] = rng.choice(["citizen", "permanent_resident"])
        out.append(d)
    return out


def _screen_chunk(args: tuple[int, int]) -> tuple[float, int]:
    n, seed = args
    data = people(n, seed)
    screener = Screener(load_catalogue().pathways, TODAY)
    start = time.perf_counter()
    results = 0
    for d in data:
        results += len(screener.screen(parse_facts(d)))
    return time.perf_counter() - start, results


def bench_screening(n: int, processes: int) -> dict[str, Any]:
    start = time.perf_counter()
    with ProcessPoolExecutor(processes) as pool:
        parts = list(
            pool.map(_screen_chunk, [(n // processes, i) for i in range(processes)])
        )
    wall = time.perf_counter() - start
    screen_time = max(p[0] for p in parts)
    return {
        "people": n,
        "processes": processes,
        "seconds_screening": round(screen_time, 3),
        "seconds_wall_incl_startup": round(wall, 3),
        "people_per_second": round(n / screen_time),
        "pathway_results": sum(p[1] for p in parts),
        "goal_people_per_second": 20_000,
    }


def bench_celpy(sample: int, n: int) -> dict[str, Any]:
    """The naive peer: cel-python on every clause of every open pathway."""
    import celpy
    from celpy.adapter import json_to_cel

    catalogue = load_catalogue()
    env = celpy.Environment()
    clauses = [
        (env.program(env.compile(c.cel)), c)
        for p in catalogue.pathways
        if p.is_open(TODAY)
        for c in p.clauses_in_force(TODAY)
    ]
    data = people(sample, 99)
    start = time.perf_counter()
    for d in data:
        activation = {k: json_to_cel(v) for k, v in d.items()}
        activation["today"] = json_to_cel(TODAY.isoformat())
        for program, _clause in clauses:
            try:
                program.evaluate(activation)
            except Exception:  # noqa: S112 - missing facts raise; that is the point
                continue
    elapsed = time.perf_counter() - start
    rate = sample / elapsed
    return {
        "peer": f"cel-python (celpy) {getattr(celpy, '__version__', '')}".strip(),
        "method": "every clause of every open pathway, no memo, one process",
        "sample_people": sample,
        "people_per_second": round(rate, 1),
        "projected_seconds_for": n,
        "projected_seconds": round(n / rate, 1),
    }


def _workers(n: int, skew: bool, rng: np.random.Generator) -> WorkerArrays:
    groups = rng.integers(11, 97, n)
    if skew:
        groups[rng.random(n) < 0.4] = 92  # 40 % elementary agricultural workers
    return WorkerArrays(
        ids=np.arange(n, dtype=np.int64),
        isco=(groups * 100 + rng.integers(0, 100, n)).astype(np.int32),
        skills=rng.integers(0, 2**63, (n, SKILL_WORDS), dtype=np.uint64)
        & rng.integers(0, 2**63, (n, SKILL_WORDS), dtype=np.uint64),
        languages=rng.integers(0, 8, (n, len(LANGUAGE_INDEX)), dtype=np.uint8),
        destinations=rng.integers(0, 2**20, n, dtype=np.uint64),
        available_day=rng.integers(20000, 21000, n, dtype=np.int32),
        age=rng.integers(16, 60, n, dtype=np.uint8),
        eligibility=rng.integers(0, 3, (n, 2), dtype=np.int8),
        consent=rng.random(n) < 0.9,
        pathway_ids=("usa-h2a", "can-sawp"),
    )


def _base_offer() -> JobOffer:
    return parse_offer(
        {
            "id": "o",
            "title": "Harvest worker",
            "isco": "9211",
            "state": "USA",
            "pathway_id": "usa-h2a",
            "employer_legal_id": "EIN 1",
            "worksite_address": "Yakima WA",
            "tasks": "Picking",
            "wage_hourly": 19.82,
            "wage_floor_hourly": 19.82,
            "currency": "USD",
            "hours_week": 40,
            "start_date": "2027-03-01",
            "end_date": "2027-10-31",
            "contract_language": "es",
            "contract_delivery_days_before_departure": 14,
            "pay_frequency": "weekly",
            "pay_method": "worker_account",
            "guaranteed_hours_ratio": 0.75,
            "housing_provided": True,
            "termination_terms": "7 days",
            "grievance_contact": "DOL WHD",
            "labour_market_test": {
                "type": "DOL",
                "reference": "H-1",
                "valid_to": "2027-10-31",
            },
            "privacy_notice_url": "https://example.org/privacy",
            "recruiter_licence": None,
            "skills": ["harvesting", "pruning"],
            "required_language": "es",
            "required_cefr": "B1",
        }
    )


def bench_matching(workers: int, offers: int, *, skew: bool) -> dict[str, Any]:
    rng = np.random.default_rng(1)
    arrays = _workers(workers, skew, rng)
    base = _base_offer()
    check = check_offer(base)
    codes = rng.integers(11, 97, offers) * 100 + rng.integers(0, 100, offers)
    if skew:
        codes[rng.random(offers) < 0.4] = 9211
    batch = [
        dataclasses.replace(base, id=f"o{i}", isco=f"{codes[i]:04d}")
        for i in range(offers)
    ]
    start = time.perf_counter()
    ranked = rank_workers_for_offers(arrays, batch, k=20, checks=[check] * offers)
    elapsed = time.perf_counter() - start
    return {
        "workers": workers,
        "offers": offers,
        "top_k": 20,
        "skew": "40% of workers in ISCO 92" if skew else "uniform",
        "seconds": round(elapsed, 2),
        "offers_with_full_top_k": sum(len(v) == 20 for v in ranked.values()),
        "peak_rss_gb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2
        ),
        "goal_seconds": 60,
        "goal_peak_rss_gb": 4,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--peer-sample", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--offers", type=int, default=10_000)
    args = parser.parse_args()
    report = {
        "screening": bench_screening(args.people, args.processes),
        "screening_peer": bench_celpy(args.peer_sample, args.people),
        "matching": bench_matching(args.workers, args.offers, skew=False),
        "matching_skewed": bench_matching(args.workers, args.offers, skew=True),
    }
    if args.json:
        sys.stdout.write(json.dumps(report, indent=1) + "\n")
    else:
        for name, section in report.items():
            sys.stdout.write(f"{name}: {section}\n")


if __name__ == "__main__":
    main()
