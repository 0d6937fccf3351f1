"""Which IP addresses a public news source may have.

The tables below list the special-purpose ranges of the IANA IPv4 and IPv6 registries that are
not reachable on the public internet (private use, loopback, link-local, CGNAT, documentation,
benchmarking, multicast, reserved, unspecified). They are spelled out here rather than taken from
``ipaddress``'s ``is_global``, whose answers vary between Python releases (3.11 calls
``64:ff9b::7f00:1``, ``2002:7f00:1::`` and ``ff02::1`` global). IPv6 forms that carry an IPv4
address inside them (IPv4-mapped, 6to4, NAT64) are judged by the IPv4 address they carry.
"""

from __future__ import annotations

import ipaddress

from ..errors import PermanentFetchError

__all__ = ["check_address", "refusal_reason"]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

_IPV4_SPECIAL: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "unspecified / this network"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "carrier-grade NAT"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "IETF protocol assignments"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "6to4 relay"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("240.0.0.0/4"), "reserved"),  # includes 255.255.255.255, the broadcast address
)

# Ranges inside the global unicast block 2000::/3 that are nevertheless not public.
_IPV6_SPECIAL: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("2001::/23"), "IETF protocol assignments (Teredo, ORCHID, benchmarking)"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("3fff::/20"), "documentation"),
)
_IPV6_GLOBAL_UNICAST = _V6("2000::/3")
_IPV6_MAPPED = _V6("::ffff:0:0/96")
_IPV6_NAT64 = _V6("64:ff9b::/96")
_IPV6_NAMED: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fc00::/7"), "unique local (private)"),
    (_V6("ff00::/8"), "multicast"),
)


def refusal_reason(address: str) -> str | None:
    """Why an address is not a public one, or None when it is.

    Args:
        address: an IPv4 or IPv6 address, optionally with an IPv6 zone (``fe80::1%eth0``).

    Returns:
        A short reason such as ``"loopback"`` or ``"private (in 6to4 2002:a00:1::)"``; None for a
        public unicast address.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv4Address):
        return _ipv4_reason(ip)
    return _ipv6_reason(ip)


def _ipv4_reason(ip: ipaddress.IPv4Address) -> str | None:
    for network, reason in _IPV4_SPECIAL:
        if ip in network:
            return reason
    return None


def _ipv6_reason(ip: ipaddress.IPv6Address) -> str | None:
    embedded: ipaddress.IPv4Address | None = None
    form = ""
    if ip in _IPV6_MAPPED:
        embedded, form = ip.ipv4_mapped, "IPv4-mapped"
    elif ip in _IPV6_NAT64:
        embedded, form = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    elif ip.sixtofour is not None:
        embedded, form = ip.sixtofour, "6to4"
    if embedded is not None:
        inner = _ipv4_reason(embedded)
        return f"{inner} (in {form} {ip})" if inner else None
    for network, reason in _IPV6_NAMED:
        if ip in network:
            return reason
    if ip not in _IPV6_GLOBAL_UNICAST:
        # everything outside 2000::/3 that is not named above is reserved by IANA
        # (IPv4-compatible ::a.b.c.d, discard-only 100::/64, local-use NAT64 64:ff9b:1::/48, ...)
        return "reserved"
    for network, reason in _IPV6_SPECIAL:
        if ip in network:
            return reason
    return None


def check_address(address: str, *, allow_private: bool) -> None:
    """Refuse addresses a public news source cannot have.

    Args:
        address: the IPv4 or IPv6 address a host name resolved to.
        allow_private: the source is marked local (tests, the demo): allow everything.

    Raises:
        PermanentFetchError: the address is private, loopback, link-local, CGNAT, multicast,
            reserved or unspecified (IPv4, IPv6, and IPv6 forms embedding such an IPv4 address)
            and the source is not marked local.
    """
    if allow_private:
        return
    reason = refusal_reason(address)
    if reason is not None:
        raise PermanentFetchError(
            f"refused non-public address {address} ({reason})",
            hint="only sources marked allow_private may be on private networks",
        )
