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


def feed(uow, settings, municipality, self_url, limit=50):
    place = settings.catalogue.get(municipality)
    with uow:
        envelopes = public_log.newest(uow, municipality, limit)
    return atom.render_feed(
        municipality=municipality, name=place.name if place else municipality,
        language=place.language if place else "en", self_url=self_url, base_url=settings.PUBLIC_URL,
        envelopes=envelopes).decode("utf-8")


def open_data(uow, municipality):
    with uow:
        return atom.latest_by_subject(public_log.everything(uow, municipality))


def open_data_csv(uow, municipality, dataset):
    if dataset not in atom.DATASETS:
        raise Invalid("unknown dataset", [{"field": "dataset", "message": f"one of {', '.join(atom.DATASETS)}"}])
    return atom.to_csv(open_data(uow, municipality)[dataset])
