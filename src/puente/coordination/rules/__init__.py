"""Coordination's pure decisions: the 5W code lists (indicators, population
types) and the reach totals that count people in transit as assistance
events. No I/O, no SQLAlchemy."""
