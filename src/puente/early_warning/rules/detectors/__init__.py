"""Surge detectors on count series, mirroring the R `surveillance` package.

Pure functions: counts in (float, NaN = missing), thresholds and alarms out.
EARS C1/C2/C3 and CUSUM also have a `*_many` path over a 2-D (series x time)
array. Conformance with R is tested against epysurv's golden files.

Import from this package: the modules behind it (`_ears`, `_cusum`, `_farrington`
and the shared `_common`) are private, and `cusum` and `farrington` name functions.
"""

from puente.early_warning.rules.detectors._common import (
    BoolArray,
    Detection,
    FloatArray,
)
from puente.early_warning.rules.detectors._cusum import (
    CusumTransform,
    cusum,
    cusum_many,
)
from puente.early_warning.rules.detectors._ears import (
    EarsMethod,
    ears_c1,
    ears_c1_many,
    ears_c2,
    ears_c2_many,
    ears_c3,
    ears_c3_many,
    ears_many,
)
from puente.early_warning.rules.detectors._farrington import (
    FarringtonDetection,
    PowerTransform,
    ThresholdMethod,
    farrington,
    farrington_flexible,
)

__all__ = [
    "BoolArray",
    "CusumTransform",
    "Detection",
    "EarsMethod",
    "FarringtonDetection",
    "FloatArray",
    "PowerTransform",
    "ThresholdMethod",
    "cusum",
    "cusum_many",
    "ears_c1",
    "ears_c1_many",
    "ears_c2",
    "ears_c2_many",
    "ears_c3",
    "ears_c3_many",
    "ears_many",
    "farrington",
    "farrington_flexible",
]
