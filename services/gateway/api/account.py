"""The account's own life cycle: confirming the e-mail address, resetting the
password, exporting one's data and being forgotten."""
import datetime as dt
import hashlib
from typing import Annotated

import eventlet
import sqlalchemy as sa
from nameko.amqp.publish import UndeliverableMessage
from nameko.exceptions import MethodNotFound, RemoteError, UnknownService
from pydantic import BaseModel, ConfigDict, StringConstraints
from werkzeug.wrappers import Response

from samskab.contracts.participants import ConfirmationRequested, ParticipantErased, ParticipantUpdated, PasswordResetRequested
from samskab.db import outbox
from samskab.errors import Unauthorized

from ..accounts import tokens
from ..accounts.storage import accounts, live_account_by_email
from .auth import AccountOut, account_out, hash_password
from .router import route

CONFIRM_TTL = 7 * 24 * 3600
RESET_TTL = 3600
BACKENDS = ("proposals", "matching", "meetings", "notifications")
UNAVAILABLE = object()


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, StringConstraints(max_length=1000)]


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, StringConstraints(max_length=320)]


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, StringConstraints(max_length=1000)]
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class Accepted(BaseModel):
    status: str


def _email_digest(email):
    # The confirmation token names the address it confirms without containing it.
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def request_confirmation(ctx, uow, row):
    token = tokens.issue(ctx.config["SECRET_KEY"], row.id, row.token_version, CONFIRM_TTL, use="confirm",
                         em=_email_digest(row.email))
    uow.emit(ConfirmationRequested.event_type, municipality=row.municipality, subject=f"participants/{row.id}", data={
        "id": row.id, "municipality": row.municipality, "language": row.language, "email": row.email,
        "confirm_url": f"{ctx.config['PUBLIC_URL'].rstrip('/')}/account/confirm?token={token}",
    })


def participant_updated(uow, row):
    uow.emit(ParticipantUpdated.event_type, municipality=row.municipality, subject=f"participants/{row.id}", data={
        "id": row.id, "municipality": row.municipality, "role": row.role, "language": row.language,
        "email": row.email, "display_name": row.display_name,
        "email_confirmed": row.email_confirmed_at is not None,
    })


def confirm_email(ctx, token):
    payload = tokens.verify(ctx.config["SECRET_KEY"], token, use="confirm")
    with ctx.db as uow:
        row = uow.execute(sa.select(accounts).where(accounts.c.id == payload["sub"]).with_for_update()).first()
        if row is None or row.erased_at is not None or payload.get("em") != _email_digest(row.email):
            raise Unauthorized("this confirmation link is no longer valid")
        if row.email_confirmed_at is None:
            uow.execute(accounts.update().where(accounts.c.id == row.id).values(email_confirmed_at=sa.func.now()))
            row = uow.execute(sa.select(accounts).where(accounts.c.id == row.id)).first()
            participant_updated(uow, row)
    return row


def reset_password(ctx, token, password):
    payload = tokens.verify(ctx.config["SECRET_KEY"], token, use="reset")
    with ctx.db as uow:
        row = uow.execute(sa.select(accounts).where(accounts.c.id == payload["sub"]).with_for_update()).first()
        if row is None or row.erased_at is not None or row.token_version != payload.get("ver"):
            raise Unauthorized("this reset link has been used or is no longer valid")
        # A new token version signs out every session and makes the link single-use.
        uow.execute(accounts.update().where(accounts.c.id == row.id).values(
            password_hash=hash_password(password), token_version=row.token_version + 1,
            email_confirmed_at=sa.func.coalesce(accounts.c.email_confirmed_at, sa.func.now()),
        ))
        return uow.execute(sa.select(accounts).where(accounts.c.id == row.id)).first()


@route("POST", "/auth/confirm", body=TokenBody, response=AccountOut,
       summary="Confirm the e-mail address with the token from the e-mail", tags=["accounts"])
def confirm(ctx, body):
    return account_out(confirm_email(ctx, body.token))


@route("POST", "/auth/confirm/resend", status=202, response=Accepted, auth=True,
       summary="Send the confirmation e-mail again", tags=["accounts"])
def resend_confirmation(ctx):
    account = ctx.require_account()
    if account.email_confirmed_at is None:
        with ctx.db as uow:
            request_confirmation(ctx, uow, account)
    return {"status": "sent" if account.email_confirmed_at is None else "already confirmed"}


@route("POST", "/auth/password-reset", body=ResetRequest, status=202, response=Accepted,
       summary="E-mail a link to choose a new password", tags=["accounts"])
def request_reset(ctx, body):
    with ctx.db as uow:
        row = uow.execute(live_account_by_email(body.email.strip())).first()
        if row is not None:
            token = tokens.issue(ctx.config["SECRET_KEY"], row.id, row.token_version, RESET_TTL, use="reset")
            uow.emit(PasswordResetRequested.event_type, municipality=row.municipality,
                     subject=f"participants/{row.id}", data={
                         "id": row.id, "municipality": row.municipality, "language": row.language,
                         "email": row.email,
                         "reset_url": f"{ctx.config['PUBLIC_URL'].rstrip('/')}/account/reset?token={token}",
                     })
    # The same answer whether or not the address has an account: no account discovery.
    return {"status": "if the address has an account, a link is on its way"}


@route("POST", "/auth/password-reset/confirm", body=NewPassword, response=AccountOut,
       summary="Choose a new password with the token from the e-mail", tags=["accounts"])
def confirm_reset(ctx, body):
    return account_out(reset_password(ctx, body.token, body.password))


@route("GET", "/me/export", auth=True, summary="Everything Samskab holds about me (GDPR art. 15 and 20)",
       tags=["accounts"])
def export(ctx):
    account = ctx.require_account()
    result = {"account": account_out(account), "exported_at": dt.datetime.now(dt.timezone.utc).isoformat()}

    def fetch(service):
        try:
            with eventlet.Timeout(ctx.gateway.rpc_timeout):
                return service, getattr(ctx.gateway, service).export_participant(str(account.id))
        except MethodNotFound:
            return service, None
        except RemoteError as exc:
            if exc.exc_type == "MethodNotFound":
                return service, None
            raise
        except (eventlet.Timeout, UnknownService, UndeliverableMessage):
            return service, UNAVAILABLE

    result["complete"] = True
    for service, data in eventlet.GreenPool().imap(fetch, BACKENDS):
        if data is UNAVAILABLE:
            result["complete"] = False
            result[service] = {"unavailable": "the service did not answer; ask again later for a complete export"}
        elif data is not None:
            result[service] = data
    return result


@route("DELETE", "/me", status=204, auth=True, summary="Erase my account and my personal data everywhere",
       tags=["accounts"])
def erase(ctx):
    account = ctx.require_account()
    with ctx.db as uow:
        # The participant events (published or not) carried the e-mail and name:
        # they leave the outbox; the erased event below carries only the id.
        uow.execute(outbox.delete().where(outbox.c.subject == f"participants/{account.id}"))
        uow.execute(accounts.update().where(accounts.c.id == account.id).values(
            email=f"erased-{account.id}@invalid", display_name="", password_hash="!",
            erased_at=sa.func.now(), token_version=account.token_version + 1,
        ))
        uow.emit(ParticipantErased.event_type, municipality=account.municipality,
                 subject=f"participants/{account.id}", data={"id": account.id, "municipality": account.municipality})
    response = Response(status=204)
    response.delete_cookie("samskab_session", path="/")
    return response
