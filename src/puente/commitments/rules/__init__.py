"""Commitments' pure decisions: statuses and their evidence rule, targets
(quantity, unit, deadline) and progress, and the tracker's words (the
Declaration's commitments, sections, packages, the Global Compacts'
objectives). No I/O, no SQLAlchemy."""
