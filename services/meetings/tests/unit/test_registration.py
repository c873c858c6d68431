"""Seats, reserved groups, waitlist and promotion: the pure rules."""
from meetings.registration import CONFIRMED, WAITLISTED, Seats, decide, promotions, seat_errors, seats_left


def test_open_seats_go_to_anyone_until_full():
    seats = Seats(3)
    assert decide("resident", seats, {"resident": 2}) == CONFIRMED
    assert decide("politician", seats, {"resident": 3}) == WAITLISTED


def test_reserved_seats_are_kept_for_their_group():
    # task committee: 10 residents + 5 politicians, no open seats
    seats = Seats(15, {"resident": 10, "politician": 5})
    assert decide("resident", seats, {"resident": 10}) == WAITLISTED
    assert decide("politician", seats, {"resident": 10}) == CONFIRMED
    assert decide("business", seats, {}) == WAITLISTED, "a group without reserved seats needs an open seat"


def test_a_group_overflows_into_open_seats_but_not_into_others_reserved_ones():
    seats = Seats(12, {"politician": 5})  # 7 open seats
    assert decide("politician", seats, {"politician": 5, "resident": 6}) == CONFIRMED  # 7th open seat
    assert decide("resident", seats, {"politician": 5, "resident": 7}) == WAITLISTED
    assert decide("politician", seats, {"politician": 2, "resident": 7}) == CONFIRMED  # own reserved seat


def test_promotion_takes_the_first_who_fits_in_waitlist_order():
    seats = Seats(15, {"resident": 10, "politician": 5})
    waitlist = [("r11", "resident"), ("p6", "politician"), ("r12", "resident"), ("p7", "politician")]
    # a politician cancelled: only the first waiting politician fits
    assert promotions(seats, {"resident": 10, "politician": 4}, waitlist) == ["p6"]
    # a resident cancelled
    assert promotions(seats, {"resident": 9, "politician": 5}, waitlist) == ["r11"]
    # capacity raised by two open seats: the first two in line, whatever their group
    assert promotions(Seats(17, {"resident": 10, "politician": 5}), {"resident": 10, "politician": 5},
                      waitlist) == ["r11", "p6"]


def test_nobody_is_promoted_when_nothing_freed_up():
    assert promotions(Seats(2), {"resident": 2}, [("a", "resident")]) == []


def test_seat_plan_errors():
    assert seat_errors(0, {})[0]["field"] == "capacity"
    assert seat_errors(10, {"resident": 8, "politician": 5})[0]["field"] == "reserved"
    assert seat_errors(15, {"resident": 10, "politician": 5}) == []


def test_seats_left_counts_confirmed_only():
    assert seats_left(Seats(10), {"resident": 4, "politician": 1}) == 5
