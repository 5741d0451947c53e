"""Field encryption: round trip, binding to its place, keys outside the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.core.crypto import (
    DecryptionFailed,
    KeyMissing,
    KeyRing,
    decrypt_field,
    encrypt_field,
)

PLACE = {"tenant": "COL", "table": "person", "column": "sogi", "row_id": "r1"}


@pytest.fixture
def keys(tmp_path: Path) -> KeyRing:
    return KeyRing(tmp_path / "keys")


@given(value=st.text(max_size=200))
def test_round_trip(value: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        ring = KeyRing(Path(tmp))
        blob = encrypt_field(ring, value=value, **PLACE)
        assert decrypt_field(ring, blob=blob, **PLACE) == value
        if len(value.encode()) >= 8:  # shorter byte runs occur in random data
            assert value.encode() not in blob


@pytest.mark.parametrize("field", ["tenant", "table", "column", "row_id"])
def test_ciphertext_is_bound_to_its_place(keys: KeyRing, field: str) -> None:
    blob = encrypt_field(keys, value="secret", **PLACE)
    moved = {**PLACE, field: "PAN" if field == "tenant" else "other"}
    with pytest.raises(DecryptionFailed):
        decrypt_field(keys, blob=blob, **moved)


def test_each_value_gets_its_own_data_key(keys: KeyRing) -> None:
    assert encrypt_field(keys, value="same", **PLACE) != encrypt_field(
        keys, value="same", **PLACE
    )


def test_tampered_ciphertext_fails(keys: KeyRing) -> None:
    blob = bytearray(encrypt_field(keys, value="secret", **PLACE))
    blob[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        decrypt_field(keys, blob=bytes(blob), **PLACE)


def test_tenant_keys_live_in_private_files(keys: KeyRing) -> None:
    encrypt_field(keys, value="x", **PLACE)
    key_file = keys.key_dir / "COL.key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert len(key_file.read_bytes()) == 32


def test_missing_key_is_an_error_when_creation_is_off(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path, create_missing=False)
    with pytest.raises(KeyMissing):
        encrypt_field(ring, value="x", **PLACE)
