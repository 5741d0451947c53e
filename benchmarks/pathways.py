"""Pathways benchmarks: screening and labour matching, each beside its fair peers.

    .venv/bin/python benchmarks/pathways.py --json

Every engine runs in a process of its own, on the same data (each process rebuilds
it from the same seed); answers are compared and the script exits 1 naming the first
difference. Screening: 20,000 realistic people (`Population`), ours beside the same
Rust CEL engine on every clause and cel-python. Matching: 200,000 workers × 2,000
offers, top 20, on uniform, skewed and realistic offers, beside a NumPy peer (ISCO
gate, `score_block`, argpartition, signature dedup); then 1M × 10k, ours only.
Method and data: docs/pathways-benchmarks.md. Not run in tests.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from puente.pathways.demo import compliant_offer
from puente.pathways.rules.catalogue import LocalizedText
from puente.pathways.rules.cel import compile_rule
from puente.pathways.rules.eligibility import (
    ClauseValue,
    Outcome,
    Screener,
    ScreeningResult,
    decide,
    evaluate_clause,
)
from puente.pathways.rules.facts import TODAY as TODAY_VARIABLE
from puente.pathways.rules.facts import input_facts_for, parse_facts
from puente.pathways.rules.fair_recruitment import OfferCheck
from puente.pathways.rules.matching import (
    LANGUAGE_INDEX,
    NOT_ELIGIBLE,
    SKILL_WORDS,
    STATE_INDEX,
    WorkerArrays,
    offer_signature,
    offer_vector,
    score_block,
    skill_bits,
    top_workers,
)
from puente.pathways.rules.offers import JobOffer
from puente.pathways.service import load_catalogue, parse_offer

TODAY = date(2026, 11, 28)
DATA = Path(__file__).resolve().parent / "data"
REALISTIC = (
    "residence, nationality and protection status drawn jointly from UNHCR's 2024 "
    "stocks in the Americas (refugees, asylum seekers, stateless, others in need of "
    "protection); age bands from Mexico INM 2024 (under 12, 12-17, 18+), adult ages "
    "spread 18-75; arrival year from each residence-nationality pair's yearly stock "
    "growth 2011-2024 (day uniform); family abroad from where that nationality's "
    "displaced live; documents, job offers, skills, languages and how often a fact "
    "is known are stated assumptions in `Population`."
)
PEERS_MUST_AGREE = "answers differ"
VARIED = ("age", "date_of_entry", "nationality", "country_of_residence", "family_in")


# --- realistic people -----------------------------------------------------------


class Population:
    """People as varied as a registry's, from real public figures (see REALISTIC)."""

    def __init__(self) -> None:
        stocks: dict[tuple[str, str, str], int] = defaultdict(int)
        growth: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        by_year: dict[tuple[str, str, int], int] = defaultdict(int)
        with (DATA / "unhcr_americas_stocks_2010_2024.csv").open() as handle:
            for row in csv.DictReader(handle):
                origin = row["from"]
                if len(origin) != 3 or not origin.isalpha() or origin == "UNK":
                    continue
                n, year = int(row["n"]), int(row["t"])
                by_year[(row["geo"], origin, year)] += n
                if year == 2024:
                    stocks[(row["geo"], origin, row["group"])] += n
        for (geo, origin, year), n in by_year.items():
            before = by_year.get((geo, origin, year - 1), 0)
            if year > 2010 and n > before:
                growth[(geo, origin)][year] = n - before
        self.cells = list(stocks)
        self.cell_weights = [stocks[c] for c in self.cells]
        self.growth = growth
        diaspora: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (geo, origin, _group), n in stocks.items():
            diaspora[origin][geo] += n
        self.diaspora = diaspora
        with (DATA / "mexico_inm_age_sex_2024.csv").open() as handle:
            bands: dict[str, int] = defaultdict(int)
            for row in csv.DictReader(handle):
                bands[row["age"].split(",")[0]] += int(row["n"])
        self.bands = list(bands)
        self.band_weights = [bands[b] for b in self.bands]

    def person(self, rng: random.Random) -> dict[str, Any]:
        geo, origin, group = rng.choices(self.cells, self.cell_weights)[0]
        facts: dict[str, Any] = {"country_of_residence": geo, "nationality": origin}
        band = rng.choices(self.bands, self.band_weights)[0]
        age = (
            rng.randint(0, 11)
            if band == "under 12"
            else rng.randint(12, 17)
            if band == "12-17"
            else min(18 + int(rng.expovariate(1 / 14)), 90)
        )
        facts["age"] = age
        status = {"refugee": "refugee", "asylum": "asylum_seeker"}.get(group, "none")
        if group == "stateless":
            status = "stateless"
        if rng.random() < 0.85:
            facts["protection_status"] = status
        years = self.growth.get((geo, origin)) or {2024: 1}
        year = rng.choices(list(years), list(years.values()))[0]
        if rng.random() < 0.9:
            day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            facts["date_of_entry"] = min(day, TODAY).isoformat()
        # fmt: off
        known = {
            "entered_regularly": (0.6, 0.45),
            "has_regular_status": (0.7, 1.0 if group == "refugee" else 0.3),
            "has_passport": (0.8, 0.55), "has_national_id": (0.7, 0.8),
            "has_criminal_record": (0.6, 0.02), "has_unhcr_referral": (0.3, 0.03),
            "is_vaccinated": (0.5, 0.7), "accepts_relocation": (0.3, 0.6),
            "sponsor_in_us": (0.2, 0.05), "has_approved_family_petition": (0.2, 0.03),
            "is_student_admitted": (0.2, 0.02),
        }
        # fmt: on
        for name, (asked, yes) in known.items():
            if rng.random() < asked:
                facts[name] = rng.random() < yes
        if age >= 18 and rng.random() < 0.12:
            state = rng.choices(["USA", "CAN", "MEX", "PAN"], [50, 30, 15, 5])[0]
            facts.update(
                has_job_offer=True,
                job_offer_state=state,
                job_offer_isco=rng.choice(JOB_ISCO),
            )
            if state == "MEX":
                facts["job_offer_subdivision"] = rng.choice(["MX-CHP", "MX-CMX"])
        elif rng.random() < 0.5:
            facts["has_job_offer"] = False
        if age >= 16 and rng.random() < 0.6:
            facts["occupation_isco"] = rng.choice(JOB_ISCO)
            facts["years_experience"] = rng.randint(0, max(0, min(age - 15, 30)))
        if rng.random() < 0.4:
            facts["skills"] = rng.sample(SKILLS, rng.randint(1, 4))
        if rng.random() < 0.5:
            facts["education_level"] = rng.choices(
                range(9), [3, 12, 22, 30, 8, 5, 14, 5, 1]
            )[0]
        native = NATIVE.get(origin)
        if native and rng.random() < 0.5:
            facts[f"cefr_{native}"] = "C2"
        if rng.random() < 0.3:
            facts["cefr_en"] = rng.choice(["A1", "A2", "B1", "B2", "C1"])
        places = self.diaspora.get(origin)
        if places and rng.random() < 0.5:
            count = rng.choices([0, 1, 2, 3], [25, 45, 20, 10])[0]
            where = rng.choices(list(places), list(places.values()), k=count)
            facts["family_in"] = sorted(set(where) - {geo})
            if facts["family_in"]:
                facts["family_relationship"] = rng.choice(
                    ["spouse", "child", "parent", "sibling", "other"]
                )
                facts["family_sponsor_status"] = rng.choice(
                    ["citizen", "permanent_resident", "temporary_resident", "none"]
                )
        if geo == "BRA" and rng.random() < 0.5:
            facts["subdivision_of_residence"] = rng.choice(["BR-RR", "BR-AM", "BR-SP"])
        return facts

    def people(self, n: int, seed: int) -> list[dict[str, Any]]:
        rng = random.Random(seed)
        return [self.person(rng) for _ in range(n)]


