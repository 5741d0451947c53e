"""The demo people the walks log in as, derived from `puente.demo.DEMO_USERS`, so
that a role added to the demo is walked without a list to keep in step."""

from __future__ import annotations

from puente.demo import DEMO_USERS, HUB


def one_user_per_role() -> tuple[str, ...]:
    """One demo user for each role, in the demo's order: the hub's user when the
    hub has one (it sees the widest), else the first listed."""
    chosen: dict[str, str] = {}
    for demo in DEMO_USERS:
        for role in demo.roles:
            if role not in chosen or (
                demo.tenant == HUB and not _is_hub_user(chosen[role])
            ):
                chosen[role] = demo.username
    return tuple(dict.fromkeys(chosen.values()))


def demo_user(role: str, tenant: str) -> str:
    """The first demo user of `role` in `tenant` (fails when the demo has none)."""
    for demo in DEMO_USERS:
        if role in demo.roles and demo.tenant == tenant:
            return demo.username
    raise LookupError(f"no demo user of {role} in {tenant}")


def _is_hub_user(username: str) -> bool:
    return any(d.username == username and d.tenant == HUB for d in DEMO_USERS)
