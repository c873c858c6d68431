"""Political leadership (issue 22): the council's missions, task committees with a
mandate, and the council's answer to what reaches it.  The words, what people send
and the events, all owned by the proposals service (it owns proposals and their
status history; these hang on them).

Public projections carry ids and public content only.  A politician's public role
(name, party) is a public office and may be shown; residents are never named: a
committee's resident members are counts, its applicants ids of nothing public.
"""
import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...events import Contract, PublicProjection, event
from ...text import Visible
from .enums import Language, one_of

OWNER = "proposals"

__all__ = [  # what `from .council import *` gives the package (not its Short/Text)
    "Decision",
    "CaseKind",
    "SeatGroup",
    "Recruitment",
    "DocumentKind",
    "NewMission",
    "MissionAttachment",
    "Mandate",
    "NewCommittee",
    "CommitteeApplication",
    "Seating",
    "CommitteeMeeting",
    "NewDocument",
    "NewRecommendation",
    "Placement",
    "NewDecision",
    "PublicOffice",
    "Office",
    "PublicMission",
    "MissionPublished",
    "PublicAttachment",
    "ProposalAttached",
    "MissionFollowed",
    "PublicMandate",
    "PublicCommittee",
    "CommitteeFormed",
    "PublicSeating",
    "MembersSeated",
    "PublicCommitteeMeeting",
    "CommitteeMeetingPlanned",
    "PublicDocument",
    "DocumentAdded",
    "PublicRecommendation",
    "RecommendationDelivered",
    "PublicCase",
    "CaseOpened",
    "PublicPlacement",
    "CasePlaced",
    "PublicDecision",
    "DecisionMade",
    "PublicOfficeHeld",
    "OfficeRegistered",
]


class Decision(StrEnum):
    ADOPTED = "adopted"
    ADOPTED_IN_PART = "adopted_in_part"
    REJECTED = "rejected"
    SENT_ON = "sent_on"


class CaseKind(StrEnum):
    """What the council answers: a proposal that reached its support threshold, or a
    task committee's recommendation."""

    PROPOSAL = "proposal"
    RECOMMENDATION = "recommendation"


class SeatGroup(StrEnum):
    RESIDENT = "resident"
    POLITICIAN = "politician"


class Recruitment(StrEnum):
    APPLICATION = "application"
    PANEL = "panel"


class DocumentKind(StrEnum):
    WORKING = "working"
    MINUTES = "minutes"


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Visible]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), Visible]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000), Visible]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), Visible]
Feature = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- what people send --------------------------------------------------------------------


class NewMission(_Input):
    """A mission of the council: a challenge and a goal with a horizon, owned by a committee."""

    title: Short
    challenge: Text = Field(description="What is wrong today, in the community's words")
    goal: Text = Field(description="What should be true by the horizon, e.g. 'halve loneliness among …'")
    horizon: int = Field(ge=2000, le=2100, description="the year the goal is for")
    owner_committee: Short = Field(description="the council committee that owns the mission")
    language: one_of(Language) = "da"


class MissionAttachment(_Input):
    proposal_id: uuid.UUID


class Mandate(_Input):
    """The committee's written mandate (kommissorium)."""

    task: Text
    questions: list[Question] = Field(min_length=1, max_length=20)
    frame: Text = Field(description="what is decided elsewhere, the budget, what is out of scope")
    deadline: dt.date


class NewCommittee(_Input):
    title: Short
    mission_id: uuid.UUID | None = None
    mandate: Mandate
    seats: dict[one_of(SeatGroup), Annotated[int, Field(ge=0, le=100)]] = Field(
        description="composition by group, e.g. {\"resident\": 10, \"politician\": 5}")
    recruitment: one_of(Recruitment) = "panel"
    language: one_of(Language) = "da"


class CommitteeApplication(_Input):
    """A resident (or politician) asks for a seat; ``features`` are what a panel draw
    balances (age band, area …), never shown in public."""

    group: one_of(SeatGroup) = "resident"
    features: dict[Feature, Feature] = Field(default_factory=dict, max_length=10)
    motivation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class Seating(_Input):
    """Members seated: applications drawn by a panel (its id and published seed), and
    applications accepted as they came (recruitment by application)."""

    drawn: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    accepted: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    panel_id: str | None = None
    seed: int | None = None


