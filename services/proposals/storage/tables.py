"""The proposals service's tables, exactly as its migrations make them (indexes,
foreign keys, server defaults and the generated search column included):
``tests/integration/test_migrations_match.py`` compares the two.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.contracts.proposals.columns import content_columns

metadata = sa.MetaData()
UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)

# Each proposal in its own language's text search configuration (0002).
SEARCH = (
    "to_tsvector(CASE language WHEN 'da' THEN 'danish'::regconfig WHEN 'nb' THEN 'norwegian'::regconfig "
    "WHEN 'nn' THEN 'norwegian'::regconfig WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END, "
    "title || ' ' || problem || ' ' || goal || ' ' || description || ' ' || coalesce(area, ''))"
)
# What anyone may list: the partial indexes of the public sorts cover exactly these rows.
PUBLIC_ROWS = "status <> 'draft' AND hidden_at IS NULL"

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    *content_columns(),  # kind, title, problem, goal, description, area, topics, needs, language
    sa.Column("iap2_level", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("initiator_id", UUID, nullable=False),
    sa.Column("initiator_role", sa.Text, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
    # 0002
    sa.Column("support_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_activity_at", TZ, nullable=False, server_default=sa.func.now()),
    sa.Column("threshold_reached_at", TZ),
    sa.Column("outcome", sa.Text),
    sa.Column("outcome_reason", sa.Text),
    sa.Column("hidden_at", TZ),
    sa.Column("hidden_reason", sa.Text),
    sa.Column("search", pg.TSVECTOR, sa.Computed(sa.text(SEARCH), persisted=True)),
    # 0006: a point on the map
    sa.Column("latitude", sa.Float(precision=53)),
    sa.Column("longitude", sa.Float(precision=53)),
    sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="proposals_point_whole"),
    # 0009: an area on the map (a GeoJSON Polygon, checked by samskab.geo.polygon), always with its point
    sa.Column("boundary", pg.JSONB(none_as_null=True)),  # None is SQL NULL, not JSON null
    sa.CheckConstraint("boundary IS NULL OR latitude IS NOT NULL", name="proposals_area_has_point"),
)
# Keyset pagination: one partial index per public sort and per common filter (0002).
for _name, _columns in (
    ("newest", ("created_at",)), ("supported", ("support_count",)), ("active", ("last_activity_at",)),
    ("status_newest", ("status", "created_at")), ("kind_newest", ("kind", "created_at")),
):
    *_filters, _key = _columns
    sa.Index(f"proposals_public_{_name}", proposals.c.municipality, *(proposals.c[f] for f in _filters),
             proposals.c[_key].desc(), proposals.c.id.desc(), postgresql_where=sa.text(PUBLIC_ROWS))
sa.Index("proposals_initiator", proposals.c.initiator_id, proposals.c.created_at.desc(), proposals.c.id.desc())
sa.Index("proposals_search", proposals.c.search, postgresql_using="gin")
sa.Index("proposals_topics", proposals.c.topics, postgresql_using="gin")

# 0003: an Idempotency-Key per initiator names the proposal its first submission made
submission_keys = sa.Table(
    "submission_keys",
    metadata,
    sa.Column("initiator_id", UUID, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("proposal_id", UUID, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Index("submission_keys_created", "created_at"),
)

status_history = sa.Table(
    "status_history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
    sa.Column("from_status", sa.Text, nullable=False),
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("actor_id", UUID, nullable=False),
    sa.Column("capacity", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("outcome", sa.Text),
    sa.Column("at", TZ, nullable=False),
)

supports = sa.Table(
    "supports",
    metadata,
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("at", TZ, nullable=False, server_default=sa.func.now()),
    sa.Index("supports_participant", "participant_id"),
)

follows = sa.Table(
    "follows",
    metadata,
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("at", TZ, nullable=False, server_default=sa.func.now()),
    sa.Index("follows_participant", "participant_id"),
)


def _content_columns():
    return [
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("hidden_at", TZ),
        sa.Column("hidden_reason", sa.Text),
    ]


questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
    sa.Column("author_id", UUID, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    *_content_columns(),
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("question_id", UUID, sa.ForeignKey("questions.id"), nullable=False, index=True),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False),
    sa.Column("author_id", UUID, nullable=False),
    sa.Column("capacity", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("office", pg.JSONB),  # a politician's public office as they answered (migration 0007)
    *_content_columns(),
)

updates = sa.Table(
    "updates",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
    sa.Column("author_id", UUID, nullable=False),
    sa.Column("capacity", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    *_content_columns(),
)

agreement_versions = sa.Table(
    "agreement_versions",
    metadata,
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("content", pg.JSONB, nullable=False),
    sa.Column("drafted_by", UUID, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)

agreement_acceptances = sa.Table(
    "agreement_acceptances",
    metadata,
    sa.Column("proposal_id", UUID, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("party", sa.Text, primary_key=True),
    sa.Column("accepted_by", UUID, nullable=False),
    sa.Column("at", TZ, nullable=False),
    sa.ForeignKeyConstraint(["proposal_id", "version"],
                            ["agreement_versions.proposal_id", "agreement_versions.version"]),
)

experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
    sa.Column("hypothesis", sa.Text, nullable=False),
    sa.Column("intervention", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("outcome", sa.Text),
    sa.Column("learnings", sa.Text),
    sa.Column("recorded_by", UUID, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False),
    sa.Column("target_type", sa.Text, nullable=False),
    sa.Column("target_id", UUID, nullable=False),
    sa.Column("reporter_id", UUID, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("decision", sa.Text),
    sa.Column("decision_reason", sa.Text),
    sa.Column("decided_by", UUID),
    sa.Column("decided_at", TZ),
    sa.Index("reports_open", "municipality", "created_at", postgresql_where=sa.text("decision IS NULL")),
)

CONTENT_TABLES = {"proposal": proposals, "question": questions, "answer": answers, "update": updates}


# -- a person's data ------------------------------------------------------------------------

# What stands in for an erased person wherever their public contribution stays
# (a proposal they started, a question, an answer, an update, an experiment, a status
# change, an agreement version or acceptance, a report): the nil UUID.  It never is an
# account's id, so nobody acts as "the initiator" of an erased person's proposal, and
# everything an erased person did looks the same: nothing tells two of them apart.
ERASED = uuid.UUID(int=0)

# Every column that names a participant and is kept (with ERASED in it) on erasure.
# ``supports.participant_id`` is not here (each row gets a fresh random id, so the
# (proposal, participant) key stays unique and the count stays right) nor is
# ``follows.participant_id`` (the rows go).
ACTOR_COLUMNS = (
    (proposals, "initiator_id"),
    (status_history, "actor_id"),
    (questions, "author_id"),
    (answers, "author_id"),
    (updates, "author_id"),
    (experiments, "recorded_by"),
    (agreement_versions, "drafted_by"),
    (agreement_acceptances, "accepted_by"),
    (reports, "reporter_id"),
    (reports, "decided_by"),
)

# Tables hanging under a proposal, children before parents (the order to delete in).
PROPOSAL_CHILDREN = (agreement_acceptances, agreement_versions, answers, questions, updates, experiments, reports,
                     supports, follows, status_history)
