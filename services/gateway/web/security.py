"""Cookies and CSRF for the web pages.

Every browser gets a random ``samskab_csrf`` cookie (HttpOnly, SameSite=Lax).
A form carries ``HMAC(newest SECRET_KEY, cookie | session)`` (every listed key verifies): another site can neither
read the cookie nor compute the HMAC, and a token minted before signing in
stops working once the session changes.  Pure functions; no I/O.
"""
import posixpath
import secrets
import unicodedata
from urllib.parse import unquote, urlsplit

from samskab import secrets as keyring

CSRF_COOKIE = "samskab_csrf"
CSRF_FIELD = "csrf_token"
LANG_COOKIE = "samskab_lang"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def new_browser_secret():
    return secrets.token_urlsafe(24)


def csrf_token(secret_key, browser_secret, session=""):
    """Signed with the newest of the SECRET_KEY list (samskab.secrets)."""
    return keyring.sign(secret_key, f"csrf|{browser_secret}|{session or ''}")


def csrf_valid(secret_key, browser_secret, session, submitted):
    """Any key of the list verifies, so a rotation does not break a form already open."""
    if not browser_secret or not submitted:
        return False
    return keyring.verify(secret_key, f"csrf|{browser_secret}|{session or ''}", submitted)


def is_secure(public_url, forwarded_proto):
    """Cookies are Secure when the site is reached over HTTPS (directly or behind a proxy)."""
    return (public_url or "").lower().startswith("https://") or (forwarded_proto or "").lower() == "https"


def _hostile(text):
    """A form of the target a browser could read as another site: a backslash (read as a
    slash), a control or format character (tab and newline are dropped by browsers, so
    ``/\t/evil`` becomes ``//evil``), or a leading ``//``."""
    return ("\\" in text or text.lstrip().startswith("//") or not text.startswith("/")
            or any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in text) or " " in text.split("?")[0])


def safe_next(target, default="/"):
    """Only a path of this site may follow a sign-in: never another site (open redirect).

    The target is checked as sent and after each level of percent-decoding (``%2F%2F``,
    ``%5C``, ``%09`` …), must have neither scheme nor host, and is normalised (``/a/../b``
    is ``/b``); anything doubtful gives ``default``."""
    if not target or len(target) > 2000:
        return default
    seen = target
    for _ in range(4):  # a path encoded three times over is no path a page links to
        if _hostile(seen):
            return default
        parts = urlsplit(seen)
        if parts.scheme or parts.netloc:
            return default
        decoded = unquote(seen)
        if decoded == seen:
            break
        seen = decoded
    else:
        return default
    parts = urlsplit(target)
    path = posixpath.normpath(parts.path)
    if parts.path.endswith("/") and path != "/":
        path += "/"
    if not path.startswith("/") or path.startswith("//"):
        return default
    return path + ("?" + parts.query if parts.query else "")
