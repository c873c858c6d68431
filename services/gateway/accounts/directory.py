"""Looking accounts up for the pages: names for ids, an id for an address.  Only live
(not erased) accounts; nothing else about them."""
import uuid

import sqlalchemy as sa

from .storage import accounts, live_account_by_email


def display_names(db, ids):
    """``{id: display_name}`` of the live accounts among ``ids`` (strings; malformed ones ignored)."""
    wanted = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    if not wanted:
        return {}
    with db as uow:
        rows = uow.execute(sa.select(accounts.c.id, accounts.c.display_name).where(
            accounts.c.id.in_(wanted), accounts.c.erased_at.is_(None))).all()
    return {str(r.id): r.display_name for r in rows}


def account_id_by_email(db, email):
    """The id (a string) of the live account with this address, or ``None``."""
    with db as uow:
        found = uow.execute(live_account_by_email(email.strip(), accounts.c.id)).first()
    return str(found.id) if found else None


def accounts_named(db, municipality, name, limit=8):
    """``[(id, display_name)]`` of live accounts of ``municipality`` whose name contains
    ``name`` (any case), the exact names first: for adding a partner by name on the
    agreement page, which only the initiator and staff open.  No address is given out."""
    text = " ".join((name or "").split())
    if len(text) < 2:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    exact = sa.func.lower(accounts.c.display_name) == text.lower()
    with db as uow:
        rows = uow.execute(sa.select(accounts.c.id, accounts.c.display_name).where(
            accounts.c.municipality == municipality, accounts.c.erased_at.is_(None),
            accounts.c.display_name.ilike(pattern, escape="\\"),
        ).order_by(exact.desc(), accounts.c.display_name).limit(limit)).all()
    return [(str(r.id), r.display_name) for r in rows]
