"""Exchange use cases: the node's identity and peers, agreements, the outbound
queue and its sender, the receiver, the log, and cross-border tracing."""

from puente.exchange.service.agreements import (
    canonical_terms,
    draft_agreement,
    get_agreement,
    list_agreements,
    revoke_agreement,
    sign_agreement,
)
from puente.exchange.service.envelopes import (
    HttpTransport,
    Transport,
    deliver_due,
    deliver_due_in_turns,
    list_log,
    list_outbound,
    receive_envelope,
    start_sender,
)
from puente.exchange.service.node import (
    add_peer,
    agreement_secret,
    install_agreement_secret,
    list_peers,
    load_node_key,
    node_identity,
    public_hex,
)
from puente.exchange.service.sharing import share_monthly_counts

__all__ = [
    "HttpTransport",
    "Transport",
    "add_peer",
    "agreement_secret",
    "canonical_terms",
    "deliver_due",
    "deliver_due_in_turns",
    "draft_agreement",
    "get_agreement",
    "install_agreement_secret",
    "list_agreements",
    "list_log",
    "list_outbound",
    "list_peers",
    "load_node_key",
    "node_identity",
    "public_hex",
    "receive_envelope",
    "revoke_agreement",
    "share_monthly_counts",
    "sign_agreement",
    "start_sender",
]
