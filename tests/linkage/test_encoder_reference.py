"""The fast encoder gives exactly the bits and tokens of the reference encoder
(the one before the fast path, `reference_encoder.py`) on FEBRL records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from puente.linkage import prepare
from puente.linkage.pprl import Encoder, Encoding, EncodingConfig, Hardening, Salt
from puente.linkage.records import records_from_frame
from puente.people import linkage_name_rules
from tests.linkage.reference_encoder import ReferenceEncoder

SECRET = b"reference-agreement-secret-42"


@pytest.fixture(scope="module")
def febrl_prepared(febrl3: pd.DataFrame) -> pd.DataFrame:
    subset = febrl3.iloc[:1500].reset_index(drop=True)
    records = records_from_frame(
        subset, name="febrl3", id_column="rec_id", truth_column="truth"
    )
    return prepare(records, linkage_name_rules())


def _assert_same(fast: Encoding, reference: Encoding) -> None:
    assert fast.filters.keys() == reference.filters.keys()
    assert fast.tokens.keys() == reference.tokens.keys()
    for name, filters in reference.filters.items():
        assert fast.filters[name].dtype == np.uint64
        np.testing.assert_array_equal(fast.filters[name], filters, err_msg=name)
        np.testing.assert_array_equal(
            fast.present[name], reference.present[name], err_msg=name
        )
    for name, tokens in reference.tokens.items():
        np.testing.assert_array_equal(fast.tokens[name], tokens, err_msg=name)


@pytest.mark.parametrize("hardening", list(Hardening))
def test_fast_encoder_gives_the_reference_bits_on_febrl(
    febrl_prepared: pd.DataFrame, hardening: Hardening
) -> None:
    config = EncodingConfig(hardening=hardening)
    fast = Encoder(SECRET, config).encode(febrl_prepared)
    reference = ReferenceEncoder(SECRET, config).encode(febrl_prepared)
    assert len(reference.filters) >= 6  # names, birth date, address fields
    assert int((reference.tokens["k_gn__sn"] != 0).sum()) > 1000
    _assert_same(fast, reference)


def test_fast_encoder_matches_on_partial_dates_and_missing_fields() -> None:
    prepared = pd.DataFrame(
        {
            "unique_id": ["a", "b", "c", "d", "e"],
            "gn": ["josé", "", None, "wideline", "jean"],
            "sn": ["garcía", "pierre", "pierre", None, "baptiste"],
            "b_year": ["1985", "2010", None, "1990", "1990"],
            "b_month": ["3", None, None, "12", "7"],
            "b_day": ["12", None, None, None, "1"],
            "sex": ["m", "f", None, "f", "m"],
        }
    )
    config = EncodingConfig(salt=Salt.BIRTH_YEAR)
    encoder = Encoder(SECRET, config)
    fast = encoder.encode(prepared)
    _assert_same(fast, ReferenceEncoder(SECRET, config).encode(prepared))
    assert not fast.present["given_name"][1]  # a blank name sets no bits
    # the q-gram cache of a used encoder changes nothing
    _assert_same(
        encoder.encode(prepared.iloc[::-1]),
        fast.__class__(
            ids=fast.ids[::-1],
            filters={k: v[::-1] for k, v in fast.filters.items()},
            present={k: v[::-1] for k, v in fast.present.items()},
            tokens={k: v[::-1] for k, v in fast.tokens.items()},
        ),
    )
