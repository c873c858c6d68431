"""A forgotten password: the e-mailed link, and choosing a new password with it."""
import sqlalchemy as sa

from samskab.contracts.participants import PasswordResetRequested
from samskab.errors import Unauthorized

from . import throttle, tokens
from .passwords import hash_password
from .storage import accounts, live_account_by_email

RESET_TTL = 3600
HOUR = 3600


def request(ctx, email):
    """E-mail a reset link if the address has an account; the caller answers the same
    either way.  A few an hour per address (known or not) and per IP."""
    email = email.strip()
    ip = throttle.client_ip(ctx)
    throttle.hit(ctx.db, ctx.config, [
        throttle.Limit("reset e-mail per address", email.lower(), 5, HOUR),
        throttle.Limit("reset e-mail per IP", ip, 20, HOUR),
    ], "too many password-reset e-mails asked for; wait and try again")
    with ctx.db as uow:
        row = uow.execute(live_account_by_email(email)).first()
        if row is not None:
            token = tokens.issue(ctx.config["SECRET_KEY"], row.id, row.token_version, RESET_TTL, use="reset")
            uow.emit(PasswordResetRequested.event_type, municipality=row.municipality,
                     subject=f"participants/{row.id}", data={
                         "id": row.id, "municipality": row.municipality, "language": row.language,
                         "email": row.email,
                         "reset_url": f"{ctx.config['PUBLIC_URL'].rstrip('/')}/account/reset?token={token}",
                     })


def choose_password(ctx, token, password):
    """The account, with the new password; the link works once and ends every session."""
    payload = tokens.verify(ctx.config["SECRET_KEY"], token, use="reset")
    new_hash = hash_password(password)
    with ctx.db as uow:
        row = uow.execute(sa.select(accounts).where(accounts.c.id == payload["sub"]).with_for_update()).first()
        if row is None or row.erased_at is not None or row.token_version != payload.get("ver"):
            raise Unauthorized("this reset link has been used or is no longer valid")
        # A new token version signs out every session and makes the link single-use.
        uow.execute(accounts.update().where(accounts.c.id == row.id).values(
            password_hash=new_hash, token_version=row.token_version + 1,
            email_confirmed_at=sa.func.coalesce(accounts.c.email_confirmed_at, sa.func.now()),
        ))
        return uow.execute(sa.select(accounts).where(accounts.c.id == row.id)).first()
