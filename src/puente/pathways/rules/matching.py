"""Worker–offer matching: a weighted score with one explained factor each.

Factors: occupation (ISCO-08: same unit group 1, same minor group 0.6, same sub-major
group 0.3), skills (share of the offer's skills the worker has), language (CEFR level
in the required language), location (preferred destinations), availability (start
date) and eligibility for the offer's pathway.

Gates (never scored, always enforced): the offer passed the automatic fair-recruitment
checks; the worker shares the offer's ISCO sub-major group, reads a contract language
(native or ≥ B2, ER-05), is old enough (ER-22), consents to matching (ER-24), and is
not `not_eligible` for the offer's pathway.

Scale: workers are columns of numpy arrays sorted by sub-major group; each offer
group's worker slice is gathered once, and each distinct offer signature is scored
once against it through per-factor lookup tables (bit-identical to `score_block`).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from puente.core.i18n import N_
from puente.pathways.rules.catalogue import LAD_STATES
from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.fair_recruitment import OfferCheck
from puente.pathways.rules.messages import Message, Param, ParamKind
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
class _OfferVector:
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


def _offer_vector(offer: JobOffer, pathway_ids: Sequence[str]) -> _OfferVector:
    bits = skill_bits(offer.skills)
    contract = [offer.contract_language, *offer.contract_translations]
    return _OfferVector(
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


_Signature = tuple[int, bytes, tuple[int, ...], int, int, int, int, int, int]


def _signature(v: _OfferVector) -> _Signature:
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
    offers: Sequence[_OfferVector], w: WorkerArrays, rows: npt.NDArray[np.intp]
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
class _Slice:
    """The workers of one ISCO sub-major group, gathered once for all its offers."""

    rows: npt.NDArray[np.intp]
    isco: I32
    minor: I32
    skills: U64  # (SKILL_WORDS, n): columns are contiguous
    languages: npt.NDArray[np.uint8]  # (languages, n)
    destinations: U64
    no_destination: npt.NDArray[np.intp]
    available_day: npt.NDArray[np.int64]
    age: npt.NDArray[np.uint8]
    eligibility: npt.NDArray[np.int8]  # (pathways, n)
    consent: npt.NDArray[np.bool_]


def _slice(w: WorkerArrays, rows: npt.NDArray[np.intp]) -> _Slice:
    isco = w.isco[rows]
    return _Slice(
        rows=rows,
        isco=isco,
        minor=isco // 10,
        skills=np.ascontiguousarray(w.skills[rows].T),
        languages=np.ascontiguousarray(w.languages[rows].T),
        destinations=w.destinations[rows],
        no_destination=(w.destinations[rows] == 0).astype(np.intp),
        available_day=w.available_day[rows].astype(np.int64),
        age=w.age[rows],
        eligibility=np.ascontiguousarray(w.eligibility[rows].T),
        consent=w.consent[rows],
    )


_OCCUPATION_VALUES: Final = np.array([0.0, 0.3, 0.6, 1.0], dtype=np.float32)


def _rank_slice(
    o: _OfferVector, s: _Slice, k: int
) -> list[tuple[int, float, dict[str, float]]]:
    """Top-k of one offer over a group slice, bit-identical to `score_block`.

    Every factor takes few values, so each is computed once per value in float32
    exactly as `score_block` does and looked up per worker; the partial sums are
    added in the same order, so totals, ties and `argpartition` order agree.
    """
    f32 = np.float32
    n = s.rows.size
    # Occupation: all workers of the slice share the offer's sub-major group.
    occ = (s.minor == o.isco // 10).astype(np.intp) + (s.isco == o.isco) + 1
    # Skills: overlap count c → c / count (float64, as `score_block`), or 1.0.
    if o.skill_count <= 8:
        overlap = np.zeros(n, dtype=np.intp)
        for word in range(SKILL_WORDS):
            value = int(o.skills[word])
            while value:
                low = value & -value
                overlap += (s.skills[word] & np.uint64(low)) != 0
                value ^= low
    else:
        overlap = (
            np.bitwise_count(s.skills & o.skills[:, None])
            .sum(axis=0, dtype=np.int32)
            .astype(np.intp)
        )
    counts = np.arange(SKILL_WORDS * 64 + 1, dtype=np.int32)
    skill_values = (
        (counts / f32(o.skill_count)).astype(f32)
        if o.skill_count > 0
        else np.ones(counts.size, dtype=f32)
    )
    # Language: level 0..7 in the required language.
    levels = np.arange(8, dtype=np.uint8)
    if o.required_language >= 0 and o.required_rank > 0:
        level = s.languages[o.required_language].astype(np.intp)
        ranks = levels.astype(f32)
        language_values = np.where(
            ranks >= o.required_rank, f32(1.0), f32(0.5) * ranks / o.required_rank
        ).astype(f32)
    else:
        level = np.zeros(n, dtype=np.intp)
        language_values = np.ones(8, dtype=f32)
    # Location: 0 other states, 1 no preference, 2 preferred.
    bit = np.uint64(o.state_bit)
    loc = s.no_destination + ((s.destinations & bit) != 0) * 2
    location_values = np.array([0.0, 0.5, 1.0], dtype=f32)
    # Availability: days late, clipped to 0..grace.
    late = np.clip(s.available_day - o.start_day, 0, AVAILABILITY_GRACE_DAYS)
    days = np.arange(AVAILABILITY_GRACE_DAYS + 1, dtype=np.int32).astype(f32)
    availability_values = np.clip(1 - days / AVAILABILITY_GRACE_DAYS, 0, 1).astype(f32)
    # Eligibility and gates.
    allowed = s.consent & (s.age >= o.minimum_age)
    readable = np.zeros(n, dtype=np.bool_)
    for c in o.contract_languages:
        readable |= s.languages[c] >= CONTRACT_READING_RANK
    allowed &= readable
    if o.pathway_column >= 0:
        code = s.eligibility[o.pathway_column]
        allowed &= code != NOT_ELIGIBLE
        elig = (code == ELIGIBLE).astype(np.intp)
    else:
        elig = np.ones(n, dtype=np.intp)
    eligibility_values = np.array([0.5, 1.0], dtype=f32)

    # Partial sums in `score_block`'s order: a table for the first four factors.
    table = np.zeros((4, counts.size, 8, 3), dtype=f32)
    table += f32(WEIGHTS["occupation"]) * _OCCUPATION_VALUES[:, None, None, None]
    table += f32(WEIGHTS["skills"]) * skill_values[None, :, None, None]
    table += f32(WEIGHTS["language"]) * language_values[None, None, :, None]
    table += f32(WEIGHTS["location"]) * location_values[None, None, None, :]
    index = ((occ * counts.size + overlap) * 8 + level) * 3 + loc
    total = table.reshape(-1)[index]
    total += (f32(WEIGHTS["availability"]) * availability_values)[late]
    total += (f32(WEIGHTS["eligibility"]) * eligibility_values)[elig]
    scores = np.where(allowed, total, f32(-1.0))

    kk = min(k, n)
    top = np.argpartition(-scores, kk - 1)[:kk]
    idx = top[np.argsort(-scores[top], kind="stable")]
    idx = idx[scores[idx] >= 0]
    columns = {
        "occupation": _OCCUPATION_VALUES[occ[idx]],
        "skills": skill_values[overlap[idx]],
        "language": language_values[level[idx]],
        "location": location_values[loc[idx]],
        "availability": availability_values[late[idx]],
        "eligibility": eligibility_values[elig[idx]],
    }
    return [
        (
            int(s.rows[j]),
            round(float(scores[j]), 4),
            {name: round(float(a[i]), 4) for name, a in columns.items()},
        )
        for i, j in enumerate(idx)
    ]


def rank_workers_for_offers(
    workers: WorkerArrays,
    offers: Sequence[JobOffer],
    *,
    k: int = 20,
    checks: Sequence[OfferCheck],
) -> dict[str, list[Match]]:
    """Top-k workers per offer. Blocked offers get no entry: they are never matched.

    Per sub-major group the workers are gathered once; each distinct offer
    signature is scored once against them (identical offers share a result).
    """
    vectors: list[_OfferVector] = []
    for i, offer in enumerate(offers):
        if not checks[i].blocked:
            vectors.append(_offer_vector(offer, workers.pathway_ids))
    order = np.argsort(workers.isco // 100, kind="stable")
    groups = workers.isco[order] // 100
    out: dict[str, list[Match]] = {}
    by_group: dict[int, list[_OfferVector]] = {}
    for v in vectors:
        by_group.setdefault(v.isco // 100, []).append(v)
    for group, members in by_group.items():
        lo, hi = np.searchsorted(groups, [group, group + 1])
        rows = order[lo:hi]
        if rows.size == 0:
            for v in members:
                out[v.offer_id] = []
            continue
        gathered = _slice(workers, rows)
        ranked: dict[_Signature, list[tuple[int, float, dict[str, float]]]] = {}
        for v in members:
            key = _signature(v)
            if key not in ranked:
                ranked[key] = _rank_slice(v, gathered, k)
            out[v.offer_id] = [
                Match(offer_id=v.offer_id, worker_row=r, score=sc, factors=dict(f))
                for r, sc, f in ranked[key]
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
        _offer_vector(o, worker.pathway_ids)
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


MATCH_TERM_LABELS: Final[Mapping[str, str]] = {"native": N_("native")}
"""Labels of the codes a match explanation names (a worker's level, besides CEFR)."""
_OUTCOME_LINES: Final[Mapping[str, str]] = {
    Outcome.ELIGIBLE: N_("Eligibility (%(score)s): eligible for %(pathway)s."),
    Outcome.UNDETERMINED: N_("Eligibility (%(score)s): undetermined for %(pathway)s."),
    Outcome.NOT_ELIGIBLE: N_("Eligibility (%(score)s): not_eligible for %(pathway)s."),
}


def _score(value: float) -> Param:
    """A factor as a ratio rounded as `f"{value:.0%}"` rounds it (so the English
    text is unchanged: 0.165 is 17%)."""
    return Param(ParamKind.PERCENT, str(Decimal(f"{value * 100:.0f}") / 100))


def _text(value: str) -> Param:
    return Param(ParamKind.TEXT, value)


def _language(match: Match, worker: WorkerProfile, offer: JobOffer) -> Message:
    score = _score(match.factors["language"])
    level = worker.languages.get(offer.required_language)
    if not offer.required_language and not offer.required_cefr:
        return Message(
            N_("Language (%(score)s): needs — , the worker has none."),
            {"score": score},
        )
    if not offer.required_language:
        return Message(
            N_("Language (%(score)s): needs — %(cefr)s, the worker has none."),
            {"score": score, "cefr": _text(offer.required_cefr)},
        )
    params = {
        "score": score,
        "language": Param(ParamKind.LANGUAGE, offer.required_language),
    }
    if offer.required_cefr:
        params["cefr"] = _text(offer.required_cefr)
    if level is not None:
        params["level"] = Param(ParamKind.TERM, level)
    msgid = {
        (True, True): N_(
            "Language (%(score)s): needs %(language)s %(cefr)s, the worker has "
            "%(level)s."
        ),
        (True, False): N_(
            "Language (%(score)s): needs %(language)s %(cefr)s, the worker has none."
        ),
        (False, True): N_(
            "Language (%(score)s): needs %(language)s , the worker has %(level)s."
        ),
        (False, False): N_(
            "Language (%(score)s): needs %(language)s , the worker has none."
        ),
    }[(bool(offer.required_cefr), level is not None)]
    return Message(msgid, params)


def explain_messages(
    match: Match, worker: WorkerProfile, offer: JobOffer
) -> list[Message]:
    """One message per factor of a match: an English msgid and its typed values,
    for a screen to show in the reader's language (`explain` is their English)."""
    f = match.factors
    pathway = worker.pathway_outcomes.get(offer.pathway_id)
    occupation = {
        "score": _score(f["occupation"]),
        "worker_isco": _text(worker.isco),
        "offer_isco": _text(offer.isco),
    }
    skills = {
        "score": _score(f["skills"]),
        "count": Param(
            ParamKind.NUMBER, str(len(set(worker.skills) & set(offer.skills)))
        ),
        "asked": Param(ParamKind.NUMBER, str(len(offer.skills))),
    }
    location = {"score": _score(f["location"]), "state": _text(offer.state)}
    available = {
        "score": _score(f["availability"]),
        "available": Param(ParamKind.DATE, worker.available_from.isoformat()),
    }
    eligibility = {"score": _score(f["eligibility"])}
    if worker.preferred_destinations:
        location["destinations"] = Param(
            ParamKind.LIST, items=tuple(map(_text, worker.preferred_destinations))
        )
    if offer.start_date:
        available["start"] = Param(ParamKind.DATE, offer.start_date.isoformat())
    if pathway and offer.pathway_id:
        eligibility["pathway"] = _text(offer.pathway_id)
    return [
        Message(
            N_(
                "Occupation (%(score)s): worker ISCO %(worker_isco)s, offer ISCO "
                "%(offer_isco)s — same unit group."
            )
            if worker.isco == offer.isco
            else N_(
                "Occupation (%(score)s): worker ISCO %(worker_isco)s, offer ISCO "
                "%(offer_isco)s — related group (partial credit)."
            ),
            occupation,
        ),
        Message(
            N_(
                "Skills (%(score)s): the worker has %(count)s of %(asked)s skills the "
                "offer asks for."
            ),
            skills,
        ),
        _language(match, worker, offer),
        Message(
            N_(
                "Location (%(score)s): the job is in %(state)s; preferred "
                "destinations: %(destinations)s."
            )
            if worker.preferred_destinations
            else N_(
                "Location (%(score)s): the job is in %(state)s; preferred "
                "destinations: any."
            ),
            location,
        ),
        Message(
            N_(
                "Availability (%(score)s): available from %(available)s, job starts "
                "%(start)s."
            )
            if offer.start_date
            else N_(
                "Availability (%(score)s): available from %(available)s, job starts "
                "any time."
            ),
            available,
        ),
        Message(
            _OUTCOME_LINES[pathway]
            if pathway and offer.pathway_id
            else N_("Eligibility (%(score)s): no pathway screening result yet."),
            eligibility,
        ),
    ]


def explain(match: Match, worker: WorkerProfile, offer: JobOffer) -> list[str]:
    """One plain-language line per factor of a match, in English (the API's text)."""
    return [m.english() for m in explain_messages(match, worker, offer)]
