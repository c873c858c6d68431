"""Atom (RFC 4287) feed of a municipality's public events, each entry linking to the
page that shows what it is about; and open data's CSV.  Pure: takes public envelopes
and dataset records."""
import csv
import io
import json
import xml.etree.ElementTree as ET

from samskab import csvsafe

from . import messages  # the feed's words: the notifications catalogue (atom.*)

ATOM_NS = "http://www.w3.org/2005/Atom"

# A subject's page, where the subject has one of its own; else the page that shows it and the
# section there (questions, updates, experiments and the agreement on the proposal's page, a
# comment in the proposal's thread, a document on its committee's page).
SECTIONS = {"questions": "#questions", "updates": "#updates", "experiments": "#experiments",
            "agreement": "#agreement"}


def page_of(envelope, committee_of_panel=None):
    """The path of the web page an entry links to (``/municipalities/<m>/…``), or None."""
    m = envelope["municipality"]
    data = envelope.get("data") or {}
    parts = (envelope.get("subject") or "").split("/")
    base = f"/municipalities/{m}"
    if parts[0] == "proposals" and len(parts) >= 3:
        proposal = f"{base}/proposals/{parts[1]}"
        if parts[2] == "comments":
            return f"{proposal}/comments" + (f"#c-{parts[3]}" if len(parts) > 3 else "")
        return proposal + SECTIONS.get(parts[2], "")
    if parts[0] == "meetings" and len(parts) >= 3 and parts[2] == "comments":  # issue 21: a meeting's thread
        return f"{base}/meetings/{parts[1]}/comments" + (f"#c-{parts[3]}" if len(parts) > 3 else "")
    if parts[0] == "committees" and len(parts) >= 3:
        return f"{base}/committees/{parts[1]}#documents"
    if parts[0] == "panels":
        if data.get("proposal_id"):
            return f"{base}/proposals/{data['proposal_id']}#panels"
        committee = (committee_of_panel or {}).get(str(data.get("panel_id") or parts[-1]))
        return f"{base}/committees/{committee}#members" if committee else base
    if parts[0] in ("proposals", "meetings", "missions", "committees", "politicians") and len(parts) == 2:
        return f"{base}/{parts[0]}/{parts[1]}"
    return base if parts[0] else None


def _link_for(base_url, envelope, committee_of_panel=None):
    path = page_of(envelope, committee_of_panel)
    return f"{base_url}{path}" if path else None


def render_feed(*, municipality, name, language, self_url, base_url, envelopes, feed_id=None, links=None,
                committee_of_panel=None):
    """The feed document (bytes).  Newest entry first; ``updated`` of the feed is
    the newest event's time (or a fixed epoch for an empty feed, still valid)."""
    ET.register_namespace("", ATOM_NS)
    q = lambda tag: f"{{{ATOM_NS}}}{tag}"  # noqa: E731
    feed = ET.Element(q("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": language})
    ET.SubElement(feed, q("id")).text = feed_id or self_url  # every page of one feed has the feed's id
    ET.SubElement(feed, q("title")).text = messages.feed_title(language, name)
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
        ET.SubElement(entry, q("title")).text = messages.entry_title(envelope["type"], language, title)
        ET.SubElement(entry, q("updated")).text = envelope["time"]
        ET.SubElement(entry, q("category"), {"term": envelope["type"]})
        link = _link_for(base_url, envelope, committee_of_panel)
        if link:
            ET.SubElement(entry, q("link"), {"rel": "alternate", "href": link})
        summary = " · ".join(str(data[k]) for k in ("status", "starts_at", "problem", "goal") if data.get(k))
        if summary:
            ET.SubElement(entry, q("summary")).text = summary
        content = ET.SubElement(entry, q("content"), {"type": "application/json"})
        content.text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -- open data as CSV ------------------------------------------------------------------------

def cell(value):
    """A dataset value as a CSV cell: lists and objects as JSON, booleans as true/false,
    nothing as an empty cell, text made safe from spreadsheet formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, (int, float)):
        return value
    return csvsafe.cell(str(value))  # no formulas (OWASP)


def to_csv(columns, records):
    """``columns`` (names, in order) and ``records`` (dicts of JSON values) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([cell(record.get(c)) for c in columns])
    return out.getvalue()
