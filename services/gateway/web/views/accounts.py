"""Signing in, registering and signing out.

Sign-in is the accounts layer's (``gateway.accounts.sessions``), as for the API: the
same password hashing and the same attempt counts, so the pages and the API share
one rate limit.
"""
from pydantic import ValidationError

from samskab.errors import Conflict, Invalid, TooManyRequests, Unauthorized

from ...accounts import SELF_ASSIGNABLE, registration, reset, sessions
from ...accounts.models import Registration, account_out
from ...api.context import SESSION_COOKIE
from .. import forms, i18n
from ..app import page_route
from ..security import safe_next


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
    response = page.render("login.html", status=status, title=page._("login.title"), values=values, errors=errors,
                           register_m=_municipality_of(page, values.get("next")))
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