JOB_ISCO = ["9211", "6111", "9212", "6121", "7112", "5120", "9312", "8341", "9412"]
SKILLS = ["harvesting", "pruning", "packing", "driving", "cooking", "cleaning"]
NATIVE = dict.fromkeys(
    [
        "ARG",
        "BOL",
        "CHL",
        "COL",
        "CRI",
        "CUB",
        "DOM",
        "ECU",
        "SLV",
        "GTM",
        "HND",
        "MEX",
        "NIC",
        "PAN",
        "PRY",
        "PER",
        "URY",
        "VEN",
        "ESP",
    ],
    "es",
) | {"BRA": "pt", "HTI": "fr", "CAN": "en", "USA": "en", "JAM": "en"}


# --- screening engines ----------------------------------------------------------


def _open_plans() -> list[tuple[Any, tuple[Any, ...]]]:
    catalogue = load_catalogue()
    return [
        (p, p.clauses_in_force(TODAY)) for p in catalogue.pathways if p.is_open(TODAY)
    ]


def screen_ours(people: list[dict[str, Any]]) -> tuple[float, float, list[Any]]:
    screener = Screener(load_catalogue().pathways, TODAY)
    started, cpu = time.perf_counter(), time.process_time()
    results = [screener.screen(parse_facts(d)) for d in people]
    return time.perf_counter() - started, time.process_time() - cpu, results


