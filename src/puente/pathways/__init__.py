"""Regular pathways: catalogue, eligibility screening, fair-recruitment checks, labour
matching and social-security totalisation. `rules/` holds the pure decisions; it owns no
tables, no HTTP and no CLI (those live in service.py, api.py, web.py and cli.py)."""
