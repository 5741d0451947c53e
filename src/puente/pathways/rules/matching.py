"""Worker–offer matching: a weighted score with one explained factor each.

Factors: occupation (ISCO-08: same unit group 1, same minor group 0.6, same sub-major
group 0.3), skills (share of the offer's skills the worker has), language (CEFR level
in the required language), location (preferred destinations), availability (start
date) and eligibility for the offer's pathway.

Gates (never scored, always enforced): the offer passed the automatic fair-recruitment
checks; the worker shares the offer's ISCO sub-major group, reads a contract language
(native or ≥ B2, ER-05), is old enough (ER-22), consents to matching (ER-24), and is
not `not_eligible` for the offer's pathway.

Scale (`top_workers`): workers are columns of numpy arrays sorted by sub-major
group, and each group's workers are gathered once. Identical offers (same signature)
are scored once. Each block of distinct offers is scored against the group at once:
every factor takes few values, so each pair gets small integer codes, and one lookup
in a per-offer table of partial sums adds them in `score_block`'s float32 order
(bit-identical scores). The top k per offer are chosen by argpartition, ties broken
by worker row, so answers never depend on the order of the data.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from puente.pathways.rules.catalogue import LAD_STATES
from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.fair_recruitment import OfferCheck
from puente.pathways.rules.offers import JobOffer

WEIGHTS: Final[Mapping[str, float]] = {
    "occupation": 0.30,
    "skills": 0.20,
    "language": 0.15,
    "location": 0.10,
    "availability": 0.10,
    "eligibility": 0.15,
}
FACTORS: Final = tuple(WEIGHTS)
LANGUAGE_INDEX: Final[Mapping[str, int]] = {
    code: i for i, code in enumerate(("en", "es", "pt", "fr", "ht", "de", "it", "nl"))
}
STATE_INDEX: Final[Mapping[str, int]] = {
    code: i
    for i, code in enumerate(
        (
            *LAD_STATES,
            "GUY",
            "DOM",
            "TTO",
            "ESP",
            "CUB",
            "VEN",
            "NIC",
            "BOL",
            "DEU",
            "ITA",
        )
    )
}
CEFR_RANK: Final[Mapping[str, int]] = {
    "A1": 1,
    "A2": 2,
    "B1": 3,
    "B2": 4,
    "C1": 5,
    "C2": 6,
    "native": 7,
}
CONTRACT_READING_RANK: Final = 4  # B2, research/03 ER-05
SKILL_WORDS: Final = 4  # 256-bit hashed skill sets
AVAILABILITY_GRACE_DAYS: Final = 60
ELIGIBLE, UNDETERMINED, NOT_ELIGIBLE = 2, 1, 0
_EPOCH: Final = date(1970, 1, 1)

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]


def skill_bits(skills: Sequence[str]) -> U64:
    """Hash skills into a fixed bitset (collisions only ever overstate overlap)."""
    bits = np.zeros(SKILL_WORDS, dtype=np.uint64)
    for skill in skills:
        h = zlib.crc32(skill.encode("utf-8")) % (64 * SKILL_WORDS)
        bits[h // 64] |= np.uint64(1) << np.uint64(h % 64)
    return bits


@dataclass(frozen=True, slots=True)
class WorkerProfile:
    id: str
    isco: str
    skills: tuple[str, ...]
    languages: Mapping[str, str]
    preferred_destinations: tuple[str, ...]
    available_from: date
    age: int
    pathway_outcomes: Mapping[str, Outcome]
    consents_to_matching: bool = True


@dataclass(frozen=True, slots=True)
class WorkerArrays:
    """Column store of workers. `eligibility[:, j]` is for `pathway_ids[j]`."""

    ids: npt.NDArray[np.int64]
    isco: I32
    skills: U64
    languages: npt.NDArray[np.uint8]
    destinations: U64
    available_day: I32
    age: npt.NDArray[np.uint8]
    eligibility: npt.NDArray[np.int8]
    consent: npt.NDArray[np.bool_]
    pathway_ids: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.ids.shape[0])


def encode_workers(
    profiles: Sequence[WorkerProfile], pathway_ids: Sequence[str]
) -> tuple[WorkerArrays, list[str]]:
    """Encode profiles as arrays; returns the arrays and the id of each row."""
    n = len(profiles)
    pathways = tuple(pathway_ids)
    codes = {Outcome.ELIGIBLE: ELIGIBLE, Outcome.UNDETERMINED: UNDETERMINED}
    arrays = WorkerArrays(
        ids=np.arange(n, dtype=np.int64),
        isco=np.array([int(p.isco) for p in profiles], dtype=np.int32),
        skills=np.stack([skill_bits(p.skills) for p in profiles])
        if n
        else np.zeros((0, SKILL_WORDS), dtype=np.uint64),
        languages=np.array(
            [
                [CEFR_RANK.get(p.languages.get(lang, ""), 0) for lang in LANGUAGE_INDEX]
                for p in profiles
            ],
            dtype=np.uint8,
        ).reshape(n, len(LANGUAGE_INDEX)),
        destinations=np.array(
            [_state_mask(p.preferred_destinations) for p in profiles], dtype=np.uint64
        ),
        available_day=np.array(
            [(p.available_from - _EPOCH).days for p in profiles], dtype=np.int32
        ),
        age=np.array([min(p.age, 255) for p in profiles], dtype=np.uint8),
        eligibility=np.array(
            [
                [
                    codes.get(p.pathway_outcomes[pid], NOT_ELIGIBLE)
                    if pid in p.pathway_outcomes
                    else UNDETERMINED
                    for pid in pathways
                ]
                for p in profiles
            ],
            dtype=np.int8,
        ).reshape(n, len(pathways)),
        consent=np.array([p.consents_to_matching for p in profiles], dtype=np.bool_),
        pathway_ids=pathways,
    )
    return arrays, [p.id for p in profiles]


def _state_mask(states: Sequence[str]) -> int:
    mask = 0
    for s in states:
        if s in STATE_INDEX:
            mask |= 1 << STATE_INDEX[s]
    return mask


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked pair. `factors` holds each factor's score in 0..1."""

    offer_id: str
    worker_row: int
    score: float
    factors: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class OfferVector:
    """What scoring reads from one offer."""

    offer_id: str
    isco: int
    skills: U64
    skill_count: int
    contract_languages: tuple[int, ...]
    required_language: int
    required_rank: int
    state_bit: int
    start_day: int
    pathway_column: int
    minimum_age: int


