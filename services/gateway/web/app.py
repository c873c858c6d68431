"""The web pages' machinery: routes, the per-request :class:`Page`, rendering,
sessions, CSRF, language, and errors shown as pages rather than problem+json.

Views are plain functions ``view(page, **path_values)`` registered with
``@page_route(rule, methods)``; they call the same backends as the JSON API
through :class:`gateway.api.context.Context`.
"""
import collections
import functools
import logging
import mimetypes
import os
import uuid
from urllib.parse import urlencode, urlsplit

import eventlet
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from werkzeug.exceptions import MethodNotAllowed, NotFound as RouteNotFound
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.wrappers import Response

from samskab.errors import DomainError, Forbidden, NotFound, TooManyRequests, Unauthorized

from .. import idempotency
from ..api.context import SESSION_COOKIE, Context
from ..api.problems import BackendUnavailable, Problem, from_exception
from ..readmodel import http as readmodel_http
from ..readmodel.inline import BATCHES, NotKept, memory_only
from . import forms, i18n, security
from .messages import MESSAGES

log = logging.getLogger("gateway.web")

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC = os.path.join(HERE, "static")

OWN_ACCOUNT_PATHS = ("/me", "/login", "/logout", "/register", "/account")

url_map = Map(strict_slashes=False, merge_slashes=False)
_views = {}


def page_route(rule, methods=("GET",)):
    def register(view):
        name = f"{view.__module__.rsplit('.', 1)[-1]}.{view.__name__}"
        _views[name] = view
        url_map.add(Rule(rule, endpoint=name, methods=list(methods)))
        return view

    return register


env = Environment(
    loader=FileSystemLoader(os.path.join(HERE, "templates")),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates change with a release, not while it runs: no stat per page
)


class Redirect(Exception):
    def __init__(self, location):
        self.location = location



MISSING = (NotFound, Forbidden, Unauthorized, BackendUnavailable)


def optional(fetch, default=None):
    """``fetch()``, or ``default`` when that part of a page is missing."""
    try:
        return fetch()
    except MISSING:
        return default


def parts(**fetches):
    """Parts of a page fetched at once: ``name=(fetch, default)``; a missing part shows its
    default.  Each fetch is a call of a typed client (``page.ctx.proposals.get``…).  Those the
    read model holds are taken from memory first, in this green thread (a green thread per
    part costs more than reading it from memory); the public reads it misses of a service that
    answers several at once come in one call (``Store.claim_many``), beside the other calls."""
    def run(item):
        name, (fetch, default) = item
        return name, optional(fetch, default)

    found, rest, wanted = _from_memory(fetches)
    if not rest:
        return found
    batches = [reads[0].store.claim_many(reads) for reads in wanted.values() if len(reads) > 1]
    batches = [call for call in batches if call is not None]
    if len(rest) == 1 and not batches:
        found.update([run(next(iter(rest.items())))])
        return found
    pool = eventlet.GreenPool(16)
    for call in batches:  # its reads' readers below wait for it
        pool.spawn_n(_quietly, call)
    found.update(pool.imap(run, rest.items()))
    return found


def _quietly(call):
    try:
        call()
    except Exception:  # the readers waiting for it get the error, as from their own call
        log.debug("a page's reads in one call failed", exc_info=True)


def _from_memory(fetches):
    """The parts the read model holds; the others; and the public reads they miss that their
    service answers together, by service."""
    found, rest, wanted = {}, {}, collections.defaultdict(list)
    with memory_only():
        for name, (fetch, default) in fetches.items():
            try:
                found[name] = optional(fetch, default)
            except NotKept as missing:
                rest[name] = (fetch, default)
                w = missing.wanted
                if w is not None and _together(w):
                    wanted[(id(w.store), w.service, w.municipality)].append(w)
    return found, rest, wanted


def _together(w):
    """A public read its service answers with others in one call."""
    return w.method in BATCHES.get(w.service, ("", ()))[1] and len(w.args) > 1 and w.args[1] is None


