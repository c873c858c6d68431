"""Proposals: the requests people send (HTTP bodies and RPC payloads) and the
events the proposals service emits, each with its public projection.

Public projections list only public content and ids of proposals, questions,
answers and experiments: never who wrote something (initiator, author, supporter,
party), so ``samskab.public`` carries no personal data by construction.
"""
import datetime as dt
import uuid
from typing import Literal

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..events import Contract, PublicProjection, event

Kind = Literal["service", "development", "policy"]
Role = Literal["resident", "business", "association", "politician", "employee"]
Language = Literal["da", "nb", "nn", "en"]
Iap2 = Literal["inform", "consult", "involve", "collaborate", "empower"]
Status = Literal["draft", "submitted", "published", "forming", "active", "concluded", "withdrawn", "rejected"]
Outcome = Literal["implemented", "adopted", "not_pursued"]
Capacity = Literal["initiator", "staff", "participant"]
TargetType = Literal["proposal", "question", "answer", "update"]
Sort = Literal["newest", "supported", "active"]

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Need = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
Area = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- what people send ------------------------------------------------------------


class NewProposal(_Input):
    """What someone sends to start a proposal (HTTP body and RPC payload)."""

    kind: Kind
    title: Short
    problem: Text = Field(description="The concrete local problem: the mission starts here")
    goal: Text = Field(description="What should be different when the mission succeeds")
    description: Description = ""
    area: Area | None = None
    topics: list[Tag] = Field(default_factory=list, max_length=20)
    needs: list[Need] = Field(default_factory=list, max_length=30)
    language: Language = "da"
    iap2_level: Iap2 | None = None
    submit: bool = Field(True, description="false keeps it as a draft only its initiator sees")


class ProposalPatch(_Input):
    """A change to a proposal's content; only the fields sent change.
    The initiator edits the content; the municipality's staff set the IAP2 level."""

    kind: Kind | None = None
    title: Short | None = None
    problem: Text | None = None
    goal: Text | None = None
    description: Description | None = None
    area: Area | None = None
    topics: list[Tag] | None = Field(None, max_length=20)
    needs: list[Need] | None = Field(None, max_length=30)
    language: Language | None = None
    iap2_level: Iap2 | None = None

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        for name in ("kind", "title", "problem", "goal", "language", "description", "topics", "needs"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed")
        return self


class TransitionRequest(_Input):
    to: Status
    reason: Reason | None = None
    outcome: Outcome | None = Field(None, description="required when concluding")


class NewQuestion(_Input):
    body: Text


class NewAnswer(_Input):
    body: Text


class Party(_Input):
    role: Literal["initiator", "municipality", "partner"]
    participant_id: uuid.UUID | None = Field(None, description="required for a partner")
    responsibilities: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""

    @model_validator(mode="after")
    def _partner_named(self):
        if self.role == "partner" and self.participant_id is None:
            raise ValueError("a partner needs a participant_id")
        return self


class Milestone(_Input):
    date: dt.date
    what: Short


class AgreementDraft(_Input):
    """A version of the collaboration agreement: who does what, what the
    municipality promises, who decides, with what, and by when."""

    parties: list[Party] = Field(default_factory=list, max_length=30)
    municipality_commitment: Text
    iap2_level: Iap2
    decision_maker: Short = Field(description="who takes the decision (a body or a role, not a person's name)")
    resources: list[Need] = Field(default_factory=list, max_length=30)
    timeline: list[Milestone] = Field(default_factory=list, max_length=50)


class AgreementAcceptance(_Input):
    version: int = Field(ge=1)


class NewExperiment(_Input):
    hypothesis: Text
    intervention: Text = Field(description="what is tried")
    starts_on: dt.date
    ends_on: dt.date | None = None
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None
    learnings: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class ExperimentPatch(_Input):
    ends_on: dt.date | None = None
    outcome: Text | None = None
    learnings: Text | None = None


class NewUpdate(_Input):
    body: Text


class NewReport(_Input):
    target_type: TargetType
    target_id: uuid.UUID
    reason: Reason


class ModerationDecision(_Input):
    action: Literal["hide", "dismiss"]
    reason: Reason


class HideRequest(_Input):
    target_type: TargetType
    target_id: uuid.UUID
    reason: Reason


# -- events ------------------------------------------------------------------------


class PublicProposal(PublicProjection):
    """What anyone may know of a proposal: its public content, never who wrote it."""

    id: uuid.UUID
    municipality: str
    kind: Kind
    title: str
    problem: str
    goal: str
    area: str | None = None
    topics: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    language: Language
    status: str
    initiator_role: Role
    iap2_level: Iap2 | None = None
    support_count: int = 0
    outcome: Outcome | None = None


class ProposalSnapshot(Contract):
    """The whole proposal as it is after the change (internal: names the initiator)."""

    id: uuid.UUID
    municipality: str
    kind: Kind
    title: str
    problem: str
    goal: str
    description: str = ""
    area: str | None = None
    topics: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    language: Language
    status: str
    initiator_id: uuid.UUID
    initiator_role: Role
    iap2_level: Iap2 | None = None
    created_at: dt.datetime
    support_count: int = 0
    outcome: Outcome | None = None
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
    changed_by: Capacity


@event("samskab.proposal.status_changed", public=PublicStatusChange)
class ProposalStatusChanged(ProposalSnapshot):
    """A proposal moved on in its life cycle (forming, active, concluded, withdrawn, rejected).
    Submission and publication have their own types."""

    from_status: str
    reason: str | None = None
    changed_by: Capacity
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
    answered_by: Capacity
    answered_at: dt.datetime


@event("samskab.proposal.question_answered", public=PublicAnswer)
class QuestionAnswered(Contract):
    proposal_id: uuid.UUID
    municipality: str
    question_id: uuid.UUID
    answer_id: uuid.UUID
    body: str
    answered_by: Capacity
    answered_at: dt.datetime
    author_id: uuid.UUID
    question_author_id: uuid.UUID


class PublicParty(PublicProjection):
    role: str
    responsibilities: str = ""


class PublicAgreement(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    version: int
    parties: list[PublicParty]
    municipality_commitment: str
    iap2_level: Iap2
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
    iap2_level: Iap2
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
    posted_by: Capacity
    posted_at: dt.datetime


@event("samskab.proposal.progress_posted", public=PublicUpdate)
class ProgressPosted(Contract):
    """A progress update on a proposal."""

    proposal_id: uuid.UUID
    municipality: str
    update_id: uuid.UUID
    body: str
    posted_by: Capacity
    posted_at: dt.datetime
    author_id: uuid.UUID


@event("samskab.proposal.reported")
class ContentReported(Contract):
    """Internal: someone reported content for the municipality's staff to review."""

    proposal_id: uuid.UUID
    municipality: str
    report_id: uuid.UUID
    target_type: TargetType
    target_id: uuid.UUID


class PublicHidden(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    target_type: TargetType
    target_id: uuid.UUID
    reason: str


@event("samskab.proposal.hidden", public=PublicHidden)
class ContentHidden(Contract):
    """Staff hid a proposal, question, answer or update, with a reason everyone sees;
    ``author_id`` is told (internal only)."""

    proposal_id: uuid.UUID
    municipality: str
    target_type: TargetType
    target_id: uuid.UUID
    reason: str
    author_id: uuid.UUID
    hidden_by: uuid.UUID
