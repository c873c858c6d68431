"""The meetings service's nameko entrypoints: each translates one RPC or event into one
use case (``usecases``) and returns its answer.

The rules are in domain.py and registration.py, the SQL in storage.py, the answers'
shapes in views.py, the events in events.py; registrations for one meeting are
grouped into one transaction by the registration desk (desk.py).
"""
import logging
import os
import uuid

from nameko.dependency_providers import Config
from nameko.timer import timer

from samskab import municipalities, objectstore
from samskab.consumer import consume
from samskab.db import Database
from samskab.errors import Forbidden
from samskab.health import Health
from samskab.service import ServiceBase, rpc
from samskab.subject_rpc import AttachmentRpc, CommentThreadRpc, ReportsRpc
from samskab.values import parse_id

from . import usecases
from .desk import RegistrationDesk
from .usecases.common import require_actor

log = logging.getLogger("meetings")

# nameko fixes a timer's interval when the class is defined.
REMINDER_POLL_SECONDS = float(os.environ.get("MEETINGS_REMINDER_POLL_SECONDS", "60"))


class Service(CommentThreadRpc, AttachmentRpc, ReportsRpc, ServiceBase):
    """Every RPC takes municipality, actor, ids, payload, in that order (those it needs)."""

    name = "meetings"
    subject_cases = usecases  # comment threads, pictures and files and their reports (issue 21): samskab.subject_rpc
    environment = {"MEETINGS_REMINDER_HOURS": "24", "MEETINGS_REMINDER_POLL_SECONDS": "60"}
    environment = {**environment, **objectstore.SETTINGS}  # where attachments' files are (an erasure deletes them)

    db = Database()
    health = Health()
    config = Config()
    desk = RegistrationDesk()

    @property
    def catalogue(self):
        return municipalities.catalogue(self.config.get("MUNICIPALITY_CATALOG", ""))

    # -- places and formats --

    @rpc
    def create_place(self, municipality, actor, payload):
        return usecases.create_place(self.db, self.catalogue, municipality, actor, payload)

    @rpc
    def list_places(self, municipality):
        return usecases.list_places(self.db, municipality)

    @rpc
    def formats(self):
        return usecases.formats()

    @rpc
    def suggest_formats(self, level=None, expected=None, kind=None, limit=None):
        return usecases.suggest_formats(level, expected, kind, limit)

    # -- meetings --

    @rpc
    def schedule(self, municipality, actor, payload):
        return usecases.schedule(self.db, self.catalogue, municipality, actor, payload)

    @rpc
    def get(self, municipality, actor, meeting_id):
        return usecases.get(self.db, municipality, actor, meeting_id)

    @rpc
    def list(self, municipality, actor=None, proposal_id=None, upcoming=True, limit=50, starts_from=None,
             starts_before=None):
        return usecases.listing(self.db, municipality, actor, proposal_id, upcoming, limit, starts_from,
                                starts_before)

    @rpc
    def update(self, municipality, actor, meeting_id, payload):
        return usecases.update(self.db, municipality, actor, meeting_id, payload)

    @rpc
    def cancel(self, municipality, actor, meeting_id, payload=None):
        return usecases.cancel(self.db, municipality, actor, meeting_id, payload)

    @rpc
    def conclude(self, municipality, actor, meeting_id):
        return usecases.conclude(self.db, municipality, actor, meeting_id)

    # -- registration --

    @rpc
    def register(self, municipality, actor, meeting_id):
        """Register the caller: a seat if one is free for their group, else the waitlist.

        Idempotent per person and meeting: someone who already holds a live
        registration (a retry after a timeout, a double click, two tabs) gets
        that registration back, with ``"replayed": true``, and nothing changes.
        After a cancellation a new registration is a new arrival (the back of
        the waitlist if the seats are gone).  Registrations arriving together
        for one meeting are decided in one transaction (the desk's batches)."""
        participant_id = require_actor(actor)
        if actor.get("role") not in usecases.GROUPS:
            raise Forbidden("an operator account cannot register for meetings")
        key = (municipality, parse_id(meeting_id, "meeting"))
        result = self.desk.submit(key, (participant_id, actor["role"]),
                                  lambda key, batch: usecases.register_batch(self.db, key, batch))
        log.info("registration %s meeting=%s status=%s replayed=%s", result["id"], result["meeting_id"],
                 result["status"], result["replayed"])
        return result

    @rpc
    def cancel_registration(self, municipality, actor, meeting_id):
        return usecases.cancel_registration(self.db, municipality, actor, meeting_id)

    @rpc
    def registrations(self, municipality, actor, meeting_id):
        return usecases.registrations(self.db, municipality, actor, meeting_id)

    # -- agenda, minutes, outcomes --

    @rpc
    def add_agenda_question(self, municipality, actor, meeting_id, payload):
        return usecases.add_agenda_question(self.db, municipality, actor, meeting_id, payload)

    @rpc
    def set_minutes(self, municipality, actor, meeting_id, payload):
        return usecases.set_minutes(self.db, municipality, actor, meeting_id, payload)

    @rpc
    def record_outcome(self, municipality, actor, meeting_id, payload):
        return usecases.record_outcome(self.db, municipality, actor, meeting_id, payload)

    # -- calendars --

    @rpc
    def meeting_ics(self, municipality, meeting_id):
        return usecases.meeting_ics(self.db, municipality, meeting_id)

    @rpc
    def municipality_calendar(self, municipality, past_days=90):
        return usecases.municipality_calendar(self.db, self.catalogue, municipality, past_days)

    @rpc
    def new_calendar_token(self, municipality, actor):
        return usecases.new_calendar_token(self.db, municipality, actor)

    @rpc
    def participant_calendar(self, token):
        return usecases.participant_calendar(self.db, self.catalogue, token)

    # -- people: invitations, data rights --

    @consume("samskab.proposal.matches_suggested")
    def on_matches_suggested(self, event):
        data = event["data"]
        people = [uuid.UUID(str(p["participant_id"])) for p in data.get("participants", [])]
        usecases.matches_suggested(self.db, event["municipality"], uuid.UUID(str(data["proposal_id"])), people)

    @consume("samskab.participant.erased", every_municipality=True)
    def on_participant_erased(self, event):
        usecases.erase(self.db, uuid.UUID(str(event["data"]["id"])))
        usecases.erase_comment_author(self.db, uuid.UUID(str(event["data"]["id"])))
        usecases.erase_uploader(self.db, objectstore.from_environment(self.config), event["data"]["id"])

    @rpc
    def export_participant(self, participant_id):
        return usecases.export(self.db, participant_id)

    # -- reminders --

    @timer(interval=REMINDER_POLL_SECONDS)
    def remind(self):
        self.send_due_reminders()

    def send_due_reminders(self, now=None, batch=500):
        hours = float(self.config.get("MEETINGS_REMINDER_HOURS", 24))
        return usecases.send_due_reminders(self.db, hours, now, batch)
