"""Missions and task committees after they are made (issue 22): the council edits a
mission's texts, goal and horizon and closes it (achieved or ended) with a note;
it edits a committee's mandate until its members are seated and closes it once its
recommendation is delivered.  Owned by the proposals service, as the rest of
``council``; the public projections carry public content and offices only."""
import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from ...events import Contract, PublicProjection, event
from .council import Office, PublicMandate, Question, SeatGroup, Short, Text, _Input
from .enums import one_of

OWNER = "proposals"

__all__ = [
    "MissionEnd", "MissionChange", "MissionClosing", "MandateChange", "CommitteeClosing",
    "PublicMissionUpdate", "MissionUpdated", "PublicMissionClosing", "MissionClosed",
    "PublicCommitteeUpdate", "CommitteeUpdated", "PublicCommitteeClosing", "CommitteeClosed",
]


class MissionEnd(StrEnum):
    ACHIEVED = "achieved"
    ENDED = "ended"


class _Change(_Input):
    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("change at least one field")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be empty")
        return self


class MissionChange(_Change):
    """What the council may change in a mission (only the fields sent change)."""

    title: Short | None = None
    challenge: Text | None = None
    goal: Text | None = None
    horizon: int | None = Field(None, ge=2000, le=2100)
    owner_committee: Short | None = None


class MissionClosing(_Input):
    closed_as: one_of(MissionEnd) = Field(description="achieved: the goal was reached; ended: stopped without it")
    note: Text = Field(description="what came of the mission, for the public")


class MandateChange(_Change):
    """A committee's mandate and composition, while it still recruits (only the fields sent change)."""

    title: Short | None = None
    task: Text | None = None
    questions: list[Question] | None = Field(None, min_length=1, max_length=20)
    frame: Text | None = None
    deadline: dt.date | None = None
    seats: dict[one_of(SeatGroup), Annotated[int, Field(ge=0, le=100)]] | None = None


class CommitteeClosing(_Input):
    note: Text = Field(description="how the committee's work ends, for the public")


# -- events ---------------------------------------------------------------------------------


class PublicMissionUpdate(PublicProjection):
    mission_id: uuid.UUID
    municipality: str
    title: str
    challenge: str
    goal: str
    horizon: int
    owner_committee: str
    changed: list[str] = Field(description="the fields that changed")
    updated_at: dt.datetime
    updated_by: Office


@event("samskab.mission.updated", public=PublicMissionUpdate)
class MissionUpdated(Contract):
    """The council changed a mission's texts, goal or horizon (the mission as it now reads)."""

    mission_id: uuid.UUID
    municipality: str
    title: str
    challenge: str
    goal: str
    horizon: int
    owner_committee: str
    changed: list[str]
    updated_at: dt.datetime
    updated_by: Office
    actor_id: uuid.UUID


class PublicMissionClosing(PublicProjection):
    mission_id: uuid.UUID
    municipality: str
    title: str
    closed_as: str
    note: str
    closed_at: dt.datetime
    closed_by: Office


@event("samskab.mission.closed", public=PublicMissionClosing)
class MissionClosed(Contract):
    """The council closed a mission: achieved or ended, with a note.  ``follower_ids``
    (internal) are the mission's followers, for their notice."""

    mission_id: uuid.UUID
    municipality: str
    title: str
    closed_as: str
    note: str
    closed_at: dt.datetime
    closed_by: Office
    follower_ids: list[uuid.UUID] = Field(default_factory=list)
    actor_id: uuid.UUID


class PublicCommitteeUpdate(PublicProjection):
    committee_id: uuid.UUID
    municipality: str
    title: str
    mandate: PublicMandate
    seats: dict[str, int]
    changed: list[str]
    updated_at: dt.datetime
    updated_by: Office


@event("samskab.committee.updated", public=PublicCommitteeUpdate)
class CommitteeUpdated(Contract):
    """A committee's mandate or composition changed before its members were seated."""

    committee_id: uuid.UUID
    municipality: str
    title: str
    mandate: PublicMandate
    seats: dict[str, int]
    changed: list[str]
    updated_at: dt.datetime
    updated_by: Office
    applicant_ids: list[uuid.UUID] = Field(default_factory=list)
    actor_id: uuid.UUID


class PublicCommitteeClosing(PublicProjection):
    committee_id: uuid.UUID
    municipality: str
    title: str
    note: str
    closed_at: dt.datetime
    closed_by: Office


@event("samskab.committee.closed", public=PublicCommitteeClosing)
class CommitteeClosed(Contract):
    """The committee's work is over (after its recommendation).  ``member_ids`` internal."""

    committee_id: uuid.UUID
    municipality: str
    title: str
    note: str
    closed_at: dt.datetime
    closed_by: Office
    member_ids: list[uuid.UUID] = Field(default_factory=list)
    actor_id: uuid.UUID
