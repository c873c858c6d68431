"""Events and RPC payloads of the matching service.

Public projections name no person: matches are published as counts, similar
proposals as proposal ids and scores, panels as counts per feature value and
the seed that lets anyone re-run the draw.
"""
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .. import vocabulary
from ..events import Contract, PublicProjection, event
from .rpc import ServiceClient

ParticipantKind = vocabulary.one_of(vocabulary.Role)
Language = vocabulary.one_of(vocabulary.Language)
Availability = Literal["weekday_daytime", "weekday_evening", "weekend", "occasional"]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,62}$")]
FeatureName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
FeatureValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
PanelRule = Literal["maximin", "leximin"]


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
    rule: PanelRule = Field("maximin", description="maximin raises the lowest selection probability; leximin "
                            "then the next lowest, and so on (Flanigan et al. 2021)")


class TypeSeats(BaseModel):
    features: dict[str, str]
    seats: int = Field(description="members of this type on the panel")
    pool: int = Field(description="volunteers of this type who share the seats' chances")


class PortfolioPanel(BaseModel):
    """One panel of the lottery, as seats per type of volunteer: members are drawn
    uniformly within their type (one per household under the household rule)."""

    probability: float
    composition: list[TypeSeats]


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
    newly_matched: list[uuid.UUID] | None = Field(
        None, description="who is on the list and was not on the one before (told; the others were told before)")


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


# -- RPC answers (the gateway serves them as they are) ------------------------------------

class Reason(BaseModel):
    type: str
    value: Any = None
    need: str | None = None
    by: str | None = None
    strength: str | None = None


class MatchOut(BaseModel):
    participant_id: str
    kind: str
    score: float
    municipality: str
    reasons: list[Reason]


class MatchesOut(BaseModel):
    proposal_id: str
    computed_at: str | None
    matches: list[MatchOut]


class SimilarOut(BaseModel):
    """A similar proposal as a public page shows it: where, in which language, how it went."""

    id: str
    score: float
    title: str
    status: str
    municipality: str | None = None
    language: Language | None = None
    outcome: str | None = None
    duplicate: bool = Field(False, description="staff marked one of the two a duplicate of the other")


class SimilarListOut(BaseModel):
    proposal_id: str
    across: bool = False
    similar: list[SimilarOut]


class Draft(BaseModel):
    """A proposal not yet submitted, for 'does this exist already?'."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(max_length=200)] = ""
    problem: Annotated[str, StringConstraints(max_length=4000)] = ""
    goal: Annotated[str, StringConstraints(max_length=4000)] = ""
    description: Annotated[str, StringConstraints(max_length=20000)] = ""
    language: Language = "da"


class DraftSimilarOut(BaseModel):
    id: str
    score: float
    title: str | None
    status: str | None = None
    municipality: str | None = None
    language: Language | None = None
    outcome: str | None = None


class DuplicateMark(BaseModel):
    """``POST …/proposals/{id}/duplicate-of``: this proposal is the same idea as ``of``."""

    model_config = ConfigDict(extra="forbid")

    of: uuid.UUID = Field(description="the proposal this one duplicates (same municipality)")


class StakeholderOut(BaseModel):
    participant_id: str
    kind: str
    roles: list[str]
    power: str
    interest: str
    quadrant: str
    reasons: list[Reason]


class Gap(BaseModel):
    gap: str
    detail: str


class StakeholderMapOut(BaseModel):
    proposal_id: str
    grid: dict[str, list[StakeholderOut]]
    counts: dict[str, int]
    gaps: list[Gap]
    needs_unmet: list[str]


class RecommendationOut(BaseModel):
    proposal_id: str
    municipality: str
    title: str
    score: float
    reasons: list[Reason]


class RecommendationsOut(BaseModel):
    recommendations: list[RecommendationOut]


class PanelOut(BaseModel):
    id: str
    municipality: str
    proposal_id: str | None
    size: int
    pool_size: int
    seed: int
    rule: PanelRule = "maximin"
    members: list[str]
    alternates: list[str]
    probabilities: dict[str, float]
    lowest_probability: float
    counts: dict[str, dict[str, int]]
    panels_in_lottery: int
    portfolio: list[PortfolioPanel] = Field(
        default_factory=list, description="the lottery: each panel's seats per type and its probability")
    maximin_proven: bool
    lowest_probability_bound: float
    complete: bool = Field(True, description="leximin: every level above the lowest was also proven optimal "
                                             "within MATCHING_PANEL_SECONDS (false: the rest as good as found)")
    created_at: str | None = Field(None, description="when it was drawn (in the list of a proposal's draws)")


# -- the typed client ---------------------------------------------------------------------

class MatchingRpc(ServiceClient):
    """The matching service as the gateway calls it: (municipality, actor, ids, payload) in,
    output models out.  Profile calls name no municipality (they go to the home group)."""

    service = "matching"

    def get_profile(self, actor) -> ProfileOut:
        return ProfileOut.model_validate(self._rpc("get_profile", actor))

    def put_profile(self, actor, profile: Profile) -> ProfileOut:
        return ProfileOut.model_validate(self._rpc("put_profile", actor, self._dump(profile)))

    def recommendations(self, actor, limit=10) -> RecommendationsOut:
        return RecommendationsOut.model_validate(self._rpc("recommendations", actor, limit))

    def matches(self, municipality, actor, proposal_id) -> MatchesOut:
        return MatchesOut.model_validate(self._rpc("matches", municipality, actor, str(proposal_id)))

    def similar(self, municipality, actor, proposal_id, across=False) -> SimilarListOut:
        return SimilarListOut.model_validate(
            self._rpc("similar", municipality, actor, str(proposal_id), across=bool(across)))

    def similar_to_draft(self, municipality, actor, draft: Draft, across=False) -> list[DraftSimilarOut]:
        found = self._rpc("similar_to_draft", municipality, self._dump(draft), across=bool(across))
        return [DraftSimilarOut.model_validate(item) for item in found]

    def mark_duplicate(self, municipality, actor, proposal_id, mark: DuplicateMark) -> SimilarListOut:
        return SimilarListOut.model_validate(
            self._rpc("mark_duplicate", municipality, actor, str(proposal_id), self._dump(mark)))

    def stakeholders(self, municipality, actor, proposal_id) -> StakeholderMapOut:
        return StakeholderMapOut.model_validate(self._rpc("stakeholders", municipality, actor, str(proposal_id)))

    def select_panel(self, municipality, actor, request: PanelRequest) -> PanelOut:
        return PanelOut.model_validate(self._rpc("select_panel", municipality, actor, self._dump(request)))

    def panels_of(self, municipality, actor, proposal_id) -> list[PanelOut]:
        """A proposal's panel draws, newest first (the people drawn for staff only)."""
        return [PanelOut.model_validate(p) for p in self._rpc("panels_of", municipality, actor, str(proposal_id))]
