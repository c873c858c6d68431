"""Pictures and files on the meeting page (issue 21) in real headless Chromium, in Danish
and Norwegian bokmål: the meeting's organiser uploads a photo carrying GPS in its EXIF;
without a description it is refused in their language in the error summary; with one it
shows as a thumbnail with that alt text; a resident gets no upload form but reports the
picture; staff hide the Danish one from the page's own form and it leaves the API; the
bytes served carry no EXIF; axe-core finds no violation on any page seen (refusal,
picture, report, anonymous, hidden for staff)."""
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys

import pytest
import requests
from PIL import Image

from gateway.tests.support import make_account, start_platform
from test_attachments_browser import CHROMIUM, HERE, ROOT, photo_with_gps, token

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
]


def test_the_organiser_attaches_a_photo_to_a_meeting_and_a_resident_reports_it(runner_factory, make_config, tmp_path):
    base, config = start_platform(runner_factory, make_config, services=("meetings",),
                                  UPLOADS_DIR=str(tmp_path / "uploads"))
    make_account(config, "organiser@aalborg.example", "employee", name="Arrangør")
    make_account(config, "staff@aalborg.example", "employee", name="Medarbejder")
    make_account(config, "rita@example.org", "resident", name="Rita")
    organiser = token(base, "organiser@aalborg.example")
    titles = {"da": "Værksted om Kildeparken", "nb": "Verksted om Kildeparken"}
    meetings = {}
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=8)).replace(microsecond=0)
    for language, title in titles.items():
        r = requests.post(f"{base}/api/v1/municipalities/aalborg/meetings", headers=organiser, json={
            "title": title, "format": "theme_workshop", "purpose": "Hvad savner I i parken?",
            "promise": "Vi svarer inden jul.", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/park",
            "capacity": 30, "language": language})
        assert r.status_code == 201, r.text
        meetings[language] = r.json()["id"]
    artifacts = os.path.join(ROOT, "test-artifacts", "browser", "meeting-attachments")
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts, exist_ok=True)
    photo = os.path.join(artifacts, "photo-with-gps.jpg")
    photo_with_gps(photo)
    spec = {"base": base, "artifacts": artifacts, "organiser": "organiser@aalborg.example",
            "staff": "staff@aalborg.example", "resident": "rita@example.org", "meetings": meetings, "photo": photo,
            "alts": {"da": "Deltagerne ved væggen med post-its", "nb": "Deltakerne ved veggen med lapper"},
            "captions": {"da": "Fra værkstedet", "nb": "Fra verkstedet"},
            "reasons": {"da": "Mit barn er på billedet", "nb": "Barnet mitt er på bildet"}}
    path = os.path.join(artifacts, "spec.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(spec, fh)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, os.path.join(HERE, "meeting_attachments_driver.py"), "upload", path],
                          capture_output=True, text=True, env=env, timeout=400, cwd=HERE)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["hidden"]
    staff = token(base, "staff@aalborg.example")
    for language in ("da", "nb"):
        seen = result[language]
        assert seen["violations"] == 0
        assert max(seen["natural"]) == 400  # the thumbnail, not the photo as sent
        listed = requests.get(f"{base}/api/v1/municipalities/aalborg/meetings/{meetings[language]}/attachments")
        # the Danish picture was hidden by staff on the page: gone from the API for everyone else
        assert [a["alt"] for a in listed.json()] == ([] if language == "da" else [spec["alts"][language]])
        for variant in ("thumbnail", "page", "original"):
            got = requests.get(base + seen["src"].replace("/thumbnail", f"/{variant}"),
                               headers=staff if language == "da" else {})
            assert got.status_code == 200 and got.headers["Content-Type"] == "image/jpeg"
            assert not Image.open(io.BytesIO(got.content)).getexif() and b"PhoneMaker" not in got.content
