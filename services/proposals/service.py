"""The proposals service's nameko entrypoints: translate RPC to the domain and back.

Minimal for the event backbone: submit, read and list.  Every change and the
events it causes commit in one transaction (``with self.db``).
"""
import datetime as dt
import uuid

import sqlalchemy as sa
from nameko.rpc import rpc
from pydantic import ValidationError

from samskab.contracts.proposals import NewProposal, ProposalSubmitted
from samskab.db import Database
from samskab.errors import Invalid, NotFound
from samskab.health import Health
from samskab.service import ServiceBase

from .storage import proposals


def _validation_errors(exc):
    return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]


def _row_dict(row):
    d = dict(row._mapping)
    d["id"] = str(d["id"])
    d["initiator_id"] = str(d["initiator_id"])
    d["created_at"] = d["created_at"].isoformat()
    d["updated_at"] = d["updated_at"].isoformat()
    return d


class Service(ServiceBase):
    name = "proposals"

    db = Database()
    health = Health()

    @rpc
    def submit(self, municipality, actor, payload):
        try:
            new = NewProposal.model_validate(payload)
        except ValidationError as exc:
            raise Invalid("the proposal is not valid", _validation_errors(exc))
        now = dt.datetime.now(dt.timezone.utc)
        record = {
            "id": uuid.uuid4(),
            "municipality": municipality,
            **new.model_dump(exclude={"submit"}),
            "status": "submitted" if new.submit else "draft",
            "initiator_id": uuid.UUID(actor["id"]),
            "initiator_role": actor["role"],
            "created_at": now,
            "updated_at": now,
        }
        with self.db as uow:
            uow.execute(proposals.insert().values(**record))
            if new.submit:
                uow.emit(
                    ProposalSubmitted.event_type,
                    municipality=municipality,
                    subject=f"proposals/{record['id']}",
                    data=ProposalSubmitted(**{k: v for k, v in record.items() if k != "updated_at"}),
                )
        return self.get(municipality, str(record["id"]), actor)

    @rpc
    def get(self, municipality, proposal_id, actor=None):
        try:
            pid = uuid.UUID(str(proposal_id))
        except ValueError:
            raise NotFound("no such proposal")
        with self.db as uow:
            row = uow.execute(
                sa.select(proposals).where(proposals.c.id == pid, proposals.c.municipality == municipality)
            ).first()
        if row is None or (row.status == "draft" and (actor or {}).get("id") != str(row.initiator_id)):
            raise NotFound("no such proposal")
        return _row_dict(row)

    @rpc
    def list(self, municipality, actor=None, limit=20):
        with self.db as uow:
            rows = uow.execute(
                sa.select(proposals)
                .where(proposals.c.municipality == municipality, proposals.c.status != "draft")
                .order_by(proposals.c.created_at.desc(), proposals.c.id.desc())
                .limit(limit)
            ).all()
        return [_row_dict(r) for r in rows]
