"""People: persons, households, identity documents and registrations, with name
normalisation, search before create and duplicate detection. It does not own
screening, cases or anything about protection claims (see `puente.protection`)."""
