"""What the meetings service's RPC takes (and the gateway's HTTP API with it)."""
import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from ...geo import Latitude, Longitude, both_or_neither
from ...text import SaneDatetime
from .enums import FormatId, Group, Iap2, LongText, OutcomeKind, Short, Text

# The most seats a meeting or a place may have: a meeting's update names everyone on it,
# and must stay within the consumers' event size (samskab.config.MAX_EVENT_BYTES).
MAX_SEATS = 20_000

__all__ = ["NewPlace", "NewMeeting", "MeetingChanges", "Cancellation", "NewAgendaQuestion", "Minutes", "NewOutcome"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewPlace(_Input):
    """An existing place where people can meet (library, community house, school, sports hall)."""

    name: Short
    kind: Literal["library", "community_house", "school", "sports_hall", "town_hall", "other"] = "other"
    address: Short
    capacity: int = Field(gt=0, le=MAX_SEATS)
    step_free: bool = Field(False, description="Step-free access from the street to the room")
    hearing_loop: bool = False
    accessibility_notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    latitude: Latitude | None = Field(None, description="Where it is on the map (WGS 84), with longitude")
    longitude: Longitude | None = None

    _point = model_validator(mode="after")(both_or_neither)


class NewMeeting(_Input):
    """A meeting. Local times without an offset are read in the municipality's time zone."""

    title: Short
    format: FormatId
    purpose: Text = Field(description="Why we meet: the question the meeting works on")
    promise: Text = Field(description="What the municipality promises participants will happen with their input")
    iap2_level: Iap2 | None = None
    proposal_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = Field(None, description="Join an existing series of sessions")
    starts_at: SaneDatetime  # years 1900-2200: beyond, time arithmetic overflows
    ends_at: SaneDatetime
    place_id: uuid.UUID | None = None
    online_url: AnyHttpUrl | None = None
    capacity: int = Field(gt=0, le=MAX_SEATS)
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
    starts_at: SaneDatetime | None = None
    ends_at: SaneDatetime | None = None
    place_id: uuid.UUID | None = None
    online_url: AnyHttpUrl | None = None
    capacity: int | None = Field(None, gt=0, le=MAX_SEATS)
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


