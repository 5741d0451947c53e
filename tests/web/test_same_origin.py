"""A same-site form post from Chromium under `Referrer-Policy: no-referrer`
carries `Origin: null`; it must reach the token check, not be refused as
cross-site (every browser login was refused)."""

from __future__ import annotations

from starlette.requests import Request

from puente.web.templating import same_origin


def _request(**headers: str) -> Request:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "headers": [(b"host", b"puente.test"), *raw]})


def test_null_origin_leaves_the_decision_to_the_token() -> None:
    assert same_origin(_request(origin="null"))


def test_null_origin_with_a_foreign_referer_is_refused() -> None:
    assert not same_origin(_request(origin="null", referer="https://evil.test/x"))


def test_foreign_and_own_origins() -> None:
    assert not same_origin(_request(origin="https://evil.test"))
    assert same_origin(_request(origin="http://puente.test"))
