"""Pictures and files on the proposal page (issue 21) in real headless Chromium, in
Danish and Norwegian bokmål: the initiator uploads a photo carrying GPS in its EXIF;
without a description it is refused in their language in the error summary; with one
it shows as a thumbnail with that alt text; the bytes served carry no EXIF; staff hide
the Danish one from the page's own form and it leaves the page and the API; axe-core
finds no violation on the page with the refusal, with the picture, or hidden for staff."""
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

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
]

PASSWORD = "correct horse battery"


def photo_with_gps(path):
    image = Image.new("RGB", (1800, 1200), (70, 130, 180))
    for x in range(0, 1800, 60):  # stripes, so the thumbnail is visibly a picture
        image.paste((240, 240, 240), (x, 0, x + 20, 1200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (57.0, 2.0, 54.0), 3: "E", 4: (9.0, 55.0, 10.0)}
    image.save(path, "JPEG", exif=exif.tobytes())
    assert Image.open(path).getexif().get_ifd(0x8825)


def token(base, email):
    r = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_initiator_uploads_a_photo_and_sees_it_with_its_alt_text(runner_factory, make_config, tmp_path):
    base, config = start_platform(runner_factory, make_config, services=("proposals",),
                                  UPLOADS_DIR=str(tmp_path / "uploads"))
    make_account(config, "rita@example.org", "resident", name="Rita")
    make_account(config, "staff@aalborg.example", "employee", name="Medarbejder")
    rita = token(base, "rita@example.org")
    titles = {"da": "Hul i cykelstien ved havnen", "nb": "Hull i sykkelveien ved havna"}
    proposals = {}
    for language, title in titles.items():
        r = requests.post(f"{base}/api/v1/municipalities/aalborg/proposals", headers=rita, json={
            "kind": "development", "title": title, "problem": "Et dybt hul.", "goal": "En jævn sti.",
            "language": language})
        assert r.status_code == 201, r.text
        proposals[language] = r.json()["id"]
    r = requests.post(f"{base}/api/v1/municipalities/aalborg/proposals/{proposals['nb']}/updates", headers=rita,
                      json={"body": "Kommunen har sett på hullet."})
    assert r.status_code == 201, r.text
    update_id = r.json()["id"]
    artifacts = os.path.join(ROOT, "test-artifacts", "browser", "attachments")
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts, exist_ok=True)
    photo = os.path.join(artifacts, "photo-with-gps.jpg")
    photo_with_gps(photo)
    spec = {"base": base, "artifacts": artifacts, "initiator": "rita@example.org", "staff": "staff@aalborg.example",
            "proposals": proposals,
            "photo": photo, "alts": {"da": "Et dybt hul i asfalten på cykelstien", "nb": "Et dypt hull i asfalten"},
            "captions": {"da": "Set fra kajen", "nb": "Sett fra kaia"}}
    path = os.path.join(artifacts, "spec.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(spec, fh)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, os.path.join(HERE, "attachments_driver.py"), "upload", path],
                          capture_output=True, text=True, env=env, timeout=400, cwd=HERE)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["hidden"]
    for language in ("da", "nb"):
        seen = result[language]
        assert seen["violations"] == 0
        assert max(seen["natural"]) == 400  # the thumbnail, not the photo as sent
        listed = requests.get(f"{base}/api/v1/municipalities/aalborg/proposals/{proposals[language]}/attachments")
        # the Danish picture was hidden by staff on the page: gone from the API for everyone else
        assert [a["alt"] for a in listed.json()] == ([] if language == "da" else [spec["alts"][language]])
        if language == "nb":  # attached to the update chosen in the form
            assert [(a["attached_to"], a["target_id"]) for a in listed.json()] == [("update", update_id)]
        for variant in ("thumbnail", "page", "original"):
            got = requests.get(base + seen["src"].replace("/thumbnail", f"/{variant}"),
                               headers=token(base, "staff@aalborg.example") if language == "da" else {})
            assert got.status_code == 200 and got.headers["Content-Type"] == "image/jpeg"
            served = Image.open(io.BytesIO(got.content))
            assert not served.getexif() and b"PhoneMaker" not in got.content
