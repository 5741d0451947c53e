from __future__ import annotations

import dataclasses
import itertools
import time
from datetime import date, timedelta

import numpy as np
import pytest

from puente.pathways.rules import matching
from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.fair_recruitment import check_offer
from puente.pathways.rules.match_explanations import explain
from puente.pathways.rules.matching import (
    CEFR_RANK,
    CONTRACT_READING_RANK,
    ELIGIBLE,
    LANGUAGE_INDEX,
    NOT_ELIGIBLE,
    SKILL_WORDS,
    STATE_INDEX,
    WEIGHTS,
    Match,
    WorkerArrays,
    WorkerProfile,
    encode_workers,
    rank_offers_for_worker,
    rank_workers_for_offers,
    skill_bits,
    top_k_columns,
    top_workers,
)
from puente.pathways.rules.offers import JobOffer
from puente.pathways.service import parse_offer
from tests.pathways.test_fair_recruitment import compliant_offer

PATHWAYS = ("usa-h2a", "can-sawp")


def worker(wid: str, isco: str, **changes: object) -> WorkerProfile:
    base: dict[str, object] = {
        "id": wid,
        "isco": isco,
        "skills": ("harvesting", "pruning"),
        "languages": {"es": "native", "en": "A2"},
        "preferred_destinations": ("USA",),
        "available_from": date(2027, 2, 1),
        "age": 30,
        "pathway_outcomes": {"usa-h2a": Outcome.ELIGIBLE},
    }
    base.update(changes)
    return WorkerProfile(**base)  # type: ignore[arg-type]


WORKERS = [
    worker("exact", "9211"),
    worker("same-minor", "9212"),
    worker("same-submajor", "9216", skills=("harvesting",)),
    worker("other-group", "5120"),
    worker("no-spanish", "9211", languages={"en": "B1"}),
    worker("not-eligible", "9211", pathway_outcomes={"usa-h2a": Outcome.NOT_ELIGIBLE}),
    worker("minor", "9211", age=16),
    worker("no-consent", "9211", consents_to_matching=False),
    worker(
        "late",
        "9211",
        available_from=date(2027, 4, 1),
        pathway_outcomes={"usa-h2a": Outcome.UNDETERMINED},
    ),
]


class TestRanking:
    def test_ranks_by_occupation_and_applies_gates(self) -> None:
        arrays, ids = encode_workers(WORKERS, PATHWAYS)
        offer = parse_offer(compliant_offer())
        matches = rank_workers_for_offers(arrays, [offer], checks=[check_offer(offer)])[
            "offer-1"
        ]
        ranked = [ids[m.worker_row] for m in matches]
        assert ranked[:3] == ["exact", "same-minor", "late"]
        assert set(ranked) == {"exact", "same-minor", "same-submajor", "late"}
        exact = matches[0]
        assert exact.factors["occupation"] == 1.0
        assert matches[1].factors["occupation"] == 0.6
        lines = explain(exact, WORKERS[0], offer)
        assert len(lines) == 6
        assert lines[0].startswith("Occupation (100%)")

    def test_blocked_offer_is_never_matched(self) -> None:
        arrays, _ids = encode_workers(WORKERS, PATHWAYS)
        fee = [
            {
                "category": "recruitment_fee",
                "amount": 500,
                "currency": "USD",
                "paid_by": "worker",
            }
        ]
        blocked = parse_offer(compliant_offer(id="offer-fee", costs=fee))
        fine = parse_offer(compliant_offer(id="offer-ok"))
        checks = [check_offer(blocked), check_offer(fine)]
        assert checks[0].blocked
        result = rank_workers_for_offers(arrays, [blocked, fine], checks=checks)
        assert "offer-fee" not in result
        assert result["offer-ok"]
        offers_for_worker = rank_offers_for_worker(
            arrays, 0, [blocked, fine], checks=checks
        )
        assert [m.offer_id for m in offers_for_worker] == ["offer-ok"]


class TestScale:
    def test_sample_of_100k_workers_and_100_offers(self) -> None:
        rng = np.random.default_rng(7)
        n = 100_000
        groups = rng.choice(np.array([61, 92, 51, 71, 83]), n)
        arrays = WorkerArrays(
            ids=np.arange(n, dtype=np.int64),
            isco=(groups * 100 + rng.integers(0, 30, n)).astype(np.int32),
            skills=rng.integers(0, 2**63, (n, SKILL_WORDS), dtype=np.uint64)
            & rng.integers(0, 2**63, (n, SKILL_WORDS), dtype=np.uint64),
            languages=rng.integers(0, 8, (n, len(LANGUAGE_INDEX)), dtype=np.uint8),
            destinations=rng.integers(0, 2**20, n, dtype=np.uint64),
            available_day=rng.integers(20_000, 21_000, n, dtype=np.int32),
            age=rng.integers(16, 60, n, dtype=np.uint8),
            eligibility=rng.integers(0, 3, (n, len(PATHWAYS)), dtype=np.int8),
            consent=rng.random(n) < 0.9,
            pathway_ids=PATHWAYS,
        )
        offers = [
            parse_offer(
                compliant_offer(id=f"o{i}", isco=f"{[6111, 9211, 5120][i % 3]}")
            )
            for i in range(100)
        ]
        started = time.perf_counter()
        result = rank_workers_for_offers(
            arrays, offers, k=20, checks=[check_offer(o) for o in offers]
        )
        elapsed = time.perf_counter() - started
        assert len(result) == 100
        assert all(len(m) == 20 for m in result.values())
        assert all(
            a.score >= b.score
            for m in result.values()
            for a, b in itertools.pairwise(m)
        )
        assert elapsed < 30


