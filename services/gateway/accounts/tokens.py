"""Bearer tokens: ``v1.<payload>.<signature>``, HMAC-SHA256 over the payload.

The payload holds the account id, its token version (raised to revoke every
token of an account) and the expiry.  Nothing personal is in a token.

``secret`` is ``SECRET_KEY``: one key or several (comma-separated or a list),
newest first.  The newest signs; a token signed by any listed key verifies, so a
key can be rotated without signing anyone out (``samskab.secrets``).
"""
import base64
import functools
import json
import time

from samskab import secrets
from samskab.errors import Unauthorized


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(secret, account_id, version, ttl_seconds, now=None, use="access", **claims):
    """A token for one use: ``access`` (API and session), ``confirm`` (e-mail
    address) or ``reset`` (password).  A token for one use is refused for another."""
    payload = {"sub": str(account_id), "ver": int(version), "exp": int((now or time.time()) + ttl_seconds),
               "use": use, **claims}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"v1.{body}.{secrets.sign(secret, body)}"


def verify(secret, token, now=None, use="access"):
    """The payload of a valid, unexpired token for ``use``; otherwise :class:`Unauthorized`."""
    payload = dict(_signed_payload(tuple(secret) if isinstance(secret, list) else secret, token))
    if payload.get("exp", 0) < (now or time.time()):
        raise Unauthorized("token expired")
    if payload.get("use", "access") != use:
        raise Unauthorized("this token is not for this purpose")
    return payload


@functools.lru_cache(maxsize=10000)
def _signed_payload(secret, token):
    """The payload of a token whose signature one of the keys made. Kept for the tokens seen
    last (a signed-in reader sends the same one with every request); what a token says does
    not change, and its expiry and use are checked on every request. A refused token is not
    kept: it raises, and is checked again next time."""
    try:
        prefix, body, sig = token.split(".")
    except (AttributeError, ValueError):
        raise Unauthorized("malformed token")
    if prefix != "v1" or not secrets.verify(secret, body, sig):
        raise Unauthorized("invalid token")
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        raise Unauthorized("invalid token")
    if not isinstance(payload, dict):
        raise Unauthorized("invalid token")
    return payload
