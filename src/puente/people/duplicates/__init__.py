"""Registry-wide duplicate detection: a trained linkage model per tenant, a
review queue with the field-by-field comparison, and merges that keep both
histories, are audited and can be undone."""
