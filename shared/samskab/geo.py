"""Points on the map: coordinates in contracts, the bounding-box filter, and GeoJSON.

Coordinates are WGS 84 degrees, as RFC 7946 requires; GeoJSON writes them
longitude first, people and forms latitude first, so names never use "x"/"y".
An area (a proposal's ``boundary``) is a GeoJSON Polygon of one ring, always with a point.
"""
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import Invalid

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="WGS 84 degrees north")]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="WGS 84 degrees east")]
# Six decimals are about 10 cm: finer is noise, and coarser keeps no more privacy than this.
PRECISION = 6


def both_or_neither(model):
    """For a model's validator: a point needs both coordinates."""
    if (model.latitude is None) != (model.longitude is None):
        raise ValueError("send both latitude and longitude, or neither")
    return model


def parse_bbox(value):
    """``west,south,east,north`` (RFC 7946 §5 order) → a tuple, or None when absent."""
    if value in (None, ""):
        return None
    problem = [{"field": "bbox", "message": "west,south,east,north in degrees (WGS 84)"}]
    try:
        west, south, east, north = (float(v) for v in str(value).split(","))
    except ValueError:
        raise Invalid("the bounding box is not valid", problem)
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise Invalid("the bounding box is not valid", problem)
    return west, south, east, north


def inside(bbox, latitude, longitude):
    """Whether a point is in the box; a box whose west is east of its east crosses the antimeridian."""
    if bbox is None:
        return True
    if latitude is None or longitude is None:
        return False
    west, south, east, north = bbox
    if not south <= latitude <= north:
        return False
    return west <= longitude <= east if west <= east else (longitude >= west or longitude <= east)


def feature(item, properties):
    """One GeoJSON Feature for a dict with latitude and longitude (None geometry without);
    with an area (``boundary``) its geometry is a GeometryCollection of the point and the area."""
    return {"type": "Feature", "id": str(item["id"]), "geometry": geometry(item),
            "properties": {k: item.get(k) for k in properties}}


def feature_collection(items, properties, bbox=None):
    """Items with a point inside ``bbox`` or an area meeting it (all with a point when None), as RFC 7946 says."""
    features = [feature(i, properties) for i in items
                if i.get("latitude") is not None and (inside(bbox, i.get("latitude"), i.get("longitude"))
                                                      or area_meets(bbox, i.get("boundary")))]
    return {"type": "FeatureCollection", "features": features}


# -- areas: one outer ring, as a GeoJSON Polygon ----------------------------------------------

# Limits of an area: a ring of 4 to 200 positions (the first repeated last), spanning at most
# 100 km north-south and east-west (a whole Danish municipality fits; a region does not, and a
# proposal about a region does without a drawn area), at least 1 m².  It may not cross the
# antimeridian: nowhere Samskab serves does, and a box's longitudes stay plain intervals.
MIN_POSITIONS, MAX_POSITIONS = 4, 200
MAX_EXTENT_M = 100_000
MIN_AREA_M2 = 1.0
_M_PER_DEGREE = 111_195.0  # a degree of a great circle on a sphere of the mean Earth radius
_MICRO = 10 ** PRECISION


def _positions(value):
    """The outer ring's positions as (longitude, latitude) pairs rounded to PRECISION; ValueError names what is wrong."""
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        raise ValueError('a GeoJSON Polygon: {"type": "Polygon", "coordinates": [[[longitude, latitude], …]]}')
    rings = value.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise ValueError("coordinates must be a list holding one ring of [longitude, latitude] positions")
    if len(rings) > 1:
        raise ValueError("only one ring: an area with holes is not supported")
    ring = rings[0]
    if not isinstance(ring, list):
        raise ValueError("the ring must be a list of [longitude, latitude] positions")
    positions = []
    for i, position in enumerate(ring):
        if not isinstance(position, (list, tuple)) or len(position) != 2 \
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position):
            raise ValueError(f"position {i + 1} must be [longitude, latitude], two numbers")
        lon, lat = (float(v) for v in position)
        if not (math.isfinite(lon) and -180 <= lon <= 180):
            raise ValueError(f"position {i + 1}: longitude must be from -180 to 180 (longitude comes first)")
        if not (math.isfinite(lat) and -90 <= lat <= 90):
            raise ValueError(f"position {i + 1}: latitude must be from -90 to 90 (longitude comes first)")
        positions.append((round(lon, PRECISION), round(lat, PRECISION)))
    return positions


def _ring(positions):
    """Open ring without repeats in a row (the closing position dropped)."""
    ring = [p for i, p in enumerate(positions) if i == 0 or p != positions[i - 1]]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _on_segment(p, a, b):
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_meet(a, b, c, d):
    """Whether segment ab and segment cd share a point (touching counts); exact on integers."""
    d1, d2, d3, d4 = _cross(c, d, a), _cross(c, d, b), _cross(a, b, c), _cross(a, b, d)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return any(side == 0 and _on_segment(p, s, e) for side, p, s, e in
               ((d1, a, c, d), (d2, b, c, d), (d3, c, a, b), (d4, d, a, b)))


