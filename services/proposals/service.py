"""The proposals service's nameko entrypoints: each hands its arguments to one use
case (``usecases``) with the worker's unit of work, and returns its answer.

RPC arguments, in one order everywhere: ``municipality`` (slug), ``actor`` (dict
or ``None``), ids, payload.  The gateway calls these through
``samskab.contracts.proposals.ProposalsRpc``.
"""
from nameko.dependency_providers import Config

from samskab.consumer import consume
from samskab.contracts.participants import ParticipantErased
from samskab.contracts.proposals import BATCHED_READS, SupportThresholdReached
from samskab.db import Database
from samskab.health import Health
from samskab import objectstore
from samskab.service import ServiceBase, answer_each, rpc
from samskab.subject_rpc import AttachmentRpc, CommentThreadRpc, ReportsRpc

from . import domain, usecases
from .usecases.missions import erase_participant as council_erasure
from .usecases.comments import erase_author as comment_erasure


class Service(CommentThreadRpc, AttachmentRpc, ReportsRpc, ServiceBase):
    name = "proposals"
    subject_cases = usecases  # comment threads, pictures and files and their reports (issue 21): samskab.subject_rpc
    environment = {
        "PROPOSALS_SUPPORT_THRESHOLD": "25",
        "PROPOSALS_SUPPORT_THRESHOLDS": "",  # e.g. "aalborg=50,hamar=30"
        **objectstore.SETTINGS,  # where attachments' files are (an erasure deletes them)
    }

    db = Database()
    health = Health()
    config = Config()

    def _threshold(self, municipality):
        of = domain.parse_thresholds(self.config.get("PROPOSALS_SUPPORT_THRESHOLD", "25"),
                                     self.config.get("PROPOSALS_SUPPORT_THRESHOLDS", ""))
        return of(municipality)

    # -- proposals and their status ---------------------------------------------------

    @rpc
    def submit(self, municipality, actor, payload, idempotency_key=None):
        return usecases.submit(self.db, municipality, actor, payload, idempotency_key)

    @rpc
    def get(self, municipality, actor, proposal_id):
        return usecases.get(self.db, municipality, actor, proposal_id)

    @rpc
    def reads(self, municipality, actor, calls):
        """Several public reads in one call (``BATCHED_READS``; the gateway's read model asks it
        when a proposal's page misses them), each answered as its own entrypoint answers."""
        return answer_each(self, municipality, actor, calls, BATCHED_READS)

    @rpc
    def mine(self, municipality, actor):
        return usecases.mine(self.db, municipality, actor)

    @rpc
    def list(self, municipality, actor=None, limit=20):
        """The newest public proposals (kept for callers of the first version)."""
        return usecases.list_page(self.db, municipality, actor, {"limit": limit})["items"]

    @rpc
    def list_page(self, municipality, actor=None, query=None):
        return usecases.list_page(self.db, municipality, actor, query)

    @rpc
    def update(self, municipality, actor, proposal_id, payload):
        return usecases.update(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def transition(self, municipality, actor, proposal_id, payload):
        return usecases.transition(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def history(self, municipality, actor, proposal_id):
        return usecases.history(self.db, municipality, actor, proposal_id)

    # -- supports, follows, questions ------------------------------------------------------

    @rpc
    def support(self, municipality, actor, proposal_id):
        return usecases.support(self.db, municipality, actor, proposal_id, self._threshold(municipality))

    @rpc
    def unsupport(self, municipality, actor, proposal_id):
        return usecases.unsupport(self.db, municipality, actor, proposal_id)

    @rpc
    def follow(self, municipality, actor, proposal_id, following=True):
        return usecases.follow(self.db, municipality, actor, proposal_id, following)

    @rpc
    def ask(self, municipality, actor, proposal_id, payload):
        return usecases.ask(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def answer(self, municipality, actor, proposal_id, question_id, payload):
        return usecases.answer(self.db, municipality, actor, proposal_id, question_id, payload)

    @rpc
    def questions(self, municipality, actor, proposal_id, unanswered=False):
        return usecases.questions(self.db, municipality, actor, proposal_id, unanswered)

    # -- the agreement, experiments, updates ----------------------------------------------------

    @rpc
    def agreement(self, municipality, actor, proposal_id):
        return usecases.agreement(self.db, municipality, actor, proposal_id)

    @rpc
    def draft_agreement(self, municipality, actor, proposal_id, payload):
        return usecases.draft_agreement(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def accept_agreement(self, municipality, actor, proposal_id, payload):
        return usecases.accept_agreement(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def record_experiment(self, municipality, actor, proposal_id, payload):
        return usecases.record_experiment(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def update_experiment(self, municipality, actor, proposal_id, experiment_id, payload):
        return usecases.update_experiment(self.db, municipality, actor, proposal_id, experiment_id, payload)

    @rpc
    def experiments(self, municipality, actor, proposal_id):
        return usecases.experiments(self.db, municipality, actor, proposal_id)

    @rpc
    def post_update(self, municipality, actor, proposal_id, payload):
        return usecases.post_update(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def updates(self, municipality, actor, proposal_id):
        return usecases.updates(self.db, municipality, actor, proposal_id)

    # -- moderation ------------------------------------------------------------------------------

    @rpc
    def report(self, municipality, actor, proposal_id, payload):
        return usecases.report(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def reports(self, municipality, actor):
        return usecases.open_reports(self.db, municipality, actor)

    @rpc
    def hide(self, municipality, actor, proposal_id, payload):
        return usecases.hide(self.db, municipality, actor, proposal_id, payload)

    @rpc
    def decide_report(self, municipality, actor, report_id, payload):
        return usecases.decide_report(self.db, municipality, actor, report_id, payload)

    # -- a person's rights over their data ---------------------------------------------------------

    @consume(ParticipantErased.event_type, every_municipality=True)
    def on_participant_erased(self, event):
        # files first: a draft discarded below must have none left (issue 21)
        usecases.erase_uploader(self.db, objectstore.from_environment(self.config), event["data"]["id"])
        usecases.erase_participant(self.db, event["data"]["id"])
        council_erasure(self.db, event["data"]["id"])  # missions, committees, offices (issue 22)
        comment_erasure(self.db, event["data"]["id"])  # comment threads (issue 21)

    @rpc
    def export_participant(self, participant_id):
        return {**usecases.export_participant(self.db, participant_id),
                "attachments": usecases.export_uploads(self.db, participant_id)}

    # -- political leadership (issue 22): missions, task committees, the council's answer ----------

    @rpc
    def publish_mission(self, municipality, actor, payload):
        return usecases.publish_mission(self.db, municipality, actor, payload)

    @rpc
    def missions(self, municipality, actor=None):
        return usecases.missions(self.db, municipality, actor)

    @rpc
    def get_mission(self, municipality, actor, mission_id):
        return usecases.get_mission(self.db, municipality, actor, mission_id)

    @rpc
    def missions_of_proposal(self, municipality, actor, proposal_id):
        return usecases.missions_of_proposal(self.db, municipality, actor, proposal_id)

    @rpc
    def case_of_proposal(self, municipality, actor, proposal_id):
        return usecases.case_of_proposal(self.db, municipality, actor, proposal_id)

    @rpc
    def update_mission(self, municipality, actor, mission_id, payload):
        return usecases.update_mission(self.db, municipality, actor, mission_id, payload)

    @rpc
    def close_mission(self, municipality, actor, mission_id, payload):
        return usecases.close_mission(self.db, municipality, actor, mission_id, payload)

    @rpc
    def update_committee(self, municipality, actor, committee_id, payload):
        return usecases.update_committee(self.db, municipality, actor, committee_id, payload)

    @rpc
    def close_committee(self, municipality, actor, committee_id, payload):
        return usecases.close_committee(self.db, municipality, actor, committee_id, payload)

    @rpc
    def attach_to_mission(self, municipality, actor, mission_id, payload):
        return usecases.attach_to_mission(self.db, municipality, actor, mission_id, payload)

    @rpc
    def follow_mission(self, municipality, actor, mission_id, following=True):
        return usecases.follow_mission(self.db, municipality, actor, mission_id, following)

    @rpc
    def form_committee(self, municipality, actor, payload):
        return usecases.form_committee(self.db, municipality, actor, payload)

    @rpc
    def committees(self, municipality, actor=None):
        return usecases.committees(self.db, municipality, actor)

    @rpc
    def get_committee(self, municipality, actor, committee_id):
        return usecases.get_committee(self.db, municipality, actor, committee_id)

    @rpc
    def apply_to_committee(self, municipality, actor, committee_id, payload):
        return usecases.apply_to_committee(self.db, municipality, actor, committee_id, payload)

    @rpc
    def seat_members(self, municipality, actor, committee_id, payload):
        return usecases.seat_members(self.db, municipality, actor, committee_id, payload)

    @rpc
    def add_committee_meeting(self, municipality, actor, committee_id, payload):
        return usecases.add_committee_meeting(self.db, municipality, actor, committee_id, payload)

    @rpc
    def add_document(self, municipality, actor, committee_id, payload):
        return usecases.add_document(self.db, municipality, actor, committee_id, payload)

    @rpc
    def deliver_recommendation(self, municipality, actor, committee_id, payload):
        return usecases.deliver_recommendation(self.db, municipality, actor, committee_id, payload)

    @rpc
    def agenda(self, municipality, actor=None):
        return usecases.agenda(self.db, municipality, actor)

    @rpc
    def get_case(self, municipality, actor, case_id):
        return usecases.get_case(self.db, municipality, actor, case_id)

    @rpc
    def place_case(self, municipality, actor, case_id, payload):
        return usecases.place_case(self.db, municipality, actor, case_id, payload)

    @rpc
    def decide(self, municipality, actor, case_id, payload):
        return usecases.decide(self.db, municipality, actor, case_id, payload)

    @rpc
    def council_figures(self, municipality, actor=None):
        return usecases.council_figures(self.db, municipality, actor)

    @rpc
    def register_office(self, municipality, actor, payload):
        return usecases.register_office(self.db, municipality, actor, payload)

    @rpc
    def politician(self, municipality, actor, participant_id):
        return usecases.politician(self.db, municipality, actor, participant_id)

    @consume(SupportThresholdReached.event_type)
    def on_support_threshold_reached(self, event):
        """A proposal over its threshold is a case for the council's answer."""
        usecases.on_threshold_reached(self.db, event)
