"""Roles only an operator grants: a municipality's staff (employee, politician)
and other operators.  Nobody assigns these to themselves."""
from ..accounts import roles
from ..accounts.models import AccountOut, RoleGrant, account_out
from .router import route


@route("POST", "/accounts/<account_id>/role", body=RoleGrant, response=AccountOut, auth=True,
       summary="Grant an account a role in a municipality (operators only)", tags=["accounts"])
def grant_role(ctx, account_id, body):
    operator = ctx.require_operator()
    return account_out(roles.grant(ctx, operator, account_id, body.role, body.municipality))
