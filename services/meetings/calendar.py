"""Meetings as iCalendar (RFC 5545), built with the ``icalendar`` package.

* UID is stable: ``<meeting id>@samskab`` never changes, so calendar clients
  update the event they already have instead of adding a second one;
* SEQUENCE is the meeting's revision, raised by every change (time, place,
  cancellation), so clients take the newer version;
* times carry ``TZID`` of the municipality's zone, with its VTIMEZONE in the
  calendar (icalendar's ``Timezone.from_tzid``: the tz database's transitions),
  so a meeting across a daylight-saving change is right;
* a cancelled meeting has ``STATUS:CANCELLED``; a single cancelled meeting's
  file is sent with ``METHOD:CANCEL``;
* the words the calendar adds (the place's access, "Online: …", the feed's name)
  are in the municipality's language, from the meetings service's gettext
  catalogue (``locales/<lang>/LC_MESSAGES/meetings.po``, ``ical.*``).

Pure: takes dicts, returns bytes.
"""
import datetime as dt
import functools
from zoneinfo import ZoneInfo

import icalendar

from samskab import municipalities

from .formats import WORDS

PRODID = "-//Samskab//Meetings//EN"
UID_DOMAIN = "samskab"
# The years a calendar's VTIMEZONE covers: every meeting this service holds falls in them.
ZONE_YEARS = (dt.date(2020, 1, 1), dt.date(2100, 1, 1))


def uid(meeting_id):
    return f"{meeting_id}@{UID_DOMAIN}"


@functools.lru_cache(maxsize=64)
def vtimezone_text(tzid):
    """The zone's VTIMEZONE as text, built by icalendar from the tz database's transitions
    over ``ZONE_YEARS`` (kept once per process: the zone rules do not change while it runs)."""
    first, last = ZONE_YEARS
    zone = icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last)
    return zone.to_ical().decode("utf-8")


def _as_datetime(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=1)
def _built_in_languages():
    return {mid: m.language for mid, m in municipalities.catalogue("").items()}


def language_of(municipality, catalogue=None):
    """The municipality's language: from the deployment's catalogue when given, else
    the built-in one; English for one neither knows."""
    found = catalogue.get(municipality) if catalogue is not None else None
    language = found.language if found is not None else _built_in_languages().get(municipality)
    return language if language in WORDS.languages else "en"


def calendar_name(language):
    return WORDS.gettext(language, "ical.calendar_name")


def location_text(place, language="en"):
    if not place:
        return None
    parts = [place["name"], place["address"]]
    access = []
    if place.get("step_free"):
        access.append(WORDS.gettext(language, "ical.step_free"))
    if place.get("hearing_loop"):
        access.append(WORDS.gettext(language, "ical.hearing_loop"))
    text = ", ".join(parts)
    return f"{text} ({', '.join(access)})" if access else text


def vevent(meeting, place=None, url=None, language="en"):
    """One meeting as a VEVENT, the words it adds in ``language``."""
    zone = ZoneInfo(meeting["time_zone"])
    event = icalendar.Event()
    event.add("uid", uid(meeting["id"]))
    event.add("dtstamp", _as_datetime(meeting["updated_at"]).astimezone(dt.timezone.utc))
    event.add("created", _as_datetime(meeting["created_at"]).astimezone(dt.timezone.utc))
    event.add("last-modified", _as_datetime(meeting["updated_at"]).astimezone(dt.timezone.utc))
    event.add("sequence", int(meeting["sequence"]))
    event.add("dtstart", _as_datetime(meeting["starts_at"]).astimezone(zone))
    event.add("dtend", _as_datetime(meeting["ends_at"]).astimezone(zone))
    event.add("summary", meeting["title"])
    description = f"{meeting['purpose']}\n\n{meeting['promise']}"
    if meeting.get("online_url"):
        description += "\n\n" + WORDS.gettext(language, "ical.online", url=meeting["online_url"])
    event.add("description", description)
    location = location_text(place, language)
    if location:
        event.add("location", location)
    elif meeting.get("online_url"):
        event.add("location", meeting["online_url"])
    if url:
        event.add("url", url)
    event.add("categories", [meeting["format"]])
    event.add("status", "CANCELLED" if meeting["status"] == "cancelled" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def vevent_text(meeting, place=None, language="en"):
    """The VEVENT as folded text, kept with the meeting so feeds need not rebuild it."""
    return vevent(meeting, place, language=language).to_ical().decode("utf-8")


def assemble(vevents, zones, *, name=None, method="PUBLISH"):
    """A VCALENDAR from stored VEVENT texts: a feed of thousands of meetings
    without rebuilding each event on every request."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    head = cal.to_ical().decode("utf-8")
    end = "END:VCALENDAR\r\n"
    assert head.endswith(end)
    zones_text = "".join(vtimezone_text(tzid) for tzid in sorted(set(zones)))
    return (head[: -len(end)] + zones_text + "".join(vevents) + end).encode("utf-8")

