"""The matching service's nameko entrypoints: each translates an event or an
RPC into one use case (``usecases/``).  Every change and the events it causes
commit in one transaction.

Proposal events are heard from every municipality: those this instance group
serves are kept whole, the others only as their public projection, for the
"tried elsewhere" list (similar proposals across municipalities).
"""
import logging

from nameko.dependency_providers import Config

from samskab.consumer import consume
from samskab.db import Database
from samskab.health import Health
from samskab.municipalities import catalogue
from samskab.service import ServiceBase, rpc
from samskab.values import now

from .usecases import panels, profiles, proposals, similar_lists

log = logging.getLogger(__name__)

PROPOSAL_CHANGES = ("samskab.proposal.published", "samskab.proposal.updated", "samskab.proposal.status_changed")


class Service(ServiceBase):
    name = "matching"
    environment = {"MATCHING_TOP_N": "10", "MATCHING_SIMILAR_TOP_N": "5", "MATCHING_PANEL_SECONDS": "6"}

    db = Database()
    health = Health()
    config = Config()

    @property
    def top_n(self):
        return int(self.config.get("MATCHING_TOP_N", 10))

    @property
    def similar_top_n(self):
        return int(self.config.get("MATCHING_SIMILAR_TOP_N", 5))

    def served(self, municipality):
        served = self.config.get("MUNICIPALITIES", "*")
        return served == "*" or municipality in served

    # -- participants -------------------------------------------------------------
    # Every matching consumer takes one event per transaction (batch=1): a profile write
    # locks its posting lists in term order within its statement (the term_postings
    # trigger), and several writes in one transaction would take those locks out of order;
    # a ranking takes tens of milliseconds, so the others have nothing to share anyway.

    @consume("samskab.participant.registered", "samskab.participant.updated", batch=1)
    def on_participant(self, event):
        profiles.account_changed(self.db, event["data"], self.top_n)

    @consume("samskab.participant.erased", every_municipality=True, batch=1)
    def on_erased(self, event):
        profiles.erase(self.db, event["data"]["id"])

    @rpc
    def export_participant(self, participant_id):
        with self.db as uow:
            return profiles.export(uow, participant_id)

    @rpc
    def get_profile(self, actor):
        with self.db as uow:
            return profiles.get(uow, actor)

    @rpc
    def put_profile(self, actor, payload):
        with self.db as uow:
            return profiles.put(uow, actor, payload, catalogue(self.config.get("MUNICIPALITY_CATALOG", "")),
                                self.top_n)

    @rpc
    def recommendations(self, actor, limit=10):
        with self.db as uow:
            return profiles.recommendations(uow, actor, limit)

    # -- proposals ----------------------------------------------------------------------

    @consume("samskab.proposal.submitted", every_municipality=True, batch=1)
    def on_submitted(self, event):
        proposals.submitted(self.db, event, self.served, self.similar_top_n)

    @consume(*PROPOSAL_CHANGES, every_municipality=True, batch=1)
    def on_proposal_changed(self, event):
        proposals.changed(self.db, event, self.served, self.similar_top_n, self.top_n)

    @consume("samskab.proposal.hidden", every_municipality=True, batch=1)
    def on_hidden(self, event):
        proposals.hidden(self.db, event["data"])

    @rpc
    def matches(self, municipality, actor, proposal_id):
        with self.db as uow:
            return proposals.stored_matches(uow, municipality, proposal_id)

    @rpc
    def stakeholders(self, municipality, actor, proposal_id):
        with self.db as uow:
            return proposals.stakeholder_map(uow, municipality, proposal_id)

    # -- similar proposals ----------------------------------------------------------------

    @rpc
    def similar(self, municipality, actor, proposal_id, across=False):
        with self.db as uow:
            return similar_lists.similar_list(uow, municipality, proposal_id, self.similar_top_n, across)

    @rpc
    def similar_to_draft(self, municipality, draft, k=5, across=False):
        """Existing proposals like a draft not yet submitted (the new-proposal flow
        shows them before anyone submits the same idea twice)."""
        with self.db as uow:
            return similar_lists.similar_to_draft(uow, municipality, draft, k, across)

    @rpc
    def mark_duplicate(self, municipality, actor, proposal_id, payload):
        with self.db as uow:
            return similar_lists.mark(uow, municipality, actor, proposal_id, (payload or {}).get("of"),
                                      self.similar_top_n, now())

    # -- citizen panels -------------------------------------------------------------------

    @rpc
    def select_panel(self, municipality, actor, payload):
        return panels.select_panel(self.db, municipality, actor, payload,
                                   float(self.config.get("MATCHING_PANEL_SECONDS", 6)))

    @rpc
    def panels_of(self, municipality, actor, proposal_id):
        return panels.panels_of(self.db, municipality, actor, proposal_id)
