"""Whether an address may be the target of an outgoing request (webhooks): only public
ones, never a special-purpose range of the IANA registries (RFC 6890 and successors)."""
import ipaddress

# Ranges Python's ``is_global`` lets through (or did, in some versions) but that are not
# a public host: shared address space (CGNAT), 6to4 and NAT64 relays, Teredo, ORCHIDv2,
# discard-only, documentation, benchmarking and the IPv4-mapped/-compatible forms.
SPECIAL = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "255.255.255.255/32",
    "::/128", "::1/128", "::ffff:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
    "2001::/32", "2001:2::/48", "2001:10::/28", "2001:20::/28", "2001:db8::/32", "2002::/16", "3fff::/20",
    "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
)]


def is_public(address):
    """True only for a global unicast address outside every special-purpose range."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return is_public(ip.ipv4_mapped)
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback:
        return False
    return not any(ip in net for net in SPECIAL if net.version == ip.version)
