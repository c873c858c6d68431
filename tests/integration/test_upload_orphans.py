"""Uploads a stopped gateway left behind (issue 21) with the real gateway, meetings service,
broker, PostgreSQL and a local-folder object store: an upload is pending in the gateway's
database while its bytes are written and until the meetings service recorded it; the
sweep (the gateway's timer) deletes the bytes of a pending upload older than
UPLOADS_PENDING_MAX_AGE_SECONDS that no service recorded, keeps a recorded one's (even
when the gateway stopped before clearing it) and leaves a young one alone."""
import datetime as dt
import uuid

import pytest
import requests
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_container

from samskab.contracts.attachments import object_key
from samskab.db import engine_for
from samskab.objectstore import LocalFolderStore
from samskab.testing import http_port

from gateway.accounts.storage import pending_uploads
from gateway.service import Service as Gateway
from gateway.tests.support import PASSWORD, make_account
from meetings.service import Service as Meetings
from test_attachments import photo_with_gps

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"


@pytest.fixture
def platform(runner_factory, make_config, tmp_path):
    uploads = str(tmp_path / "uploads")
    gateway_config = make_config("gateway", UPLOADS_DIR=uploads, UPLOADS_PENDING_MAX_AGE_SECONDS="600")
    runners = [runner_factory(gateway_config, Gateway),
               runner_factory(make_config("meetings", UPLOADS_DIR=uploads), Meetings)]
    for runner in runners:
        runner.start()
    staff_id = make_account(gateway_config, "sven@example.org", "employee")
    base = f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1"
    token = requests.post(f"{base}/auth/token", json={"email": "sven@example.org", "password": PASSWORD})
    return {"base": base, "db": gateway_config["DATABASE_URL"], "store": LocalFolderStore(uploads),
            "container": get_container(runners[0], Gateway), "staff_id": staff_id,
            "sven": {"Authorization": "Bearer " + token.json()["access_token"]}}


def pending(platform):
    with engine_for(platform["db"]).connect() as conn:
        return {row.attachment_id for row in conn.execute(sa.select(pending_uploads))}


def left_pending(platform, meeting_id, attachment_id, minutes_ago):
    """What a gateway that stopped mid-upload leaves: the pending row and (some of) the bytes."""
    with engine_for(platform["db"]).begin() as conn:
        conn.execute(pending_uploads.insert().values(
            attachment_id=attachment_id, municipality="aalborg", owner="meetings", owner_id=uuid.UUID(meeting_id),
            uploader_id=uuid.UUID(platform["staff_id"]),
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes_ago)))


def stored(platform, attachment_id, variant="page"):
    return platform["store"].get(object_key("aalborg", attachment_id, variant)) is not None


def test_the_sweep_deletes_what_no_service_recorded_and_keeps_what_one_did(platform):
    base, sven = platform["base"], platform["sven"]
    starts = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)
    r = requests.post(f"{base}{M}/meetings", headers=sven, json={
        "title": "Borgermøde om skolevejen", "format": "theme_workshop", "purpose": "Sikker skolevej",
        "promise": "Vi svarer i marts.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/vej",
        "capacity": 40})
    assert r.status_code == 201, r.text
    meeting_id = r.json()["id"]

    # A real upload: pending while it is written, cleared once the meetings service recorded it
    upload = requests.post(f"{base}{M}/meetings/{meeting_id}/attachments", headers=sven,
                           files={"file": ("vej.jpg", photo_with_gps((1200, 800)), "image/jpeg")},
                           data={"alt": "Krydset ved skolen om morgenen"})
    assert upload.status_code == 201, upload.text
    recorded = uuid.UUID(upload.json()["id"])
    assert pending(platform) == set() and stored(platform, recorded)
    # A refused upload leaves neither bytes nor a pending row
    refused = requests.post(f"{base}{M}/meetings/{meeting_id}/attachments", headers=sven,
                            files={"file": ("x.jpg", photo_with_gps((300, 200)), "image/jpeg")})
    assert refused.status_code == 422 and pending(platform) == set()

    # What stopped gateways left: bytes no service recorded (an hour ago, and just now), and a
    # recorded upload whose pending row the gateway had no time to clear
    orphan, young = uuid.uuid4(), uuid.uuid4()
    for aid, minutes in ((orphan, 60), (young, 1)):
        left_pending(platform, meeting_id, aid, minutes)
        for variant in ("original", "page", "thumbnail"):
            platform["store"].put(object_key("aalborg", aid, variant), b"\xff\xd8\xff half a photo", "image/jpeg")
    left_pending(platform, meeting_id, recorded, 60)

    with entrypoint_hook(platform["container"], "sweep_pending_uploads") as sweep:
        sweep()

    assert not any(stored(platform, orphan, v) for v in ("original", "page", "thumbnail")), "the orphan is gone"
    assert stored(platform, recorded), "the recorded upload keeps its bytes"
    assert requests.get(f"{base}{M}/meetings/{meeting_id}/attachments/{recorded}/page").status_code == 200
    assert stored(platform, young), "a young pending upload may still be under way"
    assert pending(platform) == {young}
