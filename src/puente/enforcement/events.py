"""Enforcement events: ids only. None is published yet; sharing is logged in
`enforcement_request_log` instead (it must survive a failed delivery)."""
