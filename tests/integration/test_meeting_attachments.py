"""Pictures and files on meetings (issue 21) through the real gateway and meetings service,
with the real broker, PostgreSQL and a local-folder object store: a resident and another
municipality's staff are refused (403) before their file is even read; the meeting's
organiser attaches a photo whose GPS EXIF is gone from every variant, and a colleague a
PDF; the meeting page shows them (kept by the read model, changed within a second);
anyone signed in reports, staff hide (gone from the list, the page and the bytes; the
public events name no uploader); the organiser keeps the right after leaving the staff;
a person's export lists their files and their erasure deletes them."""
import datetime as dt
import io
import json
import time

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from samskab.db import engine_for
from samskab.testing import Subscriber, http_port, wait_for

from gateway.readmodel.tests.test_public_reads import model_of
from gateway.service import Service as Gateway
from gateway.tests.support import PASSWORD, make_account
from meetings.service import Service as Meetings
from test_attachments import PDF, no_exif, photo_with_gps

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"
ALT = "Deltagerne ved væggen med post-its"


@pytest.fixture
def platform(runner_factory, make_config, broker_uri, tmp_path):
    uploads = str(tmp_path / "uploads")
    gateway_config = make_config("gateway", UPLOADS_DIR=uploads)
    meetings_config = make_config("meetings", UPLOADS_DIR=uploads)
    runners = [runner_factory(gateway_config, Gateway), runner_factory(meetings_config, Meetings)]
    for runner in runners:
        runner.start()
    port = http_port(runners[0].service_map["gateway"])
    ids = {who: make_account(gateway_config, f"{who}@example.org", role, municipality)
           for who, role, municipality in (("sven", "employee", "aalborg"), ("sofie", "employee", "aalborg"),
                                           ("rita", "resident", "aalborg"), ("hanne", "employee", "hjorring"))}
    return {"web": f"http://127.0.0.1:{port}", "base": f"http://127.0.0.1:{port}/api/v1", "ids": ids,
            "gateway_db": gateway_config["DATABASE_URL"], "db": meetings_config["DATABASE_URL"],
            "amqp": broker_uri, "uploads": tmp_path / "uploads"}


def login(platform, who):
    r = requests.post(f"{platform['base']}/auth/token", json={"email": f"{who}@example.org", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def objects(platform):
    root = platform["uploads"]
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def count(url, table):
    with engine_for(url).connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def upload(url, headers, data, name="photo.jpg", mime="image/jpeg", **fields):
    return requests.post(url, headers=headers, files={"file": (name, data, mime)}, data=fields)


def schedule(platform, headers):
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=6)).replace(microsecond=0)
    return ok(requests.post(f"{platform['base']}{M}/meetings", headers=headers, json={
        "title": "Værksted om Kildeparken", "format": "theme_workshop", "purpose": "Hvad savner I i parken?",
        "promise": "Vi svarer inden jul.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/park",
        "capacity": 20}), 201)