class CommitteeMeeting(_Input):
    meeting_id: uuid.UUID
    starts_at: dt.datetime


class NewDocument(_Input):
    kind: one_of(DocumentKind) = "working"
    title: Short
    body: LongText
    meeting_id: uuid.UUID | None = None


class NewRecommendation(_Input):
    recommendation: LongText


class Placement(_Input):
    """Where the council treats a case: which body, on which day (a council or committee meeting)."""

    body: Short = Field(description="e.g. 'Byrådet' or 'Ældre- og sundhedsudvalget'")
    meeting_date: dt.date
    meeting_id: uuid.UUID | None = None


class NewDecision(_Input):
    decision: one_of(Decision)
    reasons: Text
    sent_to: Short | None = Field(None, description="where a case was sent on (needed for sent_on)")


class PublicOffice(_Input):
    """A politician's public role: the name and party they hold office under."""

    name: Short
    party: Short
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""


# -- events ---------------------------------------------------------------------------------


class Office(PublicProjection):
    """Who acted, as the public may see: a politician's name and party, or just the role."""

    role: str
    name: str | None = None
    party: str | None = None


class PublicMission(PublicProjection):
    id: uuid.UUID
    municipality: str
    title: str
    challenge: str
    goal: str
    horizon: int
    owner_committee: str
    language: str
    published_by: Office


@event("samskab.mission.published", public=PublicMission)
class MissionPublished(Contract):
    """The council published a mission: a challenge and a goal with a horizon."""

    id: uuid.UUID
    municipality: str
    title: str
    challenge: str
    goal: str
    horizon: int
    owner_committee: str
    language: str
    published_by: Office
    actor_id: uuid.UUID


class PublicAttachment(PublicProjection):
    mission_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID
    attached_by: str


@event("samskab.mission.proposal_attached", public=PublicAttachment)
class ProposalAttached(Contract):
    """A proposal now works towards a mission (attached by its initiator or staff)."""

    mission_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID
    attached_by: str = Field(description="capacity: initiator or staff")
    title: str
    actor_id: uuid.UUID


@event("samskab.mission.followed")
class MissionFollowed(Contract):
    """Internal: someone follows (or stops following) a mission."""

    mission_id: uuid.UUID
    municipality: str
    participant_id: uuid.UUID
    following: bool


class PublicMandate(PublicProjection):
    task: str
    questions: list[str]
    frame: str
    deadline: dt.date


class PublicCommittee(PublicProjection):
    id: uuid.UUID
    municipality: str
    title: str
    mission_id: uuid.UUID | None = None
    mandate: PublicMandate
    seats: dict[str, int]
    recruitment: str
    formed_by: Office


@event("samskab.committee.formed", public=PublicCommittee)
class CommitteeFormed(Contract):
    """A task committee was formed with its mandate and composition."""

    id: uuid.UUID
    municipality: str
    title: str
    mission_id: uuid.UUID | None = None
    mandate: PublicMandate
    seats: dict[str, int]
    recruitment: str
    formed_by: Office
    actor_id: uuid.UUID


class PublicSeating(PublicProjection):
    committee_id: uuid.UUID
    municipality: str
    members_by_group: dict[str, int]
    politicians: list[Office] = Field(default_factory=list, description="politicians are named (public office)")
    panel_id: str | None = None
    seed: int | None = None


@event("samskab.committee.members_seated", public=PublicSeating)
class MembersSeated(Contract):
    """Members took their seats (drawn by a panel or accepted by application).  The
    public learns the counts, the panel's id and seed, and the politicians' names."""

    committee_id: uuid.UUID
    municipality: str
    title: str
    members_by_group: dict[str, int]
    politicians: list[Office] = Field(default_factory=list)
    panel_id: str | None = None
    seed: int | None = None
    new_member_ids: list[uuid.UUID]
    actor_id: uuid.UUID


class PublicCommitteeMeeting(PublicProjection):
    committee_id: uuid.UUID
    municipality: str
    meeting_id: uuid.UUID
    number: int
    starts_at: dt.datetime


