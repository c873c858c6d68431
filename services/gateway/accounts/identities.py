"""The identities linked to an account (``verification.sign_in_or_link`` links them), and
unlinking one.

Unlinking removes the stored issuer and subject hash, so the same identity can be linked
again later, to this account or another.  The account is no longer verified once no
identity is left, and it loses its municipality of residence at once: that is the word of
the last provider it signed in with, which may be the one unlinked (a remaining provider
tells it again at the next sign-in).

An account made by signing in with a provider has no password (``password_hash`` ``"!"``):
its identities are its only way in.  Unlinking the last one it can sign in with is refused
(409) until a password is set: the account keeps its e-mail address, so the reset link
(``POST /auth/password-reset``, the page ``/account/forgot``) sets one.  Refusing is safer
than the alternatives: unlinking anyway would lock the person out of their own account
(its proposals, registrations, data export and erasure), and ending the account with it
is what erasure (``DELETE /me``) is for, said in so many words.
"""
import sqlalchemy as sa

from samskab import secrets
from samskab.errors import Conflict, NotFound

from . import oidc
from .storage import accounts, identities

NO_PASSWORD = "!"  # the password hash of an account that signs in only with a provider


class OnlyWayToSignIn(Conflict):
    """The identity is the account's only way to sign in: set a password first."""

    def __init__(self, label):
        super().__init__(f"{label} is this account's only way to sign in: set a password first (POST "
                         f"/api/v1/auth/password-reset e-mails a link to choose one; in a browser: /account/forgot), "
                         f"then unlink it")
        self.label = label


def _providers_by_issuer(config):
    try:
        return {p.issuer: p for p in oidc.providers(config).values()}
    except secrets.SecretError:  # a provider's settings are incomplete: none of them can sign anyone in
        return {}


def _rows(uow, account_id):
    return uow.execute(sa.select(identities.c.issuer, sa.func.min(identities.c.linked_at).label("linked_at"))
                       .where(identities.c.account_id == account_id)
                       .group_by(identities.c.issuer).order_by(sa.text("linked_at"))).all()


def _sign_in_elsewhere(by_issuer, issuers, issuer):
    """Whether a configured provider other than ``issuer`` can still sign the account in."""
    return any(other != issuer and other in by_issuer for other in issuers)


def linked(ctx, account):
    """The account's identities, one per provider: its name and label (``None`` and the issuer
    where the provider is no longer configured), when it was linked, and whether it may be
    unlinked now."""
    by_issuer = _providers_by_issuer(ctx.config)
    with ctx.db as uow:
        rows = _rows(uow, account.id)
        password_hash = uow.execute(sa.select(accounts.c.password_hash).where(accounts.c.id == account.id)).scalar()
    issuers = [row.issuer for row in rows]
    has_password = password_hash not in (None, NO_PASSWORD)
    found = []
    for row in rows:
        p = by_issuer.get(row.issuer)
        found.append({
            "provider": p.name if p else None, "label": p.label if p else row.issuer, "issuer": row.issuer,
            "linked_at": row.linked_at,
            "can_unlink": p is not None and (has_password or _sign_in_elsewhere(by_issuer, issuers, row.issuer)),
        })
    return {"identities": found, "has_password": has_password}


def unlink(ctx, account, name):
    """Remove the link to the identity of provider ``name``; the account row as it is now.
    404 if none is linked; :class:`OnlyWayToSignIn` (409) if it is the account's only way in."""
    by_issuer = _providers_by_issuer(ctx.config)
    p = next((p for p in by_issuer.values() if p.name == name), None)
    missing = NotFound(f"no identity of the provider '{name}' is linked to this account")
    if p is None:
        raise missing
    with ctx.db as uow:
        # The account's row is locked: two unlinks at once cannot both count on the other link.
        password_hash = uow.execute(sa.select(accounts.c.password_hash).where(accounts.c.id == account.id)
                                    .with_for_update()).scalar()
        issuers = [row.issuer for row in _rows(uow, account.id)]
        if p.issuer not in issuers:
            raise missing
        if password_hash in (None, NO_PASSWORD) and not _sign_in_elsewhere(by_issuer, issuers, p.issuer):
            raise OnlyWayToSignIn(p.label)
        uow.execute(identities.delete().where(identities.c.account_id == account.id,
                                              identities.c.issuer == p.issuer))
        still_linked = any(issuer != p.issuer for issuer in issuers)
        values = {"residence_municipality": None} if still_linked else \
            {"residence_municipality": None, "verified_at": None}
        return uow.execute(accounts.update().where(accounts.c.id == account.id).values(**values)
                           .returning(accounts)).first()
