"""Plaintext linkage with Splink (Fellegi–Sunter, EM): settings, training, reuse.

`build_settings()` writes the comparisons for whichever prepared columns hold
data, with comparison levels that follow Puente's rules: canonical names with
term-frequency adjustment, a shared surname for double surnames, names swapped,
and partial or approximate birth dates (same day, compatible partial date, day
and month swapped, one digit or one year off, same year). The same settings run
on DuckDB (embedded) or Spark (`Backend.SPARK`, for tens of millions of records).

A model is trained once per registry (`train`) and kept as Splink's JSON
(`TrainedModel.settings`); `predict` reuses it without training again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
from splink import Linker, SettingsCreator
from splink.internals.comparison_library import CustomComparison
from splink.internals.database_api import DatabaseAPI
from splink.internals.exceptions import EMTrainingException

from puente.linkage import decide
from puente.linkage.blocking import (
    BlockingRule,
    capped_rules,
    choose_rules,
    with_block_keys,
)
from puente.linkage.records import used_columns

MATCH_THRESHOLD = 0.5
# Two records scored below even odds are not joined into one person through
# others (`decide.clusters_kept_apart`).
KEEP_APART = 0.5
MIN_EM_RECORDS = 2000
# Splink logs each training step at INFO; ids never appear in them, but the
# noise does not belong in a CLI's output.
logging.getLogger("splink").setLevel(logging.ERROR)


class Backend(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


@dataclass(frozen=True, slots=True)
class TrainedModel:
    """A Splink model as JSON, with the blocking rules it predicts with."""

    settings: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(self.settings, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainedModel:
        return cls(json.loads(text))


def _name_levels(
    column: str, first: str, phonetic: str, other: str | None
) -> list[Any]:
    levels: list[Any] = [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column, term_frequency_adjustments=True),
        cll.JaroWinklerLevel(column, 0.95),
        cll.ExactMatchLevel(first, term_frequency_adjustments=True).configure(
            label_for_charts="first name equal"
        ),
        # a second given name dropped and a typo in the first
        cll.DamerauLevenshteinLevel(first, 1).configure(
            label_for_charts="first name one edit apart"
        ),
        cll.JaroWinklerLevel(column, 0.88),
        cll.CustomLevel(
            f"{phonetic}_l = {phonetic}_r", label_for_charts="sounds the same"
        ),
    ]
    if other is not None:
        # One way round only; the family-name comparison checks the other
        # way. A true swap meets both, a given name that happens to be the
        # other record's family name only this one, and counts once.
        levels.append(
            cll.CustomLevel(f"{first}_l = {other}_r", label_for_charts="names swapped")
        )
    levels.append(cll.JaroWinklerLevel(column, 0.75))
    levels.append(cll.ElseLevel())
    return levels


def _surname_levels(has_second: bool) -> list[Any]:
    shared = "sn1_l = sn1_r"
    if has_second:
        shared = (
            "sn1_l = sn1_r OR sn1_l = sn2_r OR sn2_l = sn1_r OR "
            "(sn2_l = sn2_r AND sn2_l IS NOT NULL)"
        )
    return [
        cll.NullLevel("sn"),
        cll.ExactMatchLevel("sn", term_frequency_adjustments=True),
        cll.JaroWinklerLevel("sn", 0.95),
        cll.ExactMatchLevel("sn1", term_frequency_adjustments=True).configure(
            label_for_charts="first family name equal"
        ),
        cll.CustomLevel(shared, label_for_charts="a family name in common"),
        # a second family name dropped and a typo in the first
        cll.DamerauLevenshteinLevel("sn1", 1).configure(
            label_for_charts="first family name one edit apart"
        ),
        cll.JaroWinklerLevel("sn", 0.88),
        cll.CustomLevel("sn1_ph_l = sn1_ph_r", label_for_charts="sounds the same"),
        cll.CustomLevel("sn1_l = gn1_r", label_for_charts="names swapped"),
        cll.JaroWinklerLevel("sn", 0.75),
        cll.ElseLevel(),
    ]


# (SQL, label, m prior). EM cannot learn the birth date's m values on a
# registry without addresses (see `_training_rules`), so these priors stand
# there: the shares of one person's records whose dates fall in each level,
# after the registration errors measured at borders (research/04 §3.4: day
# and month swapped 5 %, only the year known 10 %, a year off 5 %), with
# small shares for a mistyped day or month and for a wholly other date.
_BIRTH_DATE_LEVELS: tuple[tuple[str, str, float], ...] = (
    ("dob_l = dob_r", "same date", 0.80),
    (
        "b_year_l = b_year_r AND (b_month_l IS NULL OR b_month_r IS NULL OR "
        "(b_month_l = b_month_r AND (b_day_l IS NULL OR b_day_r IS NULL)))",
        "compatible partial date",
        0.10,
    ),
    ("dob_sorted_l = dob_sorted_r", "day and month swapped", 0.03),
    (
        "b_year_l = b_year_r AND ((b_month_l = b_month_r AND b_day_l IS NOT NULL) OR "
        "(b_day_l = b_day_r AND b_month_l IS NOT NULL))",
        "one part differs",
        0.02,
    ),
    (
        "abs(b_year_l - b_year_r) = 1 AND b_month_l = b_month_r AND b_day_l = b_day_r",
        "one year apart",
        0.03,
    ),
    ("b_year_l = b_year_r", "same year", 0.01),
)
_OTHER_BIRTH_DATE = 0.01


def _birth_date_levels() -> list[Any]:
    levels: list[Any] = [cll.NullLevel("b_year")]
    levels += [
        cll.CustomLevel(sql, label_for_charts=label).configure(m_probability=m)
        for sql, label, m in _BIRTH_DATE_LEVELS
    ]
    levels.append(cll.ElseLevel().configure(m_probability=_OTHER_BIRTH_DATE))
    return levels


def _string_levels(column: str, *thresholds: float) -> list[Any]:
    return [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column),
        *(cll.JaroWinklerLevel(column, t) for t in thresholds),
        cll.ElseLevel(),
    ]


def _exact_levels(column: str, *, tf: bool = False) -> list[Any]:
    return [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column, term_frequency_adjustments=tf),
        cll.ElseLevel(),
    ]


def _with_m_priors(levels: list[Any]) -> list[Any]:
    """Starting m values, best level first, where EM cannot learn them.

    A small registry may have no pair agreeing on a training rule; Splink's
    default m would then make a different birth date weak evidence. Records of
    one person agree exactly most of the time (60 %), the near levels share
    39 %, and a total disagreement gets 1 %. EM replaces these wherever the
    data allow.
    """
    scored = [level for level in levels if not isinstance(level, cll.NullLevel)]
    middle = len(scored) - 2
    share = [0.6, *([0.39 / middle] * middle), 0.01] if middle else [0.99, 0.01]
    for level, m in zip(scored, share, strict=True):
        level.configure(m_probability=m)
    return levels


def comparisons(columns: frozenset[str]) -> list[CustomComparison]:
    """Comparisons for the columns that hold data, in a fixed order."""
    return [
        CustomComparison(comparison_levels=levels, output_column_name=name)
        for name, levels in comparison_levels(columns)
    ]


def comparison_levels(columns: frozenset[str]) -> list[tuple[str, list[Any]]]:
    """(output name, level creators) of each comparison, m priors set."""
    found: list[tuple[str, list[Any]]] = []

    def add(name: str, levels: list[Any]) -> None:
        found.append((name, _with_m_priors(levels)))

    if "gn" in columns:
        add(
            "given_name",
            _name_levels("gn", "gn1", "gn_ph", "sn1" if "sn" in columns else None),
        )
    if "sn" in columns:
        add("surname", _surname_levels("sn2" in columns))
    if "b_year" in columns:
        found.append(("birth_date", _birth_date_levels()))
    if "sex" in columns:
        add("sex", _exact_levels("sex"))
    if "country" in columns:
        add("birth_country", _exact_levels("country", tf=True))
    if "addr" in columns:
        add("address", _string_levels("addr", 0.94, 0.85))
    if "pc" in columns:
        add(
            "postcode",
            [
                cll.NullLevel("pc"),
                cll.ExactMatchLevel("pc", term_frequency_adjustments=True),
                cll.DamerauLevenshteinLevel("pc", 1),
                cll.ElseLevel(),
            ],
        )
    if "num" in columns:
        add("street_number", _exact_levels("num"))
    if "addr1" in columns:
        add("address_line", _string_levels("addr1", 0.94, 0.85))
    if "suburb" in columns:
        add("locality", _string_levels("suburb", 0.94, 0.85))
    if "state" in columns:
        add("state", _exact_levels("state"))
    return found


def build_settings(
    columns: frozenset[str], rules: list[BlockingRule], *, link: bool
) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        comparisons=list[Any](comparisons(columns)),
        blocking_rules_to_generate_predictions=list[Any](rule.sql() for rule in rules),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


# Comparisons whose agreement hardly tells two people apart among namesakes:
# a given name already fixes the sex, a family name mostly the country.
_WEAK = frozenset({"sex", "country", "state"})
_LOCATION = frozenset({"addr", "pc", "num", "addr1", "suburb", "state"})


def _training_rules(columns: frozenset[str]) -> list[str]:
    """EM sessions: each fixes some comparisons and trains the others.

    A session trains only if at least two comparisons left free can tell
    people apart. With one (names fixed: only the birth date is left beside
    sex and country), EM cannot separate matches from namesakes: every split
    of the block fits the data equally, and EM drifts to calling most
    namesakes matches, so a different birth date stops counting against a
    pair. There the birth date keeps its m priors.
    """
    sessions = []
    if "dob" in columns:
        # Sex and birth country held equal too: among people born the same
        # day, those sharing a given name nearly always share the sex, and a
        # family name the country, so left free they would look like extra
        # evidence and EM would take namesakes for matches.
        held = [c for c in ("dob", "sex", "country") if c in columns]
        sessions.append(" AND ".join(f"l.{c} = r.{c}" for c in held))
    if {"gn", "sn"} <= columns and columns & (_LOCATION - _WEAK):
        sessions.append("l.gn = r.gn AND l.sn = r.sn")
    if {"pc", "addr"} <= columns:
        sessions.append("l.pc = r.pc AND l.addr = r.addr")
    elif {"pc", "num"} <= columns:
        sessions.append("l.pc = r.pc AND l.num = r.num")
    return sessions


def _deterministic_rules(columns: frozenset[str]) -> list[str]:
    rules = []
    if {"gn", "sn", "dob"} <= columns:
        rules.append("l.gn = r.gn AND l.sn = r.sn AND l.dob = r.dob")
    if {"gn", "sn", "pc"} <= columns:
        rules.append("l.gn = r.gn AND l.sn = r.sn AND l.pc = r.pc")
    if {"dob", "sn1_ph", "gn_ph", "sex"} <= columns:
        rules.append("l.dob = r.dob AND l.sn1_ph = r.sn1_ph AND l.gn_ph = r.gn_ph")
    return rules or ["l.gn = r.gn AND l.sn = r.sn"]


def _input_frame(prepared: pd.DataFrame) -> pd.DataFrame:
    return prepared.drop(columns=[c for c in ("truth",) if c in prepared.columns])


def make_db_api(backend: Backend, spark: Any = None) -> DatabaseAPI[Any]:
    if backend is Backend.SPARK:
        from splink import SparkAPI

        # A local master (one machine) keeps intermediate tables in memory,
        # spilling to disk; a cluster writes them out as Parquet (Splink's default).
        local = str(spark.sparkContext.master).startswith("local")
        api: DatabaseAPI[Any] = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark, break_lineage_method="persist" if local else None
        )
        return api
    from splink import DuckDBAPI

    return DuckDBAPI()


def _linker(
    left: pd.DataFrame,
    right: pd.DataFrame | None,
    settings: SettingsCreator | dict[str, Any],
    backend: Backend,
    spark: Any,
    capped: list[BlockingRule],
) -> Linker:
    db_api = make_db_api(backend, spark)
    if capped:
        # derived keys of capped rules, counted over the records given here
        keyed_left = with_block_keys(left, capped, right)
        right = with_block_keys(right, capped, left) if right is not None else None
        left = keyed_left
    frames = [_input_frame(left)] + ([_input_frame(right)] if right is not None else [])
    if backend is Backend.SPARK:
        registered = [db_api.register(spark.createDataFrame(f)) for f in frames]
    else:
        registered = [db_api.register(f) for f in frames]
    return Linker(
        registered if right is not None else registered[0],
        settings,
        log_level=None,
    )


def _capped(rules: list[BlockingRule]) -> list[BlockingRule]:
    return [rule for rule in rules if rule.key is not None]


def train(
    left: pd.DataFrame,
    right: pd.DataFrame | None = None,
    *,
    sample: int | None = None,
    backend: Backend = Backend.DUCKDB,
    spark: Any = None,
    rules: list[BlockingRule] | None = None,
    u_pairs: float = 1e6,
    seed: int = 7,
) -> TrainedModel:
    """Estimate the model on these records: λ, u by random sampling, m by EM.

    With `sample`, a one-registry model is trained on that many random records.
    λ (the chance two random records match) needs no rescaling: a uniform
    sample keeps a fraction f of the records, so f² of the duplicate pairs and
    f² of all pairs, and their ratio is the registry's. m and u do not depend
    on the size either.
    """
    full = len(left)
    if sample is not None and right is None and full > sample:
        # prediction blocks the whole registry: choose its rules on all of it
        rules = rules if rules is not None else choose_rules(left)
        left = with_block_keys(left, rules)
        left = left.sample(n=sample, random_state=seed).reset_index(drop=True)
    columns = used_columns(left) | (
        used_columns(right) if right is not None else frozenset()
    )
    rules = rules if rules is not None else choose_rules(left, right)
    settings = build_settings(columns, rules, link=right is not None)
    linker = _linker(left, right, settings, backend, spark, _capped(rules))
    training = linker.training
    training.estimate_probability_two_random_records_match(
        list[Any](_deterministic_rules(columns)), recall=0.8
    )
    records = len(left) + (len(right) if right is not None else 0)
    settings_obj: Any = linker._settings_obj
    if not 0.0 < settings_obj._probability_two_random_records_match < 1.0:
        # No deterministic match in a small registry: assume one record in
        # ten has a duplicate rather than none (a prior of 0 scores nothing).
        pairs = max(records * (records - 1) / 2, 1.0)
        settings_obj._probability_two_random_records_match = min(
            0.5, 0.1 * records / pairs
        )
    training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    # EM needs thousands of pairs: on a small registry it learns the quirks of
    # a few namesakes (same name, other birth date) and unlearns that a birth
    # date tells people apart. There the m priors stand.
    sessions = _training_rules(columns) if records >= MIN_EM_RECORDS else []
    for rule in sessions:
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=False
            )
        except EMTrainingException:
            # A small registry may have no pair agreeing on this rule; the
            # other sessions (and Splink's default m) still give a model.
            continue
    return TrainedModel(linker.misc.save_model_to_json())


def for_dialect(model: TrainedModel, *, link: bool) -> SettingsCreator:
    """The trained parameters on freshly built comparisons.

    Splink's JSON holds SQL in the dialect it was trained on (DuckDB function
    names and quoting); another engine gets the same comparisons rebuilt for
    its dialect, with the trained m and u values and λ copied level by level.
    """
    trained = {c["output_column_name"]: c for c in model.settings["comparisons"]}
    rebuilt = []
    for name, creators_all in comparison_levels(frozenset(_ALL_COLUMNS)):
        if name not in trained:
            continue
        rebuilt.append(
            CustomComparison(comparison_levels=creators_all, output_column_name=name)
        )
        levels = [
            level
            for level in trained[name]["comparison_levels"]
            if not level.get("is_null_level")
        ]
        creators = [c for c in creators_all if not isinstance(c, cll.NullLevel)]
        for creator, level in zip(creators, levels, strict=True):
            creator.configure(
                m_probability=level.get("m_probability"),
                u_probability=level.get("u_probability"),
            )
    return SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        comparisons=list[Any](rebuilt),
        blocking_rules_to_generate_predictions=list[Any](
            rule["blocking_rule"]
            for rule in model.settings["blocking_rules_to_generate_predictions"]
        ),
        probability_two_random_records_match=model.settings[
            "probability_two_random_records_match"
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


# Every comparison column, so `for_dialect` can rebuild any trained comparison.
_ALL_COLUMNS = (
    "gn", "sn", "sn2", "b_year", "sex", "country", "addr", "pc", "num", "addr1",
    "suburb", "state",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Predictions:
    """Scored candidate pairs (row positions) and the clusters at the threshold."""

    left: list[str]
    right: list[str]
    probability: list[float]
    pairs_compared: int
    clusters: dict[str, int]  # unique_id -> cluster id (deduplication only)


def predict(
    model: TrainedModel,
    left: pd.DataFrame,
    right: pd.DataFrame | None = None,
    *,
    threshold: float = MATCH_THRESHOLD,
    backend: Backend = Backend.DUCKDB,
    spark: Any = None,
) -> Predictions:
    """Score every blocked pair with a trained model and cluster the matches."""
    settings: SettingsCreator | dict[str, Any] = model.settings
    if backend is not Backend.DUCKDB:
        settings = for_dialect(model, link=right is not None)
    capped = capped_rules(
        rule["blocking_rule"]
        for rule in model.settings["blocking_rules_to_generate_predictions"]
    )
    linker = _linker(left, right, settings, backend, spark, capped)
    scored = linker.inference.predict(warning_mode="never")
    table = scored.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    pairs_compared = len(table)
    matches = table[table["match_probability"] >= threshold]
    clusters: dict[str, int] = {}
    if right is None:
        ids = pd.Index(left["unique_id"].astype(str))
        labels = decide.clusters_kept_apart(
            len(ids),
            np.asarray(ids.get_indexer(table["unique_id_l"].astype(str)), np.int64),
            np.asarray(ids.get_indexer(table["unique_id_r"].astype(str)), np.int64),
            table["match_probability"].to_numpy(dtype=float),
            threshold=threshold,
            apart=KEEP_APART,
        )
        codes, _ = pd.factorize(labels)
        clusters = dict(zip(ids, codes.tolist(), strict=True))
    return Predictions(
        left=matches["unique_id_l"].astype(str).tolist(),
        right=matches["unique_id_r"].astype(str).tolist(),
        probability=matches["match_probability"].astype(float).tolist(),
        pairs_compared=pairs_compared,
        clusters=clusters,
    )
