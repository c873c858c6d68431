"""Proposals: the requests people send (HTTP bodies and RPC payloads)."""
import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ...geo import DrawnArea, Latitude, Longitude, both_or_neither
from ...text import Visible
from .enums import Iap2, Kind, Language, Outcome, Status, TargetType, one_of

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Visible]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), Visible]
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

    kind: one_of(Kind)
    title: Short
    problem: Text = Field(description="The concrete local problem: the mission starts here")
    goal: Text = Field(description="What should be different when the mission succeeds")
    description: Description = ""
    area: Area | None = None
    topics: list[Tag] = Field(default_factory=list, max_length=20)
    needs: list[Need] = Field(default_factory=list, max_length=30)
    language: one_of(Language) = "da"
    iap2_level: one_of(Iap2) | None = None
    latitude: Latitude | None = Field(None, description="Where the problem is on the map (WGS 84), with longitude")
    longitude: Longitude | None = None
    boundary: DrawnArea | None = Field(None, description=(
        "The area the proposal is about, as a GeoJSON Polygon (one ring of [longitude, latitude], 4 to 200 "
        "positions, closed for you if open, at most 100 km across, not crossing itself); without a point, "
        "its centre becomes the point"))
    submit: bool = Field(True, description="false keeps it as a draft only its initiator sees")

    _point = model_validator(mode="after")(both_or_neither)


class ProposalPatch(_Input):
    """A change to a proposal's content; only the fields sent change.
    The initiator edits the content; the municipality's staff set the IAP2 level."""

    kind: one_of(Kind) | None = None
    title: Short | None = None
    problem: Text | None = None
    goal: Text | None = None
    description: Description | None = None
    area: Area | None = None
    topics: list[Tag] | None = Field(None, max_length=20)
    needs: list[Need] | None = Field(None, max_length=30)
    language: one_of(Language) | None = None
    iap2_level: one_of(Iap2) | None = None
    latitude: Latitude | None = Field(None, description="with longitude; both null remove the point "
                                      "(a proposal with an area keeps the area's centre as its point)")
    longitude: Longitude | None = None
    boundary: DrawnArea | None = Field(None, description="a GeoJSON Polygon as when proposing; null removes the area")

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        if len({"latitude", "longitude"} & self.model_fields_set) == 1:
            raise ValueError("send both latitude and longitude, or neither")
        both_or_neither(self)
        for name in ("kind", "title", "problem", "goal", "language", "description", "topics", "needs"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed")
        return self


class TransitionRequest(_Input):
    to: one_of(Status)
    reason: Reason | None = None
    outcome: one_of(Outcome) | None = Field(None, description="required when concluding")


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
    iap2_level: one_of(Iap2)
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
    target_type: one_of(TargetType)
    target_id: uuid.UUID
    reason: Reason


class ModerationDecision(_Input):
    action: Literal["hide", "dismiss"]
    reason: Reason


class HideRequest(_Input):
    target_type: one_of(TargetType)
    target_id: uuid.UUID
    reason: Reason
