"""The matching service's tables.

Profiles and this service's own copy of proposals carry *terms*: the stems
and places the domain modules match on, prefixed by the municipality scope
(``aalborg|s:cykel``), so one GIN index on an array finds the candidates for
a proposal in its municipality (and the neighbours who opted in) without a
scan.  Document frequencies per municipality make similar-proposal scoring
independent of how many proposals a query touches.
"""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

metadata = sa.MetaData()


def _tags(name):
    return sa.Column(name, pg.ARRAY(sa.Text), nullable=False, server_default="{}")


profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("participant_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),       # from the account
    sa.Column("kind", sa.Text),                       # chosen on the profile; defaults to role
    _tags("skills"), _tags("interests"), _tags("areas"), _tags("resources"), _tags("availability"),
    _tags("languages"),
    sa.Column("suggest_me", sa.Boolean, nullable=False, server_default=sa.false()),
    _tags("neighbour_municipalities"),
    _tags("scoped_terms"),                            # empty unless suggest_me
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
sa.Index("profiles_scoped_terms", profiles.c.scoped_terms, postgresql_using="gin")
sa.Index("profiles_municipality_kind", profiles.c.municipality, profiles.c.kind)

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("goal", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("area", sa.Text),
    _tags("topics"), _tags("needs"),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("initiator_id", pg.UUID(as_uuid=True)),  # NULL once the initiator is erased
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("features", pg.JSONB, nullable=False),   # similarity bag: feature -> count
    _tags("sim_terms"),                                # the bag's keys, for candidates
    _tags("match_terms"),                              # municipality-scoped need/topic/area terms
)
sa.Index("proposals_sim_terms", proposals.c.sim_terms, postgresql_using="gin")
sa.Index("proposals_match_terms", proposals.c.match_terms, postgresql_using="gin")
sa.Index("proposals_municipality", proposals.c.municipality)

term_frequencies = sa.Table(
    "term_frequencies",
    metadata,
    sa.Column("municipality", sa.Text, primary_key=True),
    sa.Column("term", sa.Text, primary_key=True),
    sa.Column("df", sa.Integer, nullable=False),
)

matches = sa.Table(
    "matches",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("participant_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("participant_municipality", sa.Text, nullable=False),
    sa.Column("reasons", pg.JSONB, nullable=False),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("matches_participant", matches.c.participant_id)

similar_proposals = sa.Table(
    "similar_proposals",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("similar_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
)

panels = sa.Table(
    "panels",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("proposal_id", pg.UUID(as_uuid=True)),
    sa.Column("created_by", pg.UUID(as_uuid=True)),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("request", pg.JSONB, nullable=False),    # pool of opaque ids and features, quotas
    sa.Column("result", pg.JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("panels_municipality", panels.c.municipality, panels.c.created_at)
