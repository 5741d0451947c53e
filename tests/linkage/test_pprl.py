"""The encoder, the Dice kernels and the encoded linkage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from puente.linkage import prepare
from puente.linkage.pprl import (
    Encoder,
    Encoding,
    EncodingConfig,
    Hardening,
    dice_all_to_all,
    dice_pairs,
    link_encodings,
    popcounts,
)
from puente.linkage.records import records_from_frame
from puente.people import linkage_name_rules

SECRET = b"agreement-secret-0123456789"


def _people() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": ["a1", "a2", "b1", "c1", "c2"],
            "given_name": ["José María", "Jose Maria", "Wideline", "Jean", "Jan"],
            "surname": ["García Márquez", "Garcia", "Pierre", "Baptiste", "Batis"],
            "dob": ["1985-03-12", "1985-12-03", "2010", "1990-07-01", "1990-07-01"],
            "sex": ["M", "M", "F", "M", "M"],
            "truth": ["a", "a", "b", "c", "c"],
        }
    )
    records = records_from_frame(frame, name="t", id_column="id", truth_column="truth")
    return prepare(records, linkage_name_rules())


def _reference_dice(a: np.ndarray, b: np.ndarray) -> float:
    shared = int(np.bitwise_count(a & b).sum())
    total = int(np.bitwise_count(a).sum() + np.bitwise_count(b).sum())
    return 2 * shared / total if total else 0.0


class TestKernels:
    def test_pair_dice_equals_numpy_reference(self) -> None:
        rng = np.random.default_rng(3)
        left = rng.integers(0, 2**63, (40, 8), dtype=np.uint64)
        right = rng.integers(0, 2**63, (30, 8), dtype=np.uint64)
        right[5] = 0  # an empty filter against a full one
        i = rng.integers(0, 40, 200)
        j = rng.integers(0, 30, 200)
        got = dice_pairs(left, right, popcounts(left), popcounts(right), i, j)
        want = [_reference_dice(left[a], right[b]) for a, b in zip(i, j, strict=True)]
        np.testing.assert_allclose(got, want, rtol=1e-6)

    def test_all_to_all_returns_exactly_the_pairs_above_threshold(self) -> None:
        rng = np.random.default_rng(4)
        left = rng.integers(0, 2**63, (25, 4), dtype=np.uint64)
        right = np.concatenate(
            [left[:10] ^ np.uint64(1), rng.integers(0, 2**63, (15, 4), dtype=np.uint64)]
        )
        i, j, score = dice_all_to_all(left, right, 0.9)
        want = {
            (a, b)
            for a in range(25)
            for b in range(25)
            if _reference_dice(left[a], right[b]) >= 0.9
        }
        assert set(zip(i.tolist(), j.tolist(), strict=True)) == want
        assert len(want) >= 10
        assert np.all(score >= 0.9)


class TestEncoder:
    def test_payload_carries_no_name_date_or_id_document(self) -> None:
        prepared = _people()
        encoding = Encoder(SECRET).encode(prepared, ids=["r1", "r2", "r3", "r4", "r5"])
        payload = encoding.to_bytes()
        for secret_text in ("garcia", "jose", "1985", "pierre", "wideline", "a1"):
            assert secret_text.encode() not in payload.lower()
        back = Encoding.from_bytes(payload)
        assert back.ids.tolist() == ["r1", "r2", "r3", "r4", "r5"]
        for name, filters in encoding.filters.items():
            np.testing.assert_array_equal(back.filters[name], filters)

    def test_balanced_filters_all_weigh_the_same(self) -> None:
        encoding = Encoder(SECRET).encode(_people())
        counts = popcounts(encoding.filters["given_name"])
        assert len(set(counts.tolist())) == 1  # frequency of bits reveals nothing

    def test_another_secret_gives_unrelated_filters(self) -> None:
        config = EncodingConfig(hardening=Hardening.NONE)
        one = Encoder(SECRET, config).encode(_people())
        two = Encoder(b"another-agreement-secret!", config).encode(_people())
        first, second = one.filters["surname"][0], two.filters["surname"][0]
        assert _reference_dice(first, second) < 0.5
        assert one.tokens["k_gn__sn"][0] != two.tokens["k_gn__sn"][0]

    def test_birth_year_salt_separates_the_same_name_in_other_years(self) -> None:
        config = EncodingConfig(hardening=Hardening.NONE)
        encoding = Encoder(SECRET, config).encode(_people())
        same_year = _reference_dice(
            encoding.filters["surname"][3], encoding.filters["surname"][4]
        )  # Baptiste / Batis, both 1990: Creole and French spellings agree
        assert same_year > 0.8

    def test_a_short_secret_is_refused(self) -> None:
        with pytest.raises(ValueError, match="16 bytes"):
            Encoder(b"short")


def test_encoded_dedupe_finds_the_spelling_variants() -> None:
    prepared = _people()
    config = EncodingConfig()
    encoding = Encoder(SECRET, config).encode(prepared)
    result = link_encodings(
        encoding, blocking=list(config.blocking), hardening=config.hardening
    )
    pairs = set(zip(result.i.tolist(), result.j.tolist(), strict=True))
    assert (3, 4) in pairs  # Jean Baptiste / Jan Batis share canonical keys
    assert (0, 1) in pairs  # day and month swapped, accents, dropped surname
