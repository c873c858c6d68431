"""The events the meetings service emits, with their public projections."""
import datetime as dt
import uuid

from pydantic import BaseModel, Field

from ...events import Contract, PublicProjection, event
from .enums import Iap2, MeetingStatus, OutcomeKind, RegistrationStatus


class MeetingFields(BaseModel):
    """A meeting's public content and how full it is: the fields its public projection
    and its full event share (each takes its configuration from its other base)."""

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


class PublicMeeting(MeetingFields, PublicProjection):
    """What anyone may know of a meeting: its public content and how full it is."""


class MeetingSnapshot(MeetingFields, Contract):
    """The meeting as it is now, for those inside: also who scheduled it and who is told."""

    organiser_id: uuid.UUID | None = None
    changed: list[str] = Field(default_factory=list, description="Fields changed by an update")
    reason: str = ""
    participant_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Who holds a seat or waits (updated/cancelled), so they can be told")
    place: str | None = Field(None, description="The place's name and address, for notices (none when online only)")


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
    # Which meeting, when and where, so a notice can say so (absent in older events).
    title: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    time_zone: str | None = None
    place: str | None = Field(None, description="The place's name and address")
    online: bool | None = None
    proposal_id: uuid.UUID | None = None


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


@event("samskab.meeting.minutes_recorded")
class MinutesRecorded(Contract):
    """Internal: the minutes of a meeting were written or changed (its registrants and
    the people of its proposal are told; the minutes themselves are on the meeting's page)."""

    meeting_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID | None = None
    title: str
    starts_at: dt.datetime
    time_zone: str
    place: str | None = None
    author_id: uuid.UUID | None = None


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


