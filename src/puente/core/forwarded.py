"""The client's address behind trusted reverse proxies (issue 9, proof9).

By default (`PUENTE_TRUSTED_PROXIES` empty) the client is the TCP peer and every
`X-Forwarded-For` or `Forwarded` header is ignored: a client cannot name its own
address. When the peer is one of the trusted proxies, the configured header
(`PUENTE_PROXY_HEADER`: `x-forwarded-for` or `forwarded`) is read from right to
left, each trusted hop skipped: the client is the right-most hop that is not a
trusted proxy. Whatever a client wrote to the left of that hop is never read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Protocol

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_MAX_HOP = 64


def parse_networks(text: str) -> tuple[Network, ...]:
    """`"10.0.0.1, 10.1.0.0/16, ::1"` → networks (a bare address is a /32 or
    /128). Raises ValueError naming the entry that is neither."""
    networks: list[Network] = []
    for raw in text.replace(";", ",").split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an address or network: {entry!r}") from exc
    return tuple(networks)


def _address(hop: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    hop = hop.strip().strip('"')
    if hop.startswith("["):  # "[2001:db8::1]:4711" (RFC 7239 quoted IPv6)
        hop = hop[1:].split("]", 1)[0]
    elif hop.count(":") == 1:  # "192.0.2.43:47011"
        hop = hop.split(":", 1)[0]
    try:
        return ipaddress.ip_address(hop)
    except ValueError:
        return None


def _hops_x_forwarded_for(values: Iterable[str]) -> list[str]:
    return [hop.strip() for value in values for hop in value.split(",")]


def _hops_forwarded(values: Iterable[str]) -> list[str]:
    """RFC 7239: `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]"`; an
    element without `for=` counts as an unknown hop."""
    hops: list[str] = []
    for value in values:
        for element in value.split(","):
            found = "unknown"
            for pair in element.split(";"):
                name, _, raw = pair.partition("=")
                if name.strip().lower() == "for":
                    found = raw.strip()
            hops.append(found)
    return hops


def _trusted(hop: str, networks: Sequence[Network]) -> bool:
    address = _address(hop)
    return address is not None and any(address in net for net in networks)


def client_address(
    peer: str | None,
    header_values: Iterable[str],
    *,
    trusted: Sequence[Network],
    header: str = "x-forwarded-for",
) -> str:
    """The client's address: `peer` unless it is a trusted proxy; then the
    right-most untrusted hop of the forwarded chain (`header_values`: every
    instance of the configured header, in order)."""
    peer = peer or "unknown"
    if not trusted or not _trusted(peer, trusted):
        return peer
    values = list(header_values)
    hops = (
        _hops_forwarded(values)
        if header == "forwarded"
        else _hops_x_forwarded_for(values)
    )
    chain = [hop for hop in hops if hop]
    for hop in reversed(chain):
        if not _trusted(hop, trusted):
            address = _address(hop)
            # A hop that is no address ("unknown", an obfuscated name) is what
            # the last trusted proxy saw: keep it, bounded, as the source.
            return str(address) if address is not None else hop[:_MAX_HOP]
    # Every hop is a trusted proxy: the left-most one is the client.
    return str(_address(chain[0])) if chain else peer


class _Headers(Protocol):
    def getlist(self, key: str) -> list[str]: ...


class ProxySettings(Protocol):
    """What of `core.config.Settings` this reads (passed in: config imports us)."""

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]: ...

    @property
    def proxy_header(self) -> str: ...


def request_client(peer: str | None, headers: _Headers, settings: ProxySettings) -> str:
    """The client address of a request as configured (the throttle's source and
    the access log's `client`)."""
    return client_address(
        peer,
        headers.getlist(settings.proxy_header),
        trusted=settings.trusted_proxy_networks,
        header=settings.proxy_header,
    )
