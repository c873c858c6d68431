"""The account's own life cycle: confirming the e-mail address, resetting the
password, exporting one's data and being forgotten (``gateway.accounts`` does the work)."""
from werkzeug.wrappers import Response

from ..accounts import confirmation, erasure, export as exporting, reset
from ..accounts.models import Accepted, AccountOut, NewPassword, ResetRequest, TokenBody, account_out
from .context import SESSION_COOKIE
from .router import route


@route("POST", "/auth/confirm", body=TokenBody, response=AccountOut,
       summary="Confirm the e-mail address with the token from the e-mail", tags=["accounts"])
def confirm(ctx, body):
    return account_out(confirmation.confirm(ctx, body.token))


@route("POST", "/auth/confirm/resend", status=202, response=Accepted, auth=True, limited=True,
       summary="Send the confirmation e-mail again (a few an hour)", tags=["accounts"])
def resend_confirmation(ctx):
    sent = confirmation.resend(ctx, ctx.require_account())
    return {"status": "sent" if sent else "already confirmed"}


@route("POST", "/auth/password-reset", body=ResetRequest, status=202, response=Accepted, limited=True,
       summary="E-mail a link to choose a new password (a few an hour per address and per IP)", tags=["accounts"])
def request_reset(ctx, body):
    reset.request(ctx, body.email)
    # The same answer whether or not the address has an account: no account discovery.
    return {"status": "if the address has an account, a link is on its way"}


@route("POST", "/auth/password-reset/confirm", body=NewPassword, response=AccountOut,
       summary="Choose a new password with the token from the e-mail", tags=["accounts"])
def confirm_reset(ctx, body):
    return account_out(reset.choose_password(ctx, body.token, body.password))


@route("GET", "/me/export", auth=True, summary="Everything Samskab holds about me (GDPR art. 15 and 20)",
       tags=["accounts"])
def export(ctx):
    return exporting.export(ctx, ctx.require_account())


@route("DELETE", "/me", status=204, auth=True, summary="Erase my account and my personal data everywhere",
       tags=["accounts"])
def erase(ctx):
    erasure.erase(ctx, ctx.require_account())
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