@cache
def _offer_bits(skills: tuple[str, ...]) -> U64:
    bits = skill_bits(skills)
    bits.flags.writeable = False
    return bits


def offer_vector(offer: JobOffer, pathway_ids: Sequence[str]) -> OfferVector:
    bits = _offer_bits(tuple(offer.skills))
    contract = [offer.contract_language, *offer.contract_translations]
    return OfferVector(
        offer_id=offer.id or offer.title,
        isco=int(offer.isco),
        skills=bits,
        skill_count=int(np.bitwise_count(bits).sum()),
        contract_languages=tuple(
            LANGUAGE_INDEX[c] for c in contract if c in LANGUAGE_INDEX
        ),
        required_language=LANGUAGE_INDEX.get(offer.required_language, -1),
        required_rank=CEFR_RANK.get(offer.required_cefr, 0),
        state_bit=1 << STATE_INDEX[offer.state] if offer.state in STATE_INDEX else 0,
        start_day=(offer.start_date - _EPOCH).days if offer.start_date else -(10**9),
        pathway_column=(
            pathway_ids.index(offer.pathway_id)
            if offer.pathway_id in pathway_ids
            else -1
        ),
        minimum_age=offer.minimum_age,
    )


Signature = tuple[int, bytes, tuple[int, ...], int, int, int, int, int, int]


def offer_signature(v: OfferVector) -> Signature:
    """Everything that scoring reads from an offer (all fields but its id)."""
    return (
        v.isco,
        v.skills.tobytes(),
        v.contract_languages,
        v.required_language,
        v.required_rank,
        v.state_bit,
        v.start_day,
        v.pathway_column,
        v.minimum_age,
    )


