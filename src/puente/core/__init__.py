"""Domain-free foundations: config, database, errors, events, i18n, logging, crypto,
audit and expressions. Nothing in core imports a domain module."""
