"""Pictures and files (issue 21) through the real gateway and proposals service, with
the real broker, PostgreSQL and a local-folder object store: a photo with GPS EXIF
comes back (page, thumbnail, original) without any EXIF; a PDF is served as a
download; hostile files are refused with a clear 4xx and leave no row and no object;
a stranger gets 403; staff hide an attachment (gone from the API, its bytes and the
page; the public event carries no uploader); a person's erasure removes their files."""
import io
import json
import struct
import zlib

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from samskab.db import engine_for
from samskab.testing import Subscriber, http_port, wait_for

from gateway.service import Service as Gateway
from proposals.service import Service as Proposals
from test_notifications_who_hears_what import People, ok

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def photo_with_gps(size=(2400, 1600)):
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (57.0, 2.0, 54.0), 3: "E", 4: (9.0, 55.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bomb(width=30000, height=30000):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = zlib.compress((b"\x00" + bytes(width // 8 + 1)) * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.fixture
def platform(runner_factory, make_config, broker_uri, tmp_path):
    uploads = str(tmp_path / "uploads")
    gateway_config = make_config("gateway", UPLOADS_DIR=uploads)
    proposals_config = make_config("proposals", UPLOADS_DIR=uploads)
    runners = [runner_factory(gateway_config, Gateway), runner_factory(proposals_config, Proposals)]
    for runner in runners:
        runner.start()
    port = http_port(runners[0].service_map["gateway"])
    return {"base": f"http://127.0.0.1:{port}/api/v1", "web": f"http://127.0.0.1:{port}",
            "gateway_db": gateway_config["DATABASE_URL"], "db": proposals_config["DATABASE_URL"],
            "amqp": broker_uri, "uploads": tmp_path / "uploads"}


def rows(platform):
    with engine_for(platform["db"]).connect() as conn:
        return conn.execute(sa.text("SELECT id, kind, alt, hidden FROM attachments ORDER BY created_at")).all()


def objects(platform):
    root = platform["uploads"]
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(url, headers, data, name="photo.jpg", mime="image/jpeg", **fields):
    return requests.post(url, headers=headers, files={"file": (name, data, mime)}, data=fields)


def no_exif(data):
    image = Image.open(io.BytesIO(data))
    return not image.getexif() and "exif" not in image.info and b"PhoneMaker" not in data and b"Exif" not in data


def test_pictures_and_files_end_to_end(platform):
    base = platform["base"]
    people = People(platform)
    karen = people.register("karen@example.org", "Karen Kjærgaard", "da")
    stranger = people.register("bo@example.org", "Bo Bech", "da")
    staff = people.staff("jens.kommune@example.org", "Jens Kommune", "da")
    pid = ok(requests.post(f"{base}/municipalities/aalborg/proposals", headers=karen, json={
        "kind": "development", "title": "Sikker overgang ved skolen", "problem": "Overgangen er farlig.",
        "goal": "En sikker overgang.", "language": "da"}), 201)["id"]
    files = f"{base}/municipalities/aalborg/proposals/{pid}/attachments"
    amqp = Subscriber(platform["amqp"], "aalborg.proposal.#")

    # A photo with GPS in its EXIF: every variant comes back without any EXIF.
    photo = photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)
    added = upload(files, {**karen, "Idempotency-Key": "photo-1"}, photo,
                   alt="Den slidte fodgængerovergang", caption="Set fra skolen")
    assert added.status_code == 201, added.text
    photo_out = added.json()
    assert added.headers["Location"].endswith(photo_out["id"])
    assert photo_out["kind"] == "image" and photo_out["alt"] == "Den slidte fodgængerovergang"
    again = upload(files, {**karen, "Idempotency-Key": "photo-1"}, photo, alt="Den slidte fodgængerovergang",
                   caption="Set fra skolen")
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json()["id"] == photo_out["id"]
    other = upload(files, {**karen, "Idempotency-Key": "photo-1"}, PDF, name="x.pdf", mime="application/pdf",
                   caption="Set fra skolen")
    assert other.status_code == 422
    for variant, limit in (("page", 1600), ("thumbnail", 400), ("original", 1600)):
        got = requests.get(f"{files}/{photo_out['id']}/{variant}")
        assert got.status_code == 200 and got.headers["Content-Type"] == "image/jpeg"
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Disposition"].startswith("inline; filename=")
        assert no_exif(got.content) and max(Image.open(io.BytesIO(got.content)).size) == limit
        assert requests.get(f"{files}/{photo_out['id']}/{variant}",
                            headers={"If-None-Match": got.headers["ETag"]}).status_code == 304

    # A PDF: a download, served as sent.
    pdf = ok(upload(files, staff, PDF, name="referat.pdf", mime="application/pdf", alt="Referat af mødet"), 201)
    got = requests.get(f"{files}/{pdf['id']}/original")
    assert got.content == PDF and got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment; filename=")
    assert requests.get(f"{files}/{pdf['id']}/thumbnail").status_code == 404
    assert [a["id"] for a in ok(requests.get(files))] == [photo_out["id"], pdf["id"]]

    # Hostile files and missing alt text: a clear 4xx, and nothing stored.
    before_rows, before_objects = rows(platform), objects(platform)
    refusals = [
        (upload(files, karen, b"just some text\n" * 40, name="crossing.jpg"), 415, "whatever its name says"),
        (upload(files, karen, b"\xff\xd8\xff" + bytes(50 * 1024 * 1024), name="huge.jpg"), 413, ""),
        (upload(files, karen, b"\xff\xd8\xff" + bytes(12 * 1024 * 1024), name="big.jpg"), 413, "MB"),
        (upload(files, karen, png_bomb(), name="bomb.png", mime="image/png", alt="x"), 413, "pixels"),
        (upload(files, karen, b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                name="x.svg", mime="image/svg+xml", alt="x"), 415, "SVG"),
        (upload(files, karen, photo), 422, "describe the picture"),
        (upload(files, karen, PDF, name="a.pdf", mime="application/pdf", attached_to="update", target_id="nope"),
         422, ""),
        (upload(files, stranger, photo, alt="Overgangen"), 403, "only the initiator"),
        (requests.post(files, headers=karen, json={"alt": "x"}), 415, "multipart"),
    ]
    for response, status, words in refusals:
        assert response.status_code == status, (status, response.text[:300])
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert words in response.json().get("detail", ""), response.text
    assert rows(platform) == before_rows and objects(platform) == before_objects

    # Reports by anyone signed in; hiding by staff only: gone from the list, the bytes and the page
    # (which the read model may have kept for anonymous readers).
    proposal_page = f"{platform['web']}/municipalities/aalborg/proposals/{pid}"
    shown = wait_for(lambda: (lambda t: t if "Den slidte fodgængerovergang" in t else None)(
        requests.get(proposal_page).text), timeout=10, what="the photo on the page")
    assert f'alt="Den slidte fodgængerovergang"' in shown and "Referat af mødet" in shown
    requests.get(proposal_page)  # kept by now, if it is kept at all
    assert requests.post(f"{files}/{photo_out['id']}/report", json={"reason": "Privat"}).status_code == 401
    ok(requests.post(f"{files}/{photo_out['id']}/report", headers=stranger, json={"reason": "Et barns ansigt"}), 201)
    assert requests.post(f"{files}/{photo_out['id']}/hide", headers=stranger, json={"reason": "x"}).status_code == 403
    hidden = ok(requests.post(f"{files}/{photo_out['id']}/hide", headers=staff, json={"reason": "Viser et barn"}))
    assert hidden["hidden"] and hidden["hidden_reason"] == "Viser et barn"
    assert [a["id"] for a in ok(requests.get(files))] == [pdf["id"]]
    assert requests.get(f"{files}/{photo_out['id']}/page").status_code == 404
    assert requests.get(f"{files}/{photo_out['id']}/page", headers=staff).status_code == 200
    page = wait_for(lambda: (lambda r: r if "Den slidte fodgængerovergang" not in r.text else None)(
        requests.get(proposal_page)), timeout=10, what="the hidden photo gone from the page")
    assert page.status_code == 200 and "Referat af mødet" in page.text and photo_out["id"] not in page.text

    # The public stream: the added and hidden events, without who uploaded or hid.
    received = [m for m in amqp.drain(timeout=3) if ".attachment_" in m[0].routing_key]
    kinds = sorted(m.routing_key for m, _, _ in received)
    assert kinds == ["aalborg.proposal.attachment_added"] * 2 + ["aalborg.proposal.attachment_hidden"]
    for _, _, body in received:
        data = json.loads(body)["data"]
        assert "uploader_id" not in data and "hidden_by" not in data
        assert people.ids["karen@example.org"] not in body.decode()

    # Erasure: Karen's files leave the store and the rows go; the staff's PDF stays.
    karen_prefix = f"aalborg/attachments/{photo_out['id']}/"
    assert any(o.startswith(karen_prefix) for o in objects(platform))
    assert requests.delete(f"{base}/me", headers=karen).status_code == 204
    wait_for(lambda: len(rows(platform)) == 1, timeout=20, what="Karen's attachment rows erased")
    assert not any(o.startswith(karen_prefix) for o in objects(platform))
    assert [str(r.id) for r in rows(platform)] == [pdf["id"]]
    assert any(o.startswith(f"aalborg/attachments/{pdf['id']}/") for o in objects(platform))
