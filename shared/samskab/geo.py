"""Points on the map: coordinates in contracts, the bounding-box filter, and GeoJSON.

Coordinates are WGS 84 degrees, as RFC 7946 requires; GeoJSON writes them
longitude first, people and forms latitude first, so names never use "x"/"y".
"""
from typing import Annotated

from pydantic import Field

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
    """One GeoJSON Feature for a dict with latitude and longitude (None geometry without)."""
    geometry = None
    if item.get("latitude") is not None and item.get("longitude") is not None:
        geometry = {"type": "Point",
                    "coordinates": [round(item["longitude"], PRECISION), round(item["latitude"], PRECISION)]}
    return {"type": "Feature", "id": str(item["id"]), "geometry": geometry,
            "properties": {k: item.get(k) for k in properties}}


def feature_collection(items, properties, bbox=None):
    """Items with a point inside ``bbox`` (all with a point when None), as RFC 7946 says."""
    features = [feature(i, properties) for i in items
                if i.get("latitude") is not None and inside(bbox, i.get("latitude"), i.get("longitude"))]
    return {"type": "FeatureCollection", "features": features}
