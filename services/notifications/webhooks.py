"""Webhooks for third parties: Standard Webhooks signatures (made by the
``standardwebhooks`` library), which targets are allowed, which events a
subscription wants, and how retries back off.  Pure, except that address checks
resolve the host name (the resolver is injectable)."""
import base64
import datetime as dt
import hashlib
import ipaddress
import re
import secrets
import socket
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from samskab.addresses import is_public
from samskab.errors import Invalid

SECRET_PREFIX = "whsec_"
API_KEY_PREFIX = "sk_"
PATTERN_RE = re.compile(r"^(\*|#|[a-z_]+)(\.(\*|#|[a-z_0-9]+))*$")


# -- Standard Webhooks (https://www.standardwebhooks.com) -------------------------

def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret, msg_id, timestamp, body):
    """The ``webhook-signature`` header value (``v1,<base64 HMAC-SHA256>`` of
    ``<id>.<timestamp>.<body>``), made by the reference library receivers verify with."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    moment = dt.datetime.fromtimestamp(int(timestamp), tz=dt.timezone.utc)
    return Webhook(secret).sign(str(msg_id), moment, body)


def headers(secret, msg_id, timestamp, body, previous=None):
    """With ``previous`` (a rotated-out secret still in its overlap) both sign: Standard
    Webhooks allows space-separated signatures, so a receiver with either verifies."""
    signatures = [sign(s, msg_id, timestamp, body) for s in (secret, previous) if s]
    return {
        "webhook-id": str(msg_id),
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/cloudevents+json",
    }


# -- API keys ---------------------------------------------------------------------------

def new_api_key():
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key):
    """Only this is stored: a leaked table does not hand out working keys."""
    return hashlib.sha256((key or "").encode()).hexdigest()


# -- which events ---------------------------------------------------------------------

def normalise_pattern(pattern):
    """``samskab.meeting.*`` / ``meeting.*`` → ``meeting.*`` (AMQP topic syntax)."""
    p = (pattern or "").strip()
    if p.startswith("samskab."):
        p = p[len("samskab."):]
    return p


def validate_patterns(patterns):
    if not isinstance(patterns, list) or not patterns:
        raise Invalid("name the event types to receive", [{"field": "types", "message": "a non-empty list of patterns such as 'meeting.*'"}])
    result = []
    for i, pattern in enumerate(patterns):
        p = normalise_pattern(pattern) if isinstance(pattern, str) else ""
        if not PATTERN_RE.match(p) or len(p) > 100:
            raise Invalid("an event type pattern is not valid",
                          [{"field": f"types.{i}", "message": "use e.g. 'meeting.*', 'proposal.published', '#'"}])
        result.append(p)
    return sorted(set(result))


def _match(pattern_parts, parts):
    if not pattern_parts:
        return not parts
    head, rest = pattern_parts[0], pattern_parts[1:]
    if head == "#":
        return any(_match(rest, parts[i:]) for i in range(len(parts) + 1))
    if not parts:
        return False
    return (head == "*" or head == parts[0]) and _match(rest, parts[1:])


def matches(patterns, type_name):
    """Whether an event type (``samskab.meeting.updated``) matches any pattern."""
    suffix = normalise_pattern(type_name).split(".")
    return any(_match(p.split("."), suffix) for p in patterns)


# -- where to ---------------------------------------------------------------------------

def parse_networks(value):
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = [v for v in str(value).split(",") if v.strip()]
    return [ipaddress.ip_network(v.strip(), strict=False) for v in items]


def _forbidden(address):
    return (not is_public(address) or address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified
            or (address.version == 6 and address.ipv4_mapped is not None and _forbidden(address.ipv4_mapped)))


def check_target(url, *, allow_private=False, allowed_networks=(), resolve=None):
    """Refuse a target on a private, loopback or link-local address (or any
    non-public one) unless configuration allows it.  Returns the URL."""
    def refuse(message):
        raise Invalid("the webhook address is not allowed", [{"field": "url", "message": message}])

    if not isinstance(url, str) or len(url) > 2000:
        refuse("give an http(s) URL of at most 2000 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        refuse("give an absolute http(s) URL")
    if parts.username or parts.password:
        refuse("credentials in the URL are not allowed; the signature authenticates us")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        refuse("the port is not valid")
    resolve = resolve or socket.getaddrinfo
    try:
        infos = resolve(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        refuse("the host name does not resolve")
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    if not addresses:
        refuse("the host name does not resolve")
    networks = parse_networks(allowed_networks)
    for address in addresses:
        allowed = allow_private or any(address in net for net in networks)
        if _forbidden(address) and not allowed:
            refuse(f"{parts.hostname} resolves to a private, loopback or link-local address")
    if parts.scheme == "http" and not (allow_private or all(any(a in n for n in networks) for a in addresses)):
        refuse("use https")
    return url


# -- retries ------------------------------------------------------------------------------

def backoff_seconds(attempt, base=5.0, cap=3600.0):
    """Exponential: base, 2·base, 4·base … capped; ``attempt`` counts from 1."""
    return min(float(base) * (2 ** max(0, attempt - 1)), float(cap))


def outcome(attempts, max_attempts, failures_in_a_row, disable_after):
    """After a failed attempt: is the delivery given up, is the subscription disabled?"""
    return {"give_up": attempts >= max_attempts, "disable": failures_in_a_row >= disable_after}