def screen_rust_every_clause(
    people: list[dict[str, Any]],
) -> tuple[float, float, list[Any]]:
    plans = _open_plans()
    rules = {c.cel: compile_rule(c.cel) for _p, cs in plans for c in cs}
    started, cpu = time.perf_counter(), time.process_time()
    results = []
    for d in people:
        values = parse_facts(d).to_cel(TODAY)
        results.append(
            [
                decide(p, cs, [evaluate_clause(rules[c.cel], values) for c in cs])
                for p, cs in plans
            ]
        )
    return time.perf_counter() - started, time.process_time() - cpu, results


def screen_celpy(people: list[dict[str, Any]]) -> tuple[float, float, list[Any]]:
    import celpy
    from celpy import celtypes

    plans = _open_plans()
    env = celpy.Environment()
    programs = {
        c.cel: (env.program(env.compile(c.cel)), compile_rule(c.cel).variables)
        for _p, cs in plans
        for c in cs
    }
    to_cel = celpy.json_to_cel  # type: ignore[attr-defined]

    def clause(expression: str, values: dict[str, Any], activation: Any) -> ClauseValue:
        program, variables = programs[expression]
        value: object
        try:
            value = program.evaluate(activation)
        except Exception:  # celpy raises or returns its errors: both count alike
            value = None
        if isinstance(value, celtypes.BoolType):
            return bool(value)
        absent = sorted(
            {v for v in variables if v not in values and v != TODAY_VARIABLE}
        )
        if absent:
            return tuple(sorted({f for v in absent for f in input_facts_for(v)}))
        return ()

    started, cpu = time.perf_counter(), time.process_time()
    results = []
    for d in people:
        values = parse_facts(d).to_cel(TODAY)
        activation = {
            k: to_cel(list(v) if isinstance(v, tuple) else v) for k, v in values.items()
        }
        results.append(
            [
                decide(p, cs, [clause(c.cel, values, activation) for c in cs])
                for p, cs in plans
            ]
        )
    return time.perf_counter() - started, time.process_time() - cpu, results


def _person_digest(results: list[ScreeningResult]) -> str:
    parts = []
    for r in results:
        reasons = "|".join(
            x.en if isinstance(x, LocalizedText) else json.dumps(x.to_json())
            for x in r.reasons
        )
        states = ",".join(s.value for _c, s in r.clauses)
        parts.append(
            f"{r.pathway_id}:{r.outcome}:{','.join(r.missing)}:{states}:{reasons}"
        )
    return hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()


# --- matching data ----------------------------------------------------------------

PATHWAY_IDS = ("usa-h2a", "usa-h2b", "can-sawp", "can-tfwp-agricultural")
# (unit groups, share of workers, share of offers, skill pool, pathways)
SECTORS = (
    (
        ("6111", "9211", "6112", "9212"),
        25,
        40,
        ("harvesting", "pruning", "packing", "irrigation", "tractor"),
        PATHWAY_IDS,
    ),
    (
        ("6121", "9212"),
        5,
        5,
        ("milking", "feeding", "herding"),
        ("usa-h2a", "can-sawp"),
    ),
    (
        ("7112", "7115", "9312", "9313"),
        12,
        12,
        ("masonry", "carpentry", "scaffolding", "concrete"),
        ("usa-h2b",),
    ),
    (
        ("5120", "9412", "5131"),
        12,
        12,
        ("cooking", "serving", "food-safety", "dishwashing"),
        ("usa-h2b",),
    ),
    (("9112", "9111"), 8, 5, ("cleaning", "laundry"), ("usa-h2b",)),
    (("5322", "5321"), 8, 6, ("caregiving", "first-aid", "nursing-aide"), ("",)),
    (
        ("7511", "9329", "8160"),
        8,
        10,
        ("meat-cutting", "packing", "machine-operation"),
        ("usa-h2b", ""),
    ),
    (("8322", "8332"), 7, 5, ("driving", "truck-licence", "logistics"), ("",)),
)
LANGUAGES_OF = {"es": (1,), "fr": (3, 4), "pt": (2,), "en": (0,)}


