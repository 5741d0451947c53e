"""The demo's replay: real Darién figures, dates moved so that the 2023 surge's
peak falls on the last complete month (so the demo has current alerts), named as
a replay in every language."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

from puente import labels
from puente.core import i18n
from puente.early_warning import demo


def _real_counts(month: str) -> Counter[str]:
    profile = demo.profiles()[demo.REPLAY_OF]
    with (demo.DATA_DIR / profile["file"]).open(encoding="utf-8") as handle:
        return Counter(
            {
                row["nat"]: int(row["n"])
                for row in csv.DictReader(handle)
                if row["t"][:7] == month
            }
        )


def _replayed(rows: list[dict[str, str]], month: str) -> Counter[str]:
    return Counter({row["nat"]: int(row["n"]) for row in rows if row["t"][:7] == month})


def test_the_peak_falls_on_the_last_complete_month() -> None:
    rows = demo.replay_rows(dt.date(2026, 12, 6))
    months = sorted({row["t"][:7] for row in rows})
    assert months[-1] == "2026-11"
    assert months[0] == "2023-04"  # January 2020, 38 + 1 months earlier
    profile = demo.profiles()[demo.REPLAY_OF]
    with (demo.DATA_DIR / profile["file"]).open(encoding="utf-8") as handle:
        real = {
            dt.date.fromisoformat(row["t"])
            for row in csv.DictReader(handle)
            if "2020-01" <= row["t"][:7] <= "2023-08"
        }
    assert months == sorted(demo.shift_month(m, 39).isoformat()[:7] for m in real)
    assert _replayed(rows, "2026-11") == _real_counts("2023-08")
    assert _replayed(rows, "2023-04") == _real_counts("2020-01")
    assert sum(_real_counts("2023-08").values()) > 20_000  # the surge itself


def test_a_load_in_january_replays_up_to_december() -> None:
    rows = demo.replay_rows(dt.date(2027, 1, 1))
    assert max(row["t"] for row in rows) == "2026-12-01"
    assert demo.shift_month(dt.date(2023, 8, 1), 40) == dt.date(2026, 12, 1)
    assert demo.last_complete_month(dt.date(2027, 3, 31)) == dt.date(2027, 2, 1)


def test_the_replay_is_named_as_such_in_every_language() -> None:
    names = set()
    for locale in i18n.LOCALES:
        with i18n.use_locale(locale):
            name = labels.series_name(f"{demo.REPLAY_SOURCE}|nat=VEN")
        assert "2023" in name
        names.add(name)
    assert len(names) == len(i18n.LOCALES)
