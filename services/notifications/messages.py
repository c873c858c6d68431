"""What a notification says, in the participant's language (da, nb, nn, en),
as an inbox entry and as an e-mail (plain text and HTML, with one-click
unsubscribe per RFC 8058).  Pure: no I/O after import.

The words are a gettext catalogue, ``locales/<lang>/LC_MESSAGES/notifications.po``,
read once at import by the loader every service shares (:mod:`samskab.i18n`):
``mail.<template>.subject`` and ``mail.<template>.line1 …`` per notice, ``mail.greeting``
and the rest of the frame, and the status names (``status.*``, the same names as the
pages').  The HTML part is the Jinja2 template ``templates/mail.html``; dates and
times come from Babel's locale data.
"""
import base64
import datetime as dt
import functools
import os
import re
import uuid
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

import jinja2
import markupsafe

from samskab import i18n
from samskab import secrets as keys

LANGUAGES = i18n.LANGUAGES
HERE = os.path.dirname(os.path.abspath(__file__))
CATALOGUE = i18n.Catalogue(os.path.join(HERE, "locales"), "notifications")
_LINE = re.compile(r"^mail\.(\w+)\.line(\d+)$")


def _templates():
    """``template -> number of body lines``, from the English catalogue."""
    found = {}
    for key in CATALOGUE.keys:
        if key.startswith("mail.") and key.endswith(".subject"):
            found.setdefault(key[5:-8], 0)
        matched = _LINE.match(key)
        if matched:
            found[matched.group(1)] = max(found.get(matched.group(1), 0), int(matched.group(2)))
    return found


TEMPLATES = _templates()
# Every language's texts, read once: rendering a notice is dictionary look-ups and format().
TEXTS = {template: {lang: (CATALOGUE.gettext(lang, f"mail.{template}.subject"),
                           [CATALOGUE.gettext(lang, f"mail.{template}.line{i}") for i in range(1, lines + 1)])
                    for lang in LANGUAGES}
         for template, lines in TEMPLATES.items()}
COMMON = {lang: {name: CATALOGUE.gettext(lang, f"mail.{name}")
                 for name in ("greeting", "hello", "open", "why", "unsubscribe", "preferences")}
          for lang in LANGUAGES}
STATUSES = ("draft", "submitted", "published", "forming", "active", "concluded", "withdrawn", "rejected")
STATUS_NAMES = {lang: {s: CATALOGUE.gettext(lang, f"status.{s}") for s in STATUSES} for lang in LANGUAGES}

_HTML = jinja2.Environment(
    loader=jinja2.FileSystemLoader(os.path.join(HERE, "templates")),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
).get_template("mail.html")


def language_of(value):
    return i18n.language_of(value)


def format_when(value, language, time_zone="UTC"):
    """An ISO time as people read it, in the municipality's time zone (Babel's month
    names, "kl. 10.34" in Danish and Norwegian); ``None`` when unreadable."""
    if not value:
        return None
    moment = i18n.parse_instant(value)
    if not isinstance(moment, dt.datetime):
        return None
    return i18n.format_datetime(moment, language, time_zone or "UTC")


def format_day(value, language):
    """A calendar date ("7. januar 2027"); ``None`` when unreadable."""
    day = i18n.parse_instant(value) if value else None
    return i18n.format_date(day, language) if day is not None else None


def feed_title(language, name):
    """The Atom feed's title: "Samskab: nyt fra Aalborg Kommune"."""
    return CATALOGUE.gettext(language_of(language), "atom.feed", name=name)


def entry_title(type_name, language, title=None):
    """An Atom entry's title: what happened ("Forslag offentliggjort"), and to what."""
    key = "atom.what." + type_name.removeprefix("samskab.")
    what = CATALOGUE.gettext(language_of(language), key) if CATALOGUE.has(key) else type_name
    return CATALOGUE.gettext(language_of(language), "atom.event", what=what, title=title) if title else what


def params_from_event(envelope, time_zone="UTC", language="en"):
    """The values a template may use, from an event's data: public content only."""
    data = envelope.get("data") or {}
    status = data.get("status") or data.get("to")
    return {
        "title": data.get("title") or data.get("proposal_title") or data.get("meeting_title") or "",
        "when": data.get("starts_at") or data.get("start") or data.get("starts"),
        "status": status,
        "reason": data.get("reason"),
        # a meeting's own time zone first: it is where the meeting happens
        "time_zone": data.get("time_zone") or time_zone,
        "place": data.get("place"),
        "version": data.get("version"),
        "hypothesis": data.get("hypothesis"),
        "outcome": data.get("outcome") if isinstance(data.get("outcome"), str) else None,
        "text": data.get("text"),
        "threshold": data.get("threshold"),
        "support_count": data.get("support_count"),
        "meeting_date": data.get("meeting_date"),
        "note": data.get("note"),
    }


class _Missing(dict):
    def __missing__(self, key):
        raise KeyError(key)


