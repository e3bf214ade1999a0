"""Where the tracker may connect: public addresses only, unless the configuration allows more.

A feed, a redirect hop, an entry's linked page or an imported subscription
may name any host; an internal service (a metadata endpoint, an admin page
on loopback, a database's HTTP port) must not become article text that is
then mailed and published. The check is made on the address the socket is
actually connected to, after name resolution, so a name that resolves to a
private address (or resolves differently the second time) does not pass.

Allowed always: global unicast addresses. Refused unless named in
`[fetch] allow`: loopback, private, link-local, shared (CGNAT), reserved,
multicast, unspecified and the other IANA special-purpose ranges
(`ipaddress`'s `is_global` is false for them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class DestinationRefused(Exception):
    """A connection reached an address the tracker does not fetch from."""


@dataclass(frozen=True)
class Allowance:
    """Hosts (by the name in the URL) and networks a fetch may reach though they are not public."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowance:
        """Each entry a host name, an address or a network (`10.1.0.0/16`); ValueError names a bad one."""
        names: set[str] = set()
        networks: list[Network] = []
        for entry in entries:
            text = entry.strip().lower().strip("[]")
            if not text:
                raise ValueError("an empty entry")
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
                continue
            except ValueError:
                pass
            if "/" in text or not all(part and _is_label(part) for part in text.rstrip(".").split(".")):
                raise ValueError(f"{entry!r} is neither a host name, an address nor a network")
            names.add(text.rstrip("."))
        return cls(frozenset(names), tuple(networks))


def _is_label(part: str) -> bool:
    return all(c.isalnum() or c in "-_" for c in part) and len(part) <= 63


def public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def refusal(host: str, peer: str | None, allowance: Allowance) -> str | None:
    """Why a connection to `host` that reached `peer` is refused; None when it may go on."""
    name = host.strip("[]").lower().rstrip(".")
    if name in allowance.names:
        return None
    if peer is None:
        return f"{host}: the connected address is unknown; not fetched"
    try:
        address = ipaddress.ip_address(peer.split("%", 1)[0])
    except ValueError:
        return f"{host}: connected to {peer!r}, not an IP address; not fetched"
    if public(address):
        return None
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    if any(address in network or (mapped is not None and mapped in network) for network in allowance.networks):
        return None
    return (
        f"{host}: {address} is a loopback, private or reserved address; not fetched "
        "(name the host or network in [fetch] allow to fetch from it)"
    )


def guarded_transport(allowance: Allowance, **options: object) -> object:
    """An httpx transport whose every connection (each redirect hop included) passes `refusal`.

    The peer address is read from the connected socket itself, so what was
    checked is what is talked to.
    """
    import httpcore
    import httpx

    class GuardedBackend(httpcore.AsyncNetworkBackend):
        def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
            self.inner = inner

        async def connect_tcp(  # type: ignore[no-untyped-def]
            self, host: str, port: int, timeout=None, local_address=None, socket_options=None
        ) -> httpcore.AsyncNetworkStream:
            stream = await self.inner.connect_tcp(
                host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
            )
            peer = stream.get_extra_info("server_addr")
            why = refusal(host, str(peer[0]) if peer else None, allowance)
            if why is not None:
                await stream.aclose()
                raise DestinationRefused(why)
            return stream

        async def connect_unix_socket(  # type: ignore[no-untyped-def]
            self, path: str, timeout=None, socket_options=None
        ) -> httpcore.AsyncNetworkStream:
            raise DestinationRefused("a Unix socket; not fetched")

        async def sleep(self, seconds: float) -> None:
            await self.inner.sleep(seconds)

    transport = httpx.AsyncHTTPTransport(**options)  # type: ignore[arg-type]
    # httpx takes no backend argument; its pool's backend is the one place every connection is made.
    pool = transport._pool
    pool._network_backend = GuardedBackend(pool._network_backend)
    return transport
