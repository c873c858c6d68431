"""Events emitted by the proposals service."""
import datetime as dt
import uuid
from typing import Literal

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..events import Contract, PublicProjection, event

Kind = Literal["service", "development", "policy"]
Role = Literal["resident", "business", "association", "politician", "employee"]
Language = Literal["da", "nb", "nn", "en"]
Iap2 = Literal["inform", "consult", "involve", "collaborate", "empower"]

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class NewProposal(BaseModel):
    """What someone sends to start a proposal (HTTP body and RPC payload)."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    title: Short
    problem: Text = Field(description="The concrete local problem: the mission starts here")
    goal: Text = Field(description="What should be different when the mission succeeds")
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)] = ""
    area: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    topics: list[Tag] = Field(default_factory=list, max_length=20)
    needs: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]] = Field(
        default_factory=list, max_length=30
    )
    language: Language = "da"
    iap2_level: Iap2 | None = None
    submit: bool = Field(True, description="false keeps it as a draft only its initiator sees")


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


@event("samskab.proposal.submitted", public=PublicProposal)
class ProposalSubmitted(ProposalSnapshot):
    """A proposal was submitted to the municipality."""


@event("samskab.proposal.published", public=PublicProposal)
class ProposalPublished(ProposalSnapshot):
    """The municipality published a proposal: it is open for everyone to see and join."""


@event("samskab.proposal.updated", public=PublicProposal)
class ProposalUpdated(ProposalSnapshot):
    """The content of a proposal changed (mission, needs, topics, area …)."""
