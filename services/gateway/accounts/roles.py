"""Roles only an operator grants: a municipality's staff (employee, politician) and
other operators.  Nobody assigns these to themselves."""
from samskab.errors import Conflict, NotFound
from samskab.values import parse_id

from . import events
from .storage import accounts


def grant(ctx, operator, account_id, role, municipality_id):
    """The account's row with its new role in the municipality (``operator`` is the granter)."""
    municipality = ctx.municipality(municipality_id)
    target = parse_id(account_id, "account")
    if target == operator.id and role != "operator":
        raise Conflict("an operator cannot take away their own operator role; ask another operator")
    with ctx.db as uow:
        row = uow.execute(
            accounts.update()
            .where(accounts.c.id == target, accounts.c.erased_at.is_(None))
            .values(role=role, municipality=municipality.id)
            .returning(accounts)
        ).first()
        if row is None:
            raise NotFound("no such account")
        events.participant_updated(uow, row)
    return row
