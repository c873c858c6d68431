"""The account data the proposal pages need, asked of the gateway's accounts layer.

PENDING (accounts layer): the pages call two functions that belong in
``gateway/accounts/`` (another helper is building that layer):

* ``display_names(db, ids) -> {id: display_name}``: the live (not erased) accounts
  among ``ids`` (strings, malformed ones ignored), for partners' names on the agreement;
* ``account_id_by_email(db, email) -> str | None``: the live account with that
  address, to add a partner to an agreement.

Until ``gateway.accounts.directory`` offers them, the two queries below stand in,
here and nowhere else; delete them once it does.
"""
import uuid

import sqlalchemy as sa

try:
    from ...accounts import directory as _accounts
except ImportError:  # the accounts layer does not offer them yet: see above
    _accounts = None


def display_names(page, ids):
    """Partners' display names (an erased partner has none).  Shown only to the
    initiator, staff and the partner: names stay out of public pages."""
    if _accounts is not None:
        return _accounts.display_names(page.ctx.db, ids)
    return _display_names_standin(page.ctx.db, ids)


def account_id_by_email(page, email):
    if _accounts is not None:
        return _accounts.account_id_by_email(page.ctx.db, email)
    return _account_id_by_email_standin(page.ctx.db, email)


# -- stand-ins until gateway/accounts offers the two functions ---------------------------------

def _display_names_standin(db, ids):
    from ...accounts.storage import accounts

    wanted = []
    for pid in ids:
        try:
            wanted.append(uuid.UUID(str(pid)))
        except ValueError:
            continue
    if not wanted:
        return {}
    with db as uow:
        rows = uow.execute(sa.select(accounts.c.id, accounts.c.display_name).where(
            accounts.c.id.in_(wanted), accounts.c.erased_at.is_(None))).all()
    return {str(r.id): r.display_name for r in rows}


def _account_id_by_email_standin(db, email):
    from ...accounts.storage import accounts, live_account_by_email

    with db as uow:
        found = uow.execute(live_account_by_email(email, accounts.c.id)).first()
    return str(found.id) if found else None
