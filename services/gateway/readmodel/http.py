"""Conditional requests and caching headers for public reads, and anonymous pages
served from memory.

Every successful GET of a page, a feed or a JSON read gets an ``ETag`` and a
``Last-Modified`` and answers 304 when they match; an anonymous answer may be held
by a proxy or CDN for ``PUBLIC_CACHE_SECONDS`` (``Cache-Control: public``), anything
for a signed-in caller is ``private``.
"""
import functools
import time

import eventlet
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.wrappers import Response

from ..api.context import SESSION_COOKIE
from ..web import i18n, security
from .store import UUID

NOT_READS = ("/healthz", "/readyz", "/metrics")
CSRF_MARK = f'name="{security.CSRF_FIELD}"'.encode()
DROPPED_HEADERS = {"set-cookie", "content-length", "traceparent", "etag", "last-modified", "cache-control"}


def anonymous(request):
    return not (request.headers.get("Authorization") or request.headers.get("X-Api-Key")
                or request.cookies.get(SESSION_COOKIE))


def cache_control(store, request, response):
    if anonymous(request) and "Set-Cookie" not in response.headers:
        return f"public, max-age={getattr(store, 'cache_seconds', 1)}"
    return "private, no-cache"


def _not_modified(request, etag, last_modified):
    """RFC 9110: If-None-Match decides when it is there, else If-Modified-Since."""
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        return parse_etags(inm).contains_weak(etag)
    ims = request.headers.get("If-Modified-Since")
    if ims:
        since = parse_date(ims)
        return since is not None and int(last_modified) <= since.timestamp()
    return False


def finish(store, request, response):
    """Every answer passes here: a write drops what it touched, a read gets its validators."""
    if store is not None and request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
        _wrote(store, request)
    return conditional(store, request, response)


def _wrote(store, request):
    """Read your own writes: what this instance just changed is dropped now, before its event
    comes back on the stream (which tells the other instances)."""
    path = request.path[len("/api/v1"):] if request.path.startswith("/api/v1/") else request.path
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "municipalities":
        store.changed(parts[2], set(UUID.findall(path)), at_once=True)


def conditional(store, request, response):
    """ETag, Last-Modified and Cache-Control on a successful read; 304 when they match."""
    if (request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed
            or request.path in NOT_READS or response.headers.get("X-Read-Model") == "hit"):
        return response
    record = request.environ.get("samskab.readmodel")
    if "ETag" not in response.headers:
        response.add_etag()
    etag = response.get_etag()[0]
    if "Last-Modified" not in response.headers:
        answers = record.answers if record is not None else ()
        response.headers["Last-Modified"] = http_date(max([a.at for a in answers], default=time.time()))
    response.headers.setdefault("Cache-Control", cache_control(store, request, response))
    if _not_modified(request, etag, parse_date(response.headers["Last-Modified"]).timestamp()):
        return _304(response.headers)
    return response


def _304(headers):
    kept = [(k, v) for k, v in headers.items() if k.lower() not in ("content-length", "content-type", "set-cookie")]
    return Response(status=304, headers=kept)


# -- anonymous pages from memory ----------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _language(cookie, accept_language, municipality_language):
    return i18n.choose(cookie=cookie, accept_language=accept_language, municipality=municipality_language)


def page_key(gateway, request):
    """``(path, query, language)`` of an anonymous page read, or None for anything else."""
    if request.method not in ("GET", "HEAD") or not anonymous(request) or "lang" in request.args:
        return None
    path = request.path
    language = None
    if path.startswith("/municipalities/"):
        place = gateway.municipalities.get(path.split("/", 3)[2])
        if place is None:
            return None  # not served here: the page says so, nothing is kept
        language = place.language
    cookie = request.cookies.get(security.LANG_COOKIE)
    return path, request.query_string, _language(cookie, request.headers.get("Accept-Language"), language)


def serve(gateway, request):
    """The kept page for this anonymous read, or None (then the page is made, and kept by :func:`keep`)."""
    store = getattr(gateway, "readmodel", None)
    if store is None:
        return None
    key = page_key(gateway, request)
    if key is None:
        return None
    entry = store.page(key)
    if entry is None:
        event, mine = store.page_flight(key)
        if mine:
            request.environ["samskab.page_key"] = key
            return None
        with eventlet.Timeout(store.wait, False):
            event.wait()  # someone else is making this page: it is ready soon
        entry = store.page(key)
        if entry is None:
            return None
    store.stats["page_hit"] += 1
    headers = entry.headers + [("ETag", f'"{entry.etag}"'), ("Last-Modified", http_date(entry.last_modified)),
                               ("Cache-Control", f"public, max-age={store.cache_seconds}"), ("X-Read-Model", "hit")]
    if _not_modified(request, entry.etag, entry.last_modified):
        return _304(dict(headers))
    return Response(entry.body, headers=headers)


def keep(gateway, request, response):
    """Keep a page made for an anonymous reader if it was made of the model alone."""
    key = request.environ.pop("samskab.page_key", None)
    if key is None:
        return response
    store = gateway.readmodel
    try:
        record = request.environ.get("samskab.readmodel")
        if response.status_code == 200 and not response.is_streamed and not (record is not None and record.live):
            body = response.get_data()
            # A page with a form carries a token of this browser's: never one to share.
            if CSRF_MARK not in body:
                headers = [(k, v) for k, v in response.headers.items() if k.lower() not in DROPPED_HEADERS]
                entry = store.keep_page(key, body, headers, record.answers if record is not None else [])
                if entry is not None:
                    store.stats["page_made"] += 1
                    response.headers["ETag"] = f'"{entry.etag}"'  # the same as the kept page's
                    response.headers["Last-Modified"] = http_date(entry.last_modified)
                    # No form, so no need for the browser's CSRF cookie: the answer may be shared as it is.
                    cookies = [v for v in response.headers.getlist("Set-Cookie")
                               if not v.startswith(security.CSRF_COOKIE + "=")]
                    response.headers.setlist("Set-Cookie", cookies)
    finally:
        store.page_landed(key)
    return response
