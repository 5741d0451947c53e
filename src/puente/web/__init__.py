"""The web shell: layout templates, vendored static assets, shared UI pieces, the
request dependencies (session, actor, permission) and the dashboard card registry."""
