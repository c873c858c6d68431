"""Uploaded pictures and documents: checked by content, images re-encoded.

A file's name and its declared type are the sender's word; only its bytes count.
Images are decoded and written anew with Pillow, so whatever rode along (EXIF with
the GPS position of someone's home, comments, trailing data, a polyglot payload)
is gone; PDFs are kept as sent but refused when they carry scripts or actions.
SVG is refused outright: it is a document that can run script in a browser.
"""
import io
import re
from dataclasses import dataclass, field

from nameko.exceptions import deserialize_to_instance
from PIL import Image, ImageOps

from samskab.errors import DomainError, Invalid

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# About 40 megapixels: a modern phone photo is 12-50; a bomb claims far more.
MAX_PIXELS = 40_000_000
PAGE_SIZE = 1600
THUMBNAIL_SIZE = 400
MAX_ALT_CHARS = 500

# Magic numbers of what is accepted, by the format Pillow must then agree on.
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
# Names in a PDF that make it act when opened, rather than be read.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia|XFA)\b")


@deserialize_to_instance
class TooLarge(DomainError):
    status = 413
    title = "Body too large"


@deserialize_to_instance
class UnsupportedMedia(DomainError):
    status = 415
    title = "Unsupported media type"


@dataclass
class Checked:
    """What may be stored: ``files`` maps a variant name to (content type, bytes)."""

    kind: str  # "image" or "document"
    content_type: str
    files: dict = field(default_factory=dict)
    width: int = None
    height: int = None


def sniff(data):
    """The accepted format the bytes start with, or None."""
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WEBP"
    if data.startswith(b"%PDF-"):
        return "PDF"
    for magic, name in _IMAGE_MAGIC:
        if data.startswith(magic):
            return name
    return None


def _looks_like_markup(data):
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") or b"<svg" in head


def check(data, max_bytes=MAX_UPLOAD_BYTES):
    """Refuse anything not an acceptable image or PDF; re-encode images.

    Raises TooLarge (413) or UnsupportedMedia (415) with a sentence a person can act
    on; nothing is written anywhere by this function.
    """
    if len(data) > max_bytes:
        raise TooLarge(f"the file is {len(data) // (1024 * 1024)} MB; at most {max_bytes // (1024 * 1024)} MB is accepted",
                       [{"field": "file", "message": "too large"}])
    if not data:
        raise Invalid("the file is empty", [{"field": "file", "message": "empty"}])
    kind = sniff(data)
    if kind is None:
        if _looks_like_markup(data):
            raise UnsupportedMedia("SVG and other markup are not accepted (they can carry scripts); send a JPEG, PNG, GIF, WebP or PDF",
                                   [{"field": "file", "message": "markup is not accepted"}])
        raise UnsupportedMedia("the file is not a JPEG, PNG, GIF, WebP or PDF, whatever its name says",
                               [{"field": "file", "message": "not an accepted image or document"}])
    if kind == "PDF":
        return _check_pdf(data)
    return _reencode(data, kind)


def _check_pdf(data):
    if b"%%EOF" not in data[-2048:]:
        raise UnsupportedMedia("the PDF is incomplete or damaged", [{"field": "file", "message": "damaged PDF"}])
    if _PDF_ACTIVE.search(data):
        raise UnsupportedMedia("the PDF contains scripts, actions or embedded files; save it as a plain PDF and try again",
                               [{"field": "file", "message": "active PDF content"}])
    return Checked("document", "application/pdf", {"original": ("application/pdf", data)})


def _reencode(data, kind):
    try:
        with Image.open(io.BytesIO(data)) as probe:
            # The header says how large the decoded picture is: refuse a bomb before decoding it.
            if probe.format != kind:
                raise UnsupportedMedia("the file's content does not match its image format",
                                       [{"field": "file", "message": "damaged image"}])
            width, height = probe.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise TooLarge(f"the image is {width}×{height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels are accepted",
                               [{"field": "file", "message": "too many pixels"}])
            probe.load()
            image = ImageOps.exif_transpose(probe)
            keep_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
            image = image.convert("RGBA" if keep_alpha else "RGB")
    except (UnsupportedMedia, TooLarge):
        raise
    except Image.DecompressionBombError:
        raise TooLarge("the image decodes to far more pixels than accepted", [{"field": "file", "message": "too many pixels"}])
    except Exception:  # Pillow raises many kinds for broken files; all mean the same to the sender
        raise UnsupportedMedia("the image could not be read; it may be damaged", [{"field": "file", "message": "damaged image"}])
    files = {}
    for name, size in (("page", PAGE_SIZE), ("thumbnail", THUMBNAIL_SIZE)):
        files[name] = _encode(image, size, keep_alpha)
    page_type = files["page"][0]
    return Checked("image", page_type, files, *image.size)


def _encode(image, size, keep_alpha):
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh encode with no exif, icc or comment arguments writes none of them.
    if keep_alpha:
        copy.save(out, "PNG", optimize=True)
        return "image/png", out.getvalue()
    copy.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return "image/jpeg", out.getvalue()


def check_alt(kind, alt):
    """Images need a text alternative; documents may have a title in the same field."""
    alt = (alt or "").strip()
    if kind == "image" and not alt:
        raise Invalid("describe the picture for those who cannot see it", [{"field": "alt", "message": "required for images"}])
    if len(alt) > MAX_ALT_CHARS:
        raise Invalid(f"the description is longer than {MAX_ALT_CHARS} characters", [{"field": "alt", "message": "too long"}])
    return alt
