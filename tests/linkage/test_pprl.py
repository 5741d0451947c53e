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
from puente.linkage.pprl.link import mutual_best, one_to_one_probability
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


def _pack(bits: np.ndarray) -> np.ndarray:
    return np.packbits(bits, axis=1, bitorder="little").view(np.uint64)


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

    @pytest.mark.parametrize("threshold", [0.0, 0.5, 0.8, 0.95])
    def test_all_to_all_prunes_by_popcount_without_losing_a_pair(
        self, threshold: float
    ) -> None:
        rng = np.random.default_rng(5)
        # filters from sparse to dense, so the popcount window prunes pairs
        density = rng.uniform(0.02, 0.6, (60, 1))
        left_bits = rng.random((60, 256)) < density
        right_bits = np.concatenate([left_bits[:20], rng.random((40, 256)) < 0.3])
        right_bits[:20, :3] ^= True  # near copies of the first twenty
        left_bits[7] = False  # an empty filter
        left, right = _pack(left_bits), _pack(right_bits)
        i, j, score = dice_all_to_all(left, right, threshold)
        want = {
            (a, b): np.float32(_reference_dice(left[a], right[b]))
            for a in range(60)
            for b in range(60)
            if (left_bits[a].any() or right_bits[b].any())
            and _reference_dice(left[a], right[b]) >= threshold
        }
        got = dict(zip(zip(i.tolist(), j.tolist(), strict=True), score, strict=True))
        assert got == want  # the same pairs and the same float32 scores
        assert len(want) >= 10  # the near copies at least
        assert list(zip(i.tolist(), j.tolist(), strict=True)) == sorted(got)


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


class TestOneToOnePrior:
    # pairs (left, right): 0-0 and 1-1 each record's best; 0-1 and 2-1 are not
    i = np.array([0, 0, 1, 2])
    j = np.array([0, 1, 1, 1])

    def test_mutual_best_pairs_are_the_best_of_both_records(self) -> None:
        probability = np.array([0.2, 0.1, 0.3, 0.05])
        assert mutual_best(self.i, self.j, probability).tolist() == [0, 2]
        probability = np.array([0.2, 0.4, 0.3, 0.05])  # 0-1 now best of both
        assert mutual_best(self.i, self.j, probability).tolist() == [1]

    def test_the_models_expected_matches_raise_only_mutual_best_pairs(self) -> None:
        # λ = 1/40 over all blocked pairs; the model expects ~2 matches here
        probability = np.array([0.3, 0.1, 0.95, 0.05])
        share = 1 / 40
        out = one_to_one_probability(self.i, self.j, probability, share)
        # the model expects 1.4 matches: the prior of the 2 mutual-best pairs
        prior = 1.4 / 3
        odds = 0.3 / 0.7 * (prior / (1 - prior)) / (share / (1 - share))
        assert out[0] == pytest.approx(odds / (1 + odds))
        assert out[0] > 0.5 > probability[0]
        assert out[2] > probability[2]
        assert out[1] == probability[1]
        assert out[3] == probability[3]

    def test_a_model_expecting_few_matches_changes_nothing(self) -> None:
        probability = np.array([0.01, 0.001, 0.002, 0.001])
        out = one_to_one_probability(self.i, self.j, probability, 0.2)
        np.testing.assert_array_equal(out, probability)
