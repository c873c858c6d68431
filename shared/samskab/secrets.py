"""Signing keys: read, checked, and used as lists so that they rotate.

A key setting (``SECRET_KEY``, ``NOTIFICATIONS_SECRET``) holds one key or several,
comma-separated, newest first: the newest signs, every one listed verifies.  To
rotate, put a new key in front, keep the old one behind it for as long as what it
signed lives (tokens, session cookies, links in e-mails already sent), then drop it.

No key is built into the code.  ``make run`` writes random development keys under
``var/`` (marked with :data:`DEV_PREFIX`) and sets :data:`DEV_FLAG`; every other
start refuses a missing key, a key that was ever published in this repository, and
a development key, and names the variable.
"""
import base64
import hashlib
import hmac
import secrets as _random

# Development keys start with this; they are accepted only where DEV_FLAG is set.
DEV_PREFIX = "dev-"
DEV_FLAG = "SAMSKAB_DEV_SECRETS"
# Values that once stood in this repository's code or compose file: public, so never a key.
PUBLISHED = frozenset({"dev-only-secret-change-me", "dev-only-notifications-secret", "change-me", "secret"})
MIN_LENGTH = 16

# The key settings, by service, and what each one signs (for messages and the README).
SETTINGS = {
    "gateway": {"SECRET_KEY": "bearer tokens, session cookies and e-mail confirmation/reset links"},
    "notifications": {"NOTIFICATIONS_SECRET": "unsubscribe links in e-mails"},
}


class SecretError(ValueError):
    """A key setting is missing or unusable; the message names the variable."""


def keys(value):
    """The keys of a setting (a comma-separated string, or a list), newest first."""
    if isinstance(value, (list, tuple)):
        parts = value
    else:
        parts = (value or "").split(",")
    found = tuple(p.strip() for p in parts if p and p.strip())
    if not found:
        raise SecretError("no signing key given")
    return found


def check(name, value, development=False):
    """The keys of setting ``name`` if they may be used here, else :class:`SecretError` naming it."""
    how = "generate one with `python scripts/make_secrets.py` (docs/runbook.md: Secrets)"
    try:
        found = keys(value)
    except SecretError:
        raise SecretError(f"{name} is not set: {how}") from None
    for key in found:
        if key in PUBLISHED:
            raise SecretError(f"{name} holds a published development value; {how}")
        if key.startswith(DEV_PREFIX) and not development:
            raise SecretError(f"{name} holds a development key (made by `make run`), refused outside it; {how}")
        if len(key) < MIN_LENGTH:
            raise SecretError(f"{name}: each key must be at least {MIN_LENGTH} characters; {how}")
    return found


def generate(development=False):
    """A new random key (256 bits); ``development`` marks it as one for ``make run`` only."""
    return (DEV_PREFIX if development else "") + _random.token_urlsafe(32)


def _mac(key, data):
    if isinstance(data, str):
        data = data.encode()
    return hmac.new(key.encode(), data, hashlib.sha256).digest()


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(value, data, length=None):
    """The signature of ``data`` (str or bytes) with the newest key, URL-safe base64,
    optionally of the first ``length`` bytes of the HMAC-SHA256."""
    return _b64(_mac(keys(value)[0], data)[:length])


def verify(value, data, signature, length=None):
    """Whether ``signature`` is ``data``'s signature by any of the keys."""
    if not isinstance(signature, str):
        return False
    ok = False
    for key in keys(value):
        # Every key is tried, so the time taken does not tell which one matched.
        ok |= hmac.compare_digest(_b64(_mac(key, data)[:length]), signature)
    return ok
