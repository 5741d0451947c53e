"""Early-warning use cases. Flow store and triggers live here; alerts,
CAP export and response plans are in `service.alerts` / `service.plans`
(`service.alerts` re-exports its `alerts_*` neighbours: CAP, feed, notices...)."""

# Imported for its event subscriber too: alerts are raised after every import.
from puente.early_warning.service import alerts, plans
from puente.early_warning.service.flows import (
    import_flows,
    list_series,
    list_sources,
    series_panel,
    source_frame,
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
    "adopt_catalogue",
    "alerts",
    "default_catalogue_document",
    "import_flows",
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
