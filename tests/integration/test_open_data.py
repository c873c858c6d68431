"""Open data as datasets (issue 19), through a running gateway and notifications service
fed by the broker: each dataset has one row per entity with id, title, status and
municipality however many events were about it; CSV and JSON agree; the zip holds every
dataset and the catalog; the catalog is DCAT-AP that expands as JSON-LD and names the
configured licence; hidden content is in no dataset; an unknown dataset is a 404."""
import csv
import io
import json
import zipfile

import pytest
import requests
from pyld import jsonld

from samskab.testing import http_port, wait_for

from gateway.service import Service as Gateway
from notifications.service import Service as Notifications
from notifications.tests.open_data_events import HIDDEN_TITLE, SECRET_COMMENT, SECRET_QUESTION, scenario
from test_notifications_e2e import publish

pytestmark = pytest.mark.integration

API = "/api/v1/municipalities/aalborg"
LICENCE = "https://creativecommons.org/publicdomain/zero/1.0/"
DATASETS = ("proposals", "meetings", "outcomes", "experiments", "agreements", "missions", "committees", "decisions")


@pytest.fixture
def world(runner_factory, make_config, broker_uri):
    """The platform with the scenario's events consumed, stage by stage (each stage waits
    for the one before it to be logged, as events about one entity come one after another)."""
    gateway = runner_factory(make_config("gateway"), Gateway)
    gateway.start()
    runner_factory(make_config("notifications", OPEN_DATA_LICENCE=LICENCE), Notifications).start()
    base = f"http://127.0.0.1:{http_port(gateway.service_map['gateway'])}"
    ids, stages, expected = scenario()
    sent = 0
    for stage in stages:
        for type_name, subject, data in stage:
            publish(broker_uri, type_name, data, subject)
            sent += 1
        wait_for(lambda: len(requests.get(f"{base}{API}/events", params={"limit": 500}, timeout=5)
                             .json()["events"]) >= sent, what=f"{sent} public events logged")
    return base, ids, expected


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def rows_per_entity(world):
    base, ids, expected = world
    for name in DATASETS:
        r = requests.get(f"{base}{API}/open-data/{name}.json", timeout=10)
        assert r.status_code == 200, (name, r.text)
        body = r.json()
        assert body["dataset"] == name and body["licence"] == LICENCE
        assert [c["name"] for c in body["columns"]][:4] == ["id", "municipality", "title", "status"]
        rows = {row["id"]: (row["title"], row["status"]) for row in body["records"]}
        assert len(rows) == len(body["records"]), f"{name}: one row per entity"
        assert rows == expected[name], name
        assert {row["municipality"] for row in body["records"]} == {"aalborg"}
        assert body["modified"], name
    proposals = requests.get(f"{base}{API}/open-data/proposals.json", timeout=10).json()["records"]
    [active] = [p for p in proposals if p["id"] == ids["proposal"]]
    assert (active["support_count"], active["experiment_count"], active["meeting_count"], active["mission_id"]) == (
        1, 1, 1, ids["mission"])
    [moderated] = [p for p in proposals if p["id"] == ids["moderated"]]
    assert (moderated["question_count"], moderated["comment_count"]) == (1, 1)


