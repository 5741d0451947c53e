"""Commitments publishes and subscribes to no events: progress and the
payments behind it are read from financing and coordination when a commitment
is shown, so they never go stale."""