def score_block(
    offers: Sequence[OfferVector], w: WorkerArrays, rows: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.float32], dict[str, npt.NDArray[np.float32]]]:
    """Scores (offers × rows), −1 where a gate excludes the pair, plus each factor."""
    f32 = np.float32
    isco = w.isco[rows]
    o_isco = np.array([o.isco for o in offers], dtype=np.int32)[:, None]
    occupation = np.where(
        isco[None, :] == o_isco,
        f32(1.0),
        np.where(
            isco[None, :] // 10 == o_isco // 10,
            f32(0.6),
            np.where(isco[None, :] // 100 == o_isco // 100, f32(0.3), f32(0.0)),
        ),
    ).astype(f32)
    o_bits = np.stack([o.skills for o in offers])
    overlap = np.bitwise_count(w.skills[rows][None, :, :] & o_bits[:, None, :]).sum(
        axis=2, dtype=np.int32
    )
    counts = np.array([o.skill_count for o in offers], dtype=f32)[:, None]
    skills = np.where(counts > 0, overlap / np.maximum(counts, 1), f32(1.0)).astype(f32)

    langs = w.languages[rows]
    language = np.ones((len(offers), rows.size), dtype=f32)
    readable = np.zeros((len(offers), rows.size), dtype=np.bool_)
    for i, o in enumerate(offers):
        if o.required_language >= 0 and o.required_rank > 0:
            level = langs[:, o.required_language].astype(f32)
            language[i] = np.where(
                level >= o.required_rank, f32(1.0), f32(0.5) * level / o.required_rank
            )
        for c in o.contract_languages:
            readable[i] |= langs[:, c] >= CONTRACT_READING_RANK

    dest = w.destinations[rows][None, :]
    bit = np.array([o.state_bit for o in offers], dtype=np.uint64)[:, None]
    location = np.where(
        (dest & bit) != 0, f32(1.0), np.where(dest == 0, f32(0.5), f32(0.0))
    ).astype(f32)

    start = np.array([o.start_day for o in offers], dtype=np.int32)[:, None]
    late = (w.available_day[rows][None, :] - start).astype(f32)
    availability = np.clip(1 - late / AVAILABILITY_GRACE_DAYS, 0, 1).astype(f32)

    eligibility = np.ones((len(offers), rows.size), dtype=f32)
    allowed = readable & w.consent[rows][None, :]
    ages = w.age[rows]
    for i, o in enumerate(offers):
        allowed[i] &= ages >= o.minimum_age
        if o.pathway_column >= 0:
            code = w.eligibility[rows, o.pathway_column]
            eligibility[i] = np.where(code == ELIGIBLE, f32(1.0), f32(0.5))
            allowed[i] &= code != NOT_ELIGIBLE
    allowed &= occupation > 0

    factors = {
        "occupation": occupation,
        "skills": skills,
        "language": language,
        "location": location,
        "availability": availability,
        "eligibility": eligibility,
    }
    total = np.zeros_like(occupation)
    for name, values in factors.items():
        total += f32(WEIGHTS[name]) * values
    return np.where(allowed, total, f32(-1.0)), factors


@dataclass(frozen=True, slots=True)
class _Group:
    """The workers of one ISCO sub-major group, gathered once, as the codes the
    factors read (rows ascending)."""

    rows: npt.NDArray[np.intp]
    isco: I32
    minor: I32
    skills: U64  # (n, SKILL_WORDS)
    languages: npt.NDArray[np.uint8]  # (languages, n)
    readable: npt.NDArray[np.uint8]  # bit l: reads language l at B2 or better
    destinations: U64
    no_destination: npt.NDArray[np.int32]
    available_day: npt.NDArray[np.int64]
    age: npt.NDArray[np.uint8]
    eligibility: npt.NDArray[np.int8]  # (pathways, n)
    consent: npt.NDArray[np.bool_]


def _by_group(w: WorkerArrays) -> tuple[_Group, dict[int, tuple[int, int]]]:
    """Every worker, ordered by sub-major group (rows ascending within one) and
    gathered once, with each group's bounds: a group is a slice of views."""
    rows = np.argsort(w.isco // 100, kind="stable")
    isco = w.isco[rows]
    languages = np.ascontiguousarray(w.languages[rows].T)
    readable = np.zeros(rows.size, dtype=np.uint8)
    for language in range(min(languages.shape[0], 8)):
        readable |= (languages[language] >= CONTRACT_READING_RANK).astype(
            np.uint8
        ) << np.uint8(language)
    destinations = w.destinations[rows]
    everyone = _Group(
        rows=rows,
        isco=isco,
        minor=isco // 10,
        skills=np.ascontiguousarray(w.skills[rows]),
        languages=languages,
        readable=readable,
        destinations=destinations,
        no_destination=(destinations == 0).astype(np.int32),
        available_day=w.available_day[rows].astype(np.int64),
        age=w.age[rows],
        eligibility=np.ascontiguousarray(w.eligibility[rows].T),
        consent=w.consent[rows],
    )
    groups = isco // 100
    present = np.unique(groups)
    starts = np.searchsorted(groups, present)
    ends = np.searchsorted(groups, present, side="right")
    bounds = {
        int(g): (int(a), int(b)) for g, a, b in zip(present, starts, ends, strict=True)
    }
    return everyone, bounds


def _part(g: _Group, lo: int, hi: int) -> _Group:
    return _Group(
        rows=g.rows[lo:hi],
        isco=g.isco[lo:hi],
        minor=g.minor[lo:hi],
        skills=g.skills[lo:hi],
        languages=g.languages[:, lo:hi],
        readable=g.readable[lo:hi],
        destinations=g.destinations[lo:hi],
        no_destination=g.no_destination[lo:hi],
        available_day=g.available_day[lo:hi],
        age=g.age[lo:hi],
        eligibility=g.eligibility[:, lo:hi],
        consent=g.consent[lo:hi],
    )


_OCCUPATION_VALUES: Final = np.array([0.0, 0.3, 0.6, 1.0], dtype=np.float32)
_LEVELS: Final = np.arange(8, dtype=np.float32)
_LOCATION_VALUES: Final = np.array([0.0, 0.5, 1.0], dtype=np.float32)
_LATE_DAYS: Final = np.arange(AVAILABILITY_GRACE_DAYS + 1, dtype=np.int32).astype(
    np.float32
)
_AVAILABILITY_PART: Final = np.float32(WEIGHTS["availability"]) * np.clip(
    1 - _LATE_DAYS / AVAILABILITY_GRACE_DAYS, 0, 1
).astype(np.float32)
_ELIGIBILITY_PART: Final = np.float32(WEIGHTS["eligibility"]) * np.array(
    [0.5, 1.0], dtype=np.float32
)


@cache
def _partial_sums(skill_count: int, required_rank: int) -> npt.NDArray[np.float32]:
    """occupation + skills + language + location for every code combination
    (occupation 0-3 × skills in common 0-`skill_count` × level 0-7 × location 0-2),
    added in float32 in `score_block`'s order. Offers share few of these tables."""
    f32 = np.float32
    common = np.arange(skill_count + 1, dtype=np.int32)
    skills = (
        (common / f32(skill_count)).astype(f32)
        if skill_count > 0
        else np.ones(1, dtype=f32)
    )
    if required_rank > 0:
        language = np.where(
            required_rank <= _LEVELS, f32(1.0), f32(0.5) * _LEVELS / required_rank
        ).astype(f32)
    else:
        language = np.ones(8, dtype=f32)
    table = np.zeros((4, skills.size, 8, 3), dtype=f32)
    table += f32(WEIGHTS["occupation"]) * _OCCUPATION_VALUES[:, None, None, None]
    table += f32(WEIGHTS["skills"]) * skills[None, :, None, None]
    table += f32(WEIGHTS["language"]) * language[None, None, :, None]
    table += f32(WEIGHTS["location"]) * _LOCATION_VALUES[None, None, None, :]
    return table.reshape(-1)


def _rank(o: OfferVector) -> int:
    return o.required_rank if o.required_language >= 0 else 0


def _block_scores(offers: Sequence[OfferVector], g: _Group) -> npt.NDArray[np.float32]:
    """Scores (offers × workers of the group), −1 where a gate excludes the pair;
    bit-identical to `score_block` on the same pairs."""
    n = g.rows.size
    o_isco = np.array([o.isco for o in offers], dtype=np.int32)[:, None]
    occupation = (g.minor[None, :] == o_isco // 10).astype(np.int32)
    occupation += g.isco[None, :] == o_isco
    occupation += 1
    bits = np.stack([o.skills for o in offers])
    overlap = np.zeros((len(offers), n), dtype=np.int32)
    for word in range(SKILL_WORDS):
        if bits[:, word].any():
            overlap += np.bitwise_count(bits[:, word, None] & g.skills[None, :, word])
    required = np.array([max(o.required_language, 0) for o in offers])
    state = np.array([o.state_bit for o in offers], dtype=np.uint64)[:, None]
    tables = [_partial_sums(o.skill_count, _rank(o)) for o in offers]
    sizes = np.array([t.size for t in tables], dtype=np.int32)
    index = occupation * np.array([o.skill_count + 1 for o in offers])[:, None]
    index += overlap
    index *= 8
    index += g.languages[required]
    index *= 3
    index += ((g.destinations[None, :] & state) != 0) * np.int32(2)
    index += g.no_destination[None, :]
    index += (np.cumsum(sizes) - sizes)[:, None]
    total = np.concatenate(tables)[index]
    start = np.array([o.start_day for o in offers], dtype=np.int64)[:, None]
    late = np.clip(g.available_day[None, :] - start, 0, AVAILABILITY_GRACE_DAYS)
    total += _AVAILABILITY_PART[late]
    contract = np.array(
        [sum(1 << c for c in o.contract_languages if c < 8) for o in offers],
        dtype=np.uint8,
    )[:, None]
    allowed = (g.readable[None, :] & contract) != 0
    allowed &= g.consent[None, :]
    ages = np.array([o.minimum_age for o in offers])[:, None]
    allowed &= g.age[None, :] >= ages
    columns = np.array([o.pathway_column for o in offers])
    if (columns >= 0).any():
        codes = g.eligibility[np.maximum(columns, 0)]
        gated = columns[:, None] >= 0
        allowed &= ~(gated & (codes == NOT_ELIGIBLE))
        eligible = (~gated | (codes == ELIGIBLE)).astype(np.intp)
        total += _ELIGIBILITY_PART[eligible]
    else:
        total += _ELIGIBILITY_PART[1]
    return np.where(allowed, total, np.float32(-1.0))


def top_k_columns(scores: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.intp]:
    """The k best columns of each row, best first; equal scores in column order
    (so ties are broken by worker row). Each pair gets one unique key (the score's
    bits, ordered, then the column), so a single argpartition finds them."""
    n = scores.shape[1]
    kk = min(k, n)
    bits = scores.view(np.uint32)
    flip = np.where(bits >> 31, np.uint32(0xFFFFFFFF), np.uint32(0x80000000))
    keys = (~(bits ^ flip)).astype(np.uint64) << np.uint64(32)
    keys |= np.arange(n, dtype=np.uint64)
    if kk < n:
        keys = np.partition(keys, kk - 1, axis=1)[:, :kk]
    keys.sort(axis=1)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.intp)


@dataclass(frozen=True, slots=True)
class TopWorkers:
    """The top k workers of each offer: `rows[i]` (−1 past the last) and their
    `scores[i]`, for `offer_ids[i]`. Blocked offers are not listed."""

    offer_ids: tuple[str, ...]
    rows: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]


_BLOCK_PAIRS: Final = 1 << 20


def top_workers(
    workers: WorkerArrays,
    offers: Sequence[JobOffer],
    *,
    k: int,
    checks: Sequence[OfferCheck],
) -> TopWorkers:
    """Top-k workers per offer (blocked offers are never matched), ties broken by
    worker row. Identical offers are scored once; memory stays bounded by scoring
    blocks of about a million pairs."""
    vectors = [
        offer_vector(o, workers.pathway_ids)
        for o, check in zip(offers, checks, strict=True)
        if not check.blocked
    ]
    unique: dict[Signature, int] = {}
    distinct: list[OfferVector] = []
    which = np.empty(len(vectors), dtype=np.intp)
    for i, v in enumerate(vectors):
        key = offer_signature(v)
        if key not in unique:
            unique[key] = len(distinct)
            distinct.append(v)
        which[i] = unique[key]
    rows = np.full((len(distinct), k), -1, dtype=np.int64)
    scores = np.full((len(distinct), k), -1.0, dtype=np.float32)
    by_group: dict[int, list[int]] = {}
    for i, v in enumerate(distinct):
        by_group.setdefault(v.isco // 100, []).append(i)
    everyone, bounds = _by_group(workers)
    for group, members in by_group.items():
        if group not in bounds:
            continue
        lo, hi = bounds[group]
        g = _part(everyone, lo, hi)
        step = max(1, _BLOCK_PAIRS // (hi - lo))
        for at in range(0, len(members), step):
            block = members[at : at + step]
            block_scores = _block_scores([distinct[i] for i in block], g)
            best = top_k_columns(block_scores, k)
            values = np.take_along_axis(block_scores, best, axis=1)
            kept = values >= 0
            width = best.shape[1]
            rows[block, :width] = np.where(kept, g.rows[best], -1)
            scores[block, :width] = np.where(kept, values, np.float32(-1.0))
    return TopWorkers(
        offer_ids=tuple(v.offer_id for v in vectors),
        rows=rows[which],
        scores=scores[which],
    )


def rank_workers_for_offers(
    workers: WorkerArrays,
    offers: Sequence[JobOffer],
    *,
    k: int = 20,
    checks: Sequence[OfferCheck],
) -> dict[str, list[Match]]:
    """Top-k workers per offer with each factor. Blocked offers get no entry: they
    are never matched."""
    top = top_workers(workers, offers, k=k, checks=checks)
    by_id = {o.id or o.title: o for o in offers}
    out: dict[str, list[Match]] = {}
    for i, offer_id in enumerate(top.offer_ids):
        found = top.rows[i][top.rows[i] >= 0].astype(np.intp)
        if found.size == 0:
            out[offer_id] = []
            continue
        vector = offer_vector(by_id[offer_id], workers.pathway_ids)
        _scores, factors = score_block([vector], workers, found)
        out[offer_id] = [
            Match(
                offer_id=offer_id,
                worker_row=int(row),
                score=round(float(top.scores[i, j]), 4),
                factors={n: round(float(a[0, j]), 4) for n, a in factors.items()},
            )
            for j, row in enumerate(found)
        ]
    return out


def rank_offers_for_worker(
    worker: WorkerArrays,
    row: int,
    offers: Sequence[JobOffer],
    *,
    k: int = 20,
    checks: Sequence[OfferCheck],
) -> list[Match]:
    """Top-k non-blocked offers for one worker row."""
    vectors = [
        offer_vector(o, worker.pathway_ids)
        for i, o in enumerate(offers)
        if not checks[i].blocked
    ]
    if not vectors:
        return []
    rows = np.array([row], dtype=np.intp)
    scores, factors = score_block(vectors, worker, rows)
    ranked = sorted(range(len(vectors)), key=lambda i: -float(scores[i, 0]))
    return [
        Match(
            offer_id=vectors[i].offer_id,
            worker_row=row,
            score=round(float(scores[i, 0]), 4),
            factors={n: round(float(a[i, 0]), 4) for n, a in factors.items()},
        )
        for i in ranked[:k]
        if scores[i, 0] >= 0
    ]
