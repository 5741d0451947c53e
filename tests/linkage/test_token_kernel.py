"""The compiled keyed BLAKE2b behind the encoder's tokens gives what hashlib
gives, bit for bit (RFC 7693), at every block boundary and in every script;
a value holding NUL takes hashlib's path and still gets the same token."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.linkage.pprl.encoder import Encoder, _Distinct, _utf8
from puente.linkage.pprl.kernels import blake2b64_keyed, join_segments

KEY = bytes(range(32))


def _reference(prefix: str, values: list[str]) -> np.ndarray:
    digests = [
        hashlib.blake2b((prefix + v).encode(), key=KEY, digest_size=8).digest()
        for v in values
    ]
    return np.frombuffer(b"".join(digests), "<u8")


def _kernel(prefix: str, values: list[str]) -> np.ndarray:
    segments = _utf8(values)
    assert segments is not None
    return np.asarray(
        blake2b64_keyed(
            np.frombuffer(KEY, np.uint8),
            np.frombuffer(prefix.encode(), np.uint8),
            segments.buffer,
            segments.starts,
            segments.stops,
        )
    )


def test_every_length_around_the_block_boundaries() -> None:
    prefix = "k_surname\x1f"
    values = ["", *("ñ" * n for n in range(1, 70)), *("a" * n for n in range(100, 400))]
    assert (_kernel(prefix, values) == _reference(prefix, values)).all()


@settings(max_examples=60, deadline=None)
@given(
    st.text(min_size=1, max_size=40).filter(lambda p: "\x00" not in p),
    st.lists(
        st.text(max_size=300).filter(lambda v: "\x00" not in v),
        min_size=1,
        max_size=30,
    ),
)
def test_any_text_in_any_script(prefix: str, values: list[str]) -> None:
    assert (_kernel(prefix, values) == _reference(prefix, values)).all()


def test_joined_columns_are_the_bytes_of_the_joined_texts() -> None:
    left = _utf8(["Ana", "José", ""])
    right = _utf8(["1990", "Ñuñoa"])
    assert left is not None
    assert right is not None
    combos = np.array([[0, 3], [1, 4], [2, 3]], np.int64)  # right's codes + 3
    joined, starts, stops = join_segments(
        np.concatenate([left.buffer, right.buffer]),
        np.concatenate([left.starts, right.starts + len(left.buffer)]),
        np.concatenate([left.stops, right.stops + len(left.buffer)]),
        combos,
        0x1F,
    )
    texts = [bytes(joined[a:b]).decode() for a, b in zip(starts, stops, strict=True)]
    assert texts == ["Ana\x1f1990", "José\x1fÑuñoa", "\x1f1990"]


def test_a_value_holding_nul_gets_the_same_token_by_hashlib() -> None:
    encoder = Encoder(b"an agreement secret")
    values = _Distinct(np.array([0, 1, -1, 1], np.int64), ["a\x00b", "Ana"])
    assert _utf8(values.uniques) is None
    tokens = encoder._token("given", values)
    key = encoder._token_key[:32]
    expected = [
        hashlib.blake2b(f"given\x1f{v}".encode(), key=key, digest_size=8).digest()
        for v in values.uniques
    ]
    table = np.frombuffer(b"".join(expected), "<u8")
    assert tokens.tolist() == [int(table[0]), int(table[1]), 0, int(table[1])]


def test_compound_tokens_match_texts_joined_by_hand() -> None:
    """A blocking token of two columns equals the MAC of the texts joined with
    0x1F, as the encoder computed it before the compiled path."""
    frame = pd.DataFrame(
        {
            "surname": ["Pérez", "Pérez", None, "Joseph"],
            "b_year": ["1990", "1990", "1985", None],
        }
    )
    encoder = Encoder(b"an agreement secret")
    encoder._columns = {}
    joined = encoder._rule_values(frame, ("surname", "b_year"))
    tokens = encoder._token("k_b_year__surname", joined)
    key = encoder._token_key[:32]
    expected = hashlib.blake2b(
        "k_b_year__surname\x1fPérez\x1f1990".encode(), key=key, digest_size=8
    ).digest()
    assert int(tokens[0]) == int(tokens[1]) == int(np.frombuffer(expected, "<u8")[0])
    assert int(tokens[2]) == int(tokens[3]) == 0  # a column absent: no token
