"""Verified accounts: an account linked to an identity an OpenID provider vouched for
(``oidc.py`` checks the provider's answer), and the rules by which a municipality asks
for one before a support or a panel volunteering.

Only the issuer and a salted hash of the subject are kept; the municipality of residence
is kept when the provider names one this deployment serves (by id or official code).
"""
import time
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.errors import Conflict, Forbidden

from . import events, oidc
from .storage import accounts, identities, live_account_by_email, verification_rules

ACTIONS = ("supports", "panels")


class VerificationRequired(Forbidden):
    """The municipality asks for a verified account for this; the pages offer the sign-in."""

    def __init__(self, municipality_id, action):
        what = "support a proposal" if action == "supports" else "volunteer for a citizen panel"
        super().__init__(f"this municipality asks for a verified identity to {what}: sign in with one of its "
                         f"identity providers (GET /api/v1/municipalities/{municipality_id}/verification)")
        self.municipality_id, self.action = municipality_id, action


def residence_of(gateway_municipalities, p, claims):
    """The served municipality the provider names as the residence, or ``None``."""
    if not p.residence_claim:
        return None
    value = claims.get(p.residence_claim)
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    for m in gateway_municipalities.values():
        if value in (m.id, m.official_code.lower()):
            return m.id
    return None


def _mark_verified(uow, account_id, residence):
    return uow.execute(accounts.update().where(accounts.c.id == account_id)
                       .values(verified_at=sa.func.now(), residence_municipality=residence)
                       .returning(accounts)).first()


def sign_in_or_link(ctx, signed_in, p, claims, municipality_id):
    """The account the identity belongs to, now verified: ``(row, how)`` with ``how`` one of
    ``linked`` (to the signed-in account), ``signed_in`` (a known identity) or ``created``
    (a new account from the provider's e-mail address and name)."""
    digest = oidc.subject_hash(ctx.config, p.issuer, claims["sub"])
    residence = residence_of(ctx.gateway.municipalities, p, claims)
    with ctx.db as uow:
        owner = uow.execute(sa.select(identities.c.account_id).where(
            identities.c.issuer == p.issuer, identities.c.subject_hash == digest)).scalar()
        if owner is not None:
            live = uow.execute(sa.select(accounts.c.id).where(accounts.c.id == owner,
                                                              accounts.c.erased_at.is_(None))).scalar()
            if live is None:  # the account was erased since: the identity is free again
                uow.execute(identities.delete().where(identities.c.account_id == owner))
                owner = None
        if signed_in is not None:
            if owner is not None and owner != signed_in.id:
                raise Conflict("this identity is already linked to another account")
            if owner is None:
                uow.execute(pg.insert(identities).values(issuer=p.issuer, subject_hash=digest,
                                                         account_id=signed_in.id))
            return _mark_verified(uow, signed_in.id, residence), "linked"
        if owner is not None:
            return _mark_verified(uow, owner, residence), "signed_in"
        email = claims.get("email") if claims.get("email_verified") else None
        if not isinstance(email, str) or "@" not in email or len(email) > 320:
            raise Conflict("the provider did not give a confirmed e-mail address: register, then sign in with it")
        if uow.execute(live_account_by_email(email, accounts.c.id)).first() is not None:
            raise Conflict("an account with this e-mail address exists: sign in with its password, then link")
        municipality = ctx.municipality(residence or municipality_id)
        row = {
            "id": uuid.uuid4(), "email": email.lower(), "password_hash": "!",  # no password: signs in by provider
            "display_name": (claims.get("name") or email.split("@")[0])[:100],
            "municipality": municipality.id, "role": "resident", "language": municipality.language,
        }
        uow.execute(accounts.insert().values(**row, email_confirmed_at=sa.func.now()))
        uow.execute(pg.insert(identities).values(issuer=p.issuer, subject_hash=digest, account_id=row["id"]))
        events.participant_registered(uow, row)
        return _mark_verified(uow, row["id"], residence), "created"


def forget_identities(uow, account_id):
    """Erasure: the links go with the account."""
    uow.execute(identities.delete().where(identities.c.account_id == account_id))


# -- the municipality's rules --------------------------------------------------------------------

# A municipality's rules, read once per this many seconds per gateway instance: every support
# and meeting registration asks for them (a transaction each made registrations through the
# gateway 0.7 x as fast), and staff change them rarely. The instance that sets them forgets
# its copy at once; another gateway instance follows within this time.
RULES_SECONDS = 5.0
_known = {}  # (database, municipality) -> (read at, rules)


def rules(db, municipality_id):
    key = (str(db.engine.url), municipality_id)  # one process may serve several databases (the tests)
    kept = _known.get(key)
    if kept is not None and time.monotonic() - kept[0] < RULES_SECONDS:
        return dict(kept[1])
    with db as uow:
        row = uow.execute(sa.select(verification_rules).where(
            verification_rules.c.municipality == municipality_id)).first()
    found = {"supports": bool(row and row.supports), "panels": bool(row and row.panels)}
    _known[key] = (time.monotonic(), found)
    return dict(found)


def set_rules(db, municipality_id, supports, panels):
    with db as uow:
        uow.execute(pg.insert(verification_rules)
                    .values(municipality=municipality_id, supports=supports, panels=panels)
                    .on_conflict_do_update(index_elements=["municipality"],
                                           set_={"supports": supports, "panels": panels,
                                                 "updated_at": sa.func.now()}))
    _known.pop((str(db.engine.url), municipality_id), None)
    return rules(db, municipality_id)


def require(ctx, municipality_id, action):
    """Refuse (403) an unverified account where the municipality asks for a verified one."""
    account = ctx.require_account()
    if account.verified_at is None and rules(ctx.db, municipality_id)[action]:
        raise VerificationRequired(municipality_id, action)


PANEL_FORMAT = "citizen_panel"


def require_for_meeting(ctx, municipality_id, meeting_format):
    """Registering for a citizen panel's meeting is volunteering for the panel: refused (403)
    for an unverified account where the municipality asks for verified panel volunteers.
    ``meeting_format()`` is called only when it matters (an RPC for the meeting)."""
    account = ctx.require_account()
    if account.verified_at is None and rules(ctx.db, municipality_id)["panels"] and \
            meeting_format() == PANEL_FORMAT:
        raise VerificationRequired(municipality_id, "panels")
