"""Pure pathway decisions: facts, signed catalogue, CEL eligibility, fair recruitment,
matching and totalisation. Stdlib, numpy, cel and cryptography only; no database."""
