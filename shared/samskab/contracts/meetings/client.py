"""The typed client of the meetings service: ``ctx.meetings.get(m, actor, meeting_id)``.

Every method takes municipality, actor, ids, payload in that order (those it needs, as
the service's entrypoints do); payloads may be the input models or plain dicts of them;
answers are the output models, and the calendars iCalendar text.
"""
from __future__ import annotations  # a method is named ``list``: annotations stay text

from ..moderation import DismissedOut, ReportedItem, ReportsDismissal
from ..threads import ThreadsClient
from .comments import MeetingCommentOut
from .inputs import Cancellation, MeetingChanges, Minutes, NewAgendaQuestion, NewMeeting, NewOutcome, NewPlace
from .outputs import (
    AgendaQuestionOut, CalendarTokenOut, FormatOut, FormatSuggestion, MeetingDetailOut, MeetingOut, MinutesOut,
    PlaceOut, RecordedOutcomeOut, RegistrationOut, RegistrationResult, StaffRegistrationOut,
)


def _all(model, items):
    return [model.model_validate(item) for item in items]


class MeetingsRpc(ThreadsClient):
    """The meetings service as the gateway calls it: (municipality, actor, ids, payload)
    in, in that order (the ones a method needs); output models out, and the calendars as
    iCalendar text."""

    service = "meetings"
    comment_out = MeetingCommentOut  # its comment threads (issue 21): the methods of ThreadsClient

    # -- places and formats --

    def list_places(self, municipality) -> list[PlaceOut]:
        return _all(PlaceOut, self._rpc("list_places", municipality))

    def create_place(self, municipality, actor, place: NewPlace) -> PlaceOut:
        return PlaceOut.model_validate(self._rpc("create_place", municipality, actor, self._dump(place)))

    def formats(self) -> list[FormatOut]:
        return _all(FormatOut, self._rpc("formats"))

    def suggest_formats(self, level=None, expected=None, kind=None, limit=None) -> list[FormatSuggestion]:
        return _all(FormatSuggestion, self._rpc("suggest_formats", level, expected, kind, limit))

    # -- meetings --

    def list(self, municipality, actor=None, *, proposal_id=None, upcoming=True, limit=50, starts_from=None,
             starts_before=None) -> list[MeetingOut]:
        """In order of their start; ``starts_from``/``starts_before`` are ISO 8601 instants."""
        return _all(MeetingOut, self._rpc("list", municipality, actor, proposal_id and str(proposal_id),
                                          upcoming, limit, starts_from, starts_before))

    def schedule(self, municipality, actor, meeting: NewMeeting) -> MeetingDetailOut:
        return MeetingDetailOut.model_validate(self._rpc("schedule", municipality, actor, self._dump(meeting)))

    def get(self, municipality, actor, meeting_id) -> MeetingDetailOut:
        return MeetingDetailOut.model_validate(self._rpc("get", municipality, actor, str(meeting_id)))

    def update(self, municipality, actor, meeting_id, changes: MeetingChanges) -> MeetingDetailOut:
        return MeetingDetailOut.model_validate(
            self._rpc("update", municipality, actor, str(meeting_id), self._dump(changes)))

    def cancel(self, municipality, actor, meeting_id, cancellation: Cancellation = None) -> MeetingDetailOut:
        return MeetingDetailOut.model_validate(
            self._rpc("cancel", municipality, actor, str(meeting_id), self._dump(cancellation)))

    def conclude(self, municipality, actor, meeting_id) -> MeetingDetailOut:
        return MeetingDetailOut.model_validate(self._rpc("conclude", municipality, actor, str(meeting_id)))

    # -- registration --

    def register(self, municipality, actor, meeting_id) -> RegistrationResult:
        return RegistrationResult.model_validate(self._rpc("register", municipality, actor, str(meeting_id)))

    def cancel_registration(self, municipality, actor, meeting_id) -> RegistrationOut:
        return RegistrationOut.model_validate(
            self._rpc("cancel_registration", municipality, actor, str(meeting_id)))

    def registrations(self, municipality, actor, meeting_id) -> list[StaffRegistrationOut]:
        return _all(StaffRegistrationOut, self._rpc("registrations", municipality, actor, str(meeting_id)))

    # -- agenda, minutes, outcomes --

    def add_agenda_question(self, municipality, actor, meeting_id, question: NewAgendaQuestion) -> AgendaQuestionOut:
        return AgendaQuestionOut.model_validate(
            self._rpc("add_agenda_question", municipality, actor, str(meeting_id), self._dump(question)))

    def set_minutes(self, municipality, actor, meeting_id, minutes: Minutes) -> MinutesOut:
        return MinutesOut.model_validate(
            self._rpc("set_minutes", municipality, actor, str(meeting_id), self._dump(minutes)))

    def record_outcome(self, municipality, actor, meeting_id, outcome: NewOutcome) -> RecordedOutcomeOut:
        return RecordedOutcomeOut.model_validate(
            self._rpc("record_outcome", municipality, actor, str(meeting_id), self._dump(outcome)))

    # -- calendars (iCalendar text) --

    def meeting_ics(self, municipality, meeting_id) -> str:
        return self._rpc("meeting_ics", municipality, str(meeting_id))

    def municipality_calendar(self, municipality) -> str:
        return self._rpc("municipality_calendar", municipality)

    def new_calendar_token(self, municipality, actor) -> CalendarTokenOut:
        return CalendarTokenOut.model_validate(self._rpc("new_calendar_token", municipality, actor))

    def participant_calendar(self, token) -> str:
        return self._rpc("participant_calendar", token)

    # -- reported comments, for the staff's one list of reports --

    def reported(self, municipality, actor) -> list[ReportedItem]:
        """The reported comments under the municipality's meetings still open (staff only)."""
        return _all(ReportedItem, self._rpc("reported", municipality, actor))

    def dismiss_reports(self, municipality, actor, meeting_id, dismissal: ReportsDismissal) -> DismissedOut:
        return DismissedOut.model_validate(
            self._rpc("dismiss_reports", municipality, actor, str(meeting_id), self._dump(dismissal)))
