"""The municipality's map in real headless Chromium, in Danish and Norwegian bokmål:
a published proposal and a meeting place with points are on the map (Leaflet served by
the gateway) and in the list alternative, reached with the keyboard, axe-core clean; an
area drawn while proposing (keyboard and clicks) is outlined on the proposal's page and
the map page and is the proposal's Polygon in proposals.geojson."""
import json
import os
import shutil
import subprocess
import sys

import jsonschema
import pytest
import requests

from gateway.tests.support import make_account, start_platform

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
LEAFLET = os.path.join(ROOT, "tools", "leaflet", "node_modules", "leaflet", "dist", "leaflet.js")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.skipif(not os.path.exists(LEAFLET), reason="tools/leaflet is not installed (scripts/install_tools.sh)"),
]

PASSWORD = "correct horse battery"
TITLE = "Farligt kryds ved Vesterbro"
PLACE = "Hovedbiblioteket"


def token(base, email):
    r = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def run(journey, spec, name):
    artifacts = os.path.join(ROOT, "test-artifacts", "browser", name)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts, exist_ok=True)
    path = os.path.join(artifacts, "spec.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({**spec, "artifacts": artifacts}, fh)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, os.path.join(HERE, "maps_driver.py"), journey, path], capture_output=True,
                          text=True, env=env, timeout=400, cwd=HERE)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_point_picked_while_proposing_is_on_the_map_page_and_in_the_geojson(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=("proposals", "meetings"))
    make_account(config, "staff@aalborg.example", "employee", name="Medarbejder")
    make_account(config, "rita@example.org", "resident", name="Rita")
    staff = token(base, "staff@aalborg.example")
    titles = {"da": "Lys ved skolevejen", "nb": "Lys ved skoleveien"}
    result = run("propose", {"base": base, "resident": "rita@example.org", "titles": titles}, "maps-propose")
    for language in ("da", "nb"):
        picked = result[language]
        assert picked["violations"] == 0
        r = requests.post(f"{base}/api/v1/municipalities/aalborg/proposals/{picked['id']}/transitions",
                          json={"to": "published"}, headers=staff)
        assert r.status_code == 200, r.text
    collection = requests.get(f"{base}/api/v1/municipalities/aalborg/proposals.geojson").json()
    schema = json.load(open(os.path.join(ROOT, "tests", "geojson", "rfc7946.schema.json"), encoding="utf-8"))
    jsonschema.validate(collection, schema)
    points = {f["id"]: f["geometry"]["coordinates"] for f in collection["features"]}
    for language in ("da", "nb"):
        picked = result[language]
        assert points[picked["id"]] == [picked["longitude"], picked["latitude"]]
        page = requests.get(f"{base}/municipalities/aalborg/map?lang={language}")
        assert titles[language] in page.text


def test_the_map_page_shows_points_in_da_and_nb_with_a_list_alternative(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=("proposals", "meetings"))
    make_account(config, "staff@aalborg.example", "employee", name="Medarbejder")
    make_account(config, "rita@example.org", "resident", name="Rita")
    staff, rita = token(base, "staff@aalborg.example"), token(base, "rita@example.org")
    r = requests.post(f"{base}/api/v1/municipalities/aalborg/proposals", headers=rita, json={
        "kind": "development", "title": TITLE, "problem": "Børn krydser en bred vej uden lys.",
        "goal": "En sikker overgang.", "language": "da", "latitude": 57.0480, "longitude": 9.9120})
    assert r.status_code == 201, r.text
    r = requests.post(f"{base}/api/v1/municipalities/aalborg/proposals/{r.json()['id']}/transitions",
                      json={"to": "published"}, headers=staff)
    assert r.status_code == 200, r.text
    r = requests.post(f"{base}/api/v1/municipalities/aalborg/meeting-places", headers=staff, json={
        "name": PLACE, "kind": "library", "address": "Rendsburggade 2, 9000 Aalborg", "capacity": 80,
        "latitude": 57.0462, "longitude": 9.9187})
    assert r.status_code == 201, r.text

    page = requests.get(f"{base}/municipalities/aalborg/map?lang=da")
    assert page.status_code == 200 and TITLE in page.text
    assert "img-src 'self' data: https://tile.openstreetmap.org" in page.headers["Content-Security-Policy"]
    assert "OpenStreetMap" in page.text
    assert requests.get(f"{base}/vendor/leaflet/leaflet.js").status_code == 200
    assert requests.get(f"{base}/vendor/leaflet/../../package.json").status_code == 404

    artifacts = os.path.join(ROOT, "test-artifacts", "browser", "maps")
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts, exist_ok=True)
    spec = os.path.join(artifacts, "spec.json")
    with open(spec, "w", encoding="utf-8") as fh:
        json.dump({"base": base, "artifacts": artifacts, "title": TITLE, "place": PLACE}, fh)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, os.path.join(HERE, "maps_driver.py"), "map", spec], capture_output=True,
                          text=True, env=env, timeout=400, cwd=HERE)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["da"]["violations"] == 0 and result["nb"]["violations"] == 0


def test_staff_pick_a_meeting_place_on_the_map_and_it_is_in_the_geojson(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=("proposals", "meetings"))
    make_account(config, "staff@aalborg.example", "employee", name="Medarbejder")
    picked = run("place", {"base": base, "staff": "staff@aalborg.example", "place": PLACE}, "maps-place")
    assert picked["violations"] == 0
    collection = requests.get(f"{base}/api/v1/municipalities/aalborg/meeting-places.geojson").json()
    assert [(f["properties"]["name"], f["geometry"]["coordinates"]) for f in collection["features"]] == [
        (PLACE, [picked["longitude"], picked["latitude"]])]


def test_an_area_drawn_while_proposing_is_on_the_map_page_and_in_the_geojson(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=("proposals", "meetings"))
    make_account(config, "staff@aalborg.example", "employee", name="Medarbejder")
    make_account(config, "rita@example.org", "resident", name="Rita")
    staff = token(base, "staff@aalborg.example")
    titles = {"da": "Parken ved åen", "nb": "Parken ved elva"}
    drawn = run("area", {"base": base, "resident": "rita@example.org", "titles": titles}, "maps-area")
    schema = json.load(open(os.path.join(ROOT, "tests", "geojson", "rfc7946.schema.json"), encoding="utf-8"))
    for language in ("da", "nb"):
        assert drawn[language]["violations"] == 0
        r = requests.post(f"{base}/api/v1/municipalities/aalborg/proposals/{drawn[language]['id']}/transitions",
                          json={"to": "published"}, headers=staff)
        assert r.status_code == 200, r.text
    collection = requests.get(f"{base}/api/v1/municipalities/aalborg/proposals.geojson").json()
    jsonschema.validate(collection, schema)
    features = {f["id"]: f for f in collection["features"]}
    for language in ("da", "nb"):
        point, area = features[drawn[language]["id"]]["geometry"]["geometries"]
        corners = drawn[language]["corners"]  # latitude, longitude as the form shows them
        ring = area["coordinates"][0]
        assert sorted(map(tuple, ring[:-1])) == sorted((lon, lat) for lat, lon in corners)
        lats, lons = [c[0] for c in corners], [c[1] for c in corners]
        assert min(lats) < point["coordinates"][1] < max(lats) and min(lons) < point["coordinates"][0] < max(lons)
    shown = run("area_map", {"base": base, "titles": titles}, "maps-area-map")
    assert shown["da"]["violations"] == 0 and shown["nb"]["violations"] == 0
