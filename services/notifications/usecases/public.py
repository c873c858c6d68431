"""What anyone may read of a municipality's public events: the catch-up log, the
Atom feed, and open data (each dataset as JSON and CSV, all of them zipped, and the
DCAT-AP catalog), read from open data's tables."""
import base64
import datetime as dt
import io
import json
import uuid
import zipfile

from samskab.errors import Invalid, NotFound

from .. import atom, dcat
from ..storage import open_data as tables, public_log
from ..storage.open_data_tables import DATASETS

DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"


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
        # a panel drawn for a committee (not a proposal) links to the committee it seated
        panels = [r.envelope["data"].get("panel_id") for r in rows[:limit]
                  if r.envelope["type"] == "samskab.panel.selected" and not r.envelope["data"].get("proposal_id")]
        seated = public_log.committees_of_panels(uow, municipality, panels) if panels else {}
    page_url = self_url if before is None else f"{self_url}?before={before}"
    return atom.render_feed(
        municipality=municipality, name=place.name if place else municipality,
        language=place.language if place else "en", self_url=page_url, base_url=settings.PUBLIC_URL,
        envelopes=[r.envelope for r in rows[:limit]], feed_id=self_url, links=links,
        committee_of_panel=seated).decode("utf-8")


# -- open data ----------------------------------------------------------------------------------

def _value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, (dt.date, uuid.UUID)):
        return str(value)
    return value


def _records(uow, municipality, dataset):
    return [{k: _value(v) for k, v in row.items()} for row in tables.records(uow, municipality, dataset)]


def _known(dataset):
    if dataset not in DATASETS:
        raise NotFound(f"there is no dataset '{dataset}'; the datasets are {', '.join(DATASETS)}")


def open_data(uow, municipality):
    """Every dataset of the municipality: ``{dataset: [record]}``."""
    with uow:
        return {name: _records(uow, municipality, name) for name in DATASETS}


def dataset(uow, settings, municipality, name):
    """One dataset with its columns (name, type, description), licence and newest change."""
    _known(name)
    with uow:
        records = _records(uow, municipality, name)
        newest = tables.modified(uow, municipality)[name]
    return {"dataset": name, "municipality": municipality, "licence": licence(settings),
            "modified": _value(newest), "columns": [{"name": c.name, "type": c.kind, "description": c.description}
                                                    for c in DATASETS[name]],
            "records": records}


def dataset_csv(uow, municipality, name):
    _known(name)
    with uow:
        records = _records(uow, municipality, name)
    return atom.to_csv([c.name for c in DATASETS[name]], records)


def open_data_csv(uow, municipality, dataset):
    """The older ``open-data.csv?dataset=`` form: a bad name is bad input there (422)."""
    if dataset not in DATASETS:
        raise Invalid("unknown dataset", [{"field": "dataset", "message": f"one of {', '.join(DATASETS)}"}])
    return dataset_csv(uow, municipality, dataset)


def licence(settings):
    return getattr(settings, "OPEN_DATA_LICENCE", "") or DEFAULT_LICENCE


def catalog(uow, settings, municipality):
    """The DCAT-AP catalog (JSON-LD) of the municipality's datasets."""
    place = settings.catalogue.get(municipality)
    with uow:
        newest = tables.modified(uow, municipality)
    public_url = settings.PUBLIC_URL.rstrip("/")
    return dcat.catalog(
        municipality=municipality, name=place.name if place else municipality,
        official_code=place.official_code if place else municipality,
        language=place.language if place else "en", homepage=f"{public_url}/municipalities/{municipality}",
        api_url=f"{public_url}/api/v1/municipalities/{municipality}", licence=licence(settings),
        datasets=DATASETS, modified={k: _value(v) for k, v in newest.items()})


def open_data_zip(uow, settings, municipality):
    """Every dataset as CSV and the catalog, zipped (base64 over RPC)."""
    buffer = io.BytesIO()
    with uow, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:  # one snapshot of every dataset
        for name in DATASETS:
            archive.writestr(f"{municipality}-{name}.csv", dataset_csv(uow, municipality, name))
        archive.writestr("catalog.jsonld", json.dumps(catalog(uow, settings, municipality), ensure_ascii=False,
                                                      indent=2))
    return base64.b64encode(buffer.getvalue()).decode("ascii")
