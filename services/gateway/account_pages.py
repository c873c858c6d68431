"""The pages an account e-mail links to: confirming the address, choosing a new
password and unsubscribing.  Styled like the site (``web/templates/account/link.html``),
in the account's language (the one its e-mails are written in), with ``<html lang>``;
they work without JavaScript and need no session (the token is the proof).

The language: an explicit ``?lang=`` (the form keeps it), else the account the token
names, else the remembered choice and the browser's, as on every other page."""
import uuid

import sqlalchemy as sa
from werkzeug.wrappers import Response

from samskab.errors import DomainError

from .accounts import confirmation, reset, tokens
from .accounts.storage import accounts
from .web import i18n
from .web.app import env

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: do not leak it onward
    "Cache-Control": "no-store",
}
PASSWORD_MIN, PASSWORD_MAX = 10, 200


def _account_language(ctx, account_id):
    try:
        account_id = uuid.UUID(str(account_id))
    except ValueError:
        return None
    with ctx.db as uow:
        return uow.execute(sa.select(accounts.c.language).where(accounts.c.id == account_id)).scalar()


def _token_account(ctx, token, use):
    try:
        return tokens.verify(ctx.config["SECRET_KEY"], token, use=use)["sub"]
    except (DomainError, KeyError):
        return None


def language(ctx, request, account_id=None):
    switch = i18n.supported(request.values.get("lang"))
    account = _account_language(ctx, account_id) if account_id else None
    return switch or i18n.choose(account=account, cookie=request.cookies.get("samskab_lang"),
                                 accept_language=request.headers.get("Accept-Language"))


def render(lang, title_key, code=200, **values):
    def _(key, **fill):
        return i18n.translate(lang, key, **fill)

    values.setdefault("labels", {"password": _("account.link.password")})
    values.setdefault("errors", {})
    html = env.get_template("account/link.html").render(lang=lang, _=_, title=_(title_key), **values)
    return Response(html, status=code, content_type="text/html; charset=utf-8",
                    headers={**HEADERS, "Content-Language": lang})


def password_problem(lang, password):
    """Why a new password is refused, in ``lang``, or ``None``."""
    if len(password) < PASSWORD_MIN:
        return i18n.translate(lang, "account.link.password.short", n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return i18n.translate(lang, "account.link.password.long", n=PASSWORD_MAX)
    return None


def dispatch(gateway, request, ctx):
    token = request.values.get("token", "")
    if request.path == "/account/confirm":
        return _confirm(ctx, request, token), "/account/confirm"
    return _reset(ctx, request, token), "/account/reset"


def _confirm(ctx, request, token):
    try:
        row = confirmation.confirm(ctx, token)
    except DomainError:
        lang = language(ctx, request)
        return render(lang, "account.confirm.title", 400, problem=i18n.translate(lang, "account.link.invalid"))
    lang = language(ctx, request, row.id)
    return render(lang, "account.confirm.title", notice=i18n.translate(lang, "account.confirm.done"),
                  next_link={"href": f"/municipalities/{row.municipality}",
                             "label": i18n.translate(lang, "account.link.continue")})


def _reset(ctx, request, token):
    account_id = _token_account(ctx, token, "reset")
    lang = language(ctx, request, account_id)
    if account_id is None:
        return render(lang, "account.reset.title", 400, problem=i18n.translate(lang, "account.link.invalid"))
    if request.method != "POST":
        return render(lang, "account.reset.title", form="password", token=token)
    password = request.form.get("password", "")
    problem = password_problem(lang, password)
    if problem:
        return render(lang, "account.reset.title", 422, form="password", token=token, errors={"password": problem})
    try:
        reset.choose_password(ctx, token, password)
    except DomainError:
        return render(lang, "account.reset.title", 400, problem=i18n.translate(lang, "account.link.invalid"))
    return render(lang, "account.reset.title", notice=i18n.translate(lang, "account.reset.done"),
                  next_link={"href": "/login", "label": i18n.translate(lang, "nav.login")})


def unsubscribe_page(ctx, request, token, done_kind=None):
    """The page an e-mail's unsubscribe link opens (a button that POSTs: a GET never
    unsubscribes, as mail scanners follow links), and the answer after it."""
    # The token names the participant (their account id) before its signature; the
    # notifications service checks the signature when the button is pressed. Here it
    # only picks the language.
    lang = language(ctx, request, token.split(".")[0] if token else None)
    if done_kind is None:
        return render(lang, "account.unsubscribe.title", form="unsubscribe", token=token)
    what = (i18n.translate(lang, "account.unsubscribe.all") if done_kind == "all"
            else i18n.translate(lang, f"prefs.kind.{done_kind}"))
    return render(lang, "account.unsubscribe.title", notice=i18n.translate(lang, "account.unsubscribe.done",
                                                                              what=what),
                  next_link={"href": "/me/preferences", "label": i18n.translate(lang, "account.unsubscribe.prefs")})