def csv_and_json_agree(world):
    base, _, _ = world
    for name in DATASETS:
        body = requests.get(f"{base}{API}/open-data/{name}.json", timeout=10).json()
        r = requests.get(f"{base}{API}/open-data/{name}.csv", timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv"), name
        header, *rows = list(csv.reader(io.StringIO(r.text)))
        columns = [c["name"] for c in body["columns"]]
        assert header == columns, name
        assert rows == [[_csv_value(record[c]) for c in columns] for record in body["records"]], name
    # the older form still answers, from the same tables
    old = requests.get(f"{base}{API}/open-data.csv", params={"dataset": "outcomes"}, timeout=10)
    assert old.status_code == 200 and old.text == requests.get(f"{base}{API}/open-data/outcomes.csv").text
    everything = requests.get(f"{base}{API}/open-data.json", timeout=10).json()
    assert set(DATASETS) <= set(everything) and everything["municipality"] == "aalborg"
    assert everything["outcomes"] == requests.get(f"{base}{API}/open-data/outcomes.json").json()["records"]


def zip_holds_everything(world):
    base, _, _ = world
    r = requests.get(f"{base}{API}/open-data.zip", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        names = set(archive.namelist())
        assert names == {f"aalborg-{name}.csv" for name in DATASETS} | {"catalog.jsonld"}
        for name in DATASETS:
            assert archive.read(f"aalborg-{name}.csv").decode() == requests.get(
                f"{base}{API}/open-data/{name}.csv", timeout=10).text, name
        catalog = json.loads(archive.read("catalog.jsonld"))
    assert catalog["@type"] == "dcat:Catalog"


def catalog_expands(world):
    base, _, _ = world
    r = requests.get(f"{base}{API}/catalog.jsonld", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/ld+json")
    for path in ("catalog.jsonld", "open-data/proposals.json", "open-data/proposals.csv"):  # conditional GETs
        first = requests.get(f"{base}{API}/{path}", timeout=10)
        again = requests.get(f"{base}{API}/{path}", headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
        assert again.status_code == 304, path
    expanded = jsonld.expand(r.json())
    [catalog] = [n for n in expanded if "http://www.w3.org/ns/dcat#Catalog" in n.get("@type", [])]
    assert catalog["http://purl.org/dc/terms/license"][0]["@id"] == LICENCE
    assert catalog["http://purl.org/dc/terms/publisher"][0]["http://xmlns.com/foaf/0.1/name"][0]["@value"]
    datasets = catalog["http://www.w3.org/ns/dcat#dataset"]
    assert len(datasets) == len(DATASETS)
    for dataset in datasets:
        assert {t["@language"] for t in dataset["http://purl.org/dc/terms/title"]} == {"da", "en"}
        assert dataset["http://purl.org/dc/terms/modified"][0]["@value"]
        urls = [d["http://www.w3.org/ns/dcat#downloadURL"][0]["@id"]
                for d in dataset["http://www.w3.org/ns/dcat#distribution"]]
        assert sorted(u.rsplit(".", 1)[1] for u in urls) == ["csv", "json"]
        for url in urls:  # each distribution answers at its address (PUBLIC_URL is this gateway's in tests)
            path = url.split("/api/v1/", 1)[1]
            assert requests.get(f"{base}/api/v1/{path}", timeout=10).status_code == 200, url


def nothing_hidden(world):
    base, ids, _ = world
    archive = requests.get(f"{base}{API}/open-data.zip", timeout=10).content
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        text = "".join(z.read(n).decode() for n in z.namelist())
    text += requests.get(f"{base}{API}/open-data.json", timeout=10).text
    for secret in (SECRET_QUESTION, SECRET_COMMENT, HIDDEN_TITLE):
        assert secret not in text, secret
    for person in (ids["resident"], ids["partner"]):
        assert person not in text, "no participant's id in open data"
    hidden = [p for p in requests.get(f"{base}{API}/open-data/proposals.json").json()["records"]
              if p["id"] == ids["hidden"]]
    assert hidden[0]["status"] == "hidden" and hidden[0]["hidden_reason"] == "Krænkende"


def unknown_is_404(world):
    base, _, _ = world
    for path in ("open-data/residents.json", "open-data/residents.csv"):
        r = requests.get(f"{base}{API}/{path}", timeout=10)
        assert r.status_code == 404, path
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert r.json()["status"] == 404 and "proposals" in r.json()["detail"]
    assert requests.get(f"{base}{API}/open-data.csv", params={"dataset": "residents"}).status_code == 422
    assert requests.get(f"{base}/api/v1/municipalities/nowhere/open-data/proposals.json").status_code == 404


# One platform per test is costly: the checks share one scenario.

def test_datasets_one_row_per_entity_csv_and_json_agree_zipped_with_a_dcat_catalog_naming_the_licence(world):
    rows_per_entity(world)
    csv_and_json_agree(world)
    zip_holds_everything(world)
    catalog_expands(world)


def test_hidden_content_is_in_no_dataset_and_an_unknown_dataset_is_a_404_problem(world):
    nothing_hidden(world)
    unknown_is_404(world)
