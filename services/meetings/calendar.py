"""Meetings as iCalendar (RFC 5545), built with the ``icalendar`` package.

* UID is stable: ``<meeting id>@samskab`` never changes, so calendar clients
  update the event they already have instead of adding a second one;
* SEQUENCE is the meeting's revision, raised by every change (time, place,
  cancellation), so clients take the newer version;
* times carry ``TZID`` of the municipality's zone, with its VTIMEZONE in the
  calendar (the EU rule as a yearly RRULE for Europe/Copenhagen and
  Europe/Oslo), so a meeting across a daylight-saving change is right;
* a cancelled meeting has ``STATUS:CANCELLED``; a single cancelled meeting's
  file is sent with ``METHOD:CANCEL``.

Pure: takes dicts, returns bytes.
"""
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Samskab//Meetings//EN"
UID_DOMAIN = "samskab"
EU_ZONES = {"Europe/Copenhagen": ("CET", "CEST"), "Europe/Oslo": ("CET", "CEST")}


def uid(meeting_id):
    return f"{meeting_id}@{UID_DOMAIN}"


def eu_timezone(tzid):
    """VTIMEZONE for a zone on the EU rule (UTC+1, summer time from the last Sunday
    of March 02:00 to the last Sunday of October 03:00), written as RRULEs."""
    std_name, dst_name = EU_ZONES[tzid]
    tz = icalendar.Timezone()
    tz.add("tzid", tzid)
    tz.add("x-lic-location", tzid)
    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", dst_name)
    daylight.add("tzoffsetfrom", dt.timedelta(hours=1))
    daylight.add("tzoffsetto", dt.timedelta(hours=2))
    daylight.add("dtstart", dt.datetime(1981, 3, 29, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = icalendar.TimezoneStandard()
    standard.add("tzname", std_name)
    standard.add("tzoffsetfrom", dt.timedelta(hours=2))
    standard.add("tzoffsetto", dt.timedelta(hours=1))
    standard.add("dtstart", dt.datetime(1996, 10, 27, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _as_datetime(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def location_text(place):
    if not place:
        return None
    parts = [place["name"], place["address"]]
    access = []
    if place.get("step_free"):
        access.append("step-free access")
    if place.get("hearing_loop"):
        access.append("hearing loop")
    text = ", ".join(parts)
    return f"{text} ({', '.join(access)})" if access else text


def vevent(meeting, place=None, url=None):
    """One meeting as a VEVENT."""
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
        description += f"\n\nOnline: {meeting['online_url']}"
    event.add("description", description)
    location = location_text(place)
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


def vevent_text(meeting, place=None):
    """The VEVENT as folded text, kept with the meeting so feeds need not rebuild it."""
    return vevent(meeting, place).to_ical().decode("utf-8")


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
    for tzid in sorted(set(zones)):
        if tzid in EU_ZONES:
            cal.add_component(eu_timezone(tzid))
        else:
            cal.add_component(icalendar.Timezone.from_tzid(tzid))
    head = cal.to_ical().decode("utf-8")
    end = "END:VCALENDAR\r\n"
    assert head.endswith(end)
    return (head[: -len(end)] + "".join(vevents) + end).encode("utf-8")

