"""Registration, tokens and the caller's own account."""
import datetime as dt
import uuid
from typing import Annotated, Literal

import sqlalchemy as sa
from argon2 import PasswordHasher
from eventlet import tpool
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints
from sqlalchemy.dialects import postgresql as pg

from samskab.contracts.participants import ParticipantRegistered
from samskab.errors import Conflict, TooManyRequests, Unauthorized

from ..accounts import SELF_ASSIGNABLE, tokens
from ..accounts.storage import accounts, live_account_by_email, login_attempts
from .router import route

hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the timing the same.
_DUMMY_HASH = hasher.hash("not a real password")


# argon2 is deliberately slow (tens of milliseconds of CPU).  On the eventlet hub
# that would stall every other request of the gateway, so it runs in a native
# thread (argon2-cffi releases the GIL while it hashes).
def hash_password(password):
    return tpool.execute(hasher.hash, password)


def verify_password(password_hash, password):
    return tpool.execute(hasher.verify, password_hash, password)

LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_MAX_FAILURES = 10


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    municipality: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,62}$")]
    role: Literal["resident", "business", "association"] = "resident"
    language: Literal["da", "nb", "nn", "en"] | None = None


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(max_length=320)]
    password: Annotated[str, StringConstraints(max_length=200)]


class AccountOut(BaseModel):
    id: str
    email: str
    display_name: str
    municipality: str
    role: str
    language: str
    email_confirmed: bool


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


def account_out(row):
    return {
        "id": str(row.id), "email": row.email, "display_name": row.display_name,
        "municipality": row.municipality, "role": row.role, "language": row.language,
        "email_confirmed": row.email_confirmed_at is not None,
    }


def register_account(ctx, body, role=None):
    municipality = ctx.municipality(body.municipality)
    role = role or body.role
    assert role in SELF_ASSIGNABLE or role is not None
    row = {
        "id": uuid.uuid4(),
        "email": body.email.lower(),
        "password_hash": hash_password(body.password),
        "display_name": body.display_name,
        "municipality": municipality.id,
        "role": role,
        "language": body.language or municipality.language,
    }
    with ctx.db as uow:
        inserted = uow.execute(
            pg.insert(accounts).values(**row).on_conflict_do_nothing(index_elements=["email"]).returning(accounts.c.id)
        ).first()
        if inserted is None:
            raise Conflict("an account with this e-mail address exists; sign in or reset the password")
        uow.emit(
            ParticipantRegistered.event_type,
            municipality=municipality.id,
            subject=f"participants/{row['id']}",
            data={k: row[k] for k in ("id", "municipality", "role", "language", "email", "display_name")},
        )
        created = uow.execute(sa.select(accounts).where(accounts.c.id == row["id"])).first()
        from .account import request_confirmation

        request_confirmation(ctx, uow, created)
    return account_out(created)


@route("POST", "/auth/register", body=Registration, status=201, response=AccountOut,
       summary="Create an account (resident, business or association)", tags=["accounts"])
def register(ctx, body):
    return register_account(ctx, body)


def _rate_key(ctx, email):
    remote = ctx.request.remote_addr or "unknown"
    return f"{email.lower()}|{remote}"


@route("POST", "/auth/token", body=Credentials, response=TokenOut,
       summary="Exchange e-mail and password for a bearer token", tags=["accounts"])
def token(ctx, body):
    key = _rate_key(ctx, body.email)
    since = dt.datetime.now(dt.timezone.utc) - LOGIN_WINDOW
    with ctx.db as uow:
        failures = uow.execute(
            sa.select(sa.func.count()).select_from(login_attempts)
            .where(login_attempts.c.key == key, login_attempts.c.at > since)
        ).scalar()
        if failures >= LOGIN_MAX_FAILURES:
            raise TooManyRequests("too many failed sign-ins; wait 15 minutes and try again")
        row = uow.execute(live_account_by_email(body.email)).first()
        try:
            verify_password(row.password_hash if row else _DUMMY_HASH, body.password)
            ok = row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            uow.execute(login_attempts.insert().values(key=key))
    if not ok:
        raise Unauthorized("wrong e-mail address or password")
    ttl = int(ctx.config.get("TOKEN_TTL_SECONDS", 86400))
    return {"access_token": tokens.issue(ctx.config["SECRET_KEY"], row.id, row.token_version, ttl),
            "token_type": "bearer", "expires_in": ttl}


@route("GET", "/me", response=AccountOut, auth=True, summary="The caller's account", tags=["accounts"])
def me(ctx):
    return account_out(ctx.require_account())
