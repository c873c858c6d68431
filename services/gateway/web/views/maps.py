"""The municipality's map: public proposals and meeting places as a list (the page
itself, usable with the keyboard and without script) and, where script and Leaflet
load, as markers on a map, a proposal's area as its outline.  Leaflet is served from
the project (tools/leaflet), never from a CDN; tiles come from MAP_TILE_URL
(OpenStreetMap's by default)."""
import mimetypes
import os
import re
from urllib.parse import urlsplit

from werkzeug.wrappers import Response

from samskab import geo
from samskab.errors import Invalid

from .. import forms, security
from ..app import page_route, parts

HERE = os.path.dirname(os.path.abspath(__file__))
LEAFLET = os.environ.get("LEAFLET_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "..", "tools", "leaflet", "node_modules", "leaflet", "dist"))
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
WORLD = "-180,-90,180,90"


def tiles(config):
    url = config.get("MAP_TILE_URL") or OSM_TILES
    attribution = config.get("MAP_TILE_ATTRIBUTION") or (OSM_ATTRIBUTION if url == OSM_TILES else "")
    return url, attribution


@page_route("/municipalities/<m>/map")
def municipality_map(page, m):
    municipality = page.in_municipality(m)
    rpc, mid = page.ctx.proposals, municipality.id
    found = parts(
        proposals=(lambda: rpc.list_page(mid, page.actor, {"bbox": WORLD, "limit": 100}).items, []),
        places=(lambda: page.ctx.meetings.list_places(mid), []),
    )
    proposals = [p for p in found["proposals"] if not p.hidden and p.latitude is not None]
    places = [p for p in found["places"] if p.latitude is not None]
    url, attribution = tiles(page.config)
    response = page.render("maps/map.html", title=page._("map.title"), proposals=proposals, places=places,
                           tile_url=url, tile_attribution=attribution)
    response.csp = policy(page.config)
    return response


def policy(config):
    """The site's Content-Security-Policy plus the tile server: the one other origin a map loads images from."""
    url = tiles(config)[0]
    # A {s} subdomain (a, b, c …) becomes a CSP host wildcard.
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url.replace("{s}", "*"))) if "://" in url else ""
    return security.CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")


@page_route("/vendor/leaflet/<path:name>")
def leaflet(page, name):
    full = os.path.normpath(os.path.join(LEAFLET, name))
    if not full.startswith(LEAFLET + os.sep) or not os.path.isfile(full):
        return Response("not found", status=404, content_type="text/plain; charset=utf-8")
    with open(full, "rb") as fh:
        body = fh.read()
    ctype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype == "application/javascript":
        ctype += "; charset=utf-8"
    return Response(body, content_type=ctype, headers={"Cache-Control": "public, max-age=86400"})


def point_fields(page, errors):
    """latitude and longitude from a form: both numbers or both empty; a problem is put in ``errors``."""
    point = {}
    for name in ("latitude", "longitude"):
        text = page.field(name).replace(",", ".")
        if not text:
            continue
        try:
            point[name] = float(text)
        except ValueError:
            errors[name] = page._("form.number")
    if len(point) == 1 and not errors:
        errors["longitude" if "latitude" in point else "latitude"] = page._("form.required")
    return point


# A number as people type it: 57.05 or 57,05 (a comma right after digits and before digits is a decimal comma).
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def area_text(boundary):
    """An area as the form's field shows it: one corner a line, "latitude, longitude" (people's order)."""
    if not boundary:
        return ""
    ring = (boundary["coordinates"] if isinstance(boundary, dict) else boundary.coordinates)[0]
    return "\n".join(f"{lat:.6f}, {lon:.6f}" for lon, lat in ring[:-1])


def area_field(page, text, errors):
    """The area typed or drawn in the form (one "latitude, longitude" a line; the map's
    drawing fills the same field) as a GeoJSON Polygon, checked as the service will check
    it; None when empty.  A problem is put in ``errors`` under ``boundary``."""
    rows = [line for line in (text or "").splitlines() if line.strip()]
    if not rows:
        return None
    ring = []
    for n, line in enumerate(rows, 1):
        numbers = NUMBER.findall(line)
        if len(numbers) != 2 or NUMBER.sub("", line).strip(" ,\t\r") != "":
            errors["boundary"] = page._("area.line", n=n)
            return None
        lat, lon = (float(v.replace(",", ".")) for v in numbers)
        ring.append([lon, lat])
    try:
        return geo.polygon({"type": "Polygon", "coordinates": [ring]})
    except ValueError as bad:
        errors.update(forms.from_invalid(page, Invalid(str(bad), [{"field": "boundary", "message": str(bad)}]),
                                         known=("boundary",)))
        return None
