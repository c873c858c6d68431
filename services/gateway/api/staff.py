"""Roles only an operator grants: a municipality's staff (employee, politician)
and other operators.  Nobody assigns these to themselves."""
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from samskab.contracts.participants import ParticipantUpdated
from samskab.errors import Conflict, NotFound

from ..accounts.storage import accounts
from .auth import AccountOut, account_out
from .router import route


class RoleGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["employee", "politician", "operator", "resident", "business", "association"]
    municipality: str = Field(pattern=r"^[a-z][a-z0-9-]{1,62}$",
                              description="the municipality whose staff the account becomes")


@route("POST", "/accounts/<account_id>/role", body=RoleGrant, response=AccountOut, auth=True,
       summary="Grant an account a role in a municipality (operators only)", tags=["accounts"])
def grant_role(ctx, account_id, body):
    operator = ctx.require_operator()
    municipality = ctx.municipality(body.municipality)
    try:
        target = uuid.UUID(account_id)
    except ValueError:
        raise NotFound("no such account")
    if target == operator.id and body.role != "operator":
        raise Conflict("an operator cannot take away their own operator role; ask another operator")
    with ctx.db as uow:
        row = uow.execute(
            accounts.update()
            .where(accounts.c.id == target, accounts.c.erased_at.is_(None))
            .values(role=body.role, municipality=municipality.id)
            .returning(accounts)
        ).first()
        if row is None:
            raise NotFound("no such account")
        uow.emit(
            ParticipantUpdated.event_type,
            municipality=municipality.id,
            subject=f"participants/{row.id}",
            data={"id": row.id, "municipality": row.municipality, "role": row.role, "language": row.language,
                  "email": row.email, "display_name": row.display_name,
                  "email_confirmed": row.email_confirmed_at is not None},
        )
    return account_out(row)
