"""Financing's pure decisions: code lists, FTS boundary totals and gaps, host
burden, fair-share keys, instrument eligibility (CEL) and the IATI document.
No I/O, no SQLAlchemy."""