def _reference_scores(w: WorkerArrays, offer: JobOffer, rows: list[int]) -> list[float]:
    """Score pair by pair in float32, in the factor order of the module; -1 = gated."""
    f32 = np.float32
    bits = skill_bits(offer.skills)
    count = int(np.bitwise_count(bits).sum())
    lang = LANGUAGE_INDEX.get(offer.required_language, -1)
    rank = CEFR_RANK.get(offer.required_cefr, 0)
    contract = [offer.contract_language, *offer.contract_translations]
    readable = [LANGUAGE_INDEX[c] for c in contract if c in LANGUAGE_INDEX]
    state = 1 << STATE_INDEX[offer.state] if offer.state in STATE_INDEX else 0
    start = (offer.start_date - date(1970, 1, 1)).days if offer.start_date else -(10**9)
    column = (
        w.pathway_ids.index(offer.pathway_id)
        if offer.pathway_id in w.pathway_ids
        else -1
    )
    out: list[float] = []
    for j in rows:
        isco, o_isco = int(w.isco[j]), int(offer.isco)
        code = int(w.eligibility[j, column]) if column >= 0 else -1
        if (
            isco // 100 != o_isco // 100
            or not any(
                int(w.languages[j, c]) >= CONTRACT_READING_RANK for c in readable
            )
            or not w.consent[j]
            or int(w.age[j]) < offer.minimum_age
            or code == NOT_ELIGIBLE
        ):
            out.append(-1.0)
            continue
        overlap = sum(
            bin(int(a) & int(b)).count("1")
            for a, b in zip(w.skills[j], bits, strict=True)
        )
        level = int(w.languages[j, lang]) if lang >= 0 else 0
        dest = int(w.destinations[j])
        late = f32(int(w.available_day[j]) - start)
        factors = {
            "occupation": f32(
                1.0 if isco == o_isco else 0.6 if isco // 10 == o_isco // 10 else 0.3
            ),
            "skills": f32(overlap / count) if count else f32(1.0),
            "language": f32(1.0)
            if lang < 0 or rank == 0 or level >= rank
            else f32(0.5) * f32(level) / rank,
            "location": f32(1.0 if dest & state else 0.5 if dest == 0 else 0.0),
            "availability": min(max(f32(1) - late / f32(60), f32(0)), f32(1)),
            "eligibility": f32(1.0 if code in (ELIGIBLE, -1) else 0.5),
        }
        total = f32(0.0)
        for name, value in factors.items():
            total = f32(total + f32(WEIGHTS[name]) * f32(value))
        out.append(float(total))
    return out


