"""Digest periods: a day or an ISO week in the municipality's time zone.

Each notification held for a digest is stamped with the period it fell in;
once that period has ended, the digest for (participant, period) is sent,
and a unique row per (participant, frequency, period start) makes it go out
exactly once however often, and after however long a pause, the job runs.
Since due digests are found from the held items rather than from "the last
run", a stopped service catches up on every period it missed.
"""
import datetime as dt
from zoneinfo import ZoneInfo

FREQUENCIES = ("daily", "weekly")


def period_of(moment, frequency, time_zone="UTC"):
    """``(start, end)`` in UTC of the ``frequency`` period containing ``moment``."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"no digest period {frequency!r}")
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    zone = ZoneInfo(time_zone or "UTC")
    local = moment.astimezone(zone)
    day = local.date()
    if frequency == "weekly":
        day -= dt.timedelta(days=day.weekday())
        length = 7
    else:
        length = 1
    # Midnights are computed as wall-clock times, so a day with a DST change is 23 or 25 hours.
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=length), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)
