"""Fair-share keys: a weighted mix of indicators, per state, beside what each
state hosts and funds. Never "the" fair share: a key is a choice, the weights are
editable and the presets say where they come from.

An indicator is *direct* (a bigger value means a bigger share: population, GDP)
or *inverse* (a bigger value means a smaller share: past effort, unemployment).
A state's share of a direct indicator is x_i / Σx; of an inverse indicator
(1/x_i) / Σ(1/x) (values floored at a small positive number). The key is the
weighted mean of the shares. Like the EU's 2015 relocation key, the corrective
(inverse) indicators may move a state's share by at most `cap` (30 %) of its
share on the direct indicators alone.

An indicator without a value for every state is left out and the remaining
weights are rescaled; the result lists what was left out.

Pure: dataclasses in, dataclasses out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from puente.core.i18n import N_

INDICATOR_LABELS: Final[dict[str, str]] = {
    "population": N_("Population"),
    "gdp": N_("Gross domestic product"),
    "past_effort": N_("People already hosted per million inhabitants"),
    "unemployment": N_("Unemployment rate"),
}
INVERSE: Final = frozenset({"past_effort", "unemployment"})
FLOOR: Final = 1e-6


@dataclass(frozen=True, slots=True)
class Preset:
    key: str
    label: str
    weights: Mapping[str, float]
    cap: float | None
    source: str


PRESETS: Final[dict[str, Preset]] = {
    "eu_2015": Preset(
        "eu_2015",
        N_("EU relocation key of 2015"),
        {"population": 40, "gdp": 40, "past_effort": 10, "unemployment": 10},
        0.30,
        "European Agenda on Migration (2015): population 40 %, GDP 40 %, past "
        "asylum effort 10 % and unemployment 10 % (both inverse), the corrections "
        "capped at 30 %; research/05 §2.3.",
    ),
    "capacity": Preset(
        "capacity",
        N_("Capacity only (population and GDP)"),
        {"population": 50, "gdp": 50, "past_effort": 0, "unemployment": 0},
        None,
        "Population and GDP weighted equally, without corrections.",
    ),
}


@dataclass(frozen=True, slots=True)
class StateIndicators:
    state: str
    values: Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class KeyResult:
    shares: dict[str, float]  # state -> share (sums to 1)
    used: dict[str, float]  # indicator -> normalised weight actually used
    left_out: tuple[str, ...]  # indicators without a value for every state


def _shares(values: Sequence[float], inverse: bool) -> list[float]:
    floored = [max(value, FLOOR) for value in values]
    basis = [1 / value for value in floored] if inverse else floored
    total = sum(basis)
    return [value / total for value in basis]


def _normalise(values: Mapping[str, float]) -> dict[str, float]:
    total = sum(values.values())
    return {state: value / total for state, value in values.items()} if total else {}


def _within(
    raw: Mapping[str, float], low: Mapping[str, float], high: Mapping[str, float]
) -> dict[str, float]:
    """Shares that sum to 1, each within [low, high], proportional to `raw`
    among the states not held at a bound (the bounds always admit a solution:
    they bracket shares that sum to 1)."""
    fixed: dict[str, float] = {}
    free = set(raw)
    while free:
        remaining = 1.0 - sum(fixed.values())
        total = sum(raw[state] for state in free)
        scaled = {
            state: (raw[state] / total if total > 0 else 1 / len(free)) * remaining
            for state in free
        }
        # Hold the states above their ceiling first (they free mass for the
        # others), then those below their floor; one side at a time.
        over = {s for s in free if scaled[s] > high[s] + 1e-12}
        under = {s for s in free if scaled[s] < low[s] - 1e-12}
        if not over and not under:
            return {**fixed, **scaled}
        for state in over or under:
            fixed[state] = high[state] if over else low[state]
            free.discard(state)
    return _normalise(fixed)


def fair_shares(
    states: Sequence[StateIndicators],
    weights: Mapping[str, float],
    *,
    cap: float | None = None,
) -> KeyResult:
    """Each state's share under `weights` (any scale; negative weights count 0)."""
    positive = {
        k: max(float(w), 0.0)
        for k, w in weights.items()
        if k in INVERSE | {"population", "gdp"}
    }
    left_out = tuple(
        sorted(
            key
            for key, weight in positive.items()
            if weight > 0 and any(s.values.get(key) is None for s in states)
        )
    )
    usable = {k: w for k, w in positive.items() if w > 0 and k not in left_out}
    if not states or not usable:
        return KeyResult({}, {}, left_out)
    total_weight = sum(usable.values())
    used = {k: w / total_weight for k, w in usable.items()}
    per_indicator: dict[str, list[float]] = {
        key: _shares(
            [float(s.values[key] or 0.0) for s in states], inverse=key in INVERSE
        )
        for key in used
    }
    combined = {
        s.state: sum(used[k] * per_indicator[k][i] for k in used)
        for i, s in enumerate(states)
    }
    direct = {k: w for k, w in used.items() if k not in INVERSE}
    if cap is not None and direct and len(direct) < len(used):
        direct_total = sum(direct.values())
        base = {
            s.state: sum(direct[k] * per_indicator[k][i] for k in direct) / direct_total
            for i, s in enumerate(states)
        }
        combined = _within(
            _normalise(combined),
            {state: share * (1 - cap) for state, share in base.items()},
            {state: share * (1 + cap) for state, share in base.items()},
        )
    return KeyResult(_normalise(combined), used, left_out)


def actual_shares(values: Mapping[str, float]) -> dict[str, float]:
    """Each state's share of a total (hosted people, funding); zeros when none."""
    total = sum(max(v, 0.0) for v in values.values())
    if total <= 0:
        return dict.fromkeys(values, 0.0)
    return {state: max(value, 0.0) / total for state, value in values.items()}
