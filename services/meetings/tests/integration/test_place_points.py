"""Meeting places on the map: staff give a point, anyone gets them as GeoJSON (RFC 7946)."""
import json
import pathlib

import jsonschema
import pytest
import requests

from .test_meetings_http import LIBRARY, account, is_problem, platform  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

SCHEMA = json.loads((pathlib.Path(__file__).parents[4] / "tests" / "geojson" / "rfc7946.schema.json").read_text())


def test_a_place_with_a_point_is_on_the_geojson_and_the_bounding_box_filters(platform):  # noqa: F811
    base = platform["base"]
    staff, _ = account(platform, "employee")
    library = {**LIBRARY, "latitude": 57.0462, "longitude": 9.9187}
    r = requests.post(f"{base}/municipalities/aalborg/meeting-places", json=library, headers=staff)
    assert r.status_code == 201, r.text
    assert (r.json()["latitude"], r.json()["longitude"]) == (57.0462, 9.9187)
    hall = {**LIBRARY, "name": "Skalborg Forsamlingshus", "kind": "community_house",
            "latitude": 57.0125, "longitude": 9.8801}
    assert requests.post(f"{base}/municipalities/aalborg/meeting-places", json=hall, headers=staff).status_code == 201
    unplaced = {**LIBRARY, "name": "Rådhuset"}
    assert requests.post(f"{base}/municipalities/aalborg/meeting-places", json=unplaced, headers=staff).status_code == 201

    half = is_problem(requests.post(f"{base}/municipalities/aalborg/meeting-places",
                                    json={**LIBRARY, "latitude": 57.0}, headers=staff), 422)
    assert "latitude and longitude" in json.dumps(half)
    is_problem(requests.post(f"{base}/municipalities/aalborg/meeting-places",
                             json={**LIBRARY, "latitude": 91, "longitude": 9}, headers=staff), 422)

    r = requests.get(f"{base}/municipalities/aalborg/meeting-places.geojson")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/geo+json"
    collection = r.json()
    jsonschema.validate(collection, SCHEMA)
    by_name = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in collection["features"]}
    assert by_name == {"Hovedbiblioteket": [9.9187, 57.0462], "Skalborg Forsamlingshus": [9.8801, 57.0125]}

    # "in this area": the city centre only
    centre = requests.get(f"{base}/municipalities/aalborg/meeting-places.geojson", params={"bbox": "9.90,57.03,9.95,57.06"})
    assert [f["properties"]["name"] for f in centre.json()["features"]] == ["Hovedbiblioteket"]
    is_problem(requests.get(f"{base}/municipalities/aalborg/meeting-places.geojson", params={"bbox": "north"}), 422)
    # the plain list still shows all three, the unplaced one without a point
    listed = {p["name"]: p["latitude"] for p in requests.get(f"{base}/municipalities/aalborg/meeting-places").json()}
    assert listed == {"Hovedbiblioteket": 57.0462, "Skalborg Forsamlingshus": 57.0125, "Rådhuset": None}