def until(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_a_meetings_pictures_and_files_from_upload_to_erasure(platform):
    base, web = platform["base"], platform["web"]
    sven, sofie, rita, hanne = (login(platform, who) for who in ("sven", "sofie", "rita", "hanne"))
    public = Subscriber(platform["amqp"], "aalborg.meeting.*")
    meeting = schedule(platform, sven)  # Sven organises it
    files = f"{base}{M}/meetings/{meeting['id']}/attachments"
    page = f"{web}{M}/meetings/{meeting['id']}"
    photo = photo_with_gps()

    assert ok(requests.get(files)) == []
    assert 'id="attachments"' in requests.get(page).text  # the section, empty, for everyone

    # Strangers are refused before the file is read: not even bytes that are no picture get a 415
    for stranger in (rita, hanne):
        refused = upload(files, stranger, b"not a picture at all", alt="x")
        assert refused.status_code == 403, refused.text
        assert "organiser" in refused.json()["detail"]
    assert upload(files, {}, photo, alt=ALT).status_code == 401
    # The organiser's bad input: a clear 4xx, nothing stored
    assert upload(files, sven, photo).status_code == 422  # no text alternative
    assert upload(files, sven, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.jpg", alt="x").status_code == 415
    assert objects(platform) == [] and count(platform["db"], "attachments") == 0

    # The anonymous list is kept by the read model; a new picture is on the page within a second
    store = model_of(web).store

    def kept(method):
        return [k for k in store.answers if k[:2] == ("meetings", method) and meeting["id"] in k[2]]
    until(lambda: requests.get(page).status_code == 200 and kept("attachments"), 3, "the list kept")
    added = ok(upload(files, sven, photo, alt=ALT, caption="Fra værkstedet"), 201)
    at = time.monotonic()
    until(lambda: ALT in requests.get(page).text, 1.0, "the picture on the meeting page")
    assert time.monotonic() - at < 1.0
    assert kept("get"), "the attachment left the meeting's own answer in memory"
    until(lambda: requests.get(page).headers.get("X-Read-Model") == "hit", 3, "the anonymous meeting page kept")
    assert added["meeting_id"] == meeting["id"] and added["kind"] == "image" and "keys" not in added
    for variant in ("page", "thumbnail", "original"):
        served = requests.get(f"{files}/{added['id']}/{variant}")
        assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
        assert no_exif(served.content), variant
    assert max(Image.open(io.BytesIO(requests.get(f"{files}/{added['id']}/thumbnail").content)).size) <= 400

    # A colleague of the municipality (not the organiser) attaches the programme as a PDF
    pdf = ok(upload(files, sofie, PDF, "program.pdf", "application/pdf", alt="Program for aftenen"), 201)
    served = requests.get(f"{files}/{pdf['id']}/original")
    assert served.content == PDF and served.headers["Content-Disposition"].startswith("attachment")
    html = requests.get(page).text
    assert f'alt="{ALT}"' in html and "Program for aftenen" in html and "Fra værkstedet" in html

    # Anyone signed in reports; only the municipality's staff hide
    ok(requests.post(f"{files}/{added['id']}/report", headers=rita, json={"reason": "Mit barn er på billedet"}), 201)
    assert requests.post(f"{files}/{added['id']}/report", json={"reason": "x"}).status_code == 401
    assert requests.post(f"{files}/{added['id']}/hide", headers=rita, json={"reason": "x"}).status_code == 403
    assert requests.post(f"{files}/{added['id']}/hide", headers=hanne, json={"reason": "x"}).status_code == 403
    ok(requests.post(f"{files}/{added['id']}/hide", headers=sofie, json={"reason": "Et barn kan genkendes"}))
    until(lambda: ALT not in requests.get(page).text, 1.0, "the hidden picture gone from the page")
    assert [a["id"] for a in ok(requests.get(files, headers=rita))] == [pdf["id"]]
    assert requests.get(f"{files}/{added['id']}/page").status_code == 404
    assert [a["hidden"] for a in ok(requests.get(files, headers=sofie))] == [True, False]  # staff still see it
    assert requests.get(f"{files}/{added['id']}/page", headers=sofie).status_code == 200

    # The public events: added twice and hidden once, never who uploaded or hid
    got = [json.loads(body) for _, _, body in public.drain(timeout=3)]
    got = [e for e in got if ".attachment_" in e["type"]]
    assert sorted(e["type"] for e in got) == ["samskab.meeting.attachment_added"] * 2 + [
        "samskab.meeting.attachment_hidden"]
    for event in got:
        assert event["data"]["meeting_id"] == meeting["id"]
        assert not {"uploader_id", "hidden_by"} & set(event["data"]), event["data"]
        assert not {*platform["ids"].values()} & {str(v) for v in event["data"].values()}

    # Sven leaves the staff: as the meeting's organiser he may still attach
    with engine_for(platform["gateway_db"]).begin() as conn:
        conn.execute(sa.text("UPDATE accounts SET role = 'resident' WHERE email = 'sven@example.org'"))
    second = ok(upload(files, sven, photo_with_gps((800, 600)), alt="Kaffen står klar"), 201)

    # Every upload was recorded: no pending upload is left for the sweep
    assert count(platform["gateway_db"], "pending_uploads") == 0

    # Sven's export lists his pictures; his erasure deletes their rows and their bytes, not Sofie's PDF
    export = ok(requests.get(f"{base}/me/export", headers=sven))
    assert {a["id"] for a in export["meetings"]["attachments"]} == {added["id"], second["id"]}
    assert requests.delete(f"{base}/me", headers=sven).status_code == 204
    wait_for(lambda: all(added["id"] not in o and second["id"] not in o for o in objects(platform)) or None,
             timeout=10, what="Sven's files deleted")
    assert [a["id"] for a in ok(requests.get(files, headers=sofie))] == [pdf["id"]]
    assert any(pdf["id"] in o for o in objects(platform))


def test_a_cancelled_meeting_takes_no_more_files(platform):
    sven = login(platform, "sven")
    meeting = schedule(platform, sven)
    files = f"{platform['base']}{M}/meetings/{meeting['id']}/attachments"
    ok(requests.post(f"{platform['base']}{M}/meetings/{meeting['id']}/cancel", headers=sven,
                     json={"reason": "Sygdom"}))
    refused = upload(files, sven, photo_with_gps((640, 480)), alt="x")
    assert refused.status_code == 403, refused.text  # may_attach says no before the file is read
    assert objects(platform) == []


def test_a_hidden_meeting_picture_is_blanked_in_the_public_log():
    """The public log (catch-up, Atom, open data) blanks a hidden picture's description and
    caption in its earlier ``meeting.attachment_added``, as for a proposal's."""
    from notifications import redaction

    aid = "3f1c1b9e-8a55-4c43-9a43-1d2f1e0c9a77"
    added = {"id": "e1", "type": "samskab.meeting.attachment_added",
             "data": {"attachment_id": aid, "meeting_id": "m", "alt": ALT, "caption": "Fra værkstedet"}}
    assert "samskab.meeting.attachment_hidden" in redaction.HIDDEN
    target = redaction.target_of({"attachment_id": aid, "meeting_id": "m", "reason": "Et barn kan genkendes"})
    assert added["type"] in target.types
    blanked = redaction.redact(added, target, "e2")
    assert blanked["data"]["alt"] == "" and blanked["data"]["caption"] == "" and blanked["redactedby"] == "e2"
