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


def candidate_profiles(db, groups, limit):
    """Profiles that may fit a proposal, the likeliest first.

    ``groups`` are ``(weight, scoped terms)``: one per need, one for the area,
    one per topic.  Each group is one lookup in the GIN index returning ids
    only (no profile row is read for it); the ids are weighted by the groups
    they hit, those hitting a need or the area (a shared topic alone never
    makes the bar) are ranked by that estimate, and only ``limit`` profiles
    are fetched to be fitted in full.
    """
    groups = [(w, sorted(t)) for w, t in groups if t]
    if not groups:
        return []
    def overlaps(terms):
        return profiles.c.scoped_terms.overlap(sa.cast(terms, pg.ARRAY(sa.Text)))

    selecting = sorted({t for w, terms in groups if w >= 2 for t in terms})
    if not selecting:
        return []
    # A topic only adds weight to someone a need or the area selected: the
    # two index conditions are intersected as bitmaps before any row is read.
    hits = sa.union_all(*[
        sa.select(profiles.c.participant_id, sa.literal(float(w)).label("w"))
        .where(overlaps(terms), *([] if w >= 2 else [overlaps(selecting)]))
        for w, terms in groups
    ]).subquery("hits")
    best = (sa.select(hits.c.participant_id, sa.func.sum(hits.c.w).label("estimate"))
            .group_by(hits.c.participant_id).having(sa.func.max(hits.c.w) >= 2)
            .order_by(sa.func.sum(hits.c.w).desc(), hits.c.participant_id).limit(limit)).subquery("best")
    stmt = (sa.select(profiles).join(best, best.c.participant_id == profiles.c.participant_id)
            .order_by(best.c.estimate.desc(), profiles.c.participant_id))
    return db.execute(stmt).all()