def _uniform_workers(n: int, rng: np.random.Generator, skew: bool) -> WorkerArrays:
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
        eligibility=rng.integers(0, 3, (n, len(PATHWAY_IDS)), dtype=np.int8),
        consent=rng.random(n) < 0.9,
        pathway_ids=PATHWAY_IDS,
    )


def _realistic_workers(n: int, rng: np.random.Generator) -> WorkerArrays:
    """Workers by sector, with the languages of their nationality and their real
    eligibility for each labour pathway (screened once per kind of worker)."""
    population = Population()
    origins = [c[1] for c in population.cells]
    weights = np.array(population.cell_weights, dtype=float)
    nationality = np.array(origins)[
        rng.choice(len(origins), n, p=weights / weights.sum())
    ]
    shares = np.array([s[1] for s in SECTORS] + [15], dtype=float)
    sector = rng.choice(len(SECTORS) + 1, n, p=shares / shares.sum())
    isco = rng.integers(1100, 9700, n).astype(np.int32)
    skills = np.zeros((n, SKILL_WORDS), dtype=np.uint64)
    for s, (units, _w, _o, pool, _p) in enumerate(SECTORS):
        rows = np.nonzero(sector == s)[0]
        isco[rows] = np.array(units, dtype=np.int32)[
            rng.integers(0, len(units), rows.size)
        ]
        masks = np.stack(
            [
                skill_bits(
                    [str(x) for x in rng.choice(pool, min(3, len(pool)), replace=False)]
                )
                for _ in range(32)
            ]
        )
        skills[rows] = masks[rng.integers(0, 32, rows.size)]
    languages = np.zeros((n, len(LANGUAGE_INDEX)), dtype=np.uint8)
    for code, native in NATIVE.items():
        rows = np.nonzero(nationality == code)[0]
        for column in LANGUAGES_OF[native]:
            languages[rows, column] = 7
    english = rng.random(n) < 0.3
    languages[english, 0] = np.maximum(
        languages[english, 0], rng.integers(1, 6, english.sum())
    )
    spanish = languages[:, 1] == 0
    languages[spanish, 1] = rng.integers(0, 5, spanish.sum())
    ages = np.clip(18 + rng.exponential(12, n), 18, 64).astype(np.uint8)
    destinations = np.zeros(n, dtype=np.uint64)
    for state, share in (("USA", 0.5), ("CAN", 0.35), ("MEX", 0.1), ("CHL", 0.1)):
        destinations |= np.where(
            rng.random(n) < share, np.uint64(1 << STATE_INDEX[state]), np.uint64(0)
        )
    screener = Screener(load_catalogue().pathways, TODAY)
    outcomes: dict[tuple[str, bool, int], list[int]] = {}
    eligibility = np.zeros((n, len(PATHWAY_IDS)), dtype=np.int8)
    codes = {Outcome.ELIGIBLE: 2, Outcome.UNDETERMINED: 1, Outcome.NOT_ELIGIBLE: 0}
    for i in range(n):
        key = (str(nationality[i]), bool(ages[i] >= 18), int(isco[i]))
        if key not in outcomes:
            row = []
            for pid in PATHWAY_IDS:
                state = pid[:3].upper()
                facts = parse_facts(
                    {
                        "age": int(ages[i]),
                        "nationality": key[0],
                        "has_job_offer": True,
                        "job_offer_isco": f"{key[2]:04d}",
                        "job_offer_state": state,
                    }
                )
                found = {r.pathway_id: r.outcome for r in screener.screen(facts)}
                row.append(codes[found[pid]] if pid in found else NOT_ELIGIBLE)
            outcomes[key] = row
        eligibility[i] = outcomes[key]
    return WorkerArrays(
        ids=np.arange(n, dtype=np.int64),
        isco=isco,
        skills=skills,
        languages=languages,
        destinations=destinations,
        available_day=(
            np.datetime64("2027-01-01") - np.datetime64("1970-01-01")
        ).astype(int)
        + rng.integers(0, 300, n).astype(np.int32),
        age=ages,
        eligibility=eligibility,
        consent=rng.random(n) < 0.9,
        pathway_ids=PATHWAY_IDS,
    )