@event("samskab.committee.meeting_planned", public=PublicCommitteeMeeting)
class CommitteeMeetingPlanned(Contract):
    """One of the committee's meetings was planned (the meeting itself is the meetings service's)."""

    committee_id: uuid.UUID
    municipality: str
    meeting_id: uuid.UUID
    number: int
    starts_at: dt.datetime


class PublicDocument(PublicProjection):
    committee_id: uuid.UUID
    municipality: str
    document_id: uuid.UUID
    kind: str
    title: str
    body: str
    meeting_id: uuid.UUID | None = None


@event("samskab.committee.document_added", public=PublicDocument)
class DocumentAdded(Contract):
    """A working document or minutes of the committee."""

    committee_id: uuid.UUID
    municipality: str
    document_id: uuid.UUID
    kind: str
    title: str
    body: str
    meeting_id: uuid.UUID | None = None
    author_id: uuid.UUID


class PublicRecommendation(PublicProjection):
    committee_id: uuid.UUID
    municipality: str
    case_id: uuid.UUID
    title: str
    recommendation: str
    delivered_at: dt.datetime


@event("samskab.committee.recommendation_delivered", public=PublicRecommendation)
class RecommendationDelivered(Contract):
    """The committee's recommendation reached the council, with the date: a case for its answer."""

    committee_id: uuid.UUID
    municipality: str
    case_id: uuid.UUID
    title: str
    recommendation: str
    delivered_at: dt.datetime
    member_ids: list[uuid.UUID] = Field(default_factory=list)
    actor_id: uuid.UUID


class PublicCase(PublicProjection):
    case_id: uuid.UUID
    municipality: str
    kind: str
    proposal_id: uuid.UUID | None = None
    committee_id: uuid.UUID | None = None
    title: str
    opened_at: dt.datetime


@event("samskab.case.opened", public=PublicCase)
class CaseOpened(Contract):
    """Something awaits the council's answer: a proposal reached its support threshold,
    or a committee delivered its recommendation."""

    case_id: uuid.UUID
    municipality: str
    kind: str
    proposal_id: uuid.UUID | None = None
    committee_id: uuid.UUID | None = None
    title: str
    opened_at: dt.datetime


class PublicPlacement(PublicCase):
    body: str
    meeting_date: dt.date
    meeting_id: uuid.UUID | None = None


@event("samskab.case.placed", public=PublicPlacement)
class CasePlaced(Contract):
    """The case is on a council or committee meeting's agenda."""

    case_id: uuid.UUID
    municipality: str
    kind: str
    proposal_id: uuid.UUID | None = None
    committee_id: uuid.UUID | None = None
    title: str
    opened_at: dt.datetime
    body: str
    meeting_date: dt.date
    meeting_id: uuid.UUID | None = None
    told_ids: list[uuid.UUID] = Field(default_factory=list)
    actor_id: uuid.UUID


class PublicDecision(PublicCase):
    decision: str
    reason: str = Field(description="the reasons given with the decision")
    sent_to: str | None = None
    body: str | None = None
    decided_at: dt.datetime
    decided_by: Office


@event("samskab.decision.made", public=PublicDecision)
class DecisionMade(Contract):
    """The council's answer: adopted, adopted in part, rejected or sent on, with reasons.
    ``told_ids`` (internal) are the committee's members and the followers of the case's
    mission; the proposal's own people are known to notifications by the proposal."""

    case_id: uuid.UUID
    municipality: str
    kind: str
    proposal_id: uuid.UUID | None = None
    committee_id: uuid.UUID | None = None
    title: str
    opened_at: dt.datetime
    decision: str
    reason: str
    sent_to: str | None = None
    body: str | None = None
    decided_at: dt.datetime
    decided_by: Office
    told_ids: list[uuid.UUID] = Field(default_factory=list)
    actor_id: uuid.UUID


class PublicOfficeHeld(PublicProjection):
    participant_id: uuid.UUID
    municipality: str
    name: str
    party: str
    title: str = ""


@event("samskab.politician.office_registered", public=PublicOfficeHeld)
class OfficeRegistered(Contract):
    """A politician says under which name and party they act here (a public office)."""

    participant_id: uuid.UUID
    municipality: str
    name: str
    party: str
    title: str = ""
