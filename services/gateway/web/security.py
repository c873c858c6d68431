"""Cookies and CSRF for the web pages.

Every browser gets a random ``samskab_csrf`` cookie (HttpOnly, SameSite=Lax).
A form carries ``HMAC(SECRET_KEY, cookie | session)``: another site can neither
read the cookie nor compute the HMAC, and a token minted before signing in
stops working once the session changes.  Pure functions; no I/O.
"""
import hashlib
import hmac
import secrets

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
    message = f"csrf|{browser_secret}|{session or ''}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def csrf_valid(secret_key, browser_secret, session, submitted):
    if not browser_secret or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret_key, browser_secret, session), submitted)


def is_secure(public_url, forwarded_proto):
    """Cookies are Secure when the site is reached over HTTPS (directly or behind a proxy)."""
    return (public_url or "").lower().startswith("https://") or (forwarded_proto or "").lower() == "https"


def safe_next(target, default="/"):
    """Only a local path may follow a sign-in: never another site (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