def _base_offer() -> JobOffer:
    """The offer of the earlier runs: what scoring reads is set here."""
    return dataclasses.replace(
        parse_offer(compliant_offer("Orchard Co.", "EIN 1")),
        isco="9211",
        state="USA",
        pathway_id="usa-h2a",
        contract_translations=(),
        skills=("harvesting", "pruning"),
        required_language="es",
        required_cefr="B1",
        start_date=date(2027, 3, 1),
        minimum_age=18,
    )


def _offers(kind: str, n: int, rng: np.random.Generator) -> list[JobOffer]:
    base = _base_offer()
    if kind != "realistic":
        codes = rng.integers(11, 97, n) * 100 + rng.integers(0, 100, n)
        offers = [
            dataclasses.replace(base, id=f"o{i}", isco=f"{codes[i]:04d}")
            for i in range(n)
        ]
        if kind == "skewed":  # 40 % of the offers are clones of one offer
            for i in np.nonzero(rng.random(n) < 0.4)[0]:
                offers[i] = dataclasses.replace(offers[0], id=f"o{i}")
        return offers
    starts = [date(2027, m, 1) for m in (2, 3, 4, 5, 6, 9)]
    shares = np.array([s[2] for s in SECTORS], dtype=float)
    offers = []
    while len(offers) < n:
        units, _w, _o, pool, pathways = SECTORS[
            rng.choice(len(SECTORS), p=shares / shares.sum())
        ]
        pathway = str(rng.choice(pathways))
        template = dataclasses.replace(
            base,
            isco=str(rng.choice(units)),
            state=pathway[:3].upper()
            if pathway
            else str(rng.choice(["USA", "CAN", "CHL"])),
            pathway_id=pathway,
            skills=tuple(
                str(x)
                for x in rng.choice(
                    pool, int(rng.integers(1, len(pool))), replace=False
                )
            ),
            required_language=str(rng.choice(["es", "es", "es", "en", "fr"])),
            required_cefr=str(rng.choice(["A2", "B1", "B1", "B2"])),
            contract_translations=("en",) if rng.random() < 0.4 else (),
            start_date=starts[int(rng.integers(0, len(starts)))]
            + timedelta(days=int(rng.integers(0, 3)) * 7),
        )
        for _ in range(int(rng.choice([1, 1, 1, 2, 3, 5]))):  # an employer's vacancies
            offers.append(dataclasses.replace(template, id=f"o{len(offers)}"))
    return offers[:n]


def matching_data(
    kind: str, workers: int, offers: int
) -> tuple[WorkerArrays, list[JobOffer]]:
    rng = np.random.default_rng(1)
    arrays = (
        _realistic_workers(workers, rng)
        if kind == "realistic"
        else _uniform_workers(workers, rng, kind == "skewed")
    )
    return arrays, _offers(kind, offers, np.random.default_rng(2))


# --- matching engines -------------------------------------------------------------

PASSED = OfferCheck(blocked=False, checks=())


def match_ours(w: WorkerArrays, offers: list[JobOffer], k: int) -> tuple[Any, Any]:
    top = top_workers(w, offers, k=k, checks=[PASSED] * len(offers))
    return top.rows, top.scores


def _peer_top(scores: np.ndarray, k: int) -> np.ndarray:
    """argpartition, then the ties at the k-th score taken by worker row (the
    order both sides promise), vectorised over the block."""
    kk = min(k, scores.shape[1])
    part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    kth = np.take_along_axis(scores, part, axis=1).min(axis=1, keepdims=True)
    ties = scores == kth
    room = kk - (scores > kth).sum(axis=1, keepdims=True)
    chosen = (scores > kth) | (ties & (ties.cumsum(axis=1) <= room))
    columns = np.nonzero(chosen)[1].reshape(-1, kk)
    values = np.take_along_axis(scores, columns, axis=1)
    return np.take_along_axis(columns, np.argsort(-values, axis=1, kind="stable"), 1)


