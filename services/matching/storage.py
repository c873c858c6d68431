"""The matching service's tables.

Profiles and this service's own copy of proposals carry *terms*: the stems
and places the domain modules match on, prefixed by the municipality scope
(``aalborg|s:cykel``).  A profile's terms are also rows of ``profile_terms``
(a B-tree the database keeps in step), where a proposal's candidates in its
municipality (and the neighbours who opted in) are found and their scores
bounded without reading a profile row; proposals keep theirs in a GIN index.  Document frequencies per municipality make similar-proposal scoring
independent of how many proposals a query touches.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from . import scoring

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

# One row per opted-in profile and scoped term, with what a score bound needs
# (the kind, and whether the term is scoped to a neighbouring municipality),
# all in the primary key's index so candidates are bounded by index-only
# scans.  Filled from ``profiles.scoped_terms`` by a trigger (migration 0002)
# on every insert, update and delete, so it never disagrees with the profiles.
profile_terms = sa.Table(
    "profile_terms",
    metadata,
    sa.Column("term", sa.Text, nullable=False),
    sa.Column("participant_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("neighbour", sa.Boolean, nullable=False),
    sa.PrimaryKeyConstraint("term", "participant_id", name="profile_terms_pkey",
                            postgresql_include=["kind", "neighbour"]),
)
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


def _bits(mask, n):
    """``mask`` as a PostgreSQL bit-string literal of ``n`` bits (bit ``i`` from the right)."""
    return "B'" + format(mask, f"0{n}b") + "'"


def _bound_sql(bound):
    """The SQL of ``scoring.ScoreBound.of`` over a row's ``mask``, before the language and neighbour terms."""
    n = len(bound.terms)
    zero = _bits(0, n)

    def has_all(masks):
        return " OR ".join(f"(mask & {_bits(f, n)}) = {_bits(f, n)}" for f in masks)

    parts = [f"CASE WHEN {has_all(full)} THEN {scoring.NEED_WEIGHT} "
             f"WHEN (mask & {_bits(any_of, n)}) <> {zero} THEN {scoring.NEED_WEIGHT * 0.5} ELSE 0 END"
             for any_of, full in bound.needs]
    if bound.area:
        parts.append(f"CASE WHEN (mask & {_bits(bound.area, n)}) <> {zero} THEN {scoring.AREA_WEIGHT} ELSE 0 END")
    if bound.topics:
        shared = " + ".join(f"CASE WHEN {has_all(full)} THEN 1 ELSE 0 END" for full in bound.topics)
        parts.append(f"{scoring.TOPIC_WEIGHT} * least({scoring.MAX_TOPICS}, {shared})")
    return " + ".join(parts) or "0"


def candidate_batches(db, municipality, bound, exclude=None, first=200):
    """The candidates of ``scoring.rank_bounded``, in growing batches.

    One pass over the proposal's terms in ``profile_terms`` (index-only: no
    profile row is read) sums each opted-in profile of the municipality, and
    each neighbour who opted in to it, up to a term mask; PostgreSQL turns
    the mask into the score bound, drops those who cannot reach
    ``scoring.MIN_SCORE``, ranks each kind by bound and streams the result
    through a server-side cursor, so reading stops where the ranking is
    settled and only those rows leave the database.
    """
    if not bound.terms:
        return
    n = len(bound.terms)
    stmt = sa.text(f"""
        WITH q AS (
            SELECT term, bit FROM unnest(CAST(:terms AS text[]), CAST(:bits AS varbit[])) AS q(term, bit)
        ), hits AS (
            SELECT t.participant_id, t.kind, bool_or(t.neighbour) AS neighbour, bit_or(q.bit) AS mask
              FROM q JOIN profile_terms AS t ON t.term = q.term
             WHERE t.participant_id IS DISTINCT FROM CAST(:exclude AS uuid)
             GROUP BY t.participant_id, t.kind
        ), cores AS (
            SELECT participant_id, kind, neighbour, {_bound_sql(bound)} AS core FROM hits
        ), bounded AS (
            SELECT participant_id, kind,
                   CASE WHEN core > 0 THEN core + {scoring.LANGUAGE_BONUS}
                        - CASE WHEN neighbour THEN {scoring.NEIGHBOUR_PENALTY} ELSE 0 END ELSE 0 END AS bound
              FROM cores
        )
        SELECT participant_id, kind, bound,
               row_number() OVER (PARTITION BY kind ORDER BY bound DESC, participant_id) AS rank,
               count(*) OVER (PARTITION BY kind) AS of_kind
          FROM bounded WHERE bound >= :min_score
         ORDER BY rank, kind
    """).execution_options(stream_results=True, max_row_buffer=first * 8)
    result = db.execute(stmt, {
        "terms": [f"{municipality}|{t}" for t in bound.terms],
        "bits": [format(1 << i, f"0{n}b") for i in range(n)],
        "exclude": exclude, "min_score": scoring.MIN_SCORE,
    })
    try:
        size = first
        while True:
            rows = result.fetchmany(size)
            if not rows:
                return
            yield [(str(r.participant_id), r.kind, float(r.bound), r.rank, r.of_kind) for r in rows]
            size *= 2
    finally:
        result.close()


def profile_rows(db, ids):
    """The profile rows of ``ids`` (those still there)."""
    if not ids:
        return []
    return db.execute(sa.select(profiles).where(
        profiles.c.participant_id.in_([uuid.UUID(i) for i in ids]))).all()