def _fill(template, values):
    try:
        return template.format_map(_Missing({k: v for k, v in values.items() if v not in (None, "")}))
    except KeyError:
        return None


def render(template, language, params):
    """``(subject, [body lines])`` of one notification in ``language``."""
    language = language_of(language)
    texts = TEXTS.get(template, TEXTS["proposal_published"])[language]
    values = dict(params)
    values["when"] = format_when(params.get("when"), language, params.get("time_zone") or "UTC")
    values["meeting_date"] = format_day(params.get("meeting_date"), language)
    if params.get("status"):
        values["status"] = STATUS_NAMES[language].get(params["status"], params["status"])
    subject = _fill(texts[0], values) or _fill(texts[0], {**values, "title": "…"}) or texts[0]
    lines = [line for line in (_fill(t, values) for t in texts[1]) if line]
    return subject, lines


# -- unsubscribe tokens ---------------------------------------------------------

def unsubscribe_token(secret, participant_id, kind="all"):
    """An unguessable token naming a participant id and a kind (no personal data).
    ``secret`` is NOTIFICATIONS_SECRET, a key list: the newest signs (samskab.secrets)."""
    return f"{participant_id}.{kind}.{keys.sign(secret, f'{participant_id}:{kind}', length=18)}"


def read_unsubscribe_token(secret, token):
    """``(participant_id, kind)`` or ``None`` when the token is not ours."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        return None
    participant_id, kind, signature = parts
    if not keys.verify(secret, f"{participant_id}:{kind}", signature, length=18):  # any listed key
        return None
    return participant_id, kind


# -- e-mail ---------------------------------------------------------------------------

_GREETING, _UNSUBSCRIBE = "\x00greeting\x00", "\x00unsubscribe\x00"


@functools.lru_cache(maxsize=512)
def _html_frame(language, lines, link, items, with_unsubscribe):
    """The HTML part of one notice in one language, the person's greeting and
    unsubscribe link left as markers: a fan-out to thousands renders the template
    once per language, not once per person."""
    common = COMMON[language]
    return _HTML.render(language=language, greeting=_GREETING, lines=lines, link=link, link_label=common["open"],
                        items=[{"subject": subject, "url": url} for subject, url in items], footer=common["why"],
                        unsubscribe_url=_UNSUBSCRIBE if with_unsubscribe else None,
                        unsubscribe_label=common["unsubscribe"])


def _html_page(language, greeting, lines, link, items, unsubscribe_url):
    frame = _html_frame(language, tuple(lines), link, tuple((i["subject"], i.get("url")) for i in items),
                        bool(unsubscribe_url))
    page = frame.replace(_GREETING, str(markupsafe.escape(greeting)))
    return page.replace(_UNSUBSCRIBE, str(markupsafe.escape(unsubscribe_url))) if unsubscribe_url else page


def _header(value):
    """A header value: ASCII as is, anything else as RFC 2047 encoded words."""
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=76).encode()


def _address(value):
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if name else addr


def _part(content_type, text):
    # base64 keeps every line short and every byte safe, whatever the language.
    return (f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n"))


def build_email(*, sender, to, language, name, subject, lines, link=None, items=(), unsubscribe_url=None,
                message_id_domain="samskab.localhost", now=None):
    """The e-mail as bytes: multipart/alternative text + HTML, RFC 8058 headers.

    Written out directly rather than through ``email.message.EmailMessage``,
    which costs milliseconds a message: a fan-out to 10,000 people builds
    10,000 of them in one handler.
    """
    language = language_of(language)
    common = COMMON[language]
    greeting = common["greeting"].format(name=name) if name else common["hello"]
    text = [greeting, ""] + lines
    if items:
        text += [""] + [f"- {i['subject']}" + (f"\n  {i['url']}" if i.get("url") else "") for i in items]
    if link:
        text += ["", f"{common['open']}: {link}"]
    text += ["", "-- ", common["why"]]
    if unsubscribe_url:  # transactional mail (address confirmation, password reset) has none
        text.append(f"{common['unsubscribe']}: {unsubscribe_url}")
    html_body = _html_page(language, greeting, lines, link, items or (), unsubscribe_url)
    boundary = "=_samskab_" + uuid.uuid4().hex
    headers = [
        ("From", _address(sender)),
        ("To", _address(to)),
        ("Subject", _header(subject)),
        ("Date", format_datetime(now or dt.datetime.now(dt.timezone.utc))),
        ("Message-ID", f"<{uuid.uuid4().hex}@{message_id_domain}>"),
        ("Content-Language", language),
        ("Auto-Submitted", "auto-generated"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    if unsubscribe_url:
        headers += [("List-Unsubscribe", f"<{unsubscribe_url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    head = "".join(f"{k}: {v}\r\n" for k, v in headers)
    body = (f"--{boundary}\r\n" + _part("text/plain", "\n".join(text) + "\n")
            + f"--{boundary}\r\n" + _part("text/html", html_body) + f"--{boundary}--\r\n")
    return (head + "\r\n" + body).encode("ascii")
