"""Conformance of the detectors with R `surveillance`, via epysurv's golden files.

The fixtures hold R's alarms only (no upper bounds), so every method must
reproduce R's alarms exactly; upper bounds are checked for consistency with
those alarms. Parameters are the ones epysurv passed to R (see the README).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from puente.early_warning.rules.detectors import (
    Detection,
    cusum,
    ears_c1,
    ears_c2,
    ears_c3,
    farrington,
    farrington_flexible,
)

GOLDEN = Path(__file__).parent / "fixtures" / "epysurv_golden"


@dataclass(frozen=True)
class Salmonella:
    counts: npt.NDArray[np.float64]
    dates: npt.NDArray[np.datetime64]
    start: int  # first test week: the detection range epysurv passes to R


def _read(name: str) -> list[dict[str, str]]:
    with (GOLDEN / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def salmonella() -> Salmonella:
    train = _read("salmonella_train.csv")
    test = _read("salmonella_test.csv")
    # epysurv's fit() removes labelled outbreak cases from the training weeks.
    counts = [float(r["n_cases"]) - float(r["n_outbreak_cases"]) for r in train]
    counts += [float(r["n_cases"]) for r in test]
    dates = [r[""] for r in train + test]
    return Salmonella(
        counts=np.asarray(counts),
        dates=np.asarray(dates, dtype="datetime64[D]"),
        start=len(train),
    )


def _golden_alarms(method: str) -> npt.NDArray[np.bool_]:
    return np.asarray([r["alarm"] == "1" for r in _read(f"{method}_pred.csv")])


def _test_range(result: Detection, data: Salmonella) -> Detection:
    offset = data.start - result.start
    return Detection(
        start=data.start,
        upperbound=result.upperbound[offset:],
        alarm=result.alarm[offset:],
    )


def _observed(data: Salmonella) -> npt.NDArray[np.float64]:
    return data.counts[data.start :]


class TestEars:
    @pytest.mark.parametrize(
        ("method", "detector"),
        [("EarsC1", ears_c1), ("EarsC2", ears_c2), ("EarsC3", ears_c3)],
    )
    def test_alarms_match_r_earsc_exactly(
        self,
        salmonella: Salmonella,
        method: str,
        detector: Callable[..., Detection],
    ) -> None:
        """earsC(baseline=7, alpha=0.001, minSigma=0): alarms equal, no tolerance.

        R's alarm is observed > upperbound; ours must say the same thing.
        """
        result = _test_range(detector(salmonella.counts), salmonella)
        golden = _golden_alarms(method)
        assert golden.any()
        np.testing.assert_array_equal(result.alarm, golden)
        observed = _observed(salmonella)
        np.testing.assert_array_equal(result.alarm, observed > result.upperbound)
        assert np.isfinite(result.upperbound).all()


class TestCusum:
    def test_alarms_match_r_cusum_exactly(self, salmonella: Salmonella) -> None:
        """cusum(k=1.04, h=2.26, m=NULL, trans="standard"): alarms equal.

        R's upper bound is the smallest count that alarms, so alarm <=> x >= U.
        """
        result = cusum(salmonella.counts, start=salmonella.start)
        golden = _golden_alarms("Cusum")
        assert golden.any()
        assert not golden.all()
        np.testing.assert_array_equal(result.alarm, golden)
        observed = _observed(salmonella)
        np.testing.assert_array_equal(result.alarm, observed >= result.upperbound)
        np.testing.assert_array_equal(result.upperbound, np.ceil(result.upperbound))


class TestFarringtonFlexible:
    def test_alarms_match_r_farringtonflexible_exactly(
        self, salmonella: Salmonella
    ) -> None:
        """farringtonFlexible with epysurv's control: alarms equal, no tolerance.

        Reference weeks are found by calendar (epochAsDate), like epysurv's sts.
        """
        result = farrington_flexible(
            salmonella.counts,
            salmonella.dates,
            freq=52,
            start=salmonella.start,
            b=3,
            w=3,
            reweight=True,
            weights_threshold=2.58,
            alpha=0.01,
            trend=True,
            limit54=(5, 4),
            powertrans="2/3",
            past_weeks_not_included=26,
            threshold_method="delta",
        )
        golden = _golden_alarms("FarringtonFlexible")
        assert golden.sum() >= 5
        np.testing.assert_array_equal(result.alarm, golden)
        observed = _observed(salmonella)
        bounded = ~np.isnan(result.upperbound)
        np.testing.assert_array_equal(
            result.alarm[bounded], observed[bounded] > result.upperbound[bounded]
        )
        assert (result.upperbound[bounded] > result.expected[bounded]).all()


class TestFarrington:
    def test_alarms_match_r_algo_farrington_exactly(
        self, salmonella: Salmonella
    ) -> None:
        """algo.farrington(b=3, w=3, alpha=0.01, reweight, trend): alarms equal.

        Upper bounds are 0 where fewer than 5 cases fell in 4 weeks, as in R.
        """
        result = farrington(
            salmonella.counts,
            salmonella.dates,
            freq=52,
            start=salmonella.start,
            b=3,
            w=3,
            reweight=True,
            alpha=0.01,
            trend=True,
            limit54=(5, 4),
            powertrans="2/3",
        )
        golden = _golden_alarms("Farrington")
        assert golden.sum() >= 5
        np.testing.assert_array_equal(result.alarm, golden)
        observed = _observed(salmonella)
        enough = result.upperbound > 0
        np.testing.assert_array_equal(
            result.alarm[enough], observed[enough] > result.upperbound[enough]
        )
        assert not result.alarm[~enough].any()
