"""Farrington detectors (R surveillance): classic (Farrington et al. 1996) and
flexible (Noufaily et al. 2012 options), with their shared quasi-Poisson GLM."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats
from statsmodels.genmod.families import Poisson
from statsmodels.genmod.generalized_linear_model import GLM

from puente.early_warning.rules.detectors._common import (
    BoolArray,
    Detection,
    FloatArray,
    as_series,
    frozen_array,
)

PowerTransform = Literal["2/3", "1/2", "none"]
ThresholdMethod = Literal["delta", "nbPlugin", "muan"]


@dataclass(frozen=True, slots=True)
class FarringtonDetection(Detection):
    """Farrington output plus the GLM's expected count and kept-trend flag."""

    expected: FloatArray
    has_trend: BoolArray


# ---------------------------------------------------------------------------
# Farrington: shared GLM machinery
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _GlmFit:
    params: FloatArray
    cov_unscaled: FloatArray
    dispersion: float  # Pearson X2 / df: phi = max(dispersion, 1)
    df_resid: float
    has_trend: bool
    converged: bool
    # What summary.glm later reports; differs after farringtonFlexible's reweighting.
    reported_dispersion: float

    @property
    def phi(self) -> float:
        return max(self.dispersion, 1.0)

    def link_and_se(self, row: FloatArray, dispersion: float) -> tuple[float, float]:
        eta = float(row @ self.params)
        variance = float(row @ self.cov_unscaled @ row) * dispersion
        return eta, math.sqrt(max(variance, 0.0))

    def trend_p_value(self) -> float:
        estimate = float(self.params[1])
        variance = float(self.cov_unscaled[1, 1]) * self.reported_dispersion
        se = math.sqrt(max(variance, 0.0))
        if se == 0.0 or self.df_resid <= 0:
            return math.nan
        return float(2.0 * stats.t.sf(abs(estimate / se), self.df_resid))


def _glm_quasi_poisson(
    response: FloatArray,
    design: FloatArray,
    weights: FloatArray | None,
    has_trend: bool,
) -> tuple[_GlmFit, FloatArray]:
    """Quasi-Poisson log-link fit (R glm(family=quasipoisson)); returns mu too."""
    var_weights = np.ones_like(response) if weights is None else weights
    with warnings.catch_warnings():
        # Degenerate windows (all zeros) warn in statsmodels; R just fits.
        warnings.simplefilter("ignore")
        # Scale 1 while fitting (X2 fails on exact fits); dispersion below.
        model = GLM(response, design, family=Poisson(), var_weights=var_weights)
        result = model.fit()
    mu = np.asarray(result.fittedvalues, dtype=np.float64)
    df_resid = float(result.df_resid)
    pearson = float(np.sum(var_weights * (response - mu) ** 2 / mu))
    dispersion = pearson / df_resid if df_resid > 0 else math.nan
    fit = _GlmFit(
        params=np.asarray(result.params, dtype=np.float64),
        cov_unscaled=np.asarray(result.normalized_cov_params, dtype=np.float64),
        dispersion=dispersion,
        df_resid=df_resid,
        has_trend=has_trend,
        converged=bool(result.converged),
        reported_dispersion=dispersion,
    )
    return fit, mu


