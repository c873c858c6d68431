"""The proposals service's tables and its listing query.

Listing is keyset-paginated: the cursor carries the last row's sort key and id,
and every public sort has a partial index ``(municipality, <sort key> DESC, id
DESC) WHERE status <> 'draft' AND hidden_at IS NULL``, so page 1000 costs what
page 1 costs.  Text search uses each proposal's own language configuration
(``danish``, ``norwegian`` for both bokmål and nynorsk, ``english``) through a
generated ``tsvector`` column with a GIN index.
"""
import base64
import datetime as dt
import json
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.errors import Invalid

metadata = sa.MetaData()

TS_CONFIG = {"da": "danish", "nb": "norwegian", "nn": "norwegian", "en": "english"}

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
    sa.Column("topics", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("needs", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("iap2_level", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("initiator_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("initiator_role", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # 0002
    sa.Column("support_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("threshold_reached_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.Text),
    sa.Column("outcome_reason", sa.Text),
    sa.Column("hidden_at", sa.DateTime(timezone=True)),
    sa.Column("hidden_reason", sa.Text),
    sa.Column("search", pg.TSVECTOR, sa.Computed("x", persisted=True)),  # defined in the migration
)

# 0003: an Idempotency-Key per initiator names the proposal its first submission made
submission_keys = sa.Table(
    "submission_keys",
    metadata,
    sa.Column("initiator_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

status_history = sa.Table(
    "status_history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("from_status", sa.Text, nullable=False),
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("actor_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("capacity", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("outcome", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

supports = sa.Table(
    "supports",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("participant_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

follows = sa.Table(
    "follows",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("participant_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


def _content_columns():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True)),
        sa.Column("hidden_reason", sa.Text),
    ]


questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("author_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    *_content_columns(),
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("question_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("author_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("capacity", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    *_content_columns(),
)

updates = sa.Table(
    "updates",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("author_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("capacity", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    *_content_columns(),
)

agreement_versions = sa.Table(
    "agreement_versions",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("content", pg.JSONB, nullable=False),
    sa.Column("drafted_by", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

agreement_acceptances = sa.Table(
    "agreement_acceptances",
    metadata,
    sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("party", sa.Text, primary_key=True),
    sa.Column("accepted_by", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("hypothesis", sa.Text, nullable=False),
    sa.Column("intervention", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("outcome", sa.Text),
    sa.Column("learnings", sa.Text),
    sa.Column("recorded_by", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("target_type", sa.Text, nullable=False),
    sa.Column("target_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("reporter_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decision", sa.Text),
    sa.Column("decision_reason", sa.Text),
    sa.Column("decided_by", pg.UUID(as_uuid=True)),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
)

CONTENT_TABLES = {"proposal": proposals, "question": questions, "answer": answers, "update": updates}


# -- listing -----------------------------------------------------------------------

SORTS = {
    "newest": proposals.c.created_at,
    "supported": proposals.c.support_count,
    "active": proposals.c.last_activity_at,
}
MAX_LIMIT = 100
PUBLIC = sa.and_(proposals.c.status != "draft", proposals.c.hidden_at.is_(None))


def encode_cursor(sort, value, row_id):
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps([sort, value, str(row_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, sort):
    bad = Invalid("the cursor is not one this list gave out", [{"field": "cursor", "message": "invalid cursor"}])
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, row_id = json.loads(raw)
        row_id = uuid.UUID(row_id)
        if made_for != sort:
            raise ValueError
        value = int(value) if sort == "supported" else dt.datetime.fromisoformat(value)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise bad
    return value, row_id


def text_condition(text):
    """``text`` against each proposal in its own language; one GIN-indexed
    ``@@`` per configuration, OR-ed (PostgreSQL combines them with a BitmapOr)."""
    parts = []
    for config, languages in (("danish", ("da",)), ("norwegian", ("nb", "nn")), ("english", ("en",))):
        query = sa.func.websearch_to_tsquery(sa.literal_column(f"'{config}'::regconfig"), text)
        parts.append(sa.and_(proposals.c.language.in_(languages), proposals.c.search.op("@@")(query)))
    return sa.or_(*parts)


def list_query(municipality, *, status=None, kind=None, topic=None, area=None, text=None,
               sort="newest", cursor=None, limit=20, initiator_id=None):
    """The SELECT for one page (``limit + 1`` rows: the extra one says there is a next page).

    ``initiator_id`` lists that person's own proposals, drafts and hidden ones included;
    otherwise only public ones (not drafts, not hidden).
    """
    if sort not in SORTS:
        raise Invalid("unknown sort", [{"field": "sort", "message": f"one of {', '.join(SORTS)}"}])
    key = SORTS[sort]
    conditions = [proposals.c.municipality == municipality]
    if initiator_id is not None:
        conditions.append(proposals.c.initiator_id == initiator_id)
    else:
        conditions.append(PUBLIC)
    if status:
        conditions.append(proposals.c.status == status[0] if len(status) == 1 else proposals.c.status.in_(status))
    if kind:
        conditions.append(proposals.c.kind == kind)
    if topic:
        conditions.append(proposals.c.topics.contains([topic]))
    if area:
        conditions.append(proposals.c.area == area)
    if text:
        conditions.append(text_condition(text))
    if cursor:
        value, row_id = decode_cursor(cursor, sort)
        conditions.append(sa.tuple_(key, proposals.c.id) < sa.tuple_(sa.literal(value, key.type), sa.literal(row_id, proposals.c.id.type)))
    columns = [c for c in proposals.c if c.name != "search"]
    return (
        sa.select(*columns)
        .where(*conditions)
        .order_by(key.desc(), proposals.c.id.desc())
        .limit(limit + 1)
    )


def list_page(connection, municipality, *, sort="newest", limit=20, **filters):
    """One page of proposals and the cursor of the next (``None`` on the last page)."""
    rows = connection.execute(list_query(municipality, sort=sort, limit=limit, **filters)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(sort, getattr(last, SORTS[sort].name), last.id)
    return rows, next_cursor


# -- a person's data: erasure and export ------------------------------------------------------

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


def replace_partner(content, participant_id, replacement):
    """The agreement ``content`` with the partner ``participant_id`` renamed ``replacement``
    (both strings), and whether anything changed.  Pure: the erasure renames a partner in
    every version of one agreement with the same random id, so the party keys of its
    acceptances (``partner:<id>``) still match their party."""
    changed = False
    parties = []
    for party in content.get("parties", []):
        if party.get("participant_id") is not None and str(party["participant_id"]) == participant_id:
            party = {**party, "participant_id": replacement}
            changed = True
        parties.append(party)
    return ({**content, "parties": parties} if changed else content), changed


def jsonable(value):
    """Rows as JSON: UUIDs and times as strings, recursively."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value
