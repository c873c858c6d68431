"""Proposals: the events the proposals service emits, each with its public projection.

Public projections list only public content and ids of proposals, questions,
answers and experiments: never who wrote something (initiator, author, supporter,
party), so ``samskab.public`` carries no personal data by construction.  The one
name they may carry is a politician's, answering in their public office (``Office``).
"""
import datetime as dt
import uuid
from typing import Literal

from pydantic import Field

from ...events import Contract, PublicProjection, event
from ...geo import PolygonShape
from .council import Office
from .enums import Capacity, Iap2, Kind, Language, Outcome, Role, TargetType, one_of

# -- events ------------------------------------------------------------------------


class PublicProposal(PublicProjection):
    """What anyone may know of a proposal: its public content, never who wrote it."""

    id: uuid.UUID
    municipality: str
    kind: one_of(Kind)
    title: str
    problem: str
    goal: str
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    boundary: PolygonShape | None = Field(None, description="the area it is about (GeoJSON Polygon), if drawn")
    topics: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    language: one_of(Language)
    status: str
    initiator_role: one_of(Role)
    iap2_level: one_of(Iap2) | None = None
    support_count: int = 0
    outcome: one_of(Outcome) | None = None


class ProposalSnapshot(Contract):
    """The whole proposal as it is after the change (internal: names the initiator)."""

    id: uuid.UUID
    municipality: str
    kind: one_of(Kind)
    title: str
    problem: str
    goal: str
    description: str = ""
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    boundary: PolygonShape | None = Field(None, description="the area it is about (GeoJSON Polygon), if drawn")
    topics: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    language: one_of(Language)
    status: str
    initiator_id: uuid.UUID
    initiator_role: one_of(Role)
    iap2_level: one_of(Iap2) | None = None
    created_at: dt.datetime
    support_count: int = 0
    outcome: one_of(Outcome) | None = None
    outcome_reason: str | None = None


@event("samskab.proposal.submitted", public=PublicProposal)
class ProposalSubmitted(ProposalSnapshot):
    """A proposal was submitted to the municipality."""


@event("samskab.proposal.published", public=PublicProposal)
class ProposalPublished(ProposalSnapshot):
    """The municipality published a proposal: it is open for everyone to see and join."""


@event("samskab.proposal.updated", public=PublicProposal)
class ProposalUpdated(ProposalSnapshot):
    """The content of a proposal changed (mission, needs, topics, area …)."""


class PublicStatusChange(PublicProposal):
    from_status: str
    reason: str | None = None
    changed_by: one_of(Capacity)


@event("samskab.proposal.status_changed", public=PublicStatusChange)
class ProposalStatusChanged(ProposalSnapshot):
    """A proposal moved on in its life cycle (forming, active, concluded, withdrawn, rejected).
    Submission and publication have their own types."""

    from_status: str
    reason: str | None = None
    changed_by: one_of(Capacity)
    actor_id: uuid.UUID


