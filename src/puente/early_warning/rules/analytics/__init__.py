"""Flow analytics: pure DataFrame -> DataFrame functions (Polars, NumPy,
statsforecast). No database, no files: the service reads the store and calls
these; the backtest replays them month by month."""

from puente.early_warning.rules.analytics.detection import add_detectors
from puente.early_warning.rules.analytics.forecasts import (
    MODEL_NAMES,
    ForecastConfig,
    forecast_latest,
    forecast_origins,
)
from puente.early_warning.rules.analytics.indicators import (
    VARIABLES,
    add_indicators,
)
from puente.early_warning.rules.analytics.series import (
    TOTAL,
    build_series,
    parse_series_key,
    series_key,
)

__all__ = [
    "MODEL_NAMES",
    "TOTAL",
    "VARIABLES",
    "ForecastConfig",
    "add_detectors",
    "add_indicators",
    "build_series",
    "forecast_latest",
    "forecast_origins",
    "parse_series_key",
    "series_key",
]
