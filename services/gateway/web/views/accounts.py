"""Signing in, registering and signing out.

Sign-in is the accounts layer's (``gateway.accounts.sessions``), as for the API: the
same password hashing and the same attempt counts, so the pages and the API share
one rate limit.
"""
import logging

from pydantic import ValidationError
from werkzeug.wrappers import Response

from samskab.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized

from ...accounts import SELF_ASSIGNABLE, oidc, registration, reset, sessions, verification
from ...accounts.models import Registration, account_out
from ...api.context import SESSION_COOKIE
from .. import forms, i18n
from ..app import page_route
from ..security import safe_next

log = logging.getLogger("gateway.web.oidc")


def _municipality_of(page, text, bare=False):
    """A served municipality named by ``text``: its id, or a path under /municipalities/<id>."""
    if not text:
        return None
    parts = text.split("/")
    candidate = text if bare else (parts[2] if len(parts) > 2 and parts[1] == "municipalities" else None)
    return candidate if candidate in page.gateway.municipalities else None


def _sign_in(page, account_id, version):
    token, ttl = sessions.issue(page.ctx, account_id, version)
    page.cookies.append((SESSION_COOKIE, token, ttl))


@page_route("/login", methods=("GET", "POST"))
def login(page):
    values, errors, status = {"next": safe_next(page.request.args.get("next"), "")}, {}, 200
    if page.request.method == "POST":
        values = {"email": page.field("email"), "next": safe_next(page.field("next"), "")}
        password = page.form.get("password") or ""
        try:
            if len(values["email"]) > 320 or len(password) > 200:
                raise Unauthorized("too long")
            _row, token, ttl = sessions.sign_in(page.ctx, values["email"], password)
        except Unauthorized:
            errors["email"], status = page._("login.wrong"), 401
        except TooManyRequests as exc:
            errors["email"], status = page._("login.too_many"), 429
            retry_after = getattr(exc, "headers", {})
        else:
            page.cookies.append((SESSION_COOKIE, token, ttl))
            return page.redirect(values["next"] or "/me", "signed_in")
    register_m = _municipality_of(page, values.get("next"))
    response = page.render("login.html", status=status, title=page._("login.title"), values=values, errors=errors,
                           register_m=register_m, providers=_providers(page, register_m))
    if status == 429:
        response.headers.update(retry_after)
    return response


@page_route("/logout", methods=("POST",))
def logout(page):
    if page.account is not None:  # every session and token of the account issued until now ends
        sessions.sign_out(page.ctx, page.account)
    page.cookies.append((SESSION_COOKIE, "", 0))
    return page.redirect("/", "signed_out")


@page_route("/register", methods=("GET", "POST"))
def register(page):
    # The municipality one came from (?m=, or the page one was on before signing in), else the first.
    default_m = (_municipality_of(page, page.request.args.get("m"), bare=True)
                 or _municipality_of(page, page.request.args.get("next"))
                 or next(iter(page.gateway.municipalities), ""))
    values = {"municipality": default_m, "role": "resident", "language": page.lang}
    errors, status = {}, 200
    if page.request.method == "POST":
        values = {name: page.field(name) for name in ("display_name", "email", "municipality", "role", "language")}
        password = page.form.get("password") or ""
        errors = forms.required(page, values, ("display_name", "email", "municipality"))
        if len(password) < 10:
            errors["password"] = page._("register.password_short")
        if values["role"] not in SELF_ASSIGNABLE:
            errors["role"] = page._("form.choose")
        if values["municipality"] not in page.gateway.municipalities:
            errors["municipality"] = page._("form.choose")
        if not errors:
            try:
                body = Registration(
                    email=values["email"], password=password, display_name=values["display_name"],
                    municipality=values["municipality"], role=values["role"],
                    language=i18n.supported(values["language"]),
                )
                created = account_out(registration.register(page.ctx, body))
            except ValidationError as exc:
                errors = forms.from_validation(page, exc)
            except Conflict:
                errors["email"] = page._("register.exists")
            except Invalid as exc:
                errors = forms.from_invalid(page, exc)
            else:
                _sign_in(page, created["id"], 0)
                page.cookies.append(("samskab_lang", created["language"], 365 * 86400))
                return page.redirect("/me/profile", "registered")
        status = 422
    return page.render("register.html", status=status, title=page._("register.title"), values=values,
                       errors=errors)


# -- a forgotten password (the link in the e-mail opens the gateway's /account/reset) --------------

