"""Exchange owns federation between nodes: the node's Ed25519 identity and its
peers, data-sharing agreements signed by every party, signed envelopes over
HTTP with an outbound queue that enforces the hard denies at queueing and at
sending, the log of what crossed, and cross-border tracing on keyed Bloom-filter
encodings. It never holds another state's case files, and no name, birth date
or document number ever leaves in an envelope."""

from puente.exchange.errors import AgreementNotFound, EnvelopeRefused
from puente.exchange.schemas import AgreementRead, LogEntryRead

__all__ = ["AgreementNotFound", "AgreementRead", "EnvelopeRefused", "LogEntryRead"]