def _self_intersection(ring):
    """The 1-based numbers of two edges that cross or touch, or None (in micro-degrees: exact)."""
    pts = [(round(lon * _MICRO), round(lat * _MICRO)) for lon, lat in ring]
    n = len(pts)
    edges = [(pts[i], pts[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        a, b = edges[i]
        c = edges[(i + 1) % n][1]
        # neighbours share a vertex; they go wrong only by doubling back along each other
        if _cross(a, b, c) == 0 and (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) < 0:
            return i + 1, (i + 1) % n + 1
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # the last edge is the first one's neighbour
            if segments_meet(a, b, *edges[j]):
                return i + 1, j + 1
    return None


def _metres(ring):
    """The ring on a plane in metres (equirectangular about its middle latitude): enough for limits."""
    middle = math.radians((min(p[1] for p in ring) + max(p[1] for p in ring)) / 2)
    return [(lon * _M_PER_DEGREE * math.cos(middle), lat * _M_PER_DEGREE) for lon, lat in ring]


def _signed_area(points):
    return sum(points[i][0] * points[(i + 1) % len(points)][1] - points[(i + 1) % len(points)][0] * points[i][1]
               for i in range(len(points))) / 2


def polygon(value):
    """A drawn area checked and made canonical: ``{"type": "Polygon", "coordinates": [ring]}``
    with the ring closed, counterclockwise (RFC 7946's right-hand rule) and rounded to
    PRECISION.  An unclosed ring is closed for the sender.  ValueError says what is wrong."""
    ring = _ring(_positions(value))
    if not MIN_POSITIONS - 1 <= len(ring) <= MAX_POSITIONS - 1:
        raise ValueError(f"an area needs {MIN_POSITIONS} to {MAX_POSITIONS} positions with the first repeated last "
                         f"(3 to {MAX_POSITIONS - 1} corners); this one has {len(ring)} different corners in a row")
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    flat = _metres(ring)
    wide = (max(p[0] for p in flat) - min(p[0] for p in flat), (max(lats) - min(lats)) * _M_PER_DEGREE)
    if max(lons) - min(lons) > 180 or max(wide) > MAX_EXTENT_M:
        raise ValueError(f"an area may span at most {MAX_EXTENT_M // 1000} km north-south and east-west "
                         "(and may not cross the 180th meridian)")
    crossing = _self_intersection(ring)
    if crossing:
        raise ValueError("the area's edges {} and {} cross or touch: draw its outline without crossing itself"
                         .format(*crossing))
    area = _signed_area(flat)
    if abs(area) < MIN_AREA_M2:
        raise ValueError(f"the area must enclose at least {MIN_AREA_M2:g} m²")
    if area < 0:
        ring.reverse()
    return {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in ring + ring[:1]]]}


def centre(area):
    """(latitude, longitude) of an area's centroid: its point when none was given."""
    ring = area["coordinates"][0][:-1]
    lon0, lat0 = ring[0]
    rel = [(lon - lon0, lat - lat0) for lon, lat in ring]  # about the first corner: no cancellation
    a = _signed_area(rel)
    cx = sum((rel[i][0] + rel[i - 1][0]) * (rel[i - 1][0] * rel[i][1] - rel[i][0] * rel[i - 1][1])
             for i in range(len(rel))) / (6 * a)
    cy = sum((rel[i][1] + rel[i - 1][1]) * (rel[i - 1][0] * rel[i][1] - rel[i][0] * rel[i - 1][1])
             for i in range(len(rel))) / (6 * a)
    return round(lat0 + cy, PRECISION), round(lon0 + cx, PRECISION)


def _inside_ring(point, ring):
    """Even-odd rule (points on an edge may go either way: edges are tested apart)."""
    x, y = point
    inside_ = False
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i - 1], ring[i]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside_ = not inside_
    return inside_


def area_meets(bbox, area):
    """Whether an area and the box share any point; a box across the antimeridian is two boxes."""
    if bbox is None:
        return True
    if area is None:
        return False
    west, south, east, north = bbox
    if west > east:
        return area_meets((west, south, 180, north), area) or area_meets((-180, south, east, north), area)
    ring = [tuple(p) for p in area["coordinates"][0][:-1]]
    corners = [(west, south), (east, south), (east, north), (west, north)]
    if any(west <= lon <= east and south <= lat <= north for lon, lat in ring):
        return True
    if any(_inside_ring(c, ring) for c in corners):
        return True
    return any(segments_meet(ring[i - 1], ring[i], corners[j - 1], corners[j])
               for i in range(len(ring)) for j in range(4))


def geometry(item):
    """An item's GeoJSON geometry: its Point, or with an area (``boundary``) a GeometryCollection
    of the Point and the Polygon; None without a point."""
    if item.get("latitude") is None or item.get("longitude") is None:
        return None
    point = {"type": "Point", "coordinates": [round(item["longitude"], PRECISION), round(item["latitude"], PRECISION)]}
    area = item.get("boundary")
    if area:
        return {"type": "GeometryCollection", "geometries": [point, {"type": "Polygon", "coordinates": area["coordinates"]}]}
    return point


class PolygonShape(BaseModel):
    """A GeoJSON Polygon as events and answers carry it (RFC 7946 §3.1.6): one closed,
    counterclockwise ring of [longitude, latitude] positions in WGS 84 degrees."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]] = Field(description="one ring: [[[longitude, latitude], …]], first = last")


class DrawnArea(PolygonShape):
    """An area as people send it: checked by :func:`polygon` (one ring, closed for them if
    open, 4 to 200 positions, valid degrees, at least 1 m², at most 100 km across, not
    crossing itself) and stored as it made it."""

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, value):
        return polygon(value.model_dump() if isinstance(value, BaseModel) else value)
