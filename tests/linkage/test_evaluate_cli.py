"""Must show: `puente linkage evaluate` on FEBRL3 without SSN, from outside."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PUENTE = Path(sys.executable).with_name("puente")


def _evaluate(path: Path, mode: str, right: Path | None = None) -> dict[str, float]:
    second = ["--right", str(right)] if right is not None else []
    done = subprocess.run(
        [
            str(PUENTE), "linkage", "evaluate", "--left", str(path), *second,
            "--id-column", "rec_id", "--truth-column", "truth",
            "--mode", mode, "--json",
        ],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_plaintext_febrl3_without_ssn_reaches_f1_0995(febrl3_csv: Path) -> None:
    result = _evaluate(febrl3_csv, "plaintext")
    assert set(result) == {
        "precision", "recall", "f1", "seconds", "peak_mb", "pairs_compared"
    }  # fmt: skip
    assert result["f1"] >= 0.995
    assert 0 < result["pairs_compared"] < 5000 * 4999 / 2 / 50  # blocked, not all
    assert result["seconds"] > 0
    assert result["peak_mb"] > 0


@pytest.mark.slow
def test_privacy_preserving_febrl3_without_ssn_reaches_f1_098(
    febrl3_csv: Path,
) -> None:
    result = _evaluate(febrl3_csv, "pprl")
    assert result["f1"] >= 0.98


@pytest.mark.slow
def test_privacy_preserving_febrl4_one_to_one_reaches_f1_09995(
    febrl4_csv: tuple[Path, Path],
) -> None:
    left, right = febrl4_csv
    result = _evaluate(left, "pprl", right)
    assert result["f1"] >= 0.9995
    assert result["precision"] >= 0.9995


def test_bad_input_is_a_clear_error_naming_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "id,given_name,surname,dob,truth\n1,ana,ruiz,1990-01-02,a\n2,ana,ruiz,2 Jan,a\n"
    )
    done = subprocess.run(
        [
            str(PUENTE), "linkage", "evaluate", "--left", str(path),
            "--id-column", "id", "--truth-column", "truth", "--json",
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "people.csv, row 3, field birth_date" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_id_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("given_name,surname,truth\nana,ruiz,a\n")
    done = subprocess.run(
        [
            str(PUENTE), "linkage", "evaluate", "--left", str(path),
            "--id-column", "id", "--truth-column", "truth",
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "field id: this column is missing" in done.stderr
