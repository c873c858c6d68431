"""Seats, reserved groups and the waitlist.  Pure: the storage layer calls it
while it holds the meeting's row lock, so decisions see a consistent count.

Seat rules: ``capacity`` seats in all; ``reserved[group]`` of them are held for
that group (a task committee: 10 residents + 5 politicians).  The remaining
*open* seats go to anyone.  A group fills its reserved seats first and then
competes for open seats; nobody takes another group's reserved seat.
"""
from dataclasses import dataclass, field

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"


@dataclass(frozen=True)
class Seats:
    capacity: int
    reserved: dict = field(default_factory=dict)

    @property
    def open_seats(self):
        return self.capacity - sum(self.reserved.values())


def seat_errors(capacity, reserved):
    """Field errors of a seat plan (``[]`` when it is sound)."""
    errors = []
    if capacity is None or capacity < 1:
        errors.append({"field": "capacity", "message": "a meeting needs at least one seat"})
    elif sum(reserved.values()) > capacity:
        errors.append({"field": "reserved",
                       "message": f"{sum(reserved.values())} reserved seats do not fit in a capacity of {capacity}"})
    return errors


def open_seats_used(seats, confirmed_by_group):
    return sum(max(0, n - seats.reserved.get(group, 0)) for group, n in confirmed_by_group.items())


def has_seat_for(group, seats, confirmed_by_group):
    """Can one more person of ``group`` be confirmed?"""
    if confirmed_by_group.get(group, 0) < seats.reserved.get(group, 0):
        return True
    return open_seats_used(seats, confirmed_by_group) < seats.open_seats


def decide(group, seats, confirmed_by_group):
    """The status a new registration of ``group`` gets now."""
    return CONFIRMED if has_seat_for(group, seats, confirmed_by_group) else WAITLISTED


def promotions(seats, confirmed_by_group, waitlist):
    """Who moves up from the waitlist, in waitlist order.

    ``waitlist`` is ``[(key, group)]`` in arrival order.  The first person who
    fits takes a seat; someone whose group has no seat left is passed over
    (a freed politician seat goes to the first waiting politician, not to the
    first waiting resident).
    """
    counts = dict(confirmed_by_group)
    promoted = []
    for key, group in waitlist:
        if has_seat_for(group, seats, counts):
            counts[group] = counts.get(group, 0) + 1
            promoted.append(key)
    return promoted


def seats_left(seats, confirmed_by_group):
    return max(0, seats.capacity - sum(confirmed_by_group.values()))
