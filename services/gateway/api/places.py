"""Places on the map: the municipality's meeting places (and, later, proposals) as
RFC 7946 GeoJSON, filtered by a bounding box for "near me / in this area"."""
import json

from werkzeug.wrappers import Response

from samskab import geo

from .router import route

GEOJSON_TYPE = "application/geo+json"
PLACE_PROPERTIES = ("name", "kind", "address", "capacity", "step_free", "hearing_loop")


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