class PublicSupport(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    support_count: int


@event("samskab.proposal.supported", public=PublicSupport)
class ProposalSupported(Contract):
    """Someone supports a proposal; the public learns only the new count."""

    proposal_id: uuid.UUID
    municipality: str
    participant_id: uuid.UUID
    support_count: int


@event("samskab.proposal.support_withdrawn", public=PublicSupport)
class SupportWithdrawn(Contract):
    proposal_id: uuid.UUID
    municipality: str
    participant_id: uuid.UUID
    support_count: int


class PublicThreshold(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    support_count: int
    threshold: int


@event("samskab.proposal.support_threshold_reached", public=PublicThreshold)
class SupportThresholdReached(Contract):
    """The support count reached the municipality's threshold (once per proposal)."""

    proposal_id: uuid.UUID
    municipality: str
    support_count: int
    threshold: int
    initiator_id: uuid.UUID


@event("samskab.proposal.followed")
class ProposalFollowed(Contract):
    """Internal: someone follows (or stops following) a proposal, for notifications."""

    proposal_id: uuid.UUID
    municipality: str
    participant_id: uuid.UUID
    following: bool


class PublicQuestion(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    question_id: uuid.UUID
    body: str
    asked_at: dt.datetime


@event("samskab.proposal.question_asked", public=PublicQuestion)
class QuestionAsked(Contract):
    proposal_id: uuid.UUID
    municipality: str
    question_id: uuid.UUID
    body: str
    asked_at: dt.datetime
    author_id: uuid.UUID
    initiator_id: uuid.UUID


class PublicAnswer(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    question_id: uuid.UUID
    answer_id: uuid.UUID
    body: str
    answered_by: one_of(Capacity)
    answered_at: dt.datetime
    office: Office | None = Field(None, description="a politician answering: their public office (name, party); "
                                                    "staff: role employee; absent for the initiator")


@event("samskab.proposal.question_answered", public=PublicAnswer)
class QuestionAnswered(Contract):
    proposal_id: uuid.UUID
    municipality: str
    question_id: uuid.UUID
    answer_id: uuid.UUID
    body: str
    answered_by: one_of(Capacity)
    answered_at: dt.datetime
    author_id: uuid.UUID
    question_author_id: uuid.UUID
    office: Office | None = None


class PublicParty(PublicProjection):
    role: str
    responsibilities: str = ""


class PublicAgreement(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    version: int
    parties: list[PublicParty]
    municipality_commitment: str
    iap2_level: one_of(Iap2)
    decision_maker: str
    resources: list[str] = Field(default_factory=list)
    timeline: list[dict] = Field(default_factory=list)
    accepted_by: list[str] = Field(default_factory=list, description="party roles that accepted this version")
    accepted: bool = False


class AgreementParty(Contract):
    role: Literal["initiator", "municipality", "partner"]
    participant_id: uuid.UUID | None = None
    responsibilities: str = ""


@event("samskab.proposal.agreement_updated", public=PublicAgreement)
class AgreementUpdated(Contract):
    """A new version of the collaboration agreement, or a party accepted one."""

    proposal_id: uuid.UUID
    municipality: str
    version: int
    parties: list[AgreementParty]
    municipality_commitment: str
    iap2_level: one_of(Iap2)
    decision_maker: str
    resources: list[str] = Field(default_factory=list)
    timeline: list[dict] = Field(default_factory=list)
    accepted_by: list[str] = Field(default_factory=list)
    accepted: bool = False
    change: Literal["drafted", "accepted"]


class PublicExperiment(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    experiment_id: uuid.UUID
    hypothesis: str
    intervention: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    outcome: str | None = None
    learnings: str | None = None


@event("samskab.proposal.experiment_recorded", public=PublicExperiment)
class ExperimentRecorded(Contract):
    """An experiment was recorded or its outcome and learnings were added."""

    proposal_id: uuid.UUID
    municipality: str
    experiment_id: uuid.UUID
    hypothesis: str
    intervention: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    outcome: str | None = None
    learnings: str | None = None
    recorded_by: uuid.UUID


class PublicUpdate(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    update_id: uuid.UUID
    body: str
    posted_by: one_of(Capacity)
    posted_at: dt.datetime


@event("samskab.proposal.progress_posted", public=PublicUpdate)
class ProgressPosted(Contract):
    """A progress update on a proposal."""

    proposal_id: uuid.UUID
    municipality: str
    update_id: uuid.UUID
    body: str
    posted_by: one_of(Capacity)
    posted_at: dt.datetime
    author_id: uuid.UUID


@event("samskab.proposal.reported")
class ContentReported(Contract):
    """Internal: someone reported content for the municipality's staff to review."""

    proposal_id: uuid.UUID
    municipality: str
    report_id: uuid.UUID
    target_type: one_of(TargetType)
    target_id: uuid.UUID


class PublicHidden(PublicProjection):
    """Staff hid content: redact your copies.  Blank the content of the earlier events
    naming ``target_id``: for a ``question`` the ``body`` of ``samskab.proposal.question_asked``
    with that ``question_id``; an ``answer``, the ``body`` of ``…question_answered`` with that
    ``answer_id``; an ``update``, the ``body`` of ``…progress_posted`` with that ``update_id``;
    a ``proposal``, the ``title``, ``problem``, ``goal`` and ``area`` of the proposal's
    events (``id`` = ``target_id``).  Samskab's own catch-up log, Atom feed and open data
    already show them blanked, marked with the extension attribute ``redactedby`` (this
    event's id)."""

    proposal_id: uuid.UUID
    municipality: str
    target_type: one_of(TargetType)
    target_id: uuid.UUID
    reason: str


@event("samskab.proposal.hidden", public=PublicHidden)
class ContentHidden(Contract):
    """Staff hid a proposal, question, answer or update, with a reason everyone sees.
    Subscribers (AMQP, webhooks) must redact their copies of the hidden content: see
    the ``PublicHidden`` schema for which fields of which events.  ``author_id`` is
    told (internal only)."""

    proposal_id: uuid.UUID
    municipality: str
    target_type: one_of(TargetType)
    target_id: uuid.UUID
    reason: str
    author_id: uuid.UUID
    hidden_by: uuid.UUID
