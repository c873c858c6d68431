"""Places on the map: a municipality's public proposals and meeting places as
RFC 7946 GeoJSON, filtered by a bounding box for "near me / in this area"."""
import json

from werkzeug.wrappers import Response

from samskab import geo

from .router import route

GEOJSON_TYPE = "application/geo+json"
PLACE_PROPERTIES = ("name", "kind", "address", "capacity", "step_free", "hearing_loop")
PROPOSAL_PROPERTIES = ("title", "kind", "status", "area", "support_count", "language")
# A map shows at most this many proposals; a smaller box shows the rest.
MAX_FEATURES = 1000


def _geojson(collection):
    # Public data, changed rarely: caches may keep it a minute.
    return Response(json.dumps(collection, ensure_ascii=False), content_type=GEOJSON_TYPE,
                    headers={"Cache-Control": "public, max-age=60"})


@route("GET", "/municipalities/<m>/meeting-places.geojson", media_type=GEOJSON_TYPE,
       summary="Meeting places with a point on the map, as GeoJSON (RFC 7946); bbox=west,south,east,north",
       tags=["meetings"])
def meeting_places_geojson(ctx, m):
    """The municipality's meeting places that have a point, as a FeatureCollection of Points
    (longitude, latitude in WGS 84); ``bbox`` keeps those inside the box."""
    bbox = geo.parse_bbox(ctx.request.args.get("bbox"))
    places = ctx.meetings.list_places(ctx.municipality(m).id)
    items = [p.model_dump() for p in places]
    return _geojson(geo.feature_collection(items, PLACE_PROPERTIES, bbox))


@route("GET", "/municipalities/<m>/proposals.geojson", media_type=GEOJSON_TYPE,
       summary="Public proposals with a point (and an area) on the map, as GeoJSON (RFC 7946); bbox=west,south,east,north",
       tags=["proposals"])
def proposals_geojson(ctx, m):
    """The municipality's public proposals that have a point, newest first, as a
    FeatureCollection of Points (longitude, latitude in WGS 84); a proposal with an area
    (``boundary``) is one Feature whose geometry is a GeometryCollection of its Point and
    Polygon. At most 1000, so a map of a busy municipality asks for its visible box with
    ``bbox`` (which also finds proposals whose area meets the box)."""
    municipality = ctx.municipality(m)
    query = {"limit": 100, "bbox": ctx.request.args.get("bbox") or "-180,-90,180,90"}
    items = []
    while len(items) < MAX_FEATURES:
        page = ctx.proposals.list_page(municipality.id, None, query)  # anonymous: public ones only
        items += [p.model_dump() for p in page.items if not p.hidden]
        if not page.next_cursor:
            break
        query["cursor"] = page.next_cursor
    return _geojson(geo.feature_collection(items[:MAX_FEATURES], PROPOSAL_PROPERTIES))
