"""Pure decisions about people: name normalisation, partial birth dates and the
field-by-field person comparison used by search before create and family tracing."""