def match_numpy_peer(
    w: WorkerArrays, offers: list[JobOffer], k: int
) -> tuple[Any, Any]:
    """The sceptic's peer: ISCO gate, `score_block`, argpartition, signature dedup."""
    vectors = [offer_vector(o, w.pathway_ids) for o in offers]
    first: dict[Any, int] = {}
    which = [first.setdefault(offer_signature(v), i) for i, v in enumerate(vectors)]
    order = np.argsort(w.isco // 100, kind="stable")
    groups = w.isco[order] // 100
    rows = np.full((len(offers), k), -1, dtype=np.int64)
    scores = np.full((len(offers), k), -1.0, dtype=np.float32)
    by_group: dict[int, list[int]] = defaultdict(list)
    for i in sorted(set(which)):
        by_group[vectors[i].isco // 100].append(i)
    for group, members in by_group.items():
        lo, hi = np.searchsorted(groups, [group, group + 1])
        gate = order[lo:hi]
        if gate.size == 0:
            continue
        step = max(1, (1 << 20) // gate.size)
        for at in range(0, len(members), step):
            block = members[at : at + step]
            s, _factors = score_block([vectors[i] for i in block], w, gate)
            best = _peer_top(s, k)
            values = np.take_along_axis(s, best, axis=1)
            keep = values >= 0
            rows[block, : best.shape[1]] = np.where(keep, gate[best], -1)
            scores[block, : best.shape[1]] = np.where(keep, values, -1.0)
    return rows[which], scores[which]


ENGINES = {
    "screening:ours": screen_ours,
    "screening:cel-rust-every-clause": screen_rust_every_clause,
    "screening:cel-python": screen_celpy,
    "matching:ours": match_ours,
    "matching:numpy-peer": match_numpy_peer,
}


# --- one run in its own process -------------------------------------------------------


def child(task: dict[str, Any]) -> dict[str, Any]:
    engine = task["engine"]
    if engine.startswith("screening:"):
        people = Population().people(task["people"], seed=2026)
        seconds, cpu, results = ENGINES[engine](people)  # type: ignore[operator]
        digests = [_person_digest(r) for r in results]
        Path(task["out"]).write_text(json.dumps(digests), encoding="utf-8")
        rate = len(people) / seconds
        extra: dict[str, Any] = {
            "people": len(people),
            "people_per_second": round(rate),
            "people_per_cpu_second": round(len(people) / cpu),
        }
    else:
        w, offers = matching_data(task["set"], task["workers"], task["offers"])
        started, cpu = time.perf_counter(), time.process_time()
        rows, scores = ENGINES[engine](w, offers, 20)  # type: ignore[operator]
        seconds = time.perf_counter() - started
        extra = {"cpu_seconds": round(time.process_time() - cpu, 3)}
        np.savez(task["out"], rows=rows, scores=scores)
        extra["offers_with_full_top_20"] = int((rows[:, -1] >= 0).sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(peak), **extra}


def run(task: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this script, with JSON it wrote
        [sys.executable, __file__, "--child", json.dumps(task)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{task['engine']} failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _differ(name: str, where: str) -> None:
    raise SystemExit(f"FAIL: {name}: {PEERS_MUST_AGREE} ({where})")


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median_low(r[key] for r in runs))


def bench_screening(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    people = Population().people(args.people, seed=2026)
    variety = {
        name: len({json.dumps(p.get(name)) for p in people if name in p})
        for name in VARIED
    }
    variety["distinct_fact_sets"] = len({json.dumps(p, sort_keys=True) for p in people})
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    digests: dict[str, list[str]] = {}
    plan = [("ours", args.people)] * args.repeats + [
        ("cel-rust-every-clause", args.people),
        ("cel-python", args.celpy_people),
    ]
    for name, count in plan:
        out = scratch / f"screening-{name}.json"
        runs[name].append(
            run({"engine": f"screening:{name}", "people": count, "out": str(out)})
        )
        digests[name] = json.loads(out.read_text("utf-8"))
    for name in ("cel-rust-every-clause", "cel-python"):
        theirs = digests[name]
        for i, (a, b) in enumerate(zip(digests["ours"], theirs, strict=False)):
            if a != b:
                _differ(f"screening vs {name}", f"person {i}: {json.dumps(people[i])}")
    ours = runs["ours"]
    rate = _median(ours, "people_per_second")
    peer = runs["cel-rust-every-clause"][0]
    return {
        "people": args.people,
        "catalogue_open_pathways": len(_open_plans()),
        "realistic": REALISTIC,
        "distinct_values": variety,
        "ours": {
            "people_per_second_runs": [r["people_per_second"] for r in ours],
            "people_per_cpu_second_runs": [r["people_per_cpu_second"] for r in ours],
            "people_per_second": round(rate),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in ours),
        },
        "cel_rust_every_clause": peer,
        "cel_python": runs["cel-python"][0],
        "speedup_vs_cel_rust": round(rate / peer["people_per_second"], 1),
        "speedup_vs_cel_rust_cpu": round(
            _median(ours, "people_per_cpu_second") / peer["people_per_cpu_second"], 1
        ),
        "answers_identical": {
            "cel_rust_every_clause": args.people,
            "cel_python": args.celpy_people,
        },
        "goal_people_per_second": 20_000,
        "processes": 1,
    }


def bench_matching(
    args: argparse.Namespace, scratch: Path, kind: str
) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    answers: dict[str, Any] = {}
    for _ in range(args.repeats):  # interleaved: ours, the peer, ours, ...
        for name in ("ours", "numpy-peer"):
            out = scratch / f"matching-{kind}-{name}.npz"
            size = {"workers": args.workers, "offers": args.offers, "out": str(out)}
            runs[name].append(run({"engine": f"matching:{name}", "set": kind, **size}))
            answers[name] = np.load(out)
    for key in ("rows", "scores"):
        mine, theirs = answers["ours"][key], answers["numpy-peer"][key]
        if not np.array_equal(mine, theirs):
            offer = int(np.nonzero((mine != theirs).any(axis=1))[0][0])
            _differ(f"matching {kind}", f"{key} of offer {offer}")
    ours = _median(runs["ours"], "seconds")
    peer = _median(runs["numpy-peer"], "seconds")
    return {
        "workers": args.workers,
        "offers": args.offers,
        "top_k": 20,
        "ours_seconds_runs": [r["seconds"] for r in runs["ours"]],
        "numpy_peer_seconds_runs": [r["seconds"] for r in runs["numpy-peer"]],
        "ours_cpu_seconds_runs": [r["cpu_seconds"] for r in runs["ours"]],
        "numpy_peer_cpu_seconds_runs": [r["cpu_seconds"] for r in runs["numpy-peer"]],
        "ours_seconds": ours,
        "numpy_peer_seconds": peer,
        "ours_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["ours"]),
        "numpy_peer_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["numpy-peer"]),
        "speedup_vs_numpy_peer": round(peer / ours, 2),
        "answers_identical": True,
        "offers_with_full_top_20": runs["ours"][0]["offers_with_full_top_20"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--celpy-people", type=int, default=300)
    parser.add_argument("--workers", type=int, default=200_000)
    parser.add_argument("--offers", type=int, default=2_000)
    parser.add_argument("--big-workers", type=int, default=1_000_000)
    parser.add_argument("--big-offers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("screening", "matching"), default=None)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(child(json.loads(args.child))) + "\n")
        return
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        if args.only in (None, "screening"):
            report["screening"] = bench_screening(args, scratch)
        if args.only in (None, "matching"):
            report["matching"] = {
                kind: bench_matching(args, scratch, kind)
                for kind in ("uniform", "skewed", "realistic")
            }
            big = run(
                {
                    "engine": "matching:ours",
                    "set": "uniform",
                    "workers": args.big_workers,
                    "offers": args.big_offers,
                    "out": str(scratch / "big.npz"),
                }
            )
            report["matching"]["big"] = {
                "workers": args.big_workers,
                "offers": args.big_offers,
                **big,
                "goal_seconds": 60,
                "goal_peak_rss_mb": 4096,
            }
    if args.json:
        sys.stdout.write(json.dumps(report, indent=1) + "\n")
    else:
        for name, section in report.items():
            sys.stdout.write(f"{name}: {section}\n")


if __name__ == "__main__":
    main()
