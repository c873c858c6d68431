"""iCalendar output, parsed back by the icalendar library."""
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import icalendar
import pytest

from meetings import calendar

UTC = dt.timezone.utc
CPH = ZoneInfo("Europe/Copenhagen")


def meeting(**overrides):
    created = dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    m = {
        "id": uuid.UUID("6f1c1f7e-7f7e-4b8e-9a44-3d1f4f0c2a11"), "time_zone": "Europe/Copenhagen",
        "created_at": created, "updated_at": created, "sequence": 0,
        "starts_at": dt.datetime(2027, 3, 27, 22, 0, tzinfo=CPH).astimezone(UTC),
        "ends_at": dt.datetime(2027, 3, 28, 4, 0, tzinfo=CPH).astimezone(UTC),
        "title": "Nattevandring: tryghed i Aalborg Øst", "purpose": "Hvad gør gaderne trygge om natten?",
        "promise": "Forslagene indgår i trygsplanen.", "online_url": None, "format": "theme_workshop",
        "status": "scheduled", "place_id": None,
    }
    m.update(overrides)
    return m


def parse(data):
    cal = icalendar.Calendar.from_ical(data)
    return cal, cal.walk("VEVENT")


def test_a_meeting_across_the_spring_dst_change_keeps_its_real_duration():
    cal, [event] = parse(calendar.assemble([calendar.vevent_text(meeting())], ["Europe/Copenhagen"]))
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.tzinfo.key == "Europe/Copenhagen" and event["dtstart"].params["TZID"] == "Europe/Copenhagen"
    assert start.astimezone(UTC) == dt.datetime(2027, 3, 27, 21, 0, tzinfo=UTC)  # CET, UTC+1
    assert end.astimezone(UTC) == dt.datetime(2027, 3, 28, 2, 0, tzinfo=UTC)    # CEST, UTC+2
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(hours=5)  # 22:00–04:00 lost an hour


def test_the_vtimezone_is_included_and_resolves_both_offsets():
    cal, _ = parse(calendar.assemble([calendar.vevent_text(meeting())], ["Europe/Copenhagen"]))
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["tzid"]) == "Europe/Copenhagen"
    zone = tz.to_tz()  # icalendar turns the VTIMEZONE into a tzinfo
    assert zone.utcoffset(dt.datetime(2027, 1, 10, 12)) == dt.timedelta(hours=1)
    assert zone.utcoffset(dt.datetime(2027, 7, 10, 12)) == dt.timedelta(hours=2)
    assert zone.utcoffset(dt.datetime(2027, 10, 31, 1, 30)) == dt.timedelta(hours=2)
    assert zone.utcoffset(dt.datetime(2027, 10, 31, 3, 30)) == dt.timedelta(hours=1)


def test_an_oslo_meeting_carries_the_oslo_zone():
    m = meeting(time_zone="Europe/Oslo", starts_at=dt.datetime(2027, 10, 30, 18, 0, tzinfo=UTC),
                ends_at=dt.datetime(2027, 10, 31, 3, 0, tzinfo=UTC))
    cal, [event] = parse(calendar.assemble([calendar.vevent_text(m)], ["Europe/Oslo"]))
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert event["dtstart"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("dtstart").hour == 20  # 18:00 UTC is 20:00 summer time
    assert event.decoded("dtend").hour == 4     # 03:00 UTC is 04:00 winter time


def test_a_rescheduled_meeting_keeps_its_uid_and_raises_sequence():
    before = meeting()
    after = meeting(sequence=1, starts_at=before["starts_at"] + dt.timedelta(days=7),
                    ends_at=before["ends_at"] + dt.timedelta(days=7),
                    updated_at=before["updated_at"] + dt.timedelta(hours=1))
    _, [old] = parse(calendar.assemble([calendar.vevent_text(before)], ["Europe/Copenhagen"]))
    _, [new] = parse(calendar.assemble([calendar.vevent_text(after)], ["Europe/Copenhagen"]))
    assert str(old["uid"]) == str(new["uid"]) == f"{before['id']}@samskab"
    assert new.decoded("sequence") == old.decoded("sequence") + 1
    assert new.decoded("dtstart").astimezone(UTC) - old.decoded("dtstart").astimezone(UTC) == dt.timedelta(days=7)


def test_a_cancelled_meeting_is_sent_as_a_cancellation():
    m = meeting(status="cancelled", sequence=2)
    cal, [event] = parse(calendar.assemble([calendar.vevent_text(m)], ["Europe/Copenhagen"], method="CANCEL"))
    assert str(cal["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 2


def test_location_names_the_place_and_its_accessibility():
    place = {"name": "Hovedbiblioteket", "address": "Rendsburggade 2, 9000 Aalborg", "step_free": True,
             "hearing_loop": True}
    _, [event] = parse(calendar.assemble([calendar.vevent_text(meeting(), place)], ["Europe/Copenhagen"]))
    assert str(event["location"]) == "Hovedbiblioteket, Rendsburggade 2, 9000 Aalborg (step-free access, hearing loop)"
    assert str(event["summary"]) == "Nattevandring: tryghed i Aalborg Øst"


@pytest.mark.parametrize("language, location, online", [
    ("da", "Hovedbiblioteket, Rendsburggade 2, 9000 Aalborg (trinfri adgang, teleslynge)", "Online: https://m.example/x"),
    ("nb", "Hovedbiblioteket, Rendsburggade 2, 9000 Aalborg (trinnfri tilkomst, teleslynge)",
     "Nettmøte: https://m.example/x"),
    ("nn", "Hovedbiblioteket, Rendsburggade 2, 9000 Aalborg (trinnfri tilkomst, teleslynge)",
     "Nettmøte: https://m.example/x"),
])
def test_the_words_a_calendar_adds_are_in_the_municipalitys_language(language, location, online):
    place = {"name": "Hovedbiblioteket", "address": "Rendsburggade 2, 9000 Aalborg", "step_free": True,
             "hearing_loop": True}
    text = calendar.vevent_text({**meeting(), "online_url": "https://m.example/x"}, place, language)
    _, [event] = parse(calendar.assemble([text], ["Europe/Copenhagen"]))
    assert str(event["location"]) == location
    assert str(event["description"]).endswith(online)
    assert calendar.language_of("aalborg") == "da" and calendar.language_of("volda") == "nn"


def test_a_feed_of_many_meetings_parses_with_one_event_each():
    ms = [meeting(id=uuid.uuid4(), title=f"Møde {i}") for i in range(50)]
    cal, events = parse(calendar.assemble([calendar.vevent_text(m) for m in ms], ["Europe/Copenhagen"] * 50))
    assert len(events) == 50 and len(cal.walk("VTIMEZONE")) == 1
    assert {str(e["uid"]) for e in events} == {f"{m['id']}@samskab" for m in ms}
