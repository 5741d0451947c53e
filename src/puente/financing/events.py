"""Financing publishes no events: other modules read its figures on demand
through `puente.financing` (commitments read a state's payments when a
commitment is shown), so nothing has to react after a commit."""