class Page:
    """One request to a page: who, in which language and municipality, and its form."""

    def __init__(self, gateway, request):
        self.gateway = gateway
        self.request = request
        self.ctx = Context(gateway, request, gateway.trace)
        self.config = gateway.config
        self.secret = self.config["SECRET_KEY"]
        self.cookies = []  # (name, value, max_age) to set on the response
        self.municipality = None
        self._account = False
        self._form = None
        self.browser_secret = request.cookies.get(security.CSRF_COOKIE)
        if not self.browser_secret or len(self.browser_secret) > 100:
            self.browser_secret = security.new_browser_secret()
            self.cookies.append((security.CSRF_COOKIE, self.browser_secret, None))
        switch = i18n.supported(request.args.get("lang"))
        if switch:
            self.cookies.append((security.LANG_COOKIE, switch, 365 * 86400))
        self._switch = switch
        self.lang = self._choose_language()

    # -- who ---------------------------------------------------------------------------

    @property
    def account(self):
        if self._account is False:
            try:
                self._account = self.ctx.account
            except Unauthorized:
                # An expired or revoked session: carry on signed out, and forget it.
                self._account = None
                self.ctx._account = None
                self.cookies.append((SESSION_COOKIE, "", 0))
        return self._account

    @property
    def actor(self):
        return self.ctx.actor if self.account is not None else None

    @property
    def session_token(self):
        return self.request.cookies.get(SESSION_COOKIE, "") if self.account is not None else ""

    @property
    def unconfirmed(self):
        """Signed in, but the e-mail address is not confirmed while the deployment asks for it."""
        account = self.account
        return (account is not None and account.email_confirmed_at is None
                and bool(getattr(self.gateway, "require_confirmed", False)))

    def must_confirm_first(self, path):
        """Acting publicly needs a confirmed address, as in the API; one's own account does not."""
        return self.unconfirmed and not path.startswith(OWN_ACCOUNT_PATHS)

    def require_account(self):
        if self.account is None:
            raise Redirect("/login?" + urlencode({"next": self.request.full_path.rstrip("?")}))
        return self.account

    def is_staff(self, municipality_id):
        a = self.account
        return a is not None and a.role in ("employee", "politician") and a.municipality == municipality_id

    def require_staff(self, municipality_id):
        self.require_account()
        if not self.is_staff(municipality_id):
            raise Forbidden("only the municipality's staff may do this")

    def require_operator(self):
        account = self.require_account()
        if account.role != "operator":
            raise Forbidden("only an operator may do this")
        return account

    # -- language and place --------------------------------------------------------------

    def _choose_language(self, municipality_language=None):
        account_language = None
        if self.request.cookies.get(SESSION_COOKIE):
            account = self.account
            account_language = account.language if account is not None else None
        return i18n.choose(
            switch=self._switch,
            cookie=self.request.cookies.get(security.LANG_COOKIE),
            account=account_language,
            accept_language=self.request.headers.get("Accept-Language"),
            municipality=municipality_language,
        )

    def in_municipality(self, m):
        self.municipality = self.ctx.municipality(m)
        self.lang = self._choose_language(self.municipality.language)
        return self.municipality

    @property
    def time_zone(self):
        if self.municipality is not None:
            return self.municipality.time_zone
        account = self.account
        if account is not None and account.municipality in self.gateway.municipalities:
            return self.gateway.municipalities[account.municipality].time_zone
        return "Europe/Copenhagen"

    def done_message(self):
        """The confirmation after a form, from a fixed list of keys (never text from the URL)."""
        key = "done." + (self.request.args.get("done") or "")
        return self._(key) if key in MESSAGES else None

    def _(self, key, **values):
        return i18n.translate(self.lang, key, **values)

    # -- forms -----------------------------------------------------------------------------

    @property
    def form(self):
        if self._form is None:
            self._form = self.request.form
        return self._form

    def field(self, name, default=""):
        return (self.form.get(name) or default).strip()

    def lines(self, name, limit=40):
        """A list from a textarea or comma-separated field: one item per line or comma."""
        raw = self.form.get(name) or ""
        items = [part.strip() for chunk in raw.splitlines() for part in chunk.split(",")]
        return [item for item in items if item][:limit]

    @property
    def csrf(self):
        return security.csrf_token(self.secret, self.browser_secret, self.session_token)

    def check_csrf(self):
        if not security.csrf_valid(self.secret, self.request.cookies.get(security.CSRF_COOKIE),
                                   self.session_token, self.form.get(security.CSRF_FIELD)):
            raise Problem(403, "csrf")

    # -- responses -------------------------------------------------------------------------

    def url(self, path, **query):
        query = {k: v for k, v in query.items() if v not in (None, "", [])}
        return path + ("?" + urlencode(query, doseq=True) if query else "")

    def render(self, template, status=200, title="", **values):
        values.update(
            page=self, _=self._, lang=self.lang, account=self.account, municipality=self.municipality,
            csrf_field=Markup(f'<input type="hidden" name="{security.CSRF_FIELD}" value="{self.csrf}">'
                              # a key per filled-in form: sending it twice (double click, resend) acts once
                              f'<input type="hidden" name="{idempotency.FORM_FIELD}" value="{uuid.uuid4()}">'),
            title=title, languages=i18n.LANGUAGES, language_names=i18n.NAMES,
            municipalities=list(self.gateway.municipalities.values()),
            municipalities_options=[(m.id, m.name) for m in self.gateway.municipalities.values()],
            language_options=[(code, i18n.NAMES[code]) for code in i18n.LANGUAGES],
            path=self.request.path, query_without_lang=self._query_without_lang(),
        )
        html = env.get_template(template).render(**values)
        if status >= 400:
            html = forms.name_fields_in_summary(html)
        return Response(html, status=status, content_type="text/html; charset=utf-8")

    def _query_without_lang(self):
        return [(k, v) for k, v in self.request.args.items(multi=True) if k != "lang"]

    def lang_url(self, code):
        return self.url(self.request.path, **{**dict(self._query_without_lang()), "lang": code})

    def redirect(self, location, message=None):
        if message:
            location += ("&" if "?" in location else "?") + urlencode({"done": message})
        return Response(status=303, headers={"Location": location})

    def finish(self, response):
        for name, value in security.SECURITY_HEADERS.items():
            response.headers[name] = value
        if getattr(response, "csp", None):  # a page that loads more (the map's tiles) widens its own policy
            response.headers["Content-Security-Policy"] = response.csp
        response.headers["Content-Language"] = self.lang
        response.headers["Vary"] = "Cookie, Accept-Language"
        if self.request.cookies.get(SESSION_COOKIE) or response.status_code >= 300:
            response.headers["Cache-Control"] = "no-store"
        secure = security.is_secure(self.config.get("PUBLIC_URL"), self.request.headers.get("X-Forwarded-Proto"))
        for name, value, max_age in self.cookies:
            response.set_cookie(name, value, max_age=max_age, path="/", secure=secure, httponly=True,
                                samesite="Lax")
        return response


