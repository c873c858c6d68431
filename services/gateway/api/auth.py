"""Registration, signing in and out: the API's doors to ``gateway.accounts``."""
from werkzeug.wrappers import Response

from ..accounts import registration, sessions
from ..accounts.models import AccountOut, Credentials, PasswordChange, Registration, TokenOut, account_out
from ..accounts.passwords import hasher  # noqa: F401  (tests make accounts with it)
from .context import SESSION_COOKIE
from .router import route


@route("POST", "/auth/register", body=Registration, status=201, response=AccountOut,
       summary="Create an account (resident, business or association)", tags=["accounts"])
def register(ctx, body):
    return account_out(registration.register(ctx, body))


@route("POST", "/auth/token", body=Credentials, response=TokenOut, limited=True,
       summary="Exchange e-mail and password for a bearer token (at most 10 failures per address and IP, "
               "20 per IP, in 15 minutes)", tags=["accounts"])
def token(ctx, body):
    _row, token, ttl = sessions.sign_in(ctx, body.email, body.password)
    return {"access_token": token, "token_type": "bearer", "expires_in": ttl}


@route("POST", "/auth/logout", status=204, auth=True,
       summary="Sign out everywhere: every session and token of the account issued until now ends",
       tags=["accounts"])
def logout(ctx):
    sessions.sign_out(ctx, ctx.require_account())
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@route("POST", "/me/password", body=PasswordChange, response=TokenOut, auth=True, limited=True,
       summary="Change the password: every earlier session and token ends; the answer is a new token",
       tags=["accounts"])
def change_password(ctx, body):
    token, ttl = sessions.change_password(ctx, ctx.require_account(), body.current_password, body.new_password)
    return {"access_token": token, "token_type": "bearer", "expires_in": ttl}


@route("GET", "/me", response=AccountOut, auth=True, summary="The caller's account", tags=["accounts"])
def me(ctx):
    return account_out(ctx.require_account())
