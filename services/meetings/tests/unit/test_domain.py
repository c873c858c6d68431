"""The rules of a meeting: times, seats, place, registration window."""
import datetime as dt

import pytest

from samskab.errors import Conflict, Invalid

from meetings import domain

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def meeting(**overrides):
    m = {"format": "debate_salon", "starts_at": NOW + dt.timedelta(days=10),
         "ends_at": NOW + dt.timedelta(days=10, hours=2), "capacity": 40, "reserved": {},
         "place_id": "p", "online_url": None, "registration_opens_at": None, "registration_closes_at": None,
         "status": "scheduled"}
    m.update(overrides)
    return m


def fields(m, **kw):
    return [e["field"] for e in domain.meeting_errors(m, now=NOW, **kw)]


def test_a_sound_meeting_has_no_errors():
    assert fields(meeting()) == []


@pytest.mark.parametrize("overrides, field", [
    ({"ends_at": NOW + dt.timedelta(days=9)}, "ends_at"),
    ({"ends_at": NOW + dt.timedelta(days=10)}, "ends_at"),
    ({"capacity": 0}, "capacity"),
    ({"reserved": {"resident": 30, "politician": 20}}, "reserved"),
    ({"place_id": None}, "place_id"),
    ({"starts_at": NOW - dt.timedelta(hours=1), "ends_at": NOW + dt.timedelta(hours=1)}, "starts_at"),
    ({"registration_opens_at": NOW + dt.timedelta(days=2), "registration_closes_at": NOW + dt.timedelta(days=1)},
     "registration_closes_at"),
    ({"registration_closes_at": NOW + dt.timedelta(days=11)}, "registration_closes_at"),
])
def test_bad_meetings_name_the_field(overrides, field):
    assert field in fields(meeting(**overrides))


def test_a_guest_meal_needs_no_public_place():
    assert fields(meeting(format="guest_meal", place_id=None)) == []


def test_an_online_meeting_needs_no_place():
    assert fields(meeting(place_id=None, online_url="https://meet.example.org/x")) == []


def test_capacity_must_fit_the_place():
    assert fields(meeting(capacity=120), place={"capacity": 80}) == ["capacity"]


def test_naive_times_are_wall_clock_time_in_the_municipality():
    assert domain.localize("2027-07-01T19:00:00", "Europe/Copenhagen", "starts_at") == \
        dt.datetime(2027, 7, 1, 17, 0, tzinfo=UTC)
    assert domain.localize("2027-01-10T19:00:00", "Europe/Oslo", "starts_at") == \
        dt.datetime(2027, 1, 10, 18, 0, tzinfo=UTC)
    assert domain.localize("2027-01-10T19:00:00+00:00", "Europe/Oslo", "x") == \
        dt.datetime(2027, 1, 10, 19, 0, tzinfo=UTC)


def test_a_time_skipped_by_daylight_saving_is_refused():
    with pytest.raises(Invalid) as exc:
        domain.localize("2027-03-28T02:30:00", "Europe/Copenhagen", "starts_at")
    assert exc.value.errors[0]["field"] == "starts_at"


def test_registration_window():
    m = meeting(registration_opens_at=NOW + dt.timedelta(days=1), registration_closes_at=NOW + dt.timedelta(days=5))
    with pytest.raises(Conflict, match="opens"):
        domain.check_can_register(m, NOW)
    domain.check_can_register(m, NOW + dt.timedelta(days=2))
    with pytest.raises(Conflict, match="closed"):
        domain.check_can_register(m, NOW + dt.timedelta(days=5))
    with pytest.raises(Conflict, match="closed"):
        domain.check_can_register(meeting(), NOW + dt.timedelta(days=10, minutes=1))
    with pytest.raises(Conflict, match="cancelled"):
        domain.check_can_register(meeting(status="cancelled"), NOW)



def test_a_range_bound_is_an_instant_with_an_offset_or_a_clear_error():
    assert domain.parse_instant("2027-03-01T00:00:00+01:00", "starts_from") == dt.datetime(2027, 2, 28, 23, tzinfo=UTC)
    assert domain.parse_instant("2027-03-01T00:00:00Z", "starts_from") == dt.datetime(2027, 3, 1, tzinfo=UTC)
    assert domain.parse_instant(None, "starts_from") is None and domain.parse_instant("", "starts_from") is None
    for bad in ("2027-03-01", "2027-03-01T00:00:00", "2027-02-30T00:00:00+01:00", "soon", 20270301,
                "2027-03-01T00:00:00 01:00", "0001-01-01T00:00:00+01:00"):
        with pytest.raises(Invalid) as raised:
            domain.parse_instant(bad, "starts_before")
        assert [e["field"] for e in raised.value.errors] == ["starts_before"], bad
