"""Exchange's pure decisions: agreement terms and their canonical form, an
agreement's status from its signatures and dates, what an envelope may carry
toward a peer, retry backoff and the scoring of tracing encodings. No I/O, no
SQLAlchemy."""
