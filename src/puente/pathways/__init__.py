"""Regular pathways: catalogue, eligibility screening, fair-recruitment checks, labour
matching and social-security totalisation. `rules/` holds the pure decisions; it owns no
tables, no HTTP and no CLI (those live in service.py, api.py, web.py and cli.py)."""

from puente.pathways.events import EntryRegimeChanged
from puente.pathways.service.outcomes import SMALL_CELL, approved_in_state

__all__ = ["SMALL_CELL", "EntryRegimeChanged", "approved_in_state"]
