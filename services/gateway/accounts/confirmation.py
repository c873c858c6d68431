"""Confirming the e-mail address: the link sent at registration (and again on request),
and following it."""
import hashlib

import sqlalchemy as sa

from samskab.contracts.participants import ConfirmationRequested
from samskab.errors import Unauthorized

from . import events, throttle, tokens
from .storage import accounts

CONFIRM_TTL = 7 * 24 * 3600
HOUR = 3600


def _email_digest(email):
    # The confirmation token names the address it confirms without containing it.
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def send_link(ctx, uow, row):
    """Queue the e-mail with the confirmation link, in ``uow``'s transaction."""
    token = tokens.issue(ctx.config["SECRET_KEY"], row.id, row.token_version, CONFIRM_TTL, use="confirm",
                         em=_email_digest(row.email))
    uow.emit(ConfirmationRequested.event_type, municipality=row.municipality, subject=f"participants/{row.id}", data={
        "id": row.id, "municipality": row.municipality, "language": row.language, "email": row.email,
        "confirm_url": f"{ctx.config['PUBLIC_URL'].rstrip('/')}/account/confirm?token={token}",
    })


def resend(ctx, account):
    """Send the link again, unless confirmed already; a few an hour per account and per IP.
    Returns whether it was sent."""
    if account.email_confirmed_at is not None:
        return False
    ip = throttle.client_ip(ctx)
    throttle.hit(ctx.db, ctx.config, [
        throttle.Limit("confirmation e-mail per account", str(account.id), 5, HOUR),
        throttle.Limit("confirmation e-mail per IP", ip, 20, HOUR),
    ], "too many confirmation e-mails asked for; wait and try again")
    with ctx.db as uow:
        send_link(ctx, uow, account)
    return True


def confirm(ctx, token):
    """The account whose address the link in ``token`` confirms, now confirmed."""
    payload = tokens.verify(ctx.config["SECRET_KEY"], token, use="confirm")
    with ctx.db as uow:
        row = uow.execute(sa.select(accounts).where(accounts.c.id == payload["sub"]).with_for_update()).first()
        if row is None or row.erased_at is not None or payload.get("em") != _email_digest(row.email):
            raise Unauthorized("this confirmation link is no longer valid")
        if row.email_confirmed_at is None:
            uow.execute(accounts.update().where(accounts.c.id == row.id).values(email_confirmed_at=sa.func.now()))
            row = uow.execute(sa.select(accounts).where(accounts.c.id == row.id)).first()
            events.participant_updated(uow, row)
    return row
