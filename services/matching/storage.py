"""The matching service's tables.

Profiles and this service's own copy of proposals carry *terms*: the stems
and places the domain modules match on, prefixed by the municipality scope
(``aalborg|s:cykel``).  Each term's opted-in profiles are also kept as
packed integer arrays in ``term_postings`` (the database keeps them in step),
from which a proposal's candidates in its municipality (and the neighbours
who opted in) are found and their scores bounded without reading a profile
row; proposals keep their terms in a GIN index.  Document frequencies per
municipality make similar-proposal scoring independent of how many
proposals a query touches.
"""
import uuid

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.contracts.proposals.columns import content_columns

from . import scoring

metadata = sa.MetaData()


def _tags(name):
    return sa.Column(name, pg.ARRAY(sa.Text), nullable=False, server_default="{}")


profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("participant_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("number", sa.BigInteger, sa.Identity(), nullable=False),  # the profile in term_postings
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
sa.Index("profiles_municipality_kind", profiles.c.municipality, profiles.c.kind)
sa.Index("profiles_number", profiles.c.number, unique=True)

# Each scoped term's opted-in profiles as arrays of packed integers
# (``number * 16``, ``+ 8`` when the term is scoped to a municipality the
# profile is a neighbour of, ``+`` the kind's position in ``scoring.KINDS``),
# one row per block of 65,536 profile numbers so a profile change rewrites
# arrays of at most a few kilobytes.  Filled from ``profiles.scoped_terms`` by
# a trigger (migration 0002) on every insert, update and delete, so they never
# disagree with the profiles.
term_postings = sa.Table(
    "term_postings",
    metadata,
    sa.Column("term", sa.Text, primary_key=True),
    sa.Column("chunk", sa.Integer, primary_key=True),
    sa.Column("members", pg.ARRAY(sa.BigInteger), nullable=False),
)

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    *content_columns(),  # the proposal's content as the proposals service stores it: what is matched on
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("initiator_id", pg.UUID(as_uuid=True)),  # NULL once the initiator is erased
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("features", pg.JSONB, nullable=False),   # similarity bag: feature -> count
    _tags("sim_terms"),                                # the bag's keys, for candidates
    _tags("match_terms"),                              # municipality-scoped need/topic/area terms
    sa.Column("outcome", sa.Text),                     # implemented, adopted, not_pursued once concluded
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),   # hidden by staff
    # Learned from another instance group's municipality through its public
    # projection only (no description, no initiator): shown in "tried elsewhere".
    sa.Column("public_only", sa.Boolean, nullable=False, server_default=sa.false()),
)
sa.Index("proposals_sim_terms", proposals.c.sim_terms, postgresql_using="gin")
sa.Index("proposals_match_terms", proposals.c.match_terms, postgresql_using="gin")
sa.Index("proposals_municipality", proposals.c.municipality)

# Document frequencies per municipality, and over every municipality under
# ``ALL`` (the across-municipalities search), kept current proposal by proposal.
ALL = "*"
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