# -- template helpers ---------------------------------------------------------------------

def _when(page, value, weekday=False):
    try:
        found = _moment(value, page.lang, page.time_zone, weekday)
    except TypeError:  # not hashable: not a moment either
        found = None
    if found is None:
        return ""
    return Markup('<time datetime="{}">{}</time>').format(*found)


@functools.lru_cache(maxsize=8192)
def _moment(value, lang, time_zone, weekday):
    """A moment as ISO 8601 and in words, in the language and zone: Babel's formatting is
    a good part of a page's rendering, and a page shows the same moments to every reader."""
    moment = i18n.local(value, time_zone)
    if moment is None:
        return None
    return moment.isoformat(), i18n.format_datetime(value, lang, time_zone, weekday)


def _day(page, value, weekday=False):
    moment = i18n.local(value, page.time_zone)
    if moment is None:
        return ""
    text = i18n.format_date(value, page.lang, page.time_zone, weekday)
    return Markup('<time datetime="{}">{}</time>').format(
        moment.date().isoformat() if hasattr(moment, "date") else moment.isoformat(), text)


def _clock(page, value):
    return i18n.format_time(value, page.lang, page.time_zone)


def _decimal(page, value, digits=1):
    return i18n.format_decimal(value, page.lang, digits)


env.globals.update(when=_when, day=_day, clock=_clock, decimal=_decimal)


# -- dispatch --------------------------------------------------------------------------------

