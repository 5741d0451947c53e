"""Pure protection decisions: screening, case workflow, return safeguard gate,
never-toward-the-feared-state disclosure rule, consular notification and best
interests of children. Stdlib and CEL only; no database, no web."""
