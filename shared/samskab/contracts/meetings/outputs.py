"""What the meetings service answers; the gateway's OpenAPI shows them as they are."""
from typing import Literal

from pydantic import BaseModel

from .enums import MeetingStatus, RegistrationStatus

__all__ = ["PlaceOut", "RegistrationOut", "RegistrationResult", "StaffRegistrationOut", "MeetingOut",
           "AgendaQuestionOut", "OutcomeOut", "RecordedOutcomeOut", "SessionOut", "MeetingDetailOut", "MinutesOut",
           "FormatOut", "FormatSuggestion", "CalendarTokenOut"]


class PlaceOut(BaseModel):
    id: str
    municipality: str
    name: str
    kind: str
    address: str
    capacity: int
    step_free: bool
    hearing_loop: bool
    accessibility_notes: str
    created_at: str
    latitude: float | None = None
    longitude: float | None = None


class RegistrationOut(BaseModel):
    id: str
    meeting_id: str
    group: str | None = None
    status: RegistrationStatus
    waitlist_position: int | None = None
    created_at: str | None = None


class RegistrationResult(RegistrationOut):
    """What ``register`` answers: ``replayed`` when the person was registered already."""

    replayed: bool = False


class StaffRegistrationOut(BaseModel):
    """One seat or waitlist place as staff see it: who by id, never by name."""

    id: str
    participant_id: str
    group: str
    status: RegistrationStatus
    waitlist_position: int | None = None
    created_at: str


class MeetingOut(BaseModel):
    id: str
    municipality: str
    proposal_id: str | None
    series_id: str
    format: str
    title: str
    purpose: str
    promise: str
    iap2_level: str | None
    language: str | None
    starts_at: str
    ends_at: str
    local_starts_at: str
    local_ends_at: str
    time_zone: str
    place_id: str | None
    place: PlaceOut | None
    online_url: str | None
    capacity: int
    reserved: dict[str, int]
    registration_opens_at: str | None
    registration_closes_at: str | None
    status: MeetingStatus
    sequence: int
    confirmed_count: int
    waitlist_count: int
    seats_left: int
    minutes: str | None
    cancel_reason: str
    created_at: str
    updated_at: str


class AgendaQuestionOut(BaseModel):
    id: str
    position: int
    question: str
    minutes: int | None


class OutcomeOut(BaseModel):
    id: str
    kind: str
    text: str
    due: str | None
    created_at: str


class RecordedOutcomeOut(OutcomeOut):
    """An outcome as staff recorded it, with who carries an action item."""

    owner: str | None


class SessionOut(BaseModel):
    id: str
    starts_at: str
    status: MeetingStatus


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaQuestionOut]
    outcomes: list[OutcomeOut]
    sessions: list[SessionOut]
    my_registration: RegistrationOut | None


class MinutesOut(BaseModel):
    meeting_id: str
    minutes: str


class FormatOut(BaseModel):
    id: str
    name: str
    local_names: dict[str, str]
    description: str
    levels: list[str]
    core_levels: list[str]
    size: dict[str, int]
    recruitment: Literal["open", "invited", "lottery", "appointed"]
    recruitment_description: str
    duration: str
    sessions: dict[str, int]
    kinds: list[str]
    notes: list[str]


class FormatSuggestion(BaseModel):
    format: str
    name: str
    score: int | float
    reasons: list[str]
    details: FormatOut


class CalendarTokenOut(BaseModel):
    token: str


