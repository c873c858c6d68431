"""CORS for public reads: a web page on another origin may GET (and HEAD) the API,
feeds and open data; nothing else.

``CORS_ORIGINS``: ``*`` (the default: public reads are public), a comma-separated
list of origins (``https://data.example.org``), or empty to send no CORS headers.
Credentials are never allowed, so a browser sends no session cookie cross-origin
and only anonymous reads are shared.
"""
from werkzeug.wrappers import Response

READS = ("GET", "HEAD")
PREFIX = "/api/v1/"
ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
EXPOSED_HEADERS = "ETag, Last-Modified, Link, Retry-After, traceparent"
MAX_AGE = "86400"


def origins(config):
    value = str(config.get("CORS_ORIGINS", "*") or "").strip()
    return {o.strip().rstrip("/") for o in value.split(",") if o.strip()}


def _allowed_origin(config, request):
    origin = request.headers.get("Origin")
    if not origin or not request.path.startswith(PREFIX):
        return None
    allowed = origins(config)
    if "*" in allowed:
        return "*"
    return origin if origin.rstrip("/") in allowed else None


def is_preflight(request):
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def preflight(config, request):
    """204 for a preflight of a read from an allowed origin; otherwise 204 without CORS
    headers, so the browser refuses the request it asked about."""
    response = Response(status=204)
    origin = _allowed_origin(config, request)
    if origin and request.headers["Access-Control-Request-Method"].upper() in READS:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ", ".join(READS)
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
        if origin != "*":
            response.headers["Vary"] = "Origin"
    return response


def allow(config, request, response):
    """The CORS headers of a simple GET/HEAD from an allowed origin."""
    if request.method in READS:
        origin = _allowed_origin(config, request)
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            if origin != "*":
                response.headers.add("Vary", "Origin")
    return response
