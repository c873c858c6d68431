"""Events emitted by the meetings service, and the payloads its RPC takes.

Public projections carry a meeting's public content and *counts* of
registrations; never who registered, who was invited or who owns an action.
"""
import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ..events import Contract, PublicProjection, event

Iap2 = Literal["inform", "consult", "involve", "collaborate", "empower"]
Kind = Literal["service", "development", "policy"]
Group = Literal["resident", "business", "association", "politician", "employee"]
FormatId = Literal[
    "working_citizens_meeting", "debate_salon", "citizen_panel", "guest_meal",
    "theme_workshop", "task_committee", "vision_process",
]
MeetingStatus = Literal["scheduled", "cancelled", "concluded"]
RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]
OutcomeKind = Literal["decision", "action", "experiment"]

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50000)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- RPC / HTTP payloads -------------------------------------------------------


class NewPlace(_Input):
    """An existing place where people can meet (library, community house, school, sports hall)."""

    name: Short
    kind: Literal["library", "community_house", "school", "sports_hall", "town_hall", "other"] = "other"
    address: Short
    capacity: int = Field(gt=0, le=100000)
    step_free: bool = Field(False, description="Step-free access from the street to the room")
    hearing_loop: bool = False
    accessibility_notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class NewMeeting(_Input):
    """A meeting. Local times without an offset are read in the municipality's time zone."""

    title: Short
    format: FormatId
    purpose: Text = Field(description="Why we meet: the question the meeting works on")
    promise: Text = Field(description="What the municipality promises participants will happen with their input")
    iap2_level: Iap2 | None = None
    proposal_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = Field(None, description="Join an existing series of sessions")
    starts_at: dt.datetime
    ends_at: dt.datetime
    place_id: uuid.UUID | None = None
    online_url: AnyHttpUrl | None = None
    capacity: int = Field(gt=0, le=100000)
    reserved: dict[Group, Annotated[int, Field(gt=0)]] = Field(
        default_factory=dict, description="Seats held for a group, e.g. {\"resident\": 10, \"politician\": 5}"
    )
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    language: Literal["da", "nb", "nn", "en"] | None = None


class MeetingChanges(_Input):
    """A partial update; every field is optional."""

    title: Short | None = None
    purpose: Text | None = None
    promise: Text | None = None
    iap2_level: Iap2 | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    place_id: uuid.UUID | None = None
    online_url: AnyHttpUrl | None = None
    capacity: int | None = Field(None, gt=0, le=100000)
    reserved: dict[Group, Annotated[int, Field(gt=0)]] | None = None
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None


class Cancellation(_Input):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""


class NewAgendaQuestion(_Input):
    """Agendas are questions, not answers: "How could …?", "What would it take to …?"."""

    question: Short
    minutes: int | None = Field(None, gt=0, le=600, description="Time planned for the question")

    @field_validator("question")
    @classmethod
    def _is_a_question(cls, value):
        if not value.rstrip().endswith(("?", "？")):
            raise ValueError("phrase the agenda item as a question, ending with '?'")
        return value


class Minutes(_Input):
    text: LongText


class NewOutcome(_Input):
    kind: OutcomeKind
    text: Text
    owner: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        None, description="Who carries an action item (kept internal)"
    )
    due: dt.date | None = None


# -- events ----------------------------------------------------------------------


class PublicMeeting(PublicProjection):
    """What anyone may know of a meeting: its public content and how full it is."""

    id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    format: str
    title: str
    purpose: str
    promise: str
    iap2_level: Iap2 | None = None
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    place_id: uuid.UUID | None = None
    online: bool
    capacity: int
    reserved: dict[str, int] = Field(default_factory=dict)
    status: MeetingStatus
    sequence: int
    confirmed_count: int
    waitlist_count: int
    seats_left: int


class MeetingSnapshot(Contract):
    id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    format: str
    title: str
    purpose: str
    promise: str
    iap2_level: Iap2 | None = None
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    place_id: uuid.UUID | None = None
    online: bool
    capacity: int
    reserved: dict[str, int] = Field(default_factory=dict)
    status: MeetingStatus
    sequence: int
    confirmed_count: int
    waitlist_count: int
    seats_left: int
    organiser_id: uuid.UUID | None = None
    changed: list[str] = Field(default_factory=list, description="Fields changed by an update")
    reason: str = ""
    participant_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Who holds a seat or waits (updated/cancelled), so they can be told")


@event("samskab.meeting.scheduled", public=PublicMeeting)
class MeetingScheduled(MeetingSnapshot):
    """A meeting was scheduled."""


@event("samskab.meeting.updated", public=PublicMeeting)
class MeetingUpdated(MeetingSnapshot):
    """A meeting changed (time, place, capacity …); its SEQUENCE was raised."""


@event("samskab.meeting.cancelled", public=PublicMeeting)
class MeetingCancelled(MeetingSnapshot):
    """A meeting was cancelled; its registrations stand cancelled with it."""


@event("samskab.meeting.concluded", public=PublicMeeting)
class MeetingConcluded(MeetingSnapshot):
    """A meeting took place and was closed by its organiser."""


class PublicRegistrationCounts(PublicProjection):
    """How full a meeting is after a registration change: counts, never who."""

    meeting_id: uuid.UUID
    municipality: str
    group: str
    status: RegistrationStatus
    confirmed_count: int
    waitlist_count: int
    seats_left: int


class RegistrationChange(Contract):
    registration_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    participant_id: uuid.UUID
    group: str
    status: RegistrationStatus
    waitlist_position: int | None = None
    confirmed_count: int
    waitlist_count: int
    seats_left: int


@event("samskab.registration.confirmed", public=PublicRegistrationCounts)
class RegistrationConfirmed(RegistrationChange):
    """Someone got a seat."""


@event("samskab.registration.waitlisted", public=PublicRegistrationCounts)
class RegistrationWaitlisted(RegistrationChange):
    """The meeting (or the group's seats) was full: someone joined the waitlist."""


@event("samskab.registration.promoted", public=PublicRegistrationCounts)
class RegistrationPromoted(RegistrationChange):
    """A seat freed up and the first fitting person on the waitlist got it."""


@event("samskab.registration.cancelled", public=PublicRegistrationCounts)
class RegistrationCancelled(RegistrationChange):
    """Someone cancelled, or the meeting was cancelled."""


class PublicOutcome(PublicProjection):
    id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID | None = None
    kind: OutcomeKind
    text: str
    due: dt.date | None = None


@event("samskab.meeting.outcome_recorded", public=PublicOutcome)
class OutcomeRecorded(Contract):
    """A decision, action item or experiment came out of a meeting (the proposal's history shows it)."""

    id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID | None = None
    kind: OutcomeKind
    text: str
    owner: str | None = None
    due: dt.date | None = None


@event("samskab.meeting.invitation_sent")
class InvitationSent(Contract):
    """Internal: a matched participant is invited to a meeting of the proposal (notifications delivers it)."""

    meeting_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID
    participant_id: uuid.UUID
    starts_at: dt.datetime
    title: str


@event("samskab.meeting.reminder_due")
class ReminderDue(Contract):
    """Internal: remind one registered participant of a meeting soon (sent once per registration)."""

    registration_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    participant_id: uuid.UUID
    starts_at: dt.datetime
    time_zone: str
    title: str
    online_url: str | None = None
    place_id: uuid.UUID | None = None
