"""One catalogue of labels for every code a person may see, in five languages,
and the Jinja filters that show them (`label`, `series_name`, `country`, `tenant`).

It reads every module's enums, so it sits beside the composition root (`app.py`
imports it to register the filters); no module imports it back.
"""

from puente.labels.catalogue import LABELS
from puente.labels.enums import ENUM_KINDS, TECHNICAL_ENUMS
from puente.labels.words import (
    case_event_text,
    choices,
    condition_words,
    country,
    has_label,
    label,
    series_name,
    tenant,
    trigger_explanation,
    trigger_values,
    worded,
)

__all__ = [
    "ENUM_KINDS",
    "LABELS",
    "TECHNICAL_ENUMS",
    "case_event_text",
    "choices",
    "condition_words",
    "country",
    "has_label",
    "label",
    "series_name",
    "tenant",
    "trigger_explanation",
    "trigger_values",
    "worded",
]
