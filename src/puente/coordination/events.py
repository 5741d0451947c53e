"""Coordination publishes no events yet: nothing outside the module reacts to
a 5W row (commitments read people reached on demand through
`puente.coordination.people_reached`)."""
