"""Proposals on the municipality's map through the gateway: a point sent while proposing
is on …/proposals.geojson once published (RFC 7946), and "in this area" filters; so is
an area drawn for a proposal (a GeometryCollection of its point and polygon), found by
a box that meets the area itself."""
import json
import pathlib

import jsonschema
import pytest
import requests

from samskab.testing import Subscriber
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


# An L around a square's north-east notch, drawn clockwise and left open as the form's map sends it.
ELL = [[9.90, 57.00], [9.90, 57.02], [9.91, 57.02], [9.91, 57.01], [9.92, 57.01], [9.92, 57.00]]


def polygon(ring):
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_proposal_with_an_area_is_on_the_map_found_by_its_area_and_edited(platform, broker_uri):  # noqa: F811
    api, gateway_db = platform
    staff = employee(api, gateway_db)
    resident = login(api, "omraade@example.org")
    public = Subscriber(broker_uri, "aalborg.proposal.*")
    try:
        park = submit(api, resident, title="Parken i Vestbyen", boundary=polygon(ELL))  # no point: its centre
        r = requests.post(f"{api}/municipalities/aalborg/proposals/{park}/transitions", json={"to": "published"},
                          headers=staff)
        assert r.status_code == 200, r.text
        shown = r.json()
        ring = shown["boundary"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 7  # closed for the sender, turned counterclockwise
        assert sorted(map(tuple, ring[:-1])) == sorted(map(tuple, ELL))
        assert 57.0 < shown["latitude"] < 57.02 and 9.90 < shown["longitude"] < 9.92

        events = [json.loads(body) for _, _, body in public.drain(expect=2, timeout=15)]
        published = [e for e in events if e["type"] == "samskab.proposal.published"]
        assert published and published[0]["data"]["boundary"] == shown["boundary"]
        assert "initiator_id" not in published[0]["data"]

        collection = requests.get(f"{api}/municipalities/aalborg/proposals.geojson").json()
        jsonschema.validate(collection, SCHEMA)
        feature = {f["id"]: f for f in collection["features"]}[park]
        assert feature["geometry"]["type"] == "GeometryCollection"
        point, area = feature["geometry"]["geometries"]
        assert point == {"type": "Point", "coordinates": [shown["longitude"], shown["latitude"]]}
        assert area == shown["boundary"]

        def found(bbox):
            on_map = requests.get(f"{api}/municipalities/aalborg/proposals.geojson", params={"bbox": bbox}).json()
            listed = requests.get(f"{api}/municipalities/aalborg/proposals", params={"bbox": bbox}).json()
            assert [f["id"] for f in on_map["features"]] == [p["id"] for p in listed]
            return park in [p["id"] for p in listed]

        assert found("9.905,57.015,9.906,57.016")  # inside the area, far from its point
        assert found("9.895,57.005,9.93,57.006")  # across it, no corner inside either
        assert not found("9.915,57.015,9.93,57.03")  # in the L's notch: within its bounding box, not in it
        assert not found("10.0,57.0,10.1,57.1")

        # Moved to the harbour by its initiator; the point stays where it was put.
        harbour = polygon([[9.92, 57.05], [9.94, 57.05], [9.94, 57.06], [9.92, 57.06], [9.92, 57.05]])
        r = requests.patch(f"{api}/municipalities/aalborg/proposals/{park}", json={"boundary": harbour},
                           headers=resident)
        assert r.status_code == 200, r.text
        assert r.json()["boundary"]["coordinates"][0][0] == [9.92, 57.05]
        assert r.json()["latitude"] == shown["latitude"]
        updated = [json.loads(body) for _, _, body in public.drain(expect=1, timeout=15)]
        assert updated[0]["type"] == "samskab.proposal.updated"
        assert updated[0]["data"]["boundary"] == r.json()["boundary"]
        assert found("9.935,57.055,9.936,57.056") and not found("9.905,57.015,9.906,57.016")

        # A bad area: 422 naming the field, nothing changed, nothing made.
        before = requests.get(f"{api}/municipalities/aalborg/proposals", params={"mine": "1"}, headers=resident).json()
        bow_tie = polygon([[9.91, 57.05], [9.93, 57.06], [9.93, 57.05], [9.91, 57.06]])
        for body in ({"boundary": bow_tie}, {"boundary": polygon(ELL[:2])},
                     {"boundary": polygon([[9.0, 56.0], [11.0, 56.0], [11.0, 57.0]])},
                     {"boundary": {"type": "Polygon", "coordinates": [[[9.91, 95.0], [9.92, 57.0], [9.93, 57.1]]]}}):
            bad = requests.post(f"{api}/municipalities/aalborg/proposals", headers=resident,
                                json={"kind": "service", "title": "Skæv", "problem": "p", "goal": "g", **body})
            assert bad.status_code == 422, bad.text
            assert bad.headers["Content-Type"].startswith("application/problem+json")
            assert bad.json()["errors"][0]["field"].split(".")[0] == "boundary", bad.text
            bad = requests.patch(f"{api}/municipalities/aalborg/proposals/{park}", json=body, headers=resident)
            assert bad.status_code == 422 and bad.json()["errors"][0]["field"].split(".")[0] == "boundary"
        after = requests.get(f"{api}/municipalities/aalborg/proposals", params={"mine": "1"}, headers=resident).json()
        assert after == before
        assert public.drain(timeout=1) == []

        # Removed: the point stays, the feature is a Point again.
        r = requests.patch(f"{api}/municipalities/aalborg/proposals/{park}", json={"boundary": None}, headers=resident)
        assert r.status_code == 200 and r.json()["boundary"] is None and r.json()["latitude"] == shown["latitude"]
        collection = requests.get(f"{api}/municipalities/aalborg/proposals.geojson").json()
        assert {f["id"]: f for f in collection["features"]}[park]["geometry"]["type"] == "Point"
    finally:
        public.close()