def _static(path):
    name = os.path.normpath(path).lstrip("/")
    full = os.path.join(STATIC, name)
    if name.startswith("..") or not os.path.isfile(full):
        raise Problem(404, "no such file")
    with open(full, "rb") as fh:
        body = fh.read()
    ctype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript",):
        ctype += "; charset=utf-8"
    response = Response(body, content_type=ctype)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _error(page, status, detail=None, errors=None):
    key = {400: "error.400", 401: "error.401", 403: "error.403", 404: "error.404", 405: "error.405",
           409: "error.409", 413: "error.413", 422: "error.422", 429: "error.429", 503: "error.503"}
    response = page.render("error.html", status=status, title=page._(key.get(status, "error.500")),
                           code=status, detail=detail, errors=errors or [],
                           message_key=key.get(status, "error.500") + ".text")
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


def _run_once(page, view, values):
    """A signed-in person's form with an idempotency key runs once per key: sent again (a
    double click, a resend after a timeout) it answers with the first answer's redirect;
    the key sent with other content is refused (422).  Only an answered redirect is kept:
    a form shown again with errors may be corrected and sent with its key."""
    key = page.form.get(idempotency.FORM_FIELD)
    account = page.account
    if not key or account is None:
        return view(page, **values)
    idempotency.checked_key(key, idempotency.FORM_FIELD)
    fields = sorted((k, v) for k, v in page.form.items(multi=True)
                    if k not in (security.CSRF_FIELD, idempotency.FORM_FIELD))
    claim = idempotency.claim(page.ctx.db, page.config, account.id, "web:" + key, idempotency.fingerprint(
        "web", page.request.path, page.request.query_string, idempotency.canonical_json(fields)),
        field=idempotency.FORM_FIELD)
    if claim.replay is not None:
        return idempotency.replay_response(claim.replay)
    try:
        response = view(page, **values)
    except BaseException:
        claim.forget()
        raise
    if 300 <= response.status_code < 400:
        claim.done(response)
    else:
        claim.forget()
    return response


def dispatch(gateway, request):
    if request.path.startswith("/static/"):
        return _static(request.path[len("/static/"):]), "/static"
    kept = readmodel_http.serve(gateway, request)  # an anonymous page from the read model
    if kept is not None:
        return kept, "read model"
    adapter = url_map.bind("localhost")
    page = Page(gateway, request)
    template = "unmatched"
    try:
        try:
            endpoint, values = adapter.match(request.path, method=request.method)
        except RequestRedirect as exc:
            parts = urlsplit(exc.new_url)
            return page.finish(page.redirect(parts.path + ("?" + parts.query if parts.query else ""))), "redirect"
        except MethodNotAllowed:
            return page.finish(_error(page, 405)), "unmatched"
        except RouteNotFound:
            return page.finish(_error(page, 404)), "unmatched"
        template = next(r.rule for r in url_map.iter_rules(endpoint))
        length = request.content_length
        if length is not None and length > gateway.form_limit(request.path):  # a panel pool may be megabytes
            raise Problem(413, "too large")
        if request.method == "POST":
            page.check_csrf()
            if page.must_confirm_first(request.path):
                raise Problem(403, "confirm")
        if request.method == "POST":
            response = _run_once(page, _views[endpoint], values)
        else:
            response = _views[endpoint](page, **values)
    except Redirect as exc:
        response = page.redirect(exc.location)
    except Unauthorized:
        response = page.redirect("/login?" + urlencode({"next": request.path}))
    except TooManyRequests as exc:
        response = _error(page, 429, exc.detail)
        response.headers.update(getattr(exc, "headers", None) or {})
    except Problem as exc:
        if exc.detail == "csrf":
            response = _error(page, 403, page._("error.csrf"))
        elif exc.detail == "confirm":
            response = page.render("confirm_first.html", status=403, title=page._("confirm.title"))
        else:
            response = _error(page, exc.status, exc.detail if exc.status != 503 else None)
    except DomainError as exc:
        response = _error(page, exc.status, exc.detail, exc.errors)
    except Exception as exc:  # a bug here or in a backend: a page in the reader's language, the details in the log
        if getattr(from_exception(exc), "status_code", None) == 503:  # a database or the broker away for now
            response = _error(page, 503)
        else:
            log.exception("unhandled error on %s %s", request.method, template)
            response = _error(page, 500)
    return readmodel_http.keep(gateway, request, page.finish(response)), template

