"""Common triggers: a catalogue as data, evaluated over indicator rows.

Pure: no database, no files. A trigger holds for a series in a period when its
CEL condition (over the variables in `rules.analytics.indicators.VARIABLES`) is true;
it fires when it held in at least `k` of the last `n` periods including this
one, and not within `cooldown` periods after its previous firing on that
series. A condition that reads a missing value and cannot be decided without
it does not hold (missing is never taken as zero).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from puente.core.errors import InvalidInput
from puente.core.expressions import (
    CompiledExpression,
    ExpressionError,
    VarType,
    compile_expression,
    evaluate,
)

LOCALES: Final = ("en", "es", "pt", "fr", "ht")
SEVERITIES: Final = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
URGENCIES: Final = ("Immediate", "Expected", "Future", "Past", "Unknown")
CERTAINTIES: Final = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
_TYPES: Final = {"double": VarType.DOUBLE, "int": VarType.DOUBLE, "bool": VarType.BOOL}


class InvalidCatalogue(InvalidInput):
    message = "The trigger catalogue is not valid: %(reason)s"


@dataclass(frozen=True, slots=True)
class TriggerDefinition:
    id: str
    version: str
    title: Mapping[str, str]
    condition: str
    source: str = "*"  # glob on the source name
    series: str = "any"  # "total", "any", or a glob on "nat=VEN"-style keys
    persistence_k: int = 1
    persistence_n: int = 1
    cooldown: int = 0
    severity: str = "Moderate"
    urgency: str = "Expected"
    certainty: str = "Possible"
    plan_template: str | None = None
    compiled: CompiledExpression | None = field(default=None, compare=False, repr=False)

    def applies_to(self, series_key: str) -> bool:
        source, _, body = series_key.partition("|")
        if not fnmatch.fnmatchcase(source, self.source):
            return False
        if self.series == "any":
            return True
        if self.series == "total":
            return body == "*"
        return body != "*" and fnmatch.fnmatchcase(body, self.series)


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    triggers: tuple[TriggerDefinition, ...]


@dataclass(frozen=True, slots=True)
class TriggerFiring:
    """A trigger that fired for a series in a period, with the values read."""

    trigger_id: str
    trigger_version: str
    series_key: str
    period: dt.date
    values: Mapping[str, float | bool | None]
    severity: str
    urgency: str
    certainty: str
    plan_template: str | None
    title: Mapping[str, str]


def variable_types(variables: Mapping[str, tuple[str, str]]) -> dict[str, VarType]:
    return {
        name: _TYPES.get(kind, VarType.DYN) for name, (kind, _) in variables.items()
    }


def parse_catalogue(
    data: Mapping[str, Any], variables: Mapping[str, VarType]
) -> Catalogue:
    """Validate a catalogue document and lint every condition (raises
    `InvalidCatalogue` or `ExpressionError` naming the trigger)."""
    version = str(data.get("version") or "")
    if not version:
        raise InvalidCatalogue(reason="version is required")
    triggers: list[TriggerDefinition] = []
    seen: set[str] = set()
    for raw in data.get("triggers", []):
        trigger_id = str(raw.get("id") or "")
        if not trigger_id or trigger_id in seen:
            raise InvalidCatalogue(reason=f"missing or repeated id {trigger_id!r}")
        seen.add(trigger_id)
        title = {k: str(v) for k, v in dict(raw.get("title", {})).items()}
        if set(LOCALES) - set(title):
            raise InvalidCatalogue(reason=f"{trigger_id}: title needs {LOCALES}")
        scope = dict(raw.get("scope", {}))
        persistence = dict(raw.get("persistence", {"k": 1, "n": 1}))
        cap = dict(raw.get("cap", {}))
        trigger = TriggerDefinition(
            id=trigger_id,
            version=str(raw.get("version", "1")),
            title=title,
            condition=str(raw.get("condition", "")),
            source=str(scope.get("source", "*")),
            series=str(scope.get("series", "any")),
            persistence_k=int(persistence.get("k", 1)),
            persistence_n=int(persistence.get("n", 1)),
            cooldown=int(raw.get("cooldown", 0)),
            severity=str(cap.get("severity", "Moderate")),
            urgency=str(cap.get("urgency", "Expected")),
            certainty=str(cap.get("certainty", "Possible")),
            plan_template=raw.get("plan_template"),
        )
        _check(trigger)
        try:
            compiled = compile_expression(trigger.condition, variables=variables)
        except ExpressionError as exc:
            raise ExpressionError(
                f"Trigger {trigger_id}: {exc}", issues=exc.issues
            ) from exc
        triggers.append(_with_compiled(trigger, compiled))
    if not triggers:
        raise InvalidCatalogue(reason="no triggers")
    return Catalogue(version=version, triggers=tuple(triggers))


def _with_compiled(
    trigger: TriggerDefinition, compiled: CompiledExpression
) -> TriggerDefinition:
    from dataclasses import replace

    return replace(trigger, compiled=compiled)


def _check(trigger: TriggerDefinition) -> None:
    where = trigger.id
    if not 1 <= trigger.persistence_k <= trigger.persistence_n <= 24:
        raise InvalidCatalogue(reason=f"{where}: persistence needs 1 <= k <= n <= 24")
    if not 0 <= trigger.cooldown <= 36:
        raise InvalidCatalogue(reason=f"{where}: cooldown must be 0..36")
    if trigger.severity not in SEVERITIES:
        raise InvalidCatalogue(reason=f"{where}: severity {trigger.severity!r}")
    if trigger.urgency not in URGENCIES:
        raise InvalidCatalogue(reason=f"{where}: urgency {trigger.urgency!r}")
    if trigger.certainty not in CERTAINTIES:
        raise InvalidCatalogue(reason=f"{where}: certainty {trigger.certainty!r}")


def _clean(value: Any) -> float | bool | None:
    if value is None or isinstance(value, bool):
        return value
    number = float(value)
    return None if math.isnan(number) else number


def holds(compiled: CompiledExpression, row: Mapping[str, Any]) -> bool:
    """Whether the condition is true on one row; undecidable counts as false."""
    context = {name: _clean(row.get(name)) for name in compiled.free_variables}
    try:
        return evaluate(compiled, context) is True
    except ExpressionError:
        return False


def evaluate_series(
    trigger: TriggerDefinition,
    series_key: str,
    rows: Sequence[Mapping[str, Any]],
) -> list[TriggerFiring]:
    """Firings of one trigger on one series; `rows` are its periods in order
    (each a mapping with `period` and the variables)."""
    compiled = trigger.compiled or compile_expression(trigger.condition)
    held: list[bool] = []
    firings: list[TriggerFiring] = []
    last_fired: int | None = None
    for index, row in enumerate(rows):
        now = holds(compiled, row)
        held.append(now)
        if not now:
            continue
        window = held[-trigger.persistence_n :]
        if sum(window) < trigger.persistence_k:
            continue
        if last_fired is not None and index - last_fired <= trigger.cooldown:
            continue
        last_fired = index
        read = sorted(compiled.free_variables | {"arrivals_month"})
        firings.append(
            TriggerFiring(
                trigger_id=trigger.id,
                trigger_version=trigger.version,
                series_key=series_key,
                period=row["period"],
                values={name: _clean(row.get(name)) for name in read},
                severity=trigger.severity,
                urgency=trigger.urgency,
                certainty=trigger.certainty,
                plan_template=trigger.plan_template,
                title=dict(trigger.title),
            )
        )
    return firings


def evaluate_catalogue(
    catalogue: Catalogue,
    rows_by_series: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    series_keys: Iterable[str] | None = None,
) -> list[TriggerFiring]:
    """Every firing of every trigger over every series in scope."""
    keys = sorted(rows_by_series if series_keys is None else series_keys)
    firings: list[TriggerFiring] = []
    for trigger in catalogue.triggers:
        for key in keys:
            if trigger.applies_to(key):
                firings.extend(evaluate_series(trigger, key, rows_by_series[key]))
    return firings
