"""The listing query: one page of a municipality's proposals.

Keyset-paginated: the cursor carries the last row's sort key and id, and every
public sort has a partial index ``(municipality, <sort key> DESC, id DESC) WHERE
status <> 'draft' AND hidden_at IS NULL``, so page 1000 costs what page 1 costs.
Text search uses each proposal's own language configuration (``danish``,
``norwegian`` for both bokmål and nynorsk, ``english``) through the generated
``tsvector`` column and its GIN index.
"""
import base64
import datetime as dt
import json
import uuid

import sqlalchemy as sa

from samskab.errors import Invalid

from .tables import proposals

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


# An area's ring as PostgreSQL's own polygon: the JSON text [[9.9, 57.0], …] with its
# brackets turned into parentheses is the polygon literal ((9.9, 57.0), …).
AREA_POLYGON = sa.func.polygon(sa.func.translate(proposals.c.boundary["coordinates"][0].astext, "[]", "()"))


def in_box(bbox):
    """The proposal's point is in the box (west, south, east, north) or its area meets it
    (PostgreSQL's polygon ``&&`` tests the shapes themselves, not only their bounding boxes);
    a west east of east crosses the antimeridian: two boxes."""
    west, south, east, north = bbox
    boxes = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
    lon = sa.or_(*(proposals.c.longitude.between(w, e) for w, e in boxes))
    area = sa.or_(*(AREA_POLYGON.op("&&")(sa.func.polygon(sa.func.box(sa.func.point(w, south), sa.func.point(e, north))))
                    for w, e in boxes))
    return sa.or_(sa.and_(proposals.c.latitude.between(south, north), lon),
                  sa.and_(proposals.c.boundary.isnot(None), area))


def list_query(municipality, *, status=None, kind=None, topic=None, area=None, text=None,
               sort="newest", cursor=None, limit=20, initiator_id=None, bbox=None):
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
    if bbox:
        conditions.append(in_box(bbox))
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


