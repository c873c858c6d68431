"""The tables of political leadership (issue 22; migration 0004) and their
repositories: missions, task committees, the council's cases and its event log,
politicians' public offices.  Declared on the proposals' ``metadata``, so
``test_migrations_match`` checks them with the rest."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.errors import NotFound
from samskab.values import parse_id

from .tables import TZ, UUID, metadata

missions = sa.Table(
    "missions", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("challenge", sa.Text, nullable=False),
    sa.Column("goal", sa.Text, nullable=False),
    sa.Column("horizon", sa.Integer, nullable=False),
    sa.Column("owner_committee", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("created_by", UUID, nullable=False),
    sa.Column("office", pg.JSONB, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("updated_at", TZ),
    sa.Column("closed_as", sa.Text),  # achieved | ended (migration 0007)
    sa.Column("closing_note", sa.Text),
    sa.Column("closed_at", TZ),
    sa.Index("missions_municipality", "municipality", "created_at"),
)
mission_proposals = sa.Table(
    "mission_proposals", metadata,
    sa.Column("mission_id", UUID, sa.ForeignKey("missions.id"), primary_key=True),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), primary_key=True),
    sa.Column("attached_by", sa.Text, nullable=False),
    sa.Column("actor_id", UUID, nullable=False),
    sa.Column("attached_at", TZ, nullable=False),
    sa.Index("mission_proposals_proposal", "proposal_id"),
)
mission_follows = sa.Table(
    "mission_follows", metadata,
    sa.Column("mission_id", UUID, sa.ForeignKey("missions.id"), primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Index("mission_follows_participant", "participant_id"),
)
committees = sa.Table(
    "committees", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("mission_id", UUID, sa.ForeignKey("missions.id")),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("questions", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("frame", sa.Text, nullable=False),
    sa.Column("deadline", sa.Date, nullable=False),
    sa.Column("seats", pg.JSONB, nullable=False),
    sa.Column("recruitment", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("created_by", UUID, nullable=False),
    sa.Column("office", pg.JSONB, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("panel_id", sa.Text),
    sa.Column("seed", sa.BigInteger),
    sa.Column("recommendation", sa.Text),
    sa.Column("delivered_at", TZ),
    sa.Column("updated_at", TZ),
    sa.Column("closing_note", sa.Text),
    sa.Column("closed_at", TZ),
    sa.Index("committees_municipality", "municipality", "created_at"),
    sa.Index("committees_mission", "mission_id"),
)
committee_applications = sa.Table(
    "committee_applications", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), nullable=False),
    sa.Column("participant_id", UUID, nullable=False),
    sa.Column("seat_group", sa.Text, nullable=False),
    sa.Column("features", pg.JSONB, nullable=False, server_default="{}"),
    sa.Column("motivation", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("applied_at", TZ, nullable=False),
    sa.UniqueConstraint("committee_id", "participant_id", name="committee_applications_once"),
    sa.Index("committee_applications_participant", "participant_id"),
)
committee_members = sa.Table(
    "committee_members", metadata,
    sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("seat_group", sa.Text, nullable=False),
    sa.Column("how", sa.Text, nullable=False),
    sa.Column("seated_at", TZ, nullable=False),
    sa.Index("committee_members_participant", "participant_id"),
)
committee_meetings = sa.Table(
    "committee_meetings", metadata,
    sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), primary_key=True),
    sa.Column("meeting_id", UUID, primary_key=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("starts_at", TZ, nullable=False),
)
committee_documents = sa.Table(
    "committee_documents", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("meeting_id", UUID),
    sa.Column("author_id", UUID, nullable=False),
    sa.Column("added_at", TZ, nullable=False),
)
# One case per proposal over its threshold and per recommendation delivered: the council's answer.
council_cases = sa.Table(
    "council_cases", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("proposal_id", UUID, unique=True),
    sa.Column("committee_id", UUID, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("opened_at", TZ, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("body", sa.Text),
    sa.Column("meeting_date", sa.Date),
    sa.Column("meeting_id", UUID),
    sa.Column("decision", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("sent_to", sa.Text),
    sa.Column("decided_at", TZ),
    sa.Column("decided_by", UUID),
    sa.Column("office", pg.JSONB),
    sa.Index("council_cases_municipality", "municipality", "status", "opened_at"),
)
# The council's events as they were emitted (public data only): "what became of it" is
# computed from these, so the figures follow the stream third parties see.
council_events = sa.Table(
    "council_events", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("case_id", UUID, nullable=False),
    sa.Column("at", TZ, nullable=False),
    sa.Column("data", pg.JSONB, nullable=False),
    sa.Index("council_events_municipality", "municipality", "id"),
)
public_offices = sa.Table(
    "public_offices", metadata,
    sa.Column("municipality", sa.Text, primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("party", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("updated_at", TZ, nullable=False),
)


class _Repository:
    def __init__(self, uow):
        self.uow = uow

    def _all(self, query):
        return self.uow.execute(query).all()

    def _one(self, table, municipality, row_id, what, lock=False):
        query = sa.select(table).where(table.c.id == parse_id(row_id, what), table.c.municipality == municipality)
        if lock:
            query = query.with_for_update()
        row = self.uow.execute(query).first()
        if row is None:
            raise NotFound(f"no such {what}")
        return row


class Missions(_Repository):
    def get(self, municipality, mission_id, lock=False):
        return self._one(missions, municipality, mission_id, "mission", lock)

    def add(self, **record):
        self.uow.execute(missions.insert().values(**record))

    def change(self, row, **values):
        return self.uow.execute(missions.update().where(missions.c.id == row.id).values(**values)
                                .returning(missions)).first()

    def of_municipality(self, municipality):
        return self._all(sa.select(missions).where(missions.c.municipality == municipality)
                         .order_by(missions.c.created_at.desc()))

    def by(self, municipality, participant_id):
        return self._all(sa.select(missions).where(missions.c.municipality == municipality,
                                                   missions.c.created_by == participant_id)
                         .order_by(missions.c.created_at.desc()))

    def attach(self, mission_id, proposal_id, attached_by, actor_id, at):
        """True if newly attached."""
        return self.uow.execute(pg.insert(mission_proposals).values(
            mission_id=mission_id, proposal_id=proposal_id, attached_by=attached_by, actor_id=actor_id,
            attached_at=at).on_conflict_do_nothing().returning(mission_proposals.c.proposal_id)).first() is not None

    def proposals_of(self, mission_id):
        """The attached proposals with what the mission page shows of each (public ones only)."""
        from .tables import experiments, proposals
        n_experiments = (sa.select(sa.func.count()).select_from(experiments)
                         .where(experiments.c.proposal_id == proposals.c.id).scalar_subquery())
        return self._all(
            sa.select(proposals.c.id, proposals.c.title, proposals.c.status, proposals.c.support_count,
                      proposals.c.outcome, mission_proposals.c.attached_by, n_experiments.label("experiments"))
            .join(mission_proposals, mission_proposals.c.proposal_id == proposals.c.id)
            .where(mission_proposals.c.mission_id == mission_id, proposals.c.status != "draft",
                   proposals.c.hidden_at.is_(None))
            .order_by(mission_proposals.c.attached_at))

    def with_agreement(self, proposal_ids):
        """Of these proposals, those with a collaboration agreement (any version)."""
        from .tables import agreement_versions
        if not proposal_ids:
            return set()
        return {r.proposal_id for r in self._all(sa.select(agreement_versions.c.proposal_id).distinct().where(
            agreement_versions.c.proposal_id.in_(proposal_ids)))}

    def people_of_proposals(self, mission_id):
        """The initiators and followers of the mission's public proposals: a committee's
        answer on the mission concerns them too."""
        from .tables import ERASED, follows, proposals
        attached = sa.select(mission_proposals.c.proposal_id).where(mission_proposals.c.mission_id == mission_id)
        initiators = [r.initiator_id for r in self._all(sa.select(proposals.c.initiator_id).where(
            proposals.c.id.in_(attached), proposals.c.status != "draft", proposals.c.hidden_at.is_(None)))]
        followers = [r.participant_id for r in self._all(sa.select(follows.c.participant_id).where(
            follows.c.proposal_id.in_(attached)))]
        return [p for p in initiators + followers if p != ERASED]

    def of_proposal(self, proposal_id):
        return self._all(sa.select(missions).join(mission_proposals, mission_proposals.c.mission_id == missions.c.id)
                         .where(mission_proposals.c.proposal_id == proposal_id))

    def follow(self, mission_id, participant_id, following):
        if following:
            return self.uow.execute(pg.insert(mission_follows).values(
                mission_id=mission_id, participant_id=participant_id).on_conflict_do_nothing()
                .returning(mission_follows.c.mission_id)).first() is not None
        return self.uow.execute(mission_follows.delete().where(
            mission_follows.c.mission_id == mission_id, mission_follows.c.participant_id == participant_id)
            .returning(mission_follows.c.mission_id)).first() is not None

    def followers(self, mission_id):
        return [r.participant_id for r in self._all(
            sa.select(mission_follows.c.participant_id).where(mission_follows.c.mission_id == mission_id))]


class Committees(_Repository):
    def get(self, municipality, committee_id, lock=False):
        return self._one(committees, municipality, committee_id, "committee", lock)

    def add(self, **record):
        self.uow.execute(committees.insert().values(**record))

    def change(self, row, **values):
        return self.uow.execute(committees.update().where(committees.c.id == row.id).values(**values)
                                .returning(committees)).first()

    def of_municipality(self, municipality):
        return self._all(sa.select(committees).where(committees.c.municipality == municipality)
                         .order_by(committees.c.created_at.desc()))

    def of_mission(self, mission_id):
        return self._all(sa.select(committees).where(committees.c.mission_id == mission_id)
                         .order_by(committees.c.created_at))

    def of_member(self, municipality, participant_id):
        return self._all(sa.select(committees).join(committee_members,
                                                    committee_members.c.committee_id == committees.c.id)
                         .where(committees.c.municipality == municipality,
                                committee_members.c.participant_id == participant_id))

    # applications and members
    def apply(self, **record):
        return self.uow.execute(pg.insert(committee_applications).values(**record).on_conflict_do_nothing()
                                .returning(committee_applications.c.id)).first() is not None

    def applications(self, committee_id):
        return self._all(sa.select(committee_applications).where(committee_applications.c.committee_id == committee_id)
                         .order_by(committee_applications.c.applied_at))

    def set_application_status(self, application_ids, status):
        if application_ids:
            self.uow.execute(committee_applications.update().where(
                committee_applications.c.id.in_(application_ids)).values(status=status))

    def seat(self, committee_id, participant_id, group, how, at):
        return self.uow.execute(pg.insert(committee_members).values(
            committee_id=committee_id, participant_id=participant_id, seat_group=group, how=how, seated_at=at)
            .on_conflict_do_nothing().returning(committee_members.c.participant_id)).first() is not None

    def members(self, committee_id):
        return self._all(sa.select(committee_members).where(committee_members.c.committee_id == committee_id)
                         .order_by(committee_members.c.seated_at))

    # meetings and documents
    def add_meeting(self, committee_id, meeting_id, starts_at):
        number = self.uow.execute(sa.select(sa.func.count()).select_from(committee_meetings)
                                  .where(committee_meetings.c.committee_id == committee_id)).scalar() + 1
        self.uow.execute(pg.insert(committee_meetings).values(
            committee_id=committee_id, meeting_id=meeting_id, number=number, starts_at=starts_at)
            .on_conflict_do_nothing())
        return number

    def meetings(self, committee_id):
        return self._all(sa.select(committee_meetings).where(committee_meetings.c.committee_id == committee_id)
                         .order_by(committee_meetings.c.starts_at))

    def add_document(self, **record):
        self.uow.execute(committee_documents.insert().values(**record))

    def documents(self, committee_id):
        return self._all(sa.select(committee_documents).where(committee_documents.c.committee_id == committee_id)
                         .order_by(committee_documents.c.added_at))


class Cases(_Repository):
    def get(self, municipality, case_id, lock=False):
        return self._one(council_cases, municipality, case_id, "case", lock)

    def open(self, **record):
        """True if the case is new (one per proposal, one per committee)."""
        return self.uow.execute(pg.insert(council_cases).values(status="awaiting", **record)
                                .on_conflict_do_nothing().returning(council_cases.c.id)).first() is not None

    def change(self, row, **values):
        return self.uow.execute(council_cases.update().where(council_cases.c.id == row.id).values(**values)
                                .returning(council_cases)).first()

    def of_municipality(self, municipality):
        return self._all(sa.select(council_cases).where(council_cases.c.municipality == municipality)
                         .order_by(council_cases.c.opened_at))

    def of_committee(self, committee_id):
        return self.uow.execute(sa.select(council_cases).where(council_cases.c.committee_id == committee_id)).first()

    def of_proposals(self, proposal_ids):
        if not proposal_ids:
            return []
        return self._all(sa.select(council_cases).where(council_cases.c.proposal_id.in_(proposal_ids)))

    def decided_by(self, municipality, participant_id):
        return self._all(sa.select(council_cases).where(council_cases.c.municipality == municipality,
                                                        council_cases.c.decided_by == participant_id)
                         .order_by(council_cases.c.decided_at.desc()))

    def log(self, municipality, type_name, case_id, at, data):
        self.uow.execute(council_events.insert().values(municipality=municipality, type=type_name, case_id=case_id,
                                                        at=at, data=data))

    def events(self, municipality):
        return self._all(sa.select(council_events).where(council_events.c.municipality == municipality)
                         .order_by(council_events.c.id))


class Offices(_Repository):
    def get(self, municipality, participant_id):
        return self.uow.execute(sa.select(public_offices).where(
            public_offices.c.municipality == municipality,
            public_offices.c.participant_id == uuid.UUID(str(participant_id)))).first()

    def put(self, municipality, participant_id, name, party, title, at):
        return self.uow.execute(pg.insert(public_offices).values(
            municipality=municipality, participant_id=participant_id, name=name, party=party, title=title,
            updated_at=at).on_conflict_do_update(
            index_elements=[public_offices.c.municipality, public_offices.c.participant_id],
            set_={"name": name, "party": party, "title": title, "updated_at": at}).returning(public_offices)).first()

    def answers_by(self, municipality, participant_id):
        """The visible answers a politician gave in their office, newest first, with the question."""
        from .tables import answers, proposals, questions
        return self._all(
            sa.select(answers.c.id, answers.c.proposal_id, answers.c.body, answers.c.created_at,
                      proposals.c.title.label("proposal_title"), questions.c.body.label("question"))
            .join(proposals, proposals.c.id == answers.c.proposal_id)
            .join(questions, questions.c.id == answers.c.question_id)
            .where(proposals.c.municipality == municipality, answers.c.author_id == participant_id,
                   answers.c.office["role"].astext == "politician", answers.c.hidden_at.is_(None),
                   questions.c.hidden_at.is_(None), proposals.c.hidden_at.is_(None), proposals.c.status != "draft")
            .order_by(answers.c.created_at.desc()).limit(50))

    def of(self, municipality, participant_ids):
        if not participant_ids:
            return {}
        rows = self._all(sa.select(public_offices).where(public_offices.c.municipality == municipality,
                                                         public_offices.c.participant_id.in_(participant_ids)))
        return {r.participant_id: r for r in rows}


def erase(uow, participant_id, marker):
    """A person's links to missions, committees and cases go with their account; what the
    public co-created stays (their missions, documents and decisions, by the erased marker)."""
    pid = uuid.UUID(str(participant_id))
    uow.execute(mission_follows.delete().where(mission_follows.c.participant_id == pid))
    uow.execute(committee_applications.delete().where(committee_applications.c.participant_id == pid))
    uow.execute(public_offices.delete().where(public_offices.c.participant_id == pid))
    from .tables import answers  # an answer given in office no longer names them
    uow.execute(answers.update().where(answers.c.office["participant_id"].astext == str(pid))
                .values(office={"role": "politician"}))
    uow.execute(committee_members.update().where(committee_members.c.participant_id == pid)
                .values(participant_id=uuid.uuid4()))  # seats stay counted, as supports do
    for table, column in ((missions, "created_by"), (committees, "created_by"), (mission_proposals, "actor_id"),
                          (committee_documents, "author_id"), (council_cases, "decided_by")):
        uow.execute(table.update().where(table.c[column] == pid).values(**{column: marker}))
