"""Early-warning use cases: the flow store (`flows`, sharing `_common` with
`triggers`), trigger catalogues and firings (`triggers`), alerts (the
`service.alerts` package: lifecycle, CAP, feed, notices) and response plans
(`plans`). Imports run one way: flows -> triggers -> _common; alerts -> triggers;
plans -> alerts, flows."""

# Imported for its event subscriber too: alerts are raised after every import.
from puente.early_warning.service import alerts, plans
from puente.early_warning.service._common import source_frame
from puente.early_warning.service.flows import (
    OPERATOR_LIMITS,
    import_flows,
    largest_series,
    list_series,
    list_sources,
    series_panel,
)
from puente.early_warning.service.triggers import (
    adopt_catalogue,
    default_catalogue_document,
    latest_level_by_country,
    list_catalogues,
    list_firings,
    load_catalogue,
    propose_catalogue,
    run_triggers,
)

__all__ = [
    "OPERATOR_LIMITS",
    "adopt_catalogue",
    "alerts",
    "default_catalogue_document",
    "import_flows",
    "largest_series",
    "latest_level_by_country",
    "list_catalogues",
    "list_firings",
    "list_series",
    "list_sources",
    "load_catalogue",
    "plans",
    "propose_catalogue",
    "run_triggers",
    "series_panel",
    "source_frame",
]
