"""What a person reads, rendered in Danish, bokmål and nynorsk, carries no English
sentence from the English catalogue: every notice kind (subject, inbox body, the
e-mail's plain and HTML parts), every iCalendar word and every meeting format."""
import datetime as dt
import email
import re

import pytest

from meetings import calendar, formats
from notifications import messages

# What the events carry; proper nouns and content the way a municipality writes it.
PARAMS = {
    "title": "Bænke i Vestbyen", "when": "2027-01-14T17:00:00Z", "time_zone": "Europe/Copenhagen",
    "place": "Vejgaard Bibliotek, Hadsundvej 35", "reason": "Budgettet", "status": "forming", "version": 2,
    "hypothesis": "Flere bænke", "outcome": "Flere går tur", "text": "Vi sætter fire bænke op",
    "threshold": 100, "support_count": 104, "meeting_date": "2027-01-20", "count": 3,
    "url": "https://hooks.example/samskab", "failures": 8, "note": "Målet er nået",
}


def english_fragments(catalogue):
    """The English catalogue's words between its placeholders: each bit of two words or
    more, or a label ("Place:"), that a Danish or Norwegian text must not contain."""
    found = set()
    for message in catalogue.read("en"):
        if not message.id:
            continue
        for text in (message.string if message.pluralizable else [message.string]):
            for bit in re.split(r"\{\w+\}", text):
                bit = bit.strip(" .,;“”\"'()")
                if " " in bit or bit.endswith(":"):
                    found.add(bit)
    return found


MAIL_ENGLISH = english_fragments(messages.CATALOGUE)
MEETINGS_ENGLISH = english_fragments(formats.WORDS)


def leaks(text, fragments):
    """The English fragments in ``text``, as whole words ("ein part" is not "in part")."""
    return sorted(f for f in fragments if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text))


def mail_parts(raw):
    message = email.message_from_bytes(raw)
    return [part.get_payload(decode=True).decode("utf-8") for part in message.walk() if not part.is_multipart()]


def test_the_check_would_catch_english():
    subject, lines = messages.render("meeting_updated", "en", PARAMS)
    assert leaks(subject + "\n".join(lines), MAIL_ENGLISH)
    assert leaks(calendar.location_text({"name": "A", "address": "B", "step_free": True}, "en"), MEETINGS_ENGLISH)


@pytest.mark.parametrize("language", ["da", "nb", "nn"])
@pytest.mark.parametrize("template", sorted(messages.TEMPLATES))
def test_every_notice_kind_reads_without_english(language, template):
    subject, lines = messages.render(template, language, PARAMS)
    assert len(lines) == messages.TEMPLATES[template], "every line has its values"
    raw = messages.build_email(sender="Samskab <noreply@samskab.example>", to="ida@example.org", language=language,
                               name="Ida", subject=subject, lines=lines, link="https://samskab.example/x",
                               items=[{"subject": subject, "url": "https://samskab.example/y"}],
                               unsubscribe_url="https://samskab.example/u",
                               now=dt.datetime(2027, 1, 2, tzinfo=dt.timezone.utc))
    plain, html = mail_parts(raw)
    assert f'<html lang="{language}">' in html
    for text in (subject, "\n".join(lines), plain, html):
        assert leaks(text, MAIL_ENGLISH) == [], (template, language)
    if template in ("meeting_updated", "registration_promoted", "meeting_concluded"):
        assert "14. januar 2027 kl. 18.00" in plain  # the meeting's time zone, Babel's month, kl. 18.00


@pytest.mark.parametrize("language", ["da", "nb", "nn"])
def test_every_calendar_word_and_meeting_format_reads_without_english(language):
    meeting = {"id": "4f1c", "time_zone": "Europe/Copenhagen", "created_at": "2027-01-01T10:00:00+00:00",
               "updated_at": "2027-01-01T10:00:00+00:00", "sequence": 0, "starts_at": "2027-01-14T17:00:00+00:00",
               "ends_at": "2027-01-14T19:00:00+00:00", "title": "Bænke i Vestbyen", "purpose": "Hvor skal de stå?",
               "promise": "Vi lytter", "online_url": "https://meet.example/b", "format": "debate_salon",
               "status": "scheduled"}
    place = {"name": "Vejgaard Bibliotek", "address": "Hadsundvej 35", "step_free": True, "hearing_loop": True}
    text = calendar.vevent_text(meeting, place, language)
    unfolded = text.replace("\r\n ", "")
    assert leaks(unfolded, MEETINGS_ENGLISH) == [] and "step-free" not in unfolded and "hearing loop" not in unfolded
    assert leaks(calendar.calendar_name(language), MEETINGS_ENGLISH) == []
    for fmt in formats.CATALOGUE:
        words = formats.texts(fmt, language)
        for value in [words["name"], words["description"], words["duration"], words["recruitment"]] + words["notes"]:
            assert value and leaks(value, MEETINGS_ENGLISH) == [], (fmt.id, language, value)
        assert fmt.local_names[language] == words["name"]


@pytest.mark.parametrize("language", ["da", "nb", "nn"])
def test_every_public_event_has_a_feed_title_without_english(language):
    from samskab import events
    public = sorted(name for name, etype in events.registry().items() if etype.public is not None)
    for name in public:
        assert messages.CATALOGUE.has("atom.what." + name.removeprefix("samskab.")), name
        title = messages.entry_title(name, language, "Bænke i Vestbyen")
        assert "Bænke i Vestbyen" in title and leaks(title, MAIL_ENGLISH) == [], (name, title)
    assert messages.entry_title("samskab.proposal.published", "da", "Bænke") == "Forslag offentliggjort: „Bænke“"
    assert leaks(messages.feed_title(language, "Volda kommune"), MAIL_ENGLISH) == []
