"""Events and RPC payloads of the matching service.

Public projections name no person: matches are published as counts, similar
proposals as proposal ids and scores, panels as counts per feature value and
the seed that lets anyone re-run the draw.
"""
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..events import Contract, PublicProjection, event

ParticipantKind = Literal["resident", "business", "association", "politician", "employee"]
Language = Literal["da", "nb", "nn", "en"]
Availability = Literal["weekday_daytime", "weekday_evening", "weekend", "occasional"]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,62}$")]
FeatureName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
FeatureValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class Profile(BaseModel):
    """What a participant offers and cares about (``PUT /me/profile``)."""

    model_config = ConfigDict(extra="forbid")

    kind: ParticipantKind | None = Field(None, description="defaults to the account's role")
    skills: list[Tag] = Field(default_factory=list, max_length=40)
    interests: list[Tag] = Field(default_factory=list, max_length=40, description="topics")
    areas: list[Tag] = Field(default_factory=list, max_length=20)
    resources: list[Tag] = Field(default_factory=list, max_length=20,
                                 description="what you can lend or give: a room, tools, funding, volunteers …")
    availability: list[Availability] = Field(default_factory=list, max_length=4)
    languages: list[Language] = Field(default_factory=list, max_length=4)
    suggest_me: bool = Field(False, description="explicit opt-in to being suggested to proposals")
    neighbour_municipalities: list[Slug] = Field(
        default_factory=list, max_length=20,
        description="other municipalities whose proposals may suggest you (needs suggest_me)")


class ProfileOut(Profile):
    participant_id: str
    municipality: str


class Volunteer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = Field(
        description="an opaque id from the recruitment list; never a name")
    features: dict[FeatureName, FeatureValue]
    household: Annotated[str, StringConstraints(max_length=80)] | None = Field(
        None, description="an opaque household id, for the one-per-household rule")


class Bounds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: int = Field(0, ge=0)
    max: int = Field(ge=0)


class PanelRequest(BaseModel):
    """``POST /municipalities/{m}/panels``: a pool, a size, quotas, a seed."""

    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    proposal_id: uuid.UUID | None = None
    size: int = Field(ge=1, le=1000)
    volunteers: list[Volunteer] = Field(min_length=1, max_length=20000)
    quotas: dict[FeatureName, dict[FeatureValue, Bounds]] = Field(
        description="feature -> value -> {min, max} members with that value")
    one_per_household: bool = False
    alternates: int = Field(0, ge=0, le=500)
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="published before the draw; random if omitted")


class MatchCount(Contract):
    kind: ParticipantKind
    count: int


class SuggestedParticipant(Contract):
    participant_id: uuid.UUID
    kind: ParticipantKind
    score: float
    municipality: str


class PublicMatchesSuggested(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    total: int
    by_kind: list[MatchCount]
    needs_met: int
    needs_total: int


@event("samskab.proposal.matches_suggested", public=PublicMatchesSuggested)
class MatchesSuggested(Contract):
    """Participants who could help with a proposal were found (internally: who; publicly: how many)."""

    proposal_id: uuid.UUID
    municipality: str
    total: int
    by_kind: list[MatchCount]
    needs_met: int
    needs_total: int
    participants: list[SuggestedParticipant] = Field(default_factory=list)


class SimilarProposal(Contract):
    id: uuid.UUID
    score: float


class PublicSimilarFound(PublicProjection):
    proposal_id: uuid.UUID
    municipality: str
    similar: list[SimilarProposal]


@event("samskab.proposal.similar_found", public=PublicSimilarFound)
class SimilarFound(Contract):
    """A submitted proposal looks like existing ones of the same municipality."""

    proposal_id: uuid.UUID
    municipality: str
    similar: list[SimilarProposal]


class ValueCount(Contract):
    feature: str
    value: str
    count: int


class PublicPanelSelected(PublicProjection):
    panel_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID | None = None
    size: int
    pool_size: int
    seed: int
    counts: list[ValueCount]
    lowest_probability: float
    alternates: int


@event("samskab.panel.selected", public=PublicPanelSelected)
class PanelSelected(Contract):
    """A citizen panel was drawn; the seed and the pool reproduce the draw."""

    panel_id: uuid.UUID
    municipality: str
    proposal_id: uuid.UUID | None = None
    size: int
    pool_size: int
    seed: int
    counts: list[ValueCount]
    lowest_probability: float
    alternates: int
