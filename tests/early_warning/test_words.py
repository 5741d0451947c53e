"""Early-warning figures and sources in words: a growth past ten times reads as
"multiplied by 1,644" (not "+164,345 %"), and every flow source's title is in the
reader's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from puente import labels
from puente.core import i18n
from puente.early_warning import service
from puente.early_warning.demo import REPLAY_FIRST, REPLAY_LAST, REPLAY_SOURCE
from puente.early_warning.models import FlowSource
from puente.early_warning.rules.sources import SOURCE_TITLES, source_title
from puente.identity import system_actor

PROFILES = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "puente"
    / "early_warning"
    / "data"
    / "profiles.json"
)
LANGUAGES = ("en", "es", "pt", "fr", "ht")
CONDITION = "growth_3m > 0.5"


class TestExtremeGrowth:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_past_ten_times_reads_as_a_factor_in_every_language(
        self, language: str
    ) -> None:
        growth = 1643.45  # 164,345 %: the count multiplied by 1,644.45
        with i18n.use_locale(language):
            ((_what, shown, rule),) = labels.trigger_values(
                CONDITION, {"growth_3m": growth}
            )
            factor = format_decimal(1 + growth, format="#,##0", locale=language)
            assert shown == i18n.gettext("multiplied by %(factor)s", factor=factor)
            assert "%" not in shown
            assert "%" in rule  # the threshold stays a percentage
            if language != "en":
                assert shown != f"multiplied by {factor}"
        with i18n.use_locale("en"):
            assert labels.trigger_values(CONDITION, {"growth_3m": growth})[0][1] == (
                "multiplied by 1,644"
            )

    def test_below_ten_times_stays_a_percentage(self) -> None:
        with i18n.use_locale("en"):
            rows = labels.trigger_values(CONDITION, {"growth_3m": 8.5})
            lines = labels.trigger_explanation(CONDITION, {"growth_3m": 8.999})
        assert rows[0][1] == "+850 %"
        assert lines == [
            "Change over three months: +900 % (threshold: more than +50 %)"
        ]

    def test_explanation_sentence_uses_the_factor(self) -> None:
        with i18n.use_locale("es"):
            (line,) = labels.trigger_explanation(CONDITION, {"growth_3m": 1643.45})
        factor = format_decimal(1644, format="#,##0", locale="es")
        assert f"multiplicado por {factor}" in line
        assert "164.345" not in line
        assert "164345" not in line


class TestSourceTitles:
    def test_every_profile_title_is_the_english_of_its_label(self) -> None:
        profiles = json.loads(PROFILES.read_text("utf-8"))
        for name, profile in profiles.items():
            assert SOURCE_TITLES[name] == profile["title"], name

    def test_the_replay_title_names_its_months(self) -> None:
        title = SOURCE_TITLES[REPLAY_SOURCE]
        assert REPLAY_FIRST.strftime("%B %Y") in title
        assert REPLAY_LAST.strftime("%B %Y") in title

    @pytest.mark.parametrize("name", sorted(SOURCE_TITLES))
    def test_each_title_has_five_languages(self, name: str) -> None:
        shown = {}
        for language in LANGUAGES:
            with i18n.use_locale(language):
                shown[language] = source_title(name, "stored")
        assert len(set(shown.values())) == len(LANGUAGES), shown
        assert "stored" not in shown.values()

    def test_listed_sources_come_in_the_reader_s_language(
        self, session: Session
    ) -> None:
        session.add(FlowSource(name=REPLAY_SOURCE, title="x", tenant_code="HUB"))
        session.add(
            FlowSource(name="own_upload", title="Our own counts", tenant_code="HUB")
        )
        session.flush()
        with i18n.use_locale("fr"):
            listed = {
                s.name: s.title
                for s in service.list_sources(session, actor=system_actor())
            }
        assert listed[REPLAY_SOURCE].startswith("Transits irréguliers par le Darién")
        assert listed["own_upload"] == "Our own counts"
