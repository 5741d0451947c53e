from __future__ import annotations

import itertools
import time
from datetime import date

import numpy as np

from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.fair_recruitment import check_offer, parse_offer
from puente.pathways.rules.matching import (
    LANGUAGE_INDEX,
    SKILL_WORDS,
    WorkerArrays,
    WorkerProfile,
    encode_workers,
    explain,
    rank_offers_for_worker,
    rank_workers_for_offers,
)
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
        matches = rank_workers_for_offers(arrays, [offer])["offer-1"]
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
        assert check_offer(blocked).blocked
        result = rank_workers_for_offers(arrays, [blocked, fine])
        assert "offer-fee" not in result
        assert result["offer-ok"]
        offers_for_worker = rank_offers_for_worker(arrays, 0, [blocked, fine])
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
        result = rank_workers_for_offers(arrays, offers, k=20)
        elapsed = time.perf_counter() - started
        assert len(result) == 100
        assert all(len(m) == 20 for m in result.values())
        assert all(
            a.score >= b.score
            for m in result.values()
            for a, b in itertools.pairwise(m)
        )
        assert elapsed < 30
