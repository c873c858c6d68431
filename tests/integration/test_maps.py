"""Proposals on the municipality's map through the gateway: a point sent while proposing
is on …/proposals.geojson once published (RFC 7946), and "in this area" filters."""
import json
import pathlib

import jsonschema
import pytest
import requests

from test_proposals_listing import employee, login, platform, submit  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

SCHEMA = json.loads((pathlib.Path(__file__).parents[1] / "geojson" / "rfc7946.schema.json").read_text())


def test_published_proposals_with_a_point_are_on_the_geojson_and_drafts_are_not(platform):  # noqa: F811
    api, gateway_db = platform
    staff = employee(api, gateway_db)
    resident = login(api, "beboer@example.org")
    crossing = submit(api, resident, title="Farligt kryds", latitude=57.05, longitude=9.91)
    harbour = submit(api, resident, title="Havnefronten", latitude=57.053, longitude=9.93)
    submit(api, resident, title="Uden sted")
    draft = submit(api, resident, title="Kladde med sted", latitude=57.05, longitude=9.91, submit=False)
    for proposal_id in (crossing, harbour):
        r = requests.post(f"{api}/municipalities/aalborg/proposals/{proposal_id}/transitions",
                          json={"to": "published"}, headers=staff)
        assert r.status_code == 200, r.text

    r = requests.get(f"{api}/municipalities/aalborg/proposals.geojson")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/geo+json"
    collection = r.json()
    jsonschema.validate(collection, SCHEMA)
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {crossing, harbour} and draft not in features
    assert features[crossing]["geometry"] == {"type": "Point", "coordinates": [9.91, 57.05]}
    assert features[crossing]["properties"]["title"] == "Farligt kryds"
    assert "initiator_id" not in json.dumps(collection)

    centre = requests.get(f"{api}/municipalities/aalborg/proposals.geojson", params={"bbox": "9.90,57.04,9.92,57.06"})
    assert [f["id"] for f in centre.json()["features"]] == [crossing]
    listed = requests.get(f"{api}/municipalities/aalborg/proposals", params={"bbox": "9.90,57.04,9.92,57.06"})
    assert [p["id"] for p in listed.json()] == [crossing]
    bad = requests.get(f"{api}/municipalities/aalborg/proposals.geojson", params={"bbox": "9.9"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "bbox"
