"""Open data's pure parts: the CSV cells, the DCAT-AP catalog as JSON-LD, and the page
each kind of Atom entry links to."""
import csv
import io

from pyld import jsonld

from notifications import atom, dcat
from notifications.storage.open_data_tables import DATASETS, TABLES

DCAT, DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def test_every_dataset_starts_with_id_municipality_title_status_and_ends_with_its_times():
    for name, columns in DATASETS.items():
        names = [c.name for c in columns]
        assert names[:4] == ["id", "municipality", "title", "status"], name
        assert names[-2:] == ["created_at", "updated_at"], name
        assert len(set(names)) == len(names), name
        assert all(c.description for c in columns), name
        assert TABLES[name].name == f"open_data_{name}"


def test_csv_cells_keep_numbers_and_lists_and_defuse_formulas():
    text = atom.to_csv(["title", "latitude", "topics", "online", "area"], [
        {"title": "=HYPERLINK(\"http://x\")", "latitude": -12.5, "topics": ["trafik", "cykel"], "online": False,
         "area": None}])
    [header, row] = list(csv.reader(io.StringIO(text)))
    assert header == ["title", "latitude", "topics", "online", "area"]
    assert row == ["'=HYPERLINK(\"http://x\")", "-12.5", '["trafik", "cykel"]', "false", ""]


def _catalog(language="da"):
    return dcat.catalog(municipality="aalborg", name="Aalborg Kommune", official_code="851", language=language,
                        homepage="https://x.test/municipalities/aalborg",
                        api_url="https://x.test/api/v1/municipalities/aalborg", licence=LICENCE, datasets=DATASETS,
                        modified={"proposals": "2026-12-01T10:00:00Z", "meetings": None})


def test_the_catalog_expands_as_json_ld_to_dcat_datasets_with_json_and_csv_distributions_under_the_licence():
    [catalog] = [n for n in jsonld.expand(_catalog()) if f"{DCAT}Catalog" in n.get("@type", [])]
    assert catalog[f"{DCT}license"][0]["@id"] == LICENCE
    assert {t["@language"] for t in catalog[f"{DCT}title"]} == {"da", "en"}
    datasets = catalog[f"{DCAT}dataset"]
    assert len(datasets) == len(DATASETS)
    for dataset in datasets:
        assert dataset["@type"] == [f"{DCAT}Dataset"]
        assert dataset[f"{DCT}license"][0]["@id"] == LICENCE
        types = {d[f"{DCAT}mediaType"][0]["@id"].rsplit("/", 2)[-2:][1] for d in dataset[f"{DCAT}distribution"]}
        assert types == {"json", "csv"}
        for distribution in dataset[f"{DCAT}distribution"]:
            assert distribution[f"{DCAT}downloadURL"][0]["@id"].startswith("https://x.test/api/v1/")
            assert distribution[f"{DCT}license"][0]["@id"] == LICENCE
    proposals = [d for d in datasets if d["@id"].endswith("/open-data/proposals")][0]
    assert proposals[f"{DCT}modified"][0] == {"@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                                              "@value": "2026-12-01T10:00:00Z"}
    assert {t["@value"] for t in proposals[f"{DCT}title"]} == {"Forslag", "Proposals"}


def test_an_english_municipality_has_its_titles_once():
    document = _catalog("en")
    assert [t["@language"] for t in document["dct:title"]] == ["en"]


def _entry(subject, type_name="samskab.proposal.published", **data):
    return {"municipality": "aalborg", "subject": subject, "type": type_name, "data": data}


def test_each_kind_of_entry_links_to_a_page_that_shows_it():
    p = "11111111-1111-1111-1111-111111111111"
    c = "22222222-2222-2222-2222-222222222222"
    base = "/municipalities/aalborg"
    cases = {
        f"proposals/{p}": f"{base}/proposals/{p}",
        f"proposals/{p}/questions/q1": f"{base}/proposals/{p}#questions",
        f"proposals/{p}/updates/u1": f"{base}/proposals/{p}#updates",
        f"proposals/{p}/experiments/e1": f"{base}/proposals/{p}#experiments",
        f"proposals/{p}/agreement": f"{base}/proposals/{p}#agreement",
        f"proposals/{p}/comments/c1": f"{base}/proposals/{p}/comments#c-c1",
        f"committees/{c}/documents/d1": f"{base}/committees/{c}#documents",
        f"committees/{c}": f"{base}/committees/{c}",
        "meetings/m1": f"{base}/meetings/m1",
        "missions/x1": f"{base}/missions/x1",
        "politicians/o1": f"{base}/politicians/o1",
    }
    for subject, page in cases.items():
        assert atom.page_of(_entry(subject)) == page, subject
    panel = "samskab.panel.selected"
    assert atom.page_of(_entry("panels/z1", panel, panel_id="z1", proposal_id=p)) == f"{base}/proposals/{p}#panels"
    assert atom.page_of(_entry("panels/z1", panel, panel_id="z1"), {"z1": c}) == f"{base}/committees/{c}#members"
    assert atom.page_of(_entry("panels/z2", panel, panel_id="z2")) == base
