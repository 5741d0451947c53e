"""The client's address behind a reverse proxy (issue 9, proof9): by default a
forwarded header is ignored (a client cannot name its own address); with trusted
proxies configured, the client is the right-most hop that is not one of them. The
login throttle and the access log use that address."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from puente.core.config import Settings
from puente.core.forwarded import client_address, parse_networks

GUESSER = "203.0.113.7"
OWNER = "198.51.100.20"
PROXY = "10.0.0.5"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
PROXIES = parse_networks("10.0.0.0/8, 2001:db8:a::1")


def _post_login(
    client: TestClient, name: str, password: str, headers: dict[str, str]
) -> Any:
    page = client.get("/login", headers=headers)
    token = CSRF_INPUT.search(page.text)
    assert token is not None
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token[1]},
        headers=headers,
        follow_redirects=False,
    )


class TestClientAddress:
    def test_without_trusted_proxies_the_peer_is_the_client(self) -> None:
        assert client_address(GUESSER, [OWNER], trusted=()) == GUESSER
        assert client_address(PROXY, [OWNER], trusted=()) == PROXY

    def test_an_untrusted_peer_cannot_name_another_address(self) -> None:
        spoofed = [f"{OWNER}, {PROXY}"]
        assert client_address(GUESSER, spoofed, trusted=PROXIES) == GUESSER
        forwarded = [f"for={OWNER}"]
        assert (
            client_address(GUESSER, forwarded, trusted=PROXIES, header="forwarded")
            == GUESSER
        )

    def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client(
        self,
    ) -> None:
        assert client_address(PROXY, [GUESSER], trusted=PROXIES) == GUESSER
        # The client prepended a fake hop: the proxy's appended one wins.
        assert client_address(PROXY, [f"{OWNER}, {GUESSER}"], trusted=PROXIES) == (
            GUESSER
        )
        # Two trusted proxies in a row, two header instances.
        chain = [f"{OWNER}, {GUESSER}", "10.1.2.3"]
        assert client_address(PROXY, chain, trusted=PROXIES) == GUESSER
        # Only proxies: the left-most is the client.
        assert client_address(PROXY, ["10.9.9.9"], trusted=PROXIES) == "10.9.9.9"
        assert client_address(PROXY, [], trusted=PROXIES) == PROXY

    def test_rfc_7239_forwarded_with_ports_and_ipv6(self) -> None:
        header = [
            f'for={OWNER};proto=https, for="[2001:db8::7]:4711", '
            'for="10.1.0.1:8080";by=10.0.0.5'
        ]
        assert (
            client_address(PROXY, header, trusted=PROXIES, header="forwarded")
            == "2001:db8::7"
        )
        # X-Forwarded-For is not read when the proxies speak Forwarded.
        assert client_address(PROXY, [], trusted=PROXIES, header="forwarded") == PROXY

    def test_a_hop_that_is_no_address_is_kept_bounded(self) -> None:
        assert client_address(PROXY, ["unknown"], trusted=PROXIES) == "unknown"
        long = "x" * 500
        assert client_address(PROXY, [long], trusted=PROXIES) == "x" * 64

    def test_a_bad_setting_is_refused_naming_the_entry(self) -> None:
        with pytest.raises(ValueError, match="not-a-net"):
            Settings(trusted_proxies="10.0.0.1, not-a-net")
        assert Settings(trusted_proxies="").trusted_proxy_networks == ()


def test_a_forwarded_header_does_not_move_an_untrusted_guesser(
    app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Default settings: the guesser names the owner's address in every header it
    knows; it is throttled as itself, and the owner (really elsewhere) logs in."""
    monkeypatch.setattr(settings, "source_lockout_threshold", 3)
    password = settings.demo_password.get_secret_value()
    with TestClient(app, client=(GUESSER, 40000)) as guesser:
        for fake in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
            spoof = {"X-Forwarded-For": fake, "Forwarded": f"for={fake}"}
            assert _post_login(guesser, "nobody.pan", "x", spoof).status_code == 401
        spoof = {"X-Forwarded-For": OWNER, "Forwarded": f"for={OWNER}"}
        assert _post_login(guesser, "caseworker.pan", password, spoof).status_code == (
            429
        )
    with TestClient(app, client=(OWNER, 40000)) as owner:
        assert _post_login(owner, "caseworker.pan", password, {}).status_code == 303


def test_behind_a_trusted_proxy_each_client_has_its_own_source(
    app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request comes from the proxy: without the setting one guesser would
    lock the login page for everyone; with it, only the guesser is refused, even
    when it prepends the owner's address."""
    monkeypatch.setattr(settings, "source_lockout_threshold", 3)
    monkeypatch.setattr(settings, "trusted_proxies", "10.0.0.0/8")
    password = settings.demo_password.get_secret_value()
    with TestClient(app, client=(PROXY, 40000)) as proxy:
        via = {"X-Forwarded-For": f"{OWNER}, {GUESSER}"}
        answers = [
            _post_login(proxy, "nobody.pan", "x", via).status_code for _ in "abc"
        ]
        assert answers == [401, 401, 401]
        assert _post_login(proxy, "caseworker.pan", password, via).status_code == 429
        owner = {"X-Forwarded-For": OWNER}
        assert _post_login(proxy, "caseworker.pan", password, owner).status_code == 303


def test_the_access_log_names_the_resolved_client(
    app: FastAPI,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(settings, "trusted_proxies", "10.0.0.0/8")
    with TestClient(app, client=(PROXY, 40000)) as proxy:
        assert proxy.get("/login", headers={"X-Forwarded-For": OWNER}).is_success
    with TestClient(app, client=(GUESSER, 40000)) as direct:
        assert direct.get("/login", headers={"X-Forwarded-For": OWNER}).is_success
    out, err = capsys.readouterr()
    lines = [line for line in (out + err).splitlines() if "/login" in line]
    assert any(OWNER in line for line in lines), lines
    assert any(GUESSER in line and OWNER not in line for line in lines), lines
