"""What the proposals service answers: one model per shape, read by the gateway's
typed client and shown in its OpenAPI document.

Times are ISO 8601 strings as the service writes them; a field the service leaves
out (a hidden proposal's content, ``allowed`` outside ``get``) stays unset, so
``model_dump(exclude_unset=True)`` gives back exactly what the service said.
"""
from pydantic import BaseModel, Field

from ...geo import PolygonShape
from .council_client import OfficeOut


class Allowed(BaseModel):
    """What the caller may do next with one proposal, as the service's rules say."""

    capacities: list[str] = Field(default_factory=list, description="initiator, staff and/or participant")
    transitions: list[str] = Field(default_factory=list, description="statuses the caller may move it to now")
    actions: list[str] = Field(default_factory=list, description="edit, set_iap2_level, support, ask, answer …")


class ProposalOut(BaseModel):
    """A proposal; a hidden one is shown to others as id, status and the reason only."""

    id: str
    municipality: str
    status: str
    created_at: str
    hidden: bool = False
    hidden_reason: str | None = None
    kind: str | None = None
    title: str | None = None
    problem: str | None = None
    goal: str | None = None
    description: str | None = None
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    boundary: PolygonShape | None = Field(None, description="the area it is about (GeoJSON Polygon), if drawn")
    topics: list[str] | None = None
    needs: list[str] | None = None
    language: str | None = None
    iap2_level: str | None = None
    initiator_id: str | None = None
    initiator_role: str | None = None
    updated_at: str | None = None
    last_activity_at: str | None = None
    support_count: int | None = None
    outcome: str | None = None
    outcome_reason: str | None = None
    supported_by_me: bool | None = None
    followed_by_me: bool | None = None
    allowed: Allowed | None = Field(None, description="what the caller may do next (one proposal only)")
    participant_allowed: Allowed | None = Field(
        None, description="in an anonymous reader's answer (one proposal only): what anyone signed in who neither "
                          "started it nor works for its municipality may do next")


class OwnOut(BaseModel):
    """What is the caller's own among a municipality's proposals (``mine``)."""

    capacities: list[str] = Field(description="the caller's capacities towards a proposal there they did not start "
                                              "(participant, and staff for its own staff)")
    initiated: list[str] = Field(description="ids of the proposals they started, drafts included")
    supported: list[str] = Field(description="ids of the proposals they support")
    followed: list[str] = Field(description="ids of the proposals they follow")


class SubmittedOut(ProposalOut):
    """A submission's answer: ``replayed`` when an Idempotency-Key's retry got the first one."""

    replayed: bool | None = None


class ProposalPage(BaseModel):
    items: list[ProposalOut]
    next_cursor: str | None = None


class HistoryEntry(BaseModel):
    from_status: str
    to_status: str
    capacity: str
    reason: str | None
    outcome: str | None
    at: str
    actor_id: str | None = None


class SupportOut(BaseModel):
    support_count: int
    supported_by_me: bool | None = None


class FollowOut(BaseModel):
    followed_by_me: bool


class AnswerOut(BaseModel):
    id: str
    question_id: str
    body: str | None
    answered_by: str
    office: OfficeOut | None = Field(None, description="who answered for the municipality: a politician by "
                                                       "name and party (a public office), staff by role")
    created_at: str
    hidden: bool
    hidden_reason: str | None


class QuestionOut(BaseModel):
    id: str
    body: str | None
    created_at: str
    hidden: bool
    hidden_reason: str | None
    answered: bool
    answers: list[AnswerOut]


class PartyOut(BaseModel):
    role: str
    participant_id: str | None = None
    responsibilities: str = ""


class AgreementOut(BaseModel):
    proposal_id: str
    municipality: str
    version: int
    parties: list[PartyOut]
    municipality_commitment: str
    iap2_level: str
    decision_maker: str
    resources: list[str]
    timeline: list[dict]
    accepted_by: list[str]
    accepted_parties: list[str]
    accepted: bool
    my_parties: list[str]
    created_at: str


class ExperimentOut(BaseModel):
    id: str
    hypothesis: str
    intervention: str
    starts_on: str
    ends_on: str | None
    outcome: str | None
    learnings: str | None
    created_at: str
    updated_at: str


class UpdateOut(BaseModel):
    id: str
    body: str | None
    posted_by: str
    created_at: str
    hidden: bool
    hidden_reason: str | None


class ReportOut(BaseModel):
    id: str
    status: str


class OpenReportOut(BaseModel):
    id: str
    proposal_id: str
    target_type: str
    target_id: str
    reason: str
    created_at: str


class HiddenOut(BaseModel):
    hidden: bool
    changed: bool
