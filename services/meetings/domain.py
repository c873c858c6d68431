"""The rules of a meeting: times in the municipality's zone, seats, place,
registration window, and what may change in which state.  Pure: no I/O.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from samskab.errors import Conflict, Invalid

from . import registration

MAX_DURATION = dt.timedelta(days=14)
FORMATS_WITHOUT_PLACE = ("guest_meal",)  # hosted at home: the address is shared privately
UTC = dt.timezone.utc


def localize(value, time_zone, field):
    """An aware UTC datetime from ``value``; naive values are wall-clock time in ``time_zone``.

    A wall-clock time that does not exist (skipped by the spring DST change) is refused.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        zone = ZoneInfo(time_zone)
        aware = value.replace(tzinfo=zone)
        back = aware.astimezone(UTC).astimezone(zone)
        if back.replace(tzinfo=None) != value:
            raise Invalid("that local time does not exist", [
                {"field": field, "message": f"{value:%Y-%m-%d %H:%M} does not exist in {time_zone} "
                                            "(the clocks skip it for daylight saving time)"}])
        value = aware
    return value.astimezone(UTC)


INSTANT_EXAMPLE = "2027-03-01T00:00:00+01:00"


def parse_instant(value, field):
    """An aware UTC datetime from an ISO 8601 date and time with an offset (``Z`` or ``+01:00``); ``None``
    stays ``None``.  Anything else, a time without an offset too, is refused naming ``field``."""
    if value is None or value == "":
        return None
    problem = None
    if not isinstance(value, str):
        problem = "must be a date and time as text"
    else:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            problem = f"not a date and time; write ISO 8601 with an offset, e.g. {INSTANT_EXAMPLE}"
            if " " in value:  # an unencoded "+" in a URL's query arrives as a space
                problem += " (in a URL, write + as %2B)"
        else:
            if parsed.tzinfo is None:
                problem = f"needs an offset from UTC, e.g. {INSTANT_EXAMPLE}"
            elif not 1900 <= parsed.year <= 9000:
                problem = "out of range"
    if problem:
        raise Invalid(f"{field} is not a valid date and time", [{"field": field, "message": problem}])
    return parsed.astimezone(UTC)


def meeting_errors(m, *, now, place=None, new=True):
    """Field errors of a meeting's fields (``m`` is a dict of aware datetimes etc.)."""
    errors = []
    starts, ends = m["starts_at"], m["ends_at"]
    if ends <= starts:
        errors.append({"field": "ends_at", "message": "the meeting must end after it starts"})
    elif ends - starts > MAX_DURATION:
        errors.append({"field": "ends_at", "message": "one session lasts at most 14 days; use a series of sessions"})
    if new and starts <= now:
        errors.append({"field": "starts_at", "message": "a new meeting must start in the future"})
    errors += registration.seat_errors(m["capacity"], m.get("reserved") or {})
    if m.get("place_id") is None and not m.get("online_url") and m["format"] not in FORMATS_WITHOUT_PLACE:
        errors.append({"field": "place_id", "message": "give a meeting place, an online link or both"})
    if place is not None and m["capacity"] > place["capacity"]:
        errors.append({"field": "capacity",
                       "message": f"the place seats {place['capacity']}; lower the capacity or choose a larger place"})
    opens, closes = m.get("registration_opens_at"), m.get("registration_closes_at")
    if opens and closes and closes <= opens:
        errors.append({"field": "registration_closes_at", "message": "registration must close after it opens"})
    if closes and closes > ends:
        errors.append({"field": "registration_closes_at", "message": "registration must close before the meeting ends"})
    if opens and opens >= starts:
        errors.append({"field": "registration_opens_at", "message": "registration must open before the meeting starts"})
    return errors


def check_meeting(m, *, now, place=None, new=True):
    errors = meeting_errors(m, now=now, place=place, new=new)
    if errors:
        raise Invalid("the meeting is not valid", errors)


def registration_closes(m):
    """When registration closes: the window's end, else when the meeting starts."""
    return m.get("registration_closes_at") or m["starts_at"]


def check_can_register(m, now):
    if m["status"] != "scheduled":
        raise Conflict(f"the meeting is {m['status']}; registration is closed")
    opens = m.get("registration_opens_at")
    if opens and now < opens:
        raise Conflict(f"registration opens at {opens.isoformat()}")
    if now >= registration_closes(m):
        raise Conflict("registration for this meeting has closed")


def check_can_change(m):
    if m["status"] != "scheduled":
        raise Conflict(f"the meeting is {m['status']} and can no longer change")


def check_can_conclude(m, now):
    if m["status"] != "scheduled":
        raise Conflict(f"the meeting is {m['status']}")
    if now < m["starts_at"]:
        raise Conflict("a meeting can be concluded once it has started")

