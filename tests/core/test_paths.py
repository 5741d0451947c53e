"""Every identifier that becomes a path goes through `core.paths` (issue 9 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from puente.core.paths import PathOutsideRoot, UnsafeName, safe_join, safe_name

HOSTILE = [
    "../../../../tmp/x",  # the reported attack
    "..",
    ".",
    "",
    "/etc/passwd",
    "a/b",
    "a\\b",
    ".hidden",
    "x..y",
    "a\x00b",
    "a b",
    "ＡＢＣ",  # fullwidth look-alikes
    "x" * 65,
    "tail.",
    "C:evil",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_name_refuses_anything_that_is_not_a_plain_name(value: str) -> None:
    with pytest.raises(UnsafeName) as caught:
        safe_name(value, field="source")
    assert "source" in str(caught.value)


@pytest.mark.parametrize("value", ["darien_nat", "x_flows", "A-1", "v1.2", "a"])
def test_safe_name_accepts_plain_names(value: str) -> None:
    assert safe_name(value, field="source") == value


def test_safe_name_honours_a_shorter_limit() -> None:
    safe_name("x" * 60, field="source", max_length=60)
    with pytest.raises(UnsafeName):
        safe_name("x" * 61, field="source", max_length=60)


@pytest.mark.parametrize(
    "part", ["../x", "a/../../x", "/var/x", "a//b", "a/./b", "a\\..\\b", ""]
)
def test_safe_join_refuses_escapes(tmp_path: Path, part: str) -> None:
    with pytest.raises(PathOutsideRoot) as caught:
        safe_join(tmp_path / "root", part, field="store_path")
    assert "store_path" in str(caught.value)


def test_safe_join_refuses_a_symlink_leading_out(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(PathOutsideRoot):
        safe_join(root, "link/x", field="store_path")


def test_safe_join_joins_plain_relative_parts(tmp_path: Path) -> None:
    joined = safe_join(tmp_path, "source=a/vintage=b", "counts.parquet", field="p")
    assert joined == tmp_path.resolve() / "source=a" / "vintage=b" / "counts.parquet"
