"""What the proposals service answers about missions, task committees and the
council's answer, and the typed client the gateway calls them through
(``CouncilRpc(ctx.call).get_mission(m, actor, mission_id)``): municipality,
actor, ids, payload, as everywhere."""
from pydantic import BaseModel, Field

from ..rpc import ServiceClient


class OfficeOut(BaseModel):
    role: str = Field(description="politician, employee (on the council's behalf), initiator …")
    name: str | None = Field(None, description="a politician's name (a public office)")
    party: str | None = None
    participant_id: str | None = Field(None, description="a politician's id, for their page")


class MissionProposalOut(BaseModel):
    id: str
    title: str
    status: str
    support_count: int = 0
    experiments: int = 0
    agreement: bool = Field(False, description="a collaboration agreement is drafted")
    outcome: str | None = None
    attached_by: str


class ProgressOut(BaseModel):
    proposals: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)
    experiments: int = 0
    agreements: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)
    share_done: float = Field(0, description="concluded proposals as a share of those attached (0-1)")


class MissionOut(BaseModel):
    id: str
    municipality: str
    title: str
    challenge: str
    goal: str
    horizon: int
    owner_committee: str
    language: str
    created_at: str
    published_by: OfficeOut
    proposals: list[MissionProposalOut] | None = None
    committees: list[dict] | None = None
    progress: ProgressOut | None = None
    followers: int = 0
    followed_by_me: bool = False
    status: str = Field("open", description="open, achieved or ended")
    updated_at: str | None = None
    closing_note: str | None = None
    closed_at: str | None = None
    allowed: list[str] = Field(default_factory=list, description="attach, follow, manage, edit, close")


class FollowedOut(BaseModel):
    followed_by_me: bool


class AttachedOut(BaseModel):
    mission_id: str
    proposal_id: str
    attached_by: str


class MemberOut(BaseModel):
    group: str
    how: str
    office: OfficeOut | None = Field(None, description="a politician member, named; residents are not")
    me: bool = False


class MeetingRefOut(BaseModel):
    meeting_id: str
    number: int
    starts_at: str


class DocumentOut(BaseModel):
    id: str
    kind: str
    title: str
    body: str
    meeting_id: str | None = None
    added_at: str


class ApplicationOut(BaseModel):
    id: str
    group: str
    features: dict[str, str] = Field(default_factory=dict)
    motivation: str = ""
    status: str
    applied_at: str
    participant_id: str | None = Field(None, description="staff only")


class DecisionOut(BaseModel):
    case_id: str
    kind: str
    title: str
    proposal_id: str | None = None
    committee_id: str | None = None
    status: str = Field(description="awaiting, placed or decided")
    opened_at: str
    body: str | None = None
    meeting_date: str | None = None
    meeting_id: str | None = None
    decision: str | None = None
    reason: str | None = None
    sent_to: str | None = None
    decided_at: str | None = None
    decided_by: OfficeOut | None = None
    days_to_answer: int | None = None


class CommitteeOut(BaseModel):
    id: str
    municipality: str
    title: str
    mission_id: str | None = None
    mission_title: str | None = None
    task: str
    questions: list[str]
    frame: str
    deadline: str
    seats: dict[str, int]
    recruitment: str
    status: str = Field(description="recruiting, working, delivered, answered, closed")
    updated_at: str | None = None
    closing_note: str | None = None
    closed_at: str | None = None
    created_at: str
    formed_by: OfficeOut
    members: list[MemberOut] = Field(default_factory=list)
    members_by_group: dict[str, int] = Field(default_factory=dict)
    panel_id: str | None = None
    seed: int | None = None
    meetings: list[MeetingRefOut] = Field(default_factory=list)
    documents: list[DocumentOut] = Field(default_factory=list)
    recommendation: str | None = None
    delivered_at: str | None = None
    case: DecisionOut | None = None
    applications: list[ApplicationOut] | None = Field(None, description="staff only")
    applied_by_me: bool = False
    allowed: list[str] = Field(default_factory=list,
                               description="apply, seat, plan_meeting, add_document, deliver, edit, close")


class FiguresOut(BaseModel):
    """What became of it: computed from the council's events."""

    cases: int = Field(description="proposals over their threshold and recommendations delivered")
    answered: int
    awaiting: int
    placed: int
    by_decision: dict[str, int]
    by_kind: dict[str, dict[str, int]]
    median_days: float | None = Field(None, description="from reaching the council to its decision")
    longest_open_days: int | None = Field(None, description="the oldest case still without an answer")
    share_answered: float


class AgendaOut(BaseModel):
    awaiting: list[DecisionOut]
    placed: list[DecisionOut]
    decided: list[DecisionOut]


class OfficeHeldOut(BaseModel):
    participant_id: str
    municipality: str
    name: str
    party: str
    title: str = ""


class PoliticianAnswerOut(BaseModel):
    """An answer a politician gave to a resident's question (the question's author is not shown)."""

    id: str
    proposal_id: str
    proposal_title: str
    question: str
    body: str
    created_at: str


class PoliticianOut(BaseModel):
    office: OfficeHeldOut
    missions: list[MissionOut]
    committees: list[dict]
    decisions: list[DecisionOut]
    answers: list[PoliticianAnswerOut] = Field(default_factory=list)


