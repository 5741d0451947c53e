"""Enforcement: a walled channel against migrant-smuggling and trafficking networks.

Holds only what enforcement agencies enter or receive from each other (networks,
their entities — routes, modus operandi, vehicles, phone numbers, financial flows —
and links), never a record of a person seeking protection. It imports nothing from
`people`, `protection` or `pathways` (import-linter), and on PostgreSQL its
database role cannot read their tables (migration border14_0004). Sharing with
another state needs an enforcement agreement; every request is logged.
"""

from puente.enforcement.rules.network import (
    betweenness_centrality,
    components,
    degree_centrality,
)
from puente.enforcement.service import receive_mo_report
from puente.enforcement.service.wall import behind_wall

__all__ = [
    "behind_wall",
    "betweenness_centrality",
    "components",
    "degree_centrality",
    "receive_mo_report",
]
