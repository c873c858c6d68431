"""Being forgotten: the account is blanked here and every service is told to remove
what it holds."""
import sqlalchemy as sa

from samskab.contracts.participants import ParticipantErased
from samskab.db import outbox

from .storage import accounts, identities


def erase(ctx, account):
    with ctx.db as uow:
        # The participant events (published or not) carried the e-mail and name:
        # they leave the outbox; the erased event below carries only the id.
        uow.execute(outbox.delete().where(outbox.c.subject == f"participants/{account.id}"))
        uow.execute(accounts.update().where(accounts.c.id == account.id).values(
            email=f"erased-{account.id}@invalid", display_name="", password_hash="!",
            erased_at=sa.func.now(), token_version=account.token_version + 1,
            verified_at=None, residence_municipality=None,
        ))
        uow.execute(identities.delete().where(identities.c.account_id == account.id))
        uow.emit(ParticipantErased.event_type, municipality=account.municipality,
                 subject=f"participants/{account.id}", data={"id": account.id, "municipality": account.municipality})