def _reference_top_k(
    w: WorkerArrays, offer: JobOffer, k: int
) -> list[tuple[int, float]]:
    """Plain top-k: best score first, equal scores by worker row."""
    rows = [j for j in range(len(w)) if int(w.isco[j]) // 100 == int(offer.isco) // 100]
    scores = _reference_scores(w, offer, rows)
    ranked = sorted(zip(rows, scores, strict=True), key=lambda p: (-p[1], p[0]))
    return [(row, round(score, 4)) for row, score in ranked[:k] if score >= 0]


class TestOptimisedMatchesReference:
    def test_random_skewed_data(self) -> None:
        rng = np.random.default_rng(2026)
        n, k = 700, 5
        groups = rng.choice(np.array([61, 51, 92]), n)
        groups[rng.random(n) < 0.6] = 92  # skewed: most workers in one group
        arrays = WorkerArrays(
            ids=np.arange(n, dtype=np.int64),
            isco=(groups * 100 + rng.choice(np.array([10, 11, 12, 21, 22]), n)).astype(
                np.int32
            ),
            skills=rng.integers(0, 2**63, (n, SKILL_WORDS), dtype=np.uint64)
            & rng.integers(0, 2**63, (n, SKILL_WORDS), dtype=np.uint64),
            languages=rng.integers(0, 8, (n, len(LANGUAGE_INDEX)), dtype=np.uint8),
            destinations=rng.integers(0, 4, n, dtype=np.uint64) * np.uint64(1 << 20),
            available_day=rng.integers(20_850, 20_960, n, dtype=np.int32),
            age=rng.integers(15, 25, n, dtype=np.uint8),
            eligibility=rng.integers(0, 3, (n, len(PATHWAYS)), dtype=np.int8),
            consent=rng.random(n) < 0.9,
            pathway_ids=PATHWAYS,
        )
        base = parse_offer(compliant_offer())
        words = [f"skill-{i}" for i in range(40)]
        offers: list[JobOffer] = []
        for i in range(40):
            size = int(rng.choice(np.array([0, 1, 2, 3, 12])))
            offers.append(
                dataclasses.replace(
                    base,
                    id=f"o{i}",
                    isco=str(
                        rng.choice(np.array([9211, 9212, 9221, 9299, 6111, 5110, 7110]))
                    ),
                    state=str(rng.choice(np.array(["USA", "CAN", "XXX"]))),
                    skills=tuple(rng.choice(np.array(words), size, replace=False)),
                    required_language=str(rng.choice(np.array(["es", "en", "", "zz"]))),
                    required_cefr=str(rng.choice(np.array(["A2", "B1", "C1", ""]))),
                    contract_translations=("en",) if rng.random() < 0.5 else (),
                    pathway_id=str(
                        rng.choice(np.array(["usa-h2a", "can-sawp", "other"]))
                    ),
                    start_date=None
                    if rng.random() < 0.2
                    else date(2027, 3, 1) + timedelta(days=int(rng.integers(-30, 30))),
                    minimum_age=int(rng.choice(np.array([16, 18, 21]))),
                )
            )
        offers += [dataclasses.replace(o, id=f"{o.id}-copy") for o in offers[:10]]
        check = check_offer(base)
        result = rank_workers_for_offers(
            arrays, offers, k=k, checks=[check] * len(offers)
        )
        assert list(result) != []
        for offer in offers:
            got = [(m.worker_row, m.score) for m in result[offer.id]]
            assert got == _reference_top_k(arrays, offer, k), offer.id
            rows = [m.worker_row for m in result[offer.id]]
            for m in result[offer.id]:
                assert m.offer_id == offer.id
                assert (
                    abs(sum(WEIGHTS[f] * v for f, v in m.factors.items()) - m.score)
                    < 1e-3
                )
            # Factors agree with the per-worker API, which scores with `score_block`.
            for row in rows[:2]:
                single = rank_offers_for_worker(arrays, row, [offer], checks=[check])
                assert [_key(m) for m in single] == [
                    _key(m) for m in result[offer.id] if m.worker_row == row
                ]


def _key(m: Match) -> tuple[str, int, float, tuple[tuple[str, float], ...]]:
    return m.offer_id, m.worker_row, m.score, tuple(m.factors.items())


class TestTopK:
    def test_ties_are_broken_by_column_in_linear_time_selection(self) -> None:
        rng = np.random.default_rng(5)
        scores = (rng.integers(-1, 4, (50, 300)) / 4).astype(np.float32)
        for k in (1, 7, 20, 300, 400):
            got = top_k_columns(scores, k)
            for row, columns in zip(scores, got, strict=True):
                expected = sorted(range(row.size), key=lambda j: (-row[j], j))[:k]
                assert list(columns) == expected

    def test_blocks_and_duplicates_give_the_same_answers(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        rng = np.random.default_rng(11)
        n = 3_000
        arrays = WorkerArrays(
            ids=np.arange(n, dtype=np.int64),
            isco=(
                rng.choice(np.array([61, 92]), n) * 100 + rng.integers(0, 3, n)
            ).astype(np.int32),
            skills=rng.integers(0, 4, (n, SKILL_WORDS), dtype=np.uint64),
            languages=rng.integers(3, 8, (n, len(LANGUAGE_INDEX)), dtype=np.uint8),
            destinations=rng.integers(0, 2, n, dtype=np.uint64),
            available_day=rng.integers(20_870, 20_880, n, dtype=np.int32),
            age=rng.integers(17, 40, n, dtype=np.uint8),
            eligibility=rng.integers(0, 3, (n, len(PATHWAYS)), dtype=np.int8),
            consent=rng.random(n) < 0.95,
            pathway_ids=PATHWAYS,
        )
        base = parse_offer(compliant_offer())
        offers = [
            dataclasses.replace(base, id=f"o{i}", isco=["9211", "6111", "9210"][i % 3])
            for i in range(30)
        ]
        checks = [check_offer(o) for o in offers]
        whole = top_workers(arrays, offers, k=20, checks=checks)
        monkeypatch.setattr(matching, "_BLOCK_PAIRS", 500)
        blocked = top_workers(arrays, offers, k=20, checks=checks)
        assert np.array_equal(whole.rows, blocked.rows)
        assert np.array_equal(whole.scores, blocked.scores)
        assert whole.offer_ids == tuple(o.id for o in offers)
        # Clones of one offer get that offer's answer.
        assert np.array_equal(whole.rows[0], whole.rows[3])
        for i, offer in enumerate(offers[:6]):
            expected = _reference_top_k(arrays, offer, 20)
            got = [
                (int(r), round(float(s), 4))
                for r, s in zip(whole.rows[i], whole.scores[i], strict=True)
                if r >= 0
            ]
            assert got == expected, offer.id
