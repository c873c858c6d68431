"""Signing in, signing out and changing the password.

A session (the web cookie) and an API bearer token are the same signed token, carrying
the account's ``token_version``; raising the version ends every session and token issued
before (sign-out, a password change or reset, erasure).
"""
import sqlalchemy as sa

from samskab.errors import Unauthorized

from . import throttle, tokens
from .passwords import hash_password, matches
from .storage import accounts, live_account_by_email

WINDOW = 15 * 60
PER_ACCOUNT_AND_IP = 10  # failures of one address from one IP
PER_ACCOUNT = 100  # of one address from anywhere (a spread-out guess)
PER_IP = 20  # of one IP across addresses (one password tried on many accounts)


def token_ttl(config):
    return int(config.get("TOKEN_TTL_SECONDS", 86400))


def issue(ctx, account_id, version):
    """A signed access token for the account at this version: (token, seconds valid)."""
    ttl = token_ttl(ctx.config)
    return tokens.issue(ctx.config["SECRET_KEY"], account_id, version, ttl), ttl


def _sign_in_limits(config, email, ip):
    email = email.strip().lower()
    return [
        throttle.Limit("sign-in per account and IP", f"{email}|{ip}",
                       int(config.get("LOGIN_MAX_FAILURES", PER_ACCOUNT_AND_IP)), WINDOW),
        throttle.Limit("sign-in per account", email, int(config.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", PER_ACCOUNT)),
                       WINDOW),
        throttle.Limit("sign-in per IP", ip, int(config.get("LOGIN_MAX_FAILURES_PER_IP", PER_IP)), WINDOW),
    ]


def sign_in(ctx, email, password):
    """The account row and a new token for e-mail and password: ``(row, token, ttl)``.

    The attempt is counted before the (slow) password check, so simultaneous guesses
    cannot all pass the limit; a success uncounts it again."""
    ip = throttle.client_ip(ctx)
    counted = throttle.hit(ctx.db, ctx.config, _sign_in_limits(ctx.config, email, ip),
                           "too many failed sign-ins; wait and try again")
    with ctx.db as uow:
        row = uow.execute(live_account_by_email(email)).first()
    if not matches(row.password_hash if row else None, password):
        raise Unauthorized("wrong e-mail address or password")
    throttle.release(ctx.db, counted)
    token, ttl = issue(ctx, row.id, row.token_version)
    return row, token, ttl


def sign_out(ctx, account):
    """End every session and token of the account issued until now."""
    with ctx.db as uow:
        uow.execute(accounts.update().where(accounts.c.id == account.id)
                    .values(token_version=accounts.c.token_version + 1))


def change_password(ctx, account, current, new):
    """A new password, checked against the current one (counted as a sign-in attempt);
    every earlier session and token ends, and a new token for this one is returned."""
    ip = throttle.client_ip(ctx)
    counted = throttle.hit(ctx.db, ctx.config, _sign_in_limits(ctx.config, account.email, ip),
                           "too many failed attempts; wait and try again")
    with ctx.db as uow:
        current_hash = uow.execute(sa.select(accounts.c.password_hash).where(accounts.c.id == account.id)).scalar()
    if not matches(current_hash, current):
        raise Unauthorized("the current password is not right")
    throttle.release(ctx.db, counted)
    new_hash = hash_password(new)
    with ctx.db as uow:
        version = uow.execute(accounts.update().where(accounts.c.id == account.id)
                              .values(password_hash=new_hash, token_version=accounts.c.token_version + 1)
                              .returning(accounts.c.token_version)).scalar()
    return issue(ctx, account.id, version)
