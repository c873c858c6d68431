"""Atom (RFC 4287) feed of a municipality's public events, and the open-data
export built from the same public log.  Pure: takes public envelopes."""
import csv
import io
import json
import xml.etree.ElementTree as ET

from samskab import csvsafe

ATOM_NS = "http://www.w3.org/2005/Atom"

TITLES = {
    "da": {"feed": "Samskab: nyt fra {name}", "event": "{what}: {title}"},
    "nb": {"feed": "Samskab: nytt fra {name}", "event": "{what}: {title}"},
    "nn": {"feed": "Samskab: nytt frå {name}", "event": "{what}: {title}"},
    "en": {"feed": "Samskab: news from {name}", "event": "{what}: {title}"},
}


def _what(type_name):
    """``samskab.meeting.updated`` → ``Meeting updated``."""
    entity, _, verb = type_name[len("samskab."):].partition(".")
    return f"{entity.capitalize()} {verb.replace('_', ' ').replace('.v', ' v')}"


def _link_for(base_url, envelope):
    subject = envelope.get("subject") or ""
    return f"{base_url}/municipalities/{envelope['municipality']}/{subject}" if subject else None


def render_feed(*, municipality, name, language, self_url, base_url, envelopes, feed_id=None, links=None):
    """The feed document (bytes).  Newest entry first; ``updated`` of the feed is
    the newest event's time (or a fixed epoch for an empty feed, still valid)."""
    ET.register_namespace("", ATOM_NS)
    q = lambda tag: f"{{{ATOM_NS}}}{tag}"  # noqa: E731
    texts = TITLES.get(language, TITLES["en"])
    feed = ET.Element(q("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": language})
    ET.SubElement(feed, q("id")).text = feed_id or self_url  # every page of one feed has the feed's id
    ET.SubElement(feed, q("title")).text = texts["feed"].format(name=name)
    ET.SubElement(feed, q("updated")).text = envelopes[0]["time"] if envelopes else "1970-01-01T00:00:00Z"
    author = ET.SubElement(feed, q("author"))
    ET.SubElement(author, q("name")).text = name
    ET.SubElement(feed, q("link"), {"rel": "self", "type": "application/atom+xml", "href": self_url})
    for rel, href in (links or {}).items():  # RFC 5005 paging: first, next (older), previous (newer)
        ET.SubElement(feed, q("link"), {"rel": rel, "type": "application/atom+xml", "href": href})
    ET.SubElement(feed, q("generator")).text = "Samskab"
    for envelope in envelopes:
        data = envelope.get("data") or {}
        entry = ET.SubElement(feed, q("entry"))
        ET.SubElement(entry, q("id")).text = f"urn:uuid:{envelope['id']}"
        title = data.get("title")
        what = _what(envelope["type"])
        ET.SubElement(entry, q("title")).text = texts["event"].format(what=what, title=title) if title else what
        ET.SubElement(entry, q("updated")).text = envelope["time"]
        ET.SubElement(entry, q("category"), {"term": envelope["type"]})
        link = _link_for(base_url, envelope)
        if link:
            ET.SubElement(entry, q("link"), {"rel": "alternate", "href": link})
        summary = " · ".join(str(data[k]) for k in ("status", "starts_at", "problem", "goal") if data.get(k))
        if summary:
            ET.SubElement(entry, q("summary")).text = summary
        content = ET.SubElement(entry, q("content"), {"type": "application/json"})
        content.text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -- open data ------------------------------------------------------------------------------

DATASETS = {
    "proposals": ("samskab.proposal.",),
    "meetings": ("samskab.meeting.",),
    "outcomes": ("samskab.outcome.", "samskab.meeting.concluded", "samskab.proposal.experiment_recorded"),
    # the council's missions, task committees (as formed, with the mandate) and decisions (issue 22)
    "missions": ("samskab.mission.published",),
    "committees": ("samskab.committee.formed",),
    "decisions": ("samskab.decision.made",),
}


def dataset_of(type_name):
    for name, prefixes in DATASETS.items():
        if any(type_name.startswith(p) for p in prefixes):
            return name
    return None


def latest_by_subject(envelopes):
    """Envelopes in log order → ``{dataset: [record]}``: the latest public state of each
    subject (outcomes keep every event: each is a record of its own)."""
    result = {name: {} for name in DATASETS}
    for envelope in envelopes:
        name = dataset_of(envelope["type"])
        if name is None:
            continue
        key = envelope["id"] if name == "outcomes" else envelope.get("subject")
        record = {"event_type": envelope["type"], "updated": envelope["time"], **(envelope.get("data") or {})}
        result[name][key] = record
    return {name: list(records.values()) for name, records in result.items()}


def _cell(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def to_csv(records):
    columns = []
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(csvsafe.row([_cell(record.get(c)) for c in columns]))  # no formulas (OWASP)
    return out.getvalue()