def _anscombe_weights(
    response: FloatArray,
    design: FloatArray,
    mu: FloatArray,
    phi: float,
    threshold: float,
) -> FloatArray:
    """R algo.farrington.assign.weights on standardised Anscombe residuals."""
    root_w = np.sqrt(mu)
    q, _ = np.linalg.qr(design * root_w[:, np.newaxis])
    hat = np.sum(q**2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = 1.5 * (response ** (2 / 3) * mu ** (-1 / 6) - np.sqrt(mu))
        s = raw / np.sqrt(phi * (1.0 - hat))
        outlying = s > threshold
        inverse_square = np.where(outlying, s**-2.0, 1.0)
        gamma = len(s) / float(np.sum(inverse_square))
    return np.where(outlying, gamma * inverse_square, gamma)


def _fit_with_reweighting(
    response: FloatArray,
    design: FloatArray,
    has_trend: bool,
    reweight: bool,
    weights_threshold: float,
    overwrite_weights: bool = False,
) -> _GlmFit | None:
    """R algo.farrington.fitGLM(.flexible): fit, drop trend if no convergence.

    The trend, when present, is column 1 of `design`.
    """
    fit, mu = _glm_quasi_poisson(response, design, None, has_trend)
    if not fit.converged and has_trend:
        design, has_trend = np.delete(design, 1, axis=1), False
        fit, mu = _glm_quasi_poisson(response, design, None, has_trend)
    if not fit.converged:
        return None
    if reweight:
        omega = _anscombe_weights(response, design, mu, fit.phi, weights_threshold)
        fit, mu = _glm_quasi_poisson(response, design, omega, has_trend)
        if overwrite_weights:
            # fitGLM.flexible stores omega in model$weights (the IRLS working
            # weights), so summary.glm's dispersion, and with it the trend
            # p-value and se.fit, become sum(omega * ((y - mu) / mu)^2) / df.
            working = np.sum(omega * ((response - mu) / mu) ** 2)
            # No residual degrees of freedom (a window as short as the model):
            # the dispersion is undefined, as R's summary.glm reports NaN.
            reported = float(working) / fit.df_resid if fit.df_resid > 0 else math.nan
            fit = replace(fit, reported_dispersion=reported)
    return fit


def _farrington_upper(
    mu0: float,
    se: float,
    phi: float,
    z: float,
    powertrans: PowerTransform,
) -> float:
    """Upper end of R algo.farrington.threshold(.farrington) (delta method)."""
    if not mu0 > 0:
        return 0.0 if mu0 == 0 else math.nan
    tau = phi + se**2 / mu0
    if powertrans == "none":
        sd, exponent = math.sqrt(mu0 * tau), 1.0
    elif powertrans == "1/2":
        sd, exponent = math.sqrt(tau / 4), 0.5
    else:
        sd, exponent = math.sqrt(4 / 9 * mu0 ** (1 / 3) * tau), 2 / 3
    base = mu0**exponent + z * sd
    # Both ends of R's sorted interval: with z >= 0 the "+" end is the upper.
    return float(base ** (1 / exponent)) if base >= 0 else math.nan


def _noufaily_upper(
    eta0: float, se_eta: float, phi: float, alpha: float, method: ThresholdMethod
) -> float:
    """Upper end of R algo.farrington.threshold.noufaily (nbPlugin / muan)."""
    if method == "nbPlugin":
        mu_q = math.exp(eta0)
    else:
        mu_q = math.exp(float(stats.norm.ppf(1 - alpha, loc=eta0, scale=se_eta)))
    if math.isinf(mu_q):
        return math.nan
    if phi > 1:
        return float(stats.nbinom.ppf(1 - alpha, mu_q / (phi - 1), 1 / phi))
    return float(stats.poisson.ppf(1 - alpha, mu_q))


def _as_dates(dates: npt.ArrayLike | Sequence[dt.date] | None) -> list[dt.date] | None:
    if dates is None:
        return None
    days = np.asarray(dates).astype("datetime64[D]")
    return [d.item() for d in days]


def _years_back(day: dt.date, years: int) -> dt.date:
    """R seq(day, by = "-1 year"): Feb 29 rolls over to Mar 1."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 3, 1)


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    try:
        return dt.date(year, month + 1, day.day)
    except ValueError:  # R normalises e.g. Apr 31 to May 1
        return dt.date(year, month + 2, 1) if month < 11 else dt.date(year + 1, 1, 1)


def _weekday(day: dt.date) -> int:
    return day.isoweekday() % 7  # R format(, "%w"): Sunday = 0


def _epoch_days(freq: int) -> int:
    return {52: 7, 12: 0, 365: 1}.get(freq, 0)


# ---------------------------------------------------------------------------
# Farrington flexible (Noufaily et al. 2012 options)
# ---------------------------------------------------------------------------


def _flexible_reference_points(
    k: int, b: int, freq: int, dates: list[dt.date] | None
) -> list[int]:
    """R algo.farrington.referencetimepoints, as indices [k, 1y back, ...]."""
    if dates is None:
        points = [k - freq * i for i in range(b + 1)]
        if points[-1] < 0:
            raise ValueError("Some reference time points did not exist")
        return points
    day = dates[k]
    targets = [_years_back(day, i) for i in range(b + 1)]
    if freq == 52:
        snapped = []
        for target in targets:
            a = target - dt.timedelta(days=_weekday(target) - _weekday(day))
            other = a + dt.timedelta(days=-7 if a > target else 7)
            closer = abs((a - target).days) <= abs((other - target).days)
            snapped.append(a if closer else other)
        targets = snapped
    position = {d: i for i, d in enumerate(dates)}
    if not all(t in position for t in targets):
        raise ValueError(
            "Some reference time points did not exist; "
            "decrease 'b' or postpone 'start'."
        )
    return sorted((position[t] for t in targets), reverse=True)


def _season_blocks(
    n_time: int, reference: list[int], b: int, w: int, periods: int
) -> FloatArray:
    """R `blocks`: windows get level `periods`, gaps split into 1..periods-1."""
    factor = np.full(n_time, np.nan)
    now = reference[0]
    factor[max(now - w, 0) : now + 1] = periods
    for i in range(1, b + 1):
        ref = reference[i]
        if ref - w < 0:
            raise ValueError("window around a reference week precedes the data")
        factor[ref - w : ref + w + 1] = periods
        if periods != 1:
            period = reference[i - 1] - 2 * w - 1 - ref
            if period < periods - (2 * w + 1):
                raise ValueError("Number of factors too big!")
            size, rest = divmod(period, periods - 1)
            lengths = [size + (1 if j < rest else 0) for j in range(periods - 1)]
            offset = ref + w + 1
            for level, length in enumerate(lengths, start=1):
                factor[offset : offset + length] = level
                offset += length
    return factor


def _design(
    wtime: FloatArray, groups: FloatArray | None, with_trend: bool
) -> tuple[FloatArray, list[float]]:
    columns = [np.ones_like(wtime)]
    if with_trend:
        columns.append(wtime)
    levels: list[float] = []
    if groups is not None:
        levels = sorted(set(groups.tolist()))
        columns.extend((groups == level).astype(np.float64) for level in levels[1:])
    return np.column_stack(columns), levels


def _design_row(
    wtime: float, level: float | None, levels: list[float], with_trend: bool
) -> FloatArray:
    row = [1.0]
    if with_trend:
        row.append(wtime)
    row.extend(1.0 if level == other else 0.0 for other in levels[1:])
    return np.asarray(row, dtype=np.float64)


def _flexible_fit(
    response: FloatArray,
    wtime: FloatArray,
    groups: FloatArray | None,
    with_trend: bool,
    reweight: bool,
    weights_threshold: float,
) -> tuple[_GlmFit | None, list[float]]:
    design, levels = _design(wtime, groups, with_trend)
    fit = _fit_with_reweighting(
        response, design, with_trend, reweight, weights_threshold, True
    )
    return fit, levels


def farrington_flexible(
    counts: npt.ArrayLike,
    dates: npt.ArrayLike | Sequence[dt.date] | None = None,
    *,
    freq: int = 52,
    start: int | None = None,
    b: int = 5,
    w: int = 3,
    reweight: bool = True,
    weights_threshold: float = 2.58,
    alpha: float = 0.05,
    trend: bool = True,
    p_threshold_trend: float = 0.05,
    limit54: tuple[int, int] = (5, 4),
    powertrans: PowerTransform = "2/3",
    no_periods: int = 1,
    past_weeks_not_included: int | None = None,
    threshold_method: ThresholdMethod = "delta",
) -> FarringtonDetection:
    """Farrington flexible (R surveillance::farringtonFlexible, no population).

    With `dates` (weekly/monthly/daily by `freq`) reference weeks are found by
    calendar like R's epochAsDate; without, by index k - freq * year.
    """
    x = as_series(counts)
    calendar = _as_dates(dates)
    if calendar is not None and len(calendar) != len(x):
        raise ValueError("dates and counts differ in length")
    n_time = len(x)
    first = freq * b + w if start is None else start
    skip = w if past_weeks_not_included is None else past_weeks_not_included
    cases_needed, cases_period = limit54
    use_groups = no_periods != 1
    z = float(stats.norm.ppf(1 - alpha))
    width = max(n_time - first, 0)
    upper = np.full(width, np.nan)
    alarm = np.zeros(width, dtype=np.bool_)
    expected = np.full(width, np.nan)
    kept_trend = np.zeros(width, dtype=np.bool_)
    step_days = (
        (calendar[1] - calendar[0]).days if calendar and len(calendar) > 1 else 1
    )
    for k in range(first, n_time):
        i = k - first
        reference = _flexible_reference_points(k, b, freq, calendar)
        blocks = _season_blocks(n_time, reference, b, w, no_periods)
        kept = blocks.copy()
        kept[max(k - skip, 0) : k + 1] = np.nan
        index = np.flatnonzero(~np.isnan(kept) & ~np.isnan(x))
        response = x[index]
        if calendar is None:
            wtime = index.astype(np.float64) + 1.0  # R's 1-based time index
            wtime_now = float(k + 1)
        else:
            origin = calendar[int(index[0])] if len(index) else calendar[k]
            wtime = np.asarray(
                [(calendar[j] - origin).days / step_days for j in index],
                dtype=np.float64,
            )
            wtime_now = (calendar[k] - origin).days / step_days
        groups = blocks[index] if use_groups else None
        level = float(no_periods) if use_groups else None
        if len(response) < 2 or np.isnan(x[k]):
            continue
        model, levels = _flexible_fit(
            response, wtime, groups, trend, reweight, weights_threshold
        )
        if model is None:
            continue
        has_trend = model.has_trend
        if has_trend:
            row = _design_row(wtime_now, level, levels, True)
            eta, _ = model.link_and_se(row, model.reported_dispersion)
            significant = model.trend_p_value() < p_threshold_trend
            no_extrapolation = math.exp(eta) <= float(np.max(response))
            has_trend = b >= 3 and significant and no_extrapolation
            if not has_trend:
                model, levels = _flexible_fit(
                    response, wtime, groups, False, reweight, weights_threshold
                )
                if model is None:
                    continue
        row = _design_row(wtime_now, level, levels, has_trend)
        # R passes `dispersion=` inside newdata, so se.fit uses the summary
        # dispersion while the threshold uses phi = max(dispersion, 1).
        eta, se_eta = model.link_and_se(row, model.reported_dispersion)
        observed = float(x[k])
        if threshold_method == "delta":
            mu0 = math.exp(eta)
            bound = _farrington_upper(mu0, mu0 * se_eta, model.phi, z, powertrans)
            predicted = mu0
        else:
            bound = _noufaily_upper(eta, se_eta, model.phi, alpha, threshold_method)
            predicted = eta
        recent = x[max(k - cases_period + 1, 0) : k + 1]
        enough = float(np.nansum(recent)) >= cases_needed
        kept_trend[i] = has_trend
        if not enough:
            continue
        upper[i] = bound
        expected[i] = math.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (observed - predicted) / (bound - predicted)
        alarm[i] = bool(score > 1) and observed != 0
    return FarringtonDetection(
        start=first,
        upperbound=frozen_array(upper),
        alarm=frozen_array(alarm),
        expected=frozen_array(expected),
        has_trend=frozen_array(kept_trend),
    )


# ---------------------------------------------------------------------------
# Classic Farrington (Farrington et al. 1996)
# ---------------------------------------------------------------------------


def _classic_reference_indices(
    k: int, b: int, w: int, freq: int, dates: list[dt.date] | None
) -> FloatArray:
    """R algo.farrington / refvalIdxByDate reference indices (0-based)."""
    if dates is None:
        wanted = [k - freq * i + d for i in range(b, 0, -1) for d in range(-w, w + 1)]
        return np.asarray([j for j in wanted if j >= 0], dtype=np.float64)
    day = dates[k]
    step = _epoch_days(freq)
    wanted_days: list[dt.date] = []
    for year in range(1, b + 1):
        centre = _years_back(day, year)
        for d in range(-w, w + 1):
            if freq == 12:
                moved = _months_back(centre, -d)
                # R: go back to the closest day-of-month of t0.
                wanted_days.append(moved - dt.timedelta(days=moved.day - day.day))
                continue
            moved = centre + dt.timedelta(days=d * step)
            if freq == 52:
                forward = (_weekday(day) - _weekday(moved)) % 7
                backward = (_weekday(moved) - _weekday(day)) % 7
                shift = forward if forward < backward else -backward
                moved += dt.timedelta(days=shift)
            wanted_days.append(moved)
    position = {d: i for i, d in enumerate(dates)}
    return np.asarray(
        [position[d] for d in wanted_days if d in position], dtype=np.float64
    )


def farrington(
    counts: npt.ArrayLike,
    dates: npt.ArrayLike | Sequence[dt.date] | None = None,
    *,
    freq: int = 52,
    start: int | None = None,
    b: int = 5,
    w: int = 3,
    reweight: bool = True,
    alpha: float = 0.05,
    trend: bool = True,
    limit54: tuple[int, int] = (5, 4),
    powertrans: PowerTransform = "2/3",
) -> FarringtonDetection:
    """Classic Farrington, two-sided alpha (R surveillance::algo.farrington).

    Reweighting uses Anscombe residuals over 1; missing counts are dropped.
    """
    x = as_series(counts)
    calendar = _as_dates(dates)
    if calendar is not None and len(calendar) != len(x):
        raise ValueError("dates and counts differ in length")
    n_time = len(x)
    first = freq * b - w - 1 if start is None else start
    cases_needed, cases_period = limit54
    z = float(stats.norm.ppf(1 - alpha / 2))
    width = max(n_time - first, 0)
    upper = np.full(width, np.nan)
    alarm = np.zeros(width, dtype=np.bool_)
    expected = np.full(width, np.nan)
    kept_trend = np.zeros(width, dtype=np.bool_)
    for k in range(first, n_time):
        i = k - first
        index = _classic_reference_indices(k, b, w, freq, calendar).astype(np.intp)
        index = index[~np.isnan(x[index])]
        if len(index) < 2 or np.isnan(x[k]):
            continue
        response = x[index]
        wtime = index.astype(np.float64) + 1.0  # R's 1-based time index
        full = np.column_stack([np.ones_like(wtime), wtime])
        design = full if trend else full[:, :1]
        model = _fit_with_reweighting(response, design, trend, reweight, 1.0)
        if model is None:
            # algo.farrington.fitGLM.fast carries on with the last fit.
            model, _ = _glm_quasi_poisson(response, full[:, :1], None, False)
        has_trend = model.has_trend
        now = np.asarray([1.0, k + 1.0])
        if has_trend:
            eta, _ = model.link_and_se(now, model.phi)
            significant = model.trend_p_value() < 0.05
            has_trend = (
                b >= 3 and significant and math.exp(eta) <= float(np.max(response))
            )
            if not has_trend:
                refit = _fit_with_reweighting(
                    response, full[:, :1], False, reweight, 1.0
                )
                if refit is None:
                    continue
                model = refit
        row = now if has_trend else now[:1]
        eta, se_eta = model.link_and_se(row, model.phi)
        mu0 = math.exp(eta)
        bound = _farrington_upper(mu0, mu0 * se_eta, model.phi, z, powertrans)
        recent = x[max(k - cases_period + 1, 0) : k + 1]
        enough = float(np.nansum(recent)) >= cases_needed
        kept_trend[i] = has_trend
        expected[i] = mu0
        if not enough:
            upper[i] = 0.0  # R reports 0 when too few recent cases
            continue
        upper[i] = bound
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (float(x[k]) - mu0) / (bound - mu0)
        alarm[i] = bool(score > 1)
    return FarringtonDetection(
        start=first,
        upperbound=frozen_array(upper),
        alarm=frozen_array(alarm),
        expected=frozen_array(expected),
        has_trend=frozen_array(kept_trend),
    )
