"""What anyone may read of a municipality's public events: the catch-up log, the
Atom feed and open data (JSON and CSV)."""
from samskab.errors import Invalid

from .. import atom
from ..storage import public_log


def events_after(uow, municipality, after=None, limit=100):
    """The public events of a municipality after a cursor, oldest first."""
    try:
        cursor = int(after) if after not in (None, "") else 0
        if cursor < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise Invalid("the cursor is not valid", [{"field": "after", "message": "use the 'next' value of a previous page"}])
    limit = max(1, min(int(limit), 500))
    with uow:
        rows = public_log.after(uow, municipality, cursor, limit)
    return {"events": [r.envelope for r in rows], "next": str(rows[-1].seq if rows else cursor),
            "more": len(rows) == limit}


def feed(uow, settings, municipality, self_url, limit=50, before=None):
    """One page of the Atom feed (RFC 5005 paged feed): the newest ``limit`` entries, or
    those older than ``before``; links ``first``, ``next`` (older) and ``previous`` (newer)."""
    try:
        before = int(before) if before not in (None, "") else None
        if before is not None and before < 1:
            raise ValueError
    except (TypeError, ValueError):
        raise Invalid("the page is not valid", [{"field": "before", "message": "use the href of a 'next' link"}])
    place = settings.catalogue.get(municipality)
    with uow:
        rows = public_log.page(uow, municipality, before, limit + 1)
        links = {"first": self_url}
        if len(rows) > limit:
            links["next"] = f"{self_url}?before={rows[limit - 1].seq}"
        if before is not None:
            newest_here = rows[0].seq if rows else before - 1
            newer = public_log.after(uow, municipality, newest_here, limit + 1)
            if newer:
                links["previous"] = (f"{self_url}?before={newer[limit - 1].seq + 1}" if len(newer) > limit
                                     else self_url)
    page_url = self_url if before is None else f"{self_url}?before={before}"
    return atom.render_feed(
        municipality=municipality, name=place.name if place else municipality,
        language=place.language if place else "en", self_url=page_url, base_url=settings.PUBLIC_URL,
        envelopes=[r.envelope for r in rows[:limit]], feed_id=self_url, links=links).decode("utf-8")


def open_data(uow, municipality):
    with uow:
        return atom.latest_by_subject(public_log.everything(uow, municipality))


def open_data_csv(uow, municipality, dataset):
    if dataset not in atom.DATASETS:
        raise Invalid("unknown dataset", [{"field": "dataset", "message": f"one of {', '.join(atom.DATASETS)}"}])
    return atom.to_csv(open_data(uow, municipality)[dataset])
