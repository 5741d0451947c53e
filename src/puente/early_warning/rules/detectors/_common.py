"""Shared shapes and input helpers of the detectors: `Detection`, array aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_ArrayT = TypeVar("_ArrayT", bound=npt.NDArray[Any])

# Rows per block in the `*_many` paths: keeps temporaries in cache and memory
# bounded (100,000 x 100 float64 is 80 MB per temporary otherwise).
CHUNK_ROWS = 4096


@dataclass(frozen=True, slots=True)
class Detection:
    """Output over the evaluation range: index `start` of the input onwards.

    `upperbound` and `alarm` have the evaluated time points on their last
    axis (1-D for one series, 2-D series x time for the `*_many` functions).
    A missing count gives a NaN upperbound and no alarm.
    """

    start: int
    upperbound: FloatArray
    alarm: BoolArray


def as_series(counts: npt.ArrayLike) -> FloatArray:
    x = np.asarray(counts, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"expected a 1-D array of counts, got shape {x.shape}")
    return x


def as_matrix(counts: npt.ArrayLike) -> FloatArray:
    x = np.asarray(counts, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"expected a 2-D (series x time) array, got {x.shape}")
    return x


def frozen_array(array: _ArrayT) -> _ArrayT:
    array.flags.writeable = False
    return array


def make_detection(start: int, upperbound: FloatArray, alarm: BoolArray) -> Detection:
    return Detection(
        start=start,
        upperbound=frozen_array(upperbound),
        alarm=frozen_array(alarm),
    )


def single_row(result: Detection) -> Detection:
    """The one series of a 1-row `*_many` result, as a 1-D detection."""
    return make_detection(
        result.start, result.upperbound[0].copy(), result.alarm[0].copy()
    )
