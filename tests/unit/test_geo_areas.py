"""A proposal's area (issue 21): a GeoJSON Polygon of one ring, checked before anything
is stored, made canonical (closed, counterclockwise, rounded), and on the map with its point."""
import json
import pathlib

import jsonschema
import pytest
from pydantic import ValidationError

from samskab import geo
from samskab.contracts.proposals import NewProposal, ProposalPatch

SCHEMA = json.loads((pathlib.Path(__file__).parents[1] / "geojson" / "rfc7946.schema.json").read_text())

# Aalborg's harbour front, drawn clockwise and left open, as a click-by-click drawing sends it.
HARBOUR = [[9.91, 57.05], [9.91, 57.06], [9.93, 57.06], [9.93, 57.05]]
# An L: its notch (north-east) is inside its bounding box but not in the area.
ELL = [[9.90, 57.00], [9.92, 57.00], [9.92, 57.01], [9.91, 57.01], [9.91, 57.02], [9.90, 57.02]]


def area(ring):
    return {"type": "Polygon", "coordinates": [ring]}


def refusal(value):
    with pytest.raises(ValueError) as refused:
        geo.polygon(value)
    return str(refused.value)


def test_an_open_clockwise_ring_is_closed_and_turned_counterclockwise():
    stored = geo.polygon(area(HARBOUR))
    ring = stored["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert sorted(map(tuple, ring[:-1])) == sorted(map(tuple, HARBOUR))
    assert geo._signed_area(ring[:-1]) > 0  # the right-hand rule of RFC 7946 §3.1.6
    assert geo.polygon(stored) == stored  # canonical: checking it again changes nothing


def test_positions_are_rounded_to_ten_centimetres_and_repeats_in_a_row_dropped():
    ring = [[9.9100001, 57.05], [9.91, 57.05], [9.91, 57.06], [9.93, 57.06], [9.93, 57.05], [9.9100001, 57.05]]
    assert len(geo.polygon(area(ring))["coordinates"][0]) == 5


def test_the_centre_of_an_area_is_its_centroid_even_for_a_concave_one():
    assert geo.centre(geo.polygon(area(HARBOUR))) == (57.055, 9.92)
    lat, lon = geo.centre(geo.polygon(area(ELL)))
    assert 57.0 < lat < 57.02 and 9.9 < lon < 9.92


@pytest.mark.parametrize("value, words", [
    ({"type": "Point", "coordinates": [9.9, 57.0]}, "GeoJSON Polygon"),
    ("57.0,9.9", "GeoJSON Polygon"),
    ({"type": "Polygon", "coordinates": []}, "one ring"),
    ({"type": "Polygon", "coordinates": [HARBOUR, HARBOUR]}, "holes"),
    (area([[9.91, 57.05], [9.93, 57.06]]), "4 to 200 positions"),
    (area([[9.91, 57.05], [9.93, 57.06], [9.91, 57.05]]), "4 to 200 positions"),
    (area([[9.9 + i / 10000, 57 + (i % 2) / 10000] for i in range(200)]), "4 to 200 positions"),
    (area([[9.91, 57.05], [9.91, 57.06], [9.93]]), "position 3"),
    (area([[9.91, 57.05], [9.91, "57.06"], [9.93, 57.06]]), "position 2"),
    (area([[57.05, 9.91], [57.06, 9.91], [57.06, 95.0]]), "latitude must be from -90 to 90"),
    (area([[190.0, 57.05], [9.91, 57.06], [9.93, 57.06]]), "longitude must be from -180 to 180"),
    (area([[9.91, 57.05], [9.92, 57.05], [9.93, 57.05]]), "cross or touch"),  # a line, no area
    (area([[9.91, 57.05], [9.93, 57.06], [9.93, 57.05], [9.91, 57.06]]), "cross or touch"),  # a bow tie
    (area([[9.0, 56.0], [11.0, 56.0], [11.0, 57.0], [9.0, 57.0]]), "100 km"),
    (area([[179.99, 0.0], [-179.99, 0.0], [-179.99, 0.01], [179.99, 0.01]]), "180th meridian"),
    (area([[9.91, 57.05], [9.9100001, 57.05], [9.91, 57.0500001]]), "4 to 200 positions"),  # rounds to one point
])
def test_a_bad_area_is_refused_saying_what_is_wrong(value, words):
    assert words in refusal(value)


def test_an_area_of_less_than_a_square_metre_is_refused():
    tiny = area([[9.91, 57.05], [9.910005, 57.05], [9.910005, 57.050004]])  # about 0.3 m × 0.4 m / 2
    assert "at least 1 m²" in refusal(tiny)


def test_two_hundred_positions_with_the_first_repeated_last_are_allowed():
    import math
    ring = [[9.92 + 0.01 * math.cos(2 * math.pi * i / 199), 57.05 + 0.01 * math.sin(2 * math.pi * i / 199)]
            for i in range(199)]
    assert len(geo.polygon(area(ring + ring[:1]))["coordinates"][0]) == 200


def test_the_contracts_name_the_area_field_when_it_is_bad_and_keep_it_canonical():
    base = {"kind": "service", "title": "Havnefronten", "problem": "p", "goal": "g"}
    with pytest.raises(ValidationError) as refused:
        NewProposal.model_validate({**base, "boundary": area(HARBOUR[:2])})
    assert refused.value.errors()[0]["loc"][0] == "boundary"
    made = NewProposal.model_validate({**base, "boundary": area(HARBOUR)})
    assert made.model_dump()["boundary"] == geo.polygon(area(HARBOUR))
    assert ProposalPatch.model_validate({"boundary": None}).model_dump(exclude_unset=True) == {"boundary": None}


def test_an_area_and_a_box_meet_only_where_the_shapes_do():
    ell = geo.polygon(area(ELL))
    assert geo.area_meets((9.905, 57.005, 9.906, 57.006), ell)  # inside
    assert geo.area_meets((9.0, 56.0, 11.0, 58.0), ell)  # the box holds all of it
    assert geo.area_meets((9.919, 56.99, 9.93, 57.001), ell)  # a corner in the box
    assert geo.area_meets((9.89, 57.005, 9.93, 57.006), ell)  # crossing it with no corner inside either
    assert not geo.area_meets((9.915, 57.015, 9.925, 57.025), ell)  # the L's notch
    assert not geo.area_meets((10.0, 57.0, 10.1, 57.1), ell)
    assert geo.area_meets((170.0, 56.0, 9.905, 58.0), ell)  # a box across the antimeridian


def test_a_proposal_with_an_area_is_one_feature_with_its_point_and_polygon_valid_rfc_7946():
    placed = {"id": "p", "title": "Havnefronten", "latitude": 57.055, "longitude": 9.92,
              "boundary": geo.polygon(area(HARBOUR))}
    only_point = {"id": "q", "title": "Krydset", "latitude": 57.0, "longitude": 9.0}
    collection = geo.feature_collection([placed, only_point], ("title",))
    jsonschema.validate(collection, SCHEMA)
    first = collection["features"][0]["geometry"]
    assert first["type"] == "GeometryCollection"
    assert [g["type"] for g in first["geometries"]] == ["Point", "Polygon"]
    assert first["geometries"][0]["coordinates"] == [9.92, 57.055]
    assert collection["features"][1]["geometry"]["type"] == "Point"
    # The box holds a corner of the harbour area but not its point: the area brings it in.
    box = (9.925, 57.055, 9.94, 57.07)
    assert [f["id"] for f in geo.feature_collection([placed, only_point], (), box)["features"]] == ["p"]
