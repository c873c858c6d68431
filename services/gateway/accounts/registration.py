"""Creating an account: self-registration (resident, business, association)."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.errors import Conflict

from . import SELF_ASSIGNABLE, confirmation, events
from .passwords import hash_password
from .storage import accounts


def register(ctx, body):
    """The new account's row; its confirmation e-mail and registered event go with it.
    ``body`` is a :class:`~gateway.accounts.models.Registration`."""
    municipality = ctx.municipality(body.municipality)
    if body.role not in SELF_ASSIGNABLE:
        raise Conflict("this role is granted by an operator, not chosen")
    row = {
        "id": uuid.uuid4(),
        "email": body.email.lower(),
        "password_hash": hash_password(body.password),
        "display_name": body.display_name,
        "municipality": municipality.id,
        "role": body.role,
        "language": body.language or municipality.language,
    }
    with ctx.db as uow:
        inserted = uow.execute(
            pg.insert(accounts).values(**row).on_conflict_do_nothing(index_elements=["email"]).returning(accounts.c.id)
        ).first()
        if inserted is None:
            raise Conflict("an account with this e-mail address exists; sign in or reset the password")
        events.participant_registered(uow, row)
        created = uow.execute(sa.select(accounts).where(accounts.c.id == row["id"])).first()
        confirmation.send_link(ctx, uow, created)
    return created
