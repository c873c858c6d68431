"""Uploads are judged by their bytes: hostile files are refused, photos lose their GPS."""
import io
import zlib
import struct

import pytest
from PIL import Image

from samskab import uploads
from samskab.errors import Invalid
from samskab.objectstore import LocalFolderStore, S3Store


def photo_with_gps(size=(3000, 2000)):
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (57.0, 2.0, 54.0), 3: "E", 4: (9.0, 55.0, 10.0)}  # Aalborg
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_photo_with_gps_exif_comes_back_without_any_exif_in_page_and_thumbnail_sizes():
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture does carry GPS
    checked = uploads.check(original)
    assert checked.kind == "image" and checked.content_type == "image/jpeg"
    for name, limit in (("page", uploads.PAGE_SIZE), ("thumbnail", uploads.THUMBNAIL_SIZE)):
        content_type, data = checked.files[name]
        image = Image.open(io.BytesIO(data))
        assert content_type == "image/jpeg" and image.format == "JPEG"
        assert max(image.size) == limit
        assert not image.getexif() and "exif" not in image.info
        assert b"PhoneMaker" not in data and b"Exif" not in data


def test_a_transparent_png_stays_png():
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(out, "PNG")
    checked = uploads.check(out.getvalue())
    assert checked.files["thumbnail"][0] == "image/png" and (checked.width, checked.height) == (50, 40)


def test_a_text_file_renamed_jpg_is_refused_415():
    with pytest.raises(uploads.UnsupportedMedia) as refused:
        uploads.check(b"just some text, saved as broken-crossing.jpg\n" * 10)
    assert refused.value.status == 415 and "whatever its name says" in str(refused.value)


def test_a_jpeg_header_with_garbage_behind_is_refused_415():
    with pytest.raises(uploads.UnsupportedMedia):
        uploads.check(b"\xff\xd8\xff\xe0" + b"not really a picture" * 50)


def test_a_50_mb_file_is_refused_413_before_anything_is_decoded():
    with pytest.raises(uploads.TooLarge) as refused:
        uploads.check(b"\xff\xd8\xff" + bytes(50 * 1024 * 1024))
    assert refused.value.status == 413 and "50 MB" in str(refused.value)


def png_bomb(width, height):
    """A valid PNG of width×height black pixels in a few hundred kilobytes."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    row = b"\x00" + bytes(width // 8 + 1)
    raw = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_413():
    bomb = png_bomb(30000, 30000)  # 900 megapixels
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(uploads.TooLarge) as refused:
        uploads.check(bomb)
    assert refused.value.status == 413 and "pixels" in str(refused.value)


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
])
def test_an_svg_with_script_is_refused_415(svg):
    with pytest.raises(uploads.UnsupportedMedia) as refused:
        uploads.check(svg)
    assert refused.value.status == 415 and "SVG" in str(refused.value)


def test_a_plain_pdf_is_kept_as_a_document_and_one_with_javascript_is_refused():
    plain = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    checked = uploads.check(plain)
    assert checked.kind == "document" and checked.files == {"original": ("application/pdf", plain)}
    active = plain.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    with pytest.raises(uploads.UnsupportedMedia):
        uploads.check(active)


def test_images_need_alt_text_documents_do_not():
    with pytest.raises(Invalid) as refused:
        uploads.check_alt("image", "  ")
    assert refused.value.errors[0]["field"] == "alt"
    assert uploads.check_alt("document", "") == ""
    assert uploads.check_alt("image", " The broken crossing ") == "The broken crossing"


def test_the_local_folder_store_keeps_deletes_and_refuses_escaping_keys(tmp_path):
    store = LocalFolderStore(tmp_path)
    store.put("aalborg/proposals/1/a1/page", b"one", "image/jpeg")
    store.put("aalborg/proposals/1/a1/thumbnail", b"two", "image/jpeg")
    assert store.get("aalborg/proposals/1/a1/page") == b"one"
    store.delete("aalborg/proposals/1/a1/page")
    assert store.get("aalborg/proposals/1/a1/page") is None
    store.delete_prefix("aalborg/proposals/1/a1")
    assert not (tmp_path / "aalborg/proposals/1/a1").exists()
    with pytest.raises(ValueError):
        store.put("aalborg/../../etc/passwd", b"x", "text/plain")


S3_SCRIPT = """
from samskab import green
green.patch()  # as every service process does; pytest itself loads ssl too early for boto3
import boto3
from botocore.stub import Stubber
from samskab.objectstore import S3Store
client = boto3.client("s3", region_name="eu-north-1", endpoint_url="http://127.0.0.1:9",
                      aws_access_key_id="test", aws_secret_access_key="test")
store = S3Store("samskab", client=client)
with Stubber(client) as stub:
    stub.add_response("put_object", {}, {"Bucket": "samskab", "Key": "aalborg/p/1/page", "Body": b"x", "ContentType": "image/jpeg"})
    stub.add_response("list_objects_v2", {"Contents": [{"Key": "aalborg/p/1/page"}], "IsTruncated": False},
                      {"Bucket": "samskab", "Prefix": "aalborg/p/1/"})
    stub.add_response("delete_objects", {}, {"Bucket": "samskab", "Delete": {"Objects": [{"Key": "aalborg/p/1/page"}], "Quiet": True}})
    stub.add_client_error("get_object", "NoSuchKey", http_status_code=404, expected_params={"Bucket": "samskab", "Key": "aalborg/p/1/page"})
    store.put("aalborg/p/1/page", b"x", "image/jpeg")
    store.delete_prefix("aalborg/p/1")
    assert store.get("aalborg/p/1/page") is None
    stub.assert_no_pending_responses()
print("s3 ok")
"""


def test_the_s3_store_speaks_the_s3_api():
    import os
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", S3_SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0 and "s3 ok" in done.stdout, done.stderr[-2000:]