# Symmetric: a pair found from either side is stored both ways, so the older
# proposal's list shows the newcomer.  Pairs in one municipality make the
# similar list, pairs across municipalities the "tried elsewhere" list.
similar_proposals = sa.Table(
    "similar_proposals",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("similar_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
)
sa.Index("similar_proposals_similar", similar_proposals.c.similar_id)

# Staff's word that a proposal is the same idea as an older one of the municipality.
duplicates = sa.Table(
    "duplicates",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("duplicate_of", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("marked_by", pg.UUID(as_uuid=True)),
    sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("duplicates_of", duplicates.c.duplicate_of)

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


def _members(packed):
    """The integers of ``array_send`` of a one-dimensional ``bigint[]`` without NULLs."""
    ndim = int.from_bytes(packed[:4], "big")
    if ndim == 0:
        return np.empty(0, dtype=np.int64)
    # header: ndim, has-nulls, element type, then length and lower bound per
    # dimension; each element: its length (4 bytes) and the value (8, big-endian)
    return np.frombuffer(packed, dtype=[("len", ">i4"), ("value", ">i8")], offset=12 + 8 * ndim)["value"]


def candidate_batches(db, municipality, bound, first=50):
    """The candidates of ``scoring.rank_bounded``, in growing batches.

    The proposal's terms' arrays in ``term_postings`` are read in one query
    (a few kilobytes per term and block, no profile row) and every opted-in
    profile of the municipality, and every neighbour who opted in to it, is
    summed up to a term mask, its score bounded (``bound.of`` once per
    distinct mask), those who cannot reach ``scoring.MIN_SCORE`` dropped, and
    each kind ranked by bound.  Candidates are profile numbers
    (:func:`profiles_by_number` reads them).
    """
    n = len(bound.terms)
    if not n:
        return
    rows = db.execute(sa.text(
        "SELECT array_position(CAST(:terms AS text[]), term) - 1 AS i, array_send(members) AS packed"
        "  FROM term_postings WHERE term = ANY(CAST(:terms AS text[])) AND cardinality(members) > 0"),
        {"terms": [f"{municipality}|{t}" for t in bound.terms]}).all()
    if not rows:
        return
    lists = [_members(bytes(r.packed)) for r in rows]
    entries = np.concatenate(lists)
    words = (n + 62) // 63
    term_of = np.repeat(np.array([r.i for r in rows], dtype=np.int64), [len(x) for x in lists])
    bits = np.zeros((len(entries), words), dtype=np.int64)
    bits[np.arange(len(entries)), term_of // 63] = np.left_shift(1, term_of % 63)
    order = np.argsort(entries)
    entries, bits = entries[order], bits[order]
    starts = np.flatnonzero(np.r_[True, entries[1:] != entries[:-1]])
    masks = np.bitwise_or.reduceat(bits, starts, axis=0)
    entries = entries[starts]
    # A profile's score bound depends only on its mask and whether it is a
    # neighbour: there are few distinct masks, so bound each once.
    if words == 1:  # up to 63 terms, the usual case: a flat sort is many times faster
        unique, which = np.unique(masks[:, 0], return_inverse=True)
        unique = unique[:, None]
    else:
        unique, which = np.unique(masks, axis=0, return_inverse=True)
    which = which.reshape(-1)
    core = np.array([bound.of(sum(int(w) << (63 * j) for j, w in enumerate(m))) for m in unique])[which]
    neighbour = (entries & 8) != 0
    bounds = np.where(neighbour & (core > 0), core - scoring.NEIGHBOUR_PENALTY, core)
    keep = bounds >= scoring.MIN_SCORE
    numbers, kinds, bounds = entries[keep] >> 4, entries[keep] & 7, bounds[keep]
    by_kind = []
    for code in np.unique(kinds):
        mine = np.flatnonzero(kinds == code)
        mine = mine[np.lexsort((numbers[mine], -bounds[mine]))]
        by_kind.append((scoring.KINDS[int(code)], numbers[mine], bounds[mine]))
    depth, size = 0, first
    while True:
        # Each kind's next ranks, the kinds interleaved rank by rank.
        step = max(1, size // max(1, len(by_kind)))
        batch = [(int(numbers_[r]), kind, float(bounds_[r]), r + 1, len(numbers_))
                 for r in range(depth, depth + step) for kind, numbers_, bounds_ in by_kind if r < len(numbers_)]
        if not batch:
            return
        yield batch
        depth, size = depth + step, size * 2


def profiles_by_number(db, numbers):
    """The profile rows of ``numbers`` (those still there)."""
    if not numbers:
        return []
    return db.execute(sa.select(profiles).where(profiles.c.number.in_([int(n) for n in numbers]))).all()


# -- proposals and their similar lists ----------------------------------------------------

HIDDEN_STATUSES = ("withdrawn", "rejected")   # with ``hidden``, dropped from every similar list


def proposal_row(db, pid, municipality=None):
    where = [proposals.c.id == pid] + ([proposals.c.municipality == municipality] if municipality else [])
    return db.execute(sa.select(proposals).where(*where)).first()


def save_proposal(db, pid, record):
    """Insert or replace a proposal copy: ``(row, terms)``, the row as stored now and
    the similarity terms it had before (``None`` for a new one), in one round trip."""
    stmt = pg.insert(proposals).values(id=pid, **record)
    # A subquery of RETURNING reads the statement's snapshot: the row before this change.
    before = sa.select(proposals.c.sim_terms).where(proposals.c.id == pid).scalar_subquery()
    row = db.execute(stmt.on_conflict_do_update(
        index_elements=[proposals.c.id], set_={k: getattr(stmt.excluded, k) for k in record})
        .returning(*proposals.c, before.label("terms_before"))).one()
    return row, None if row.terms_before is None else set(row.terms_before)


def save_same_text(db, pid, record):
    """Replace a proposal copy whose similarity terms stay as they are (a publication,
    a status change, an update that left the text alone): the row as stored now, or
    ``None`` when there is no copy yet or its terms differ (then the caller takes the
    lock and :func:`save_proposal`).  The row stays locked until the commit, so two
    changes of one proposal still follow each other, and a change of its text that
    commits first is seen here (the condition is checked again on the newest version)."""
    return db.execute(proposals.update().where(
        proposals.c.id == pid, proposals.c.sim_terms == sa.cast(record["sim_terms"], pg.ARRAY(sa.Text)))
        .values(**record).returning(*proposals.c)).first()


def set_proposal(db, pid, **values):
    db.execute(proposals.update().where(proposals.c.id == pid).values(**values))


def count_terms(db, scopes, old, new):
    """Document frequencies of each of ``scopes`` follow one proposal's terms going from
    ``old`` to ``new``: one statement, rows in key order."""
    changes = sorted((scope, term, step) for scope in scopes
                     for terms, step in ((new - old, 1), (old - new, -1)) for term in terms)
    if not changes:
        return
    scope_list, term_list, steps = (list(x) for x in zip(*changes))
    given = sa.func.unnest(sa.cast(scope_list, pg.ARRAY(sa.Text)), sa.cast(term_list, pg.ARRAY(sa.Text)),
                           sa.cast(steps, pg.ARRAY(sa.Integer))).table_valued("m", "t", "d").render_derived()
    given = sa.select(given.c.m, given.c.t, given.c.d)
    stmt = pg.insert(term_frequencies).from_select(["municipality", "term", "df"], given)
    db.execute(stmt.on_conflict_do_update(
        index_elements=[term_frequencies.c.municipality, term_frequencies.c.term],
        set_={"df": term_frequencies.c.df + stmt.excluded.df}))


def documents_in(db, scope):
    """How many proposals ``scope`` (a municipality or ``ALL``) counts frequencies over."""
    where = [] if scope == ALL else [proposals.c.municipality == scope]
    return db.execute(sa.select(sa.func.count()).select_from(proposals).where(*where)).scalar()


def frequencies(db, scope, terms):
    """``{term: df}`` of ``scope`` for every one of ``terms`` (absent ones are 0)."""
    if not terms:
        return {}
    return dict(db.execute(sa.select(term_frequencies.c.term, term_frequencies.c.df).where(
        term_frequencies.c.municipality == scope,
        term_frequencies.c.term == sa.func.any(sa.cast(sorted(terms), pg.ARRAY(sa.Text))))).all())


def frequencies_in(db, wanted, documents=False):
    """``{scope: (documents, {term: df})}`` for each ``(scope, terms)`` of ``wanted``, in
    one round trip (``documents`` is None unless asked for): what :func:`documents_in`
    and :func:`frequencies` give, for several scopes at once."""
    parts = []
    for scope, terms in wanted:
        if documents:
            where = [] if scope == ALL else [proposals.c.municipality == scope]
            parts.append(sa.select(sa.literal(scope, sa.Text).label("scope"), sa.cast(sa.null(), sa.Text).label("term"),
                                   sa.func.count().label("df")).select_from(proposals).where(*where))
        if terms:
            parts.append(sa.select(term_frequencies.c.municipality, term_frequencies.c.term,
                                   sa.cast(term_frequencies.c.df, sa.BigInteger)).where(
                term_frequencies.c.municipality == scope,
                term_frequencies.c.term == sa.func.any(sa.cast(sorted(terms), pg.ARRAY(sa.Text)))))
    out = {scope: [None, {}] for scope, _ in wanted}
    if parts:
        for scope, term, df in db.execute(sa.union_all(*parts)).all():
            if term is None:
                out[scope][0] = df
            else:
                out[scope][1][term] = df
    return {scope: tuple(v) for scope, v in out.items()}


def listed(extra=()):
    """Conditions of a proposal any similar list may show."""
    return [proposals.c.status.notin_(HIDDEN_STATUSES), proposals.c.hidden.is_(False), *extra]


def _candidates_query(municipality, rare, across=False, exclude=None, limit=300):
    where = listed([proposals.c.municipality != municipality if across else proposals.c.municipality == municipality,
                    proposals.c.sim_terms.overlap(sa.cast(rare, pg.ARRAY(sa.Text)))])
    if exclude is not None:
        where.append(proposals.c.id != exclude)
    shared = sa.func.cardinality(sa.func.array(
        sa.select(sa.func.unnest(proposals.c.sim_terms)).intersect(
            sa.select(sa.func.unnest(sa.cast(rare, pg.ARRAY(sa.Text))))).scalar_subquery()))
    return (sa.select(proposals.c.id, proposals.c.features).where(*where)
            .order_by(shared.desc(), proposals.c.id).limit(limit))


def similar_candidates(db, municipality, rare, across=False, exclude=None, limit=300):
    """Proposals sharing most of the ``rare`` terms: of ``municipality``, or with
    ``across`` of every other municipality; ``(id, features)`` rows."""
    return db.execute(_candidates_query(municipality, rare, across, exclude, limit)).all()


def similar_candidates_in(db, municipality, wanted, exclude=None, limit=300):
    """:func:`similar_candidates` of each ``(across, rare)`` of ``wanted`` in one round
    trip: ``{across: [(id, features)]}``."""
    parts = []
    for across, rare in wanted:
        sub = _candidates_query(municipality, rare, across, exclude, limit).subquery()
        parts.append(sa.select(sa.literal(across, sa.Boolean).label("across"), sub.c.id, sub.c.features))
    out = {across: [] for across, _ in wanted}
    if parts:
        for row in db.execute(sa.union_all(*parts)).all():
            out[row.across].append(row)
    return out


def replace_pairs(db, pid, municipality, local=None, across=None):
    """``pid``'s pairs become those found (``[(id, score)]``, stored both ways): in its
    municipality if ``local`` is given, across municipalities if ``across`` is; a kind
    not given keeps its pairs."""
    if local is None and across is None:
        return
    sp = similar_proposals.c
    mine = (sp.proposal_id == pid, sp.similar_id == pid)
    if local is not None and across is not None:
        gone = sa.or_(*mine)
    else:
        same = proposals.c.municipality == municipality
        other = sa.select(proposals.c.id).where(same if local is not None else sa.not_(same))
        gone = sa.or_(sa.and_(mine[0], sp.similar_id.in_(other)), sa.and_(mine[1], sp.proposal_id.in_(other)))
    rows = [{"proposal_id": a, "similar_id": b, "score": score}
            for doc_id, score in (local or []) + (across or [])
            for a, b in ((pid, uuid.UUID(doc_id)), (uuid.UUID(doc_id), pid))]
    if not rows:
        db.execute(similar_proposals.delete().where(gone))
        return
    # One statement: the pairs no longer found go (a CTE that leaves the found ones alone,
    # so no row is both deleted and written), the found ones are written.
    keep = sa.tuple_(sp.proposal_id, sp.similar_id).in_([(r["proposal_id"], r["similar_id"]) for r in rows])
    stale = similar_proposals.delete().where(gone, sa.not_(keep)).cte("stale")
    db.execute(pg.insert(similar_proposals).values(rows).on_conflict_do_update(
        index_elements=[sp.proposal_id, sp.similar_id], set_={"score": sa.literal_column("excluded.score")})
        .add_cte(stale))


def similar_rows(db, row, across, limit):
    """``row``'s listed similar proposals, best first: ``(proposal row, score)``."""
    where = listed([similar_proposals.c.proposal_id == row.id,
                    proposals.c.municipality != row.municipality if across
                    else proposals.c.municipality == row.municipality])
    found = db.execute(sa.select(proposals, similar_proposals.c.score)
                       .join(proposals, proposals.c.id == similar_proposals.c.similar_id)
                       .where(*where).order_by(similar_proposals.c.score.desc(), proposals.c.id).limit(limit)).all()
    return [(r, r.score) for r in found]


def duplicate_rows(db, row):
    """Proposals staff marked as the same idea as ``row`` (either way), still listed."""
    linked = sa.union(
        sa.select(duplicates.c.duplicate_of.label("id")).where(duplicates.c.proposal_id == row.id),
        sa.select(duplicates.c.proposal_id.label("id")).where(duplicates.c.duplicate_of == row.id)).subquery()
    return db.execute(sa.select(proposals).where(*listed([proposals.c.id.in_(sa.select(linked.c.id))]))
                      .order_by(proposals.c.created_at)).all()


def mark_duplicate(db, pid, of, municipality, marked_by, at):
    stmt = pg.insert(duplicates).values(proposal_id=pid, duplicate_of=of, municipality=municipality,
                                        marked_by=marked_by, marked_at=at)
    db.execute(stmt.on_conflict_do_update(
        index_elements=[duplicates.c.proposal_id],
        set_={"duplicate_of": of, "marked_by": marked_by, "marked_at": at}))


def titles(db, ids):
    if not ids:
        return {}
    return {r.id: r for r in db.execute(sa.select(proposals).where(proposals.c.id.in_(ids))).all()}
