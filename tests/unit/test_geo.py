"""Points, bounding boxes and GeoJSON as RFC 7946 says (longitude first, WGS 84)."""
import json
import pathlib

import jsonschema
import pytest

from samskab import geo
from samskab.errors import Invalid

SCHEMA = json.loads((pathlib.Path(__file__).parents[1] / "geojson" / "rfc7946.schema.json").read_text())

AALBORG_LIBRARY = {"id": "a", "name": "Hovedbiblioteket", "latitude": 57.0462, "longitude": 9.9187}
HAMAR = {"id": "b", "name": "Hamar bibliotek", "latitude": 60.7945, "longitude": 11.0680}
NOWHERE = {"id": "c", "name": "Online", "latitude": None, "longitude": None}


def test_a_collection_is_rfc_7946_with_longitude_first_and_only_placed_items():
    collection = geo.feature_collection([AALBORG_LIBRARY, HAMAR, NOWHERE], ("name",))
    jsonschema.validate(collection, SCHEMA)
    assert [f["id"] for f in collection["features"]] == ["a", "b"]
    assert collection["features"][0]["geometry"] == {"type": "Point", "coordinates": [9.9187, 57.0462]}
    assert collection["features"][0]["properties"] == {"name": "Hovedbiblioteket"}


def test_the_schema_refuses_latitude_first_and_a_missing_geometry():
    swapped = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [57.0, 190.0]}, "properties": {}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(swapped, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}, SCHEMA)


def test_a_bounding_box_keeps_what_is_inside_and_handles_the_antimeridian():
    box = geo.parse_bbox("9.8,57.0,10.0,57.1")
    assert [f["id"] for f in geo.feature_collection([AALBORG_LIBRARY, HAMAR], (), box)["features"]] == ["a"]
    assert geo.inside((170, -20, -170, 0), -10, 179) and not geo.inside((170, -20, -170, 0), -10, 0)


@pytest.mark.parametrize("bad", ["1,2,3", "a,b,c,d", "0,60,10,50", "0,0,200,10"])
def test_a_bad_bounding_box_names_the_field(bad):
    with pytest.raises(Invalid) as refused:
        geo.parse_bbox(bad)
    assert refused.value.errors[0]["field"] == "bbox"