@page_route("/account/forgot", methods=("GET", "POST"))
def forgot(page):
    if page.request.method == "POST":
        email = page.field("email")[:320]
        if email:
            reset.request(page.ctx, email)
        return page.redirect("/login", "reset_sent")
    return page.render("account/forgot.html", title=page._("account.forgot.title"), values={}, errors={})


# -- sign-in with an identity provider (OpenID Connect; gateway.accounts.oidc does the checking) ----------

def _providers(page, municipality_id):
    return [p for p in oidc.offered(page.config, municipality_id)] if municipality_id else \
        list(oidc.providers(page.config).values())


def verify_page(page, municipality_id, status=200, refused=None, problem=None, next_path=""):
    """The page that says why and offers the providers: also the refusal of a support (403)."""
    rules = verification.rules(page.ctx.db, municipality_id) if municipality_id else {}
    return page.render("account/verify.html", status=status, title=page._("verify.title"),
                       providers=_providers(page, municipality_id), refused=refused, problem=problem,
                       rules=rules, m=municipality_id, next_path=next_path)


def refuse_unverified(page, m, action):
    """``None`` when the caller may go on; else the 403 page saying why, with the sign-in links."""
    try:
        verification.require(page.ctx, m, action)
    except verification.VerificationRequired:
        page.in_municipality(m)
        return verify_page(page, m, status=403, refused=action, next_path=page.request.path.rsplit("/", 1)[0])
    return None


def refuse_unverified_panel(page, m, meeting_id):
    """As :func:`refuse_unverified`, for registering for a citizen panel's meeting."""
    try:
        verification.require_for_meeting(page.ctx, m, lambda: page.ctx.meetings.get(m, page.actor, meeting_id).format)
    except verification.VerificationRequired:
        return verify_page(page, m, status=403, refused="panels",
                           next_path=page.request.path.rsplit("/", 1)[0])
    return None


@page_route("/municipalities/<m>/verify")
def verify(page, m):
    municipality = page.in_municipality(m)
    return verify_page(page, municipality.id, next_path=safe_next(page.request.args.get("next"), ""))


@page_route("/auth/oidc/<name>/start")
def oidc_start(page, name):
    m = _municipality_of(page, page.request.args.get("m"), bare=True) or ""
    p = oidc.provider(page.config, name)
    if m and not p.offered_in(m):
        raise NotFound("this identity provider is not offered in this municipality")
    try:
        url, cookie = oidc.begin(page.config, p, m, safe_next(page.request.args.get("next"), ""))
    except oidc.VerificationFailed:
        return verify_page(page, m, status=503, problem="unavailable")
    page.cookies.append((oidc.FLOW_COOKIE, cookie, oidc.FLOW_SECONDS))
    return Response(status=303, headers={"Location": url})


@page_route("/auth/oidc/<name>/callback")
def oidc_callback(page, name):
    page.cookies.append((oidc.FLOW_COOKIE, "", 0))  # one use, whatever happens
    try:
        p, claims, flow = oidc.complete(page.config, page.request.args, page.request.cookies.get(oidc.FLOW_COOKIE))
        if p.name != name:
            raise oidc.VerificationFailed("the answer came to another provider's address")
        row, how = verification.sign_in_or_link(page.ctx, page.account, p, claims, flow.get("m") or None)
    except (oidc.VerificationFailed, Invalid) as exc:
        log.info("oidc sign-in refused: %s", exc.detail)  # the reason only: never a subject or a claim
        return verify_page(page, _municipality_of(page, flow_m(page), bare=True), status=400, problem="failed")
    except Conflict as exc:
        problem = "linked_elsewhere" if "linked" in exc.detail else "email_taken" if "exists" in exc.detail \
            else "no_email"
        return verify_page(page, None, status=409, problem=problem)
    if how != "linked":
        _sign_in(page, row.id, row.token_version)
    return page.redirect(flow.get("nx") or "/me", "verified")


def flow_m(page):
    try:
        return oidc.flow_of(page.config, page.request.cookies.get(oidc.FLOW_COOKIE)).get("m")
    except oidc.VerificationFailed:
        return None


# -- the municipality's staff: where a verified account is asked for -------------------------------------------

@page_route("/municipalities/<m>/staff/verification", methods=("GET", "POST"))
def verification_rules(page, m):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    if page.request.method == "POST":
        verification.set_rules(page.ctx.db, municipality.id, bool(page.field("supports")), bool(page.field("panels")))
        return page.redirect(f"/municipalities/{municipality.id}/staff/verification", "saved")
    return page.render("account/verification_staff.html", title=page._("verify.staff.title"),
                       rules=verification.rules(page.ctx.db, municipality.id),
                       providers=oidc.offered(page.config, municipality.id))
