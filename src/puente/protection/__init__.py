"""Protection: screening, specific needs, cases and their workflow, referrals, best
interests of children, family tracing, return safeguards and consular notification.
It does not own who a person is (see `puente.people`) nor sharing between states."""