class CouncilRpc(ServiceClient):
    """Missions, committees and the council's answer, in the proposals service."""

    service = "proposals"

    # -- missions
    def publish_mission(self, municipality, actor, payload) -> MissionOut:
        return MissionOut.model_validate(self._rpc("publish_mission", municipality, actor, self._dump(payload)))

    def missions(self, municipality, actor) -> list[MissionOut]:
        return [MissionOut.model_validate(m) for m in self._rpc("missions", municipality, actor)]

    def get_mission(self, municipality, actor, mission_id) -> MissionOut:
        return MissionOut.model_validate(self._rpc("get_mission", municipality, actor, str(mission_id)))

    def attach_to_mission(self, municipality, actor, mission_id, payload) -> AttachedOut:
        return AttachedOut.model_validate(
            self._rpc("attach_to_mission", municipality, actor, str(mission_id), self._dump(payload)))

    def follow_mission(self, municipality, actor, mission_id, following=True) -> FollowedOut:
        return FollowedOut.model_validate(
            self._rpc("follow_mission", municipality, actor, str(mission_id), following))

    def update_mission(self, municipality, actor, mission_id, payload) -> MissionOut:
        return MissionOut.model_validate(
            self._rpc("update_mission", municipality, actor, str(mission_id), self._dump(payload)))

    def close_mission(self, municipality, actor, mission_id, payload) -> MissionOut:
        return MissionOut.model_validate(
            self._rpc("close_mission", municipality, actor, str(mission_id), self._dump(payload)))

    def missions_of_proposal(self, municipality, actor, proposal_id) -> list[MissionOut]:
        return [MissionOut.model_validate(m)
                for m in self._rpc("missions_of_proposal", municipality, actor, str(proposal_id))]

    # -- committees
    def form_committee(self, municipality, actor, payload) -> CommitteeOut:
        return CommitteeOut.model_validate(self._rpc("form_committee", municipality, actor, self._dump(payload)))

    def committees(self, municipality, actor) -> list[CommitteeOut]:
        return [CommitteeOut.model_validate(c) for c in self._rpc("committees", municipality, actor)]

    def get_committee(self, municipality, actor, committee_id) -> CommitteeOut:
        return CommitteeOut.model_validate(self._rpc("get_committee", municipality, actor, str(committee_id)))

    def update_committee(self, municipality, actor, committee_id, payload) -> CommitteeOut:
        return CommitteeOut.model_validate(
            self._rpc("update_committee", municipality, actor, str(committee_id), self._dump(payload)))

    def close_committee(self, municipality, actor, committee_id, payload) -> CommitteeOut:
        return CommitteeOut.model_validate(
            self._rpc("close_committee", municipality, actor, str(committee_id), self._dump(payload)))

    def case_of_proposal(self, municipality, actor, proposal_id) -> DecisionOut | None:
        found = self._rpc("case_of_proposal", municipality, actor, str(proposal_id))
        return DecisionOut.model_validate(found) if found else None

    def apply_to_committee(self, municipality, actor, committee_id, payload) -> ApplicationOut:
        return ApplicationOut.model_validate(
            self._rpc("apply_to_committee", municipality, actor, str(committee_id), self._dump(payload)))

    def seat_members(self, municipality, actor, committee_id, payload) -> CommitteeOut:
        return CommitteeOut.model_validate(
            self._rpc("seat_members", municipality, actor, str(committee_id), self._dump(payload)))

    def add_committee_meeting(self, municipality, actor, committee_id, payload) -> CommitteeOut:
        return CommitteeOut.model_validate(
            self._rpc("add_committee_meeting", municipality, actor, str(committee_id), self._dump(payload)))

    def add_document(self, municipality, actor, committee_id, payload) -> DocumentOut:
        return DocumentOut.model_validate(
            self._rpc("add_document", municipality, actor, str(committee_id), self._dump(payload)))

    def deliver_recommendation(self, municipality, actor, committee_id, payload) -> CommitteeOut:
        return CommitteeOut.model_validate(
            self._rpc("deliver_recommendation", municipality, actor, str(committee_id), self._dump(payload)))

    # -- the council's answer
    def agenda(self, municipality, actor) -> AgendaOut:
        return AgendaOut.model_validate(self._rpc("agenda", municipality, actor))

    def get_case(self, municipality, actor, case_id) -> DecisionOut:
        return DecisionOut.model_validate(self._rpc("get_case", municipality, actor, str(case_id)))

    def place_case(self, municipality, actor, case_id, payload) -> DecisionOut:
        return DecisionOut.model_validate(
            self._rpc("place_case", municipality, actor, str(case_id), self._dump(payload)))

    def decide(self, municipality, actor, case_id, payload) -> DecisionOut:
        return DecisionOut.model_validate(self._rpc("decide", municipality, actor, str(case_id), self._dump(payload)))

    def figures(self, municipality, actor) -> FiguresOut:
        return FiguresOut.model_validate(self._rpc("council_figures", municipality, actor))

    def register_office(self, municipality, actor, payload) -> OfficeHeldOut:
        return OfficeHeldOut.model_validate(self._rpc("register_office", municipality, actor, self._dump(payload)))

    def politician(self, municipality, actor, participant_id) -> PoliticianOut:
        return PoliticianOut.model_validate(self._rpc("politician", municipality, actor, str(participant_id)))
