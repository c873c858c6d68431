"""Property tests that drive the services' own rules with hostile sequences.

* the proposal status machine (``proposals.domain``): any sequence of
  transitions by anyone either follows the transition table or is refused with
  the right error and leaves the proposal as it was;
* seats and the waitlist (``meetings.registration``): under any sequence of
  registrations and cancellations, no group takes another's reserved seat,
  capacity is never exceeded, and nobody waits while a seat for them is free;
* citizen panels (``matching.panels``): any feasible request gives a panel of
  the right size, within every quota, the same for the same seed, with fair
  chances summing to the panel size; an infeasible one says why.
"""
import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from samskab.errors import Conflict, Forbidden, Invalid, NotFound

from proposals import domain
from meetings import registration as seats_rules
from matching import panels

MUNICIPALITIES = ("aalborg", "hamar")
ROLES = ("resident", "business", "association", "employee", "politician")

# -- the proposal status machine -------------------------------------------------------

actors = st.builds(
    lambda who, role, m: (who, role, m),
    st.sampled_from(["initiator", "someone", "anonymous"]),
    st.sampled_from(ROLES),
    st.sampled_from(MUNICIPALITIES),
)
steps = st.tuples(
    actors,
    st.sampled_from(domain.STATUSES + ("bogus", "")),
    st.one_of(st.none(), st.just(""), st.just("   "), st.text(min_size=1, max_size=20)),
    st.one_of(st.none(), st.sampled_from(domain.OUTCOMES + ("maybe",))),
)


def make_actor(proposal, spec):
    who, role, municipality = spec
    if who == "anonymous":
        return domain.Actor(None)
    staff = role in ("employee", "politician")
    if who == "initiator":
        return domain.Actor(proposal.initiator_id, role, municipality, staff)
    return domain.Actor(str(uuid.uuid4()), role, municipality, staff)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(["draft", "submitted"]), hidden=st.booleans(), sequence=st.lists(steps, max_size=12))
def test_the_status_machine_only_moves_along_its_table(start, hidden, sequence):
    proposal = domain.Proposal(id=str(uuid.uuid4()), municipality="aalborg", initiator_id=str(uuid.uuid4()),
                               status=start, hidden=hidden)
    for spec, to, reason, outcome in sequence:
        actor = make_actor(proposal, spec)
        before = (proposal.status, len(proposal.history))
        caps = proposal.capacities(actor)
        try:
            change = proposal.transition(to, actor, reason=reason, outcome=outcome,
                                         now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
        except (Invalid, Forbidden, Conflict, NotFound) as exc:
            assert (proposal.status, len(proposal.history)) == before, "a refused transition changed the proposal"
            if to not in domain.STATUSES:
                assert isinstance(exc, Invalid)
            continue
        rule = domain.TRANSITIONS[to]
        assert before[0] in rule.sources, f"{before[0]} → {to} is not in the table"
        assert caps & rule.by, f"{sorted(caps)} may not move a proposal to {to}"
        assert not proposal.hidden, "a hidden proposal moved"
        if rule.needs_reason:
            assert (reason or "").strip()
        if rule.needs_outcome:
            assert outcome in domain.OUTCOMES
        else:
            assert outcome is None
        assert change.from_status == before[0] and change.to_status == to == proposal.status
        assert proposal.history[-1] is change
        if before[0] == "draft" and to == "submitted":
            assert domain.INITIATOR in caps


@settings(max_examples=200, deadline=None)
@given(status=st.sampled_from(domain.STATUSES), spec=actors)
def test_a_closed_proposal_never_reopens(status, spec):
    proposal = domain.Proposal(id="p", municipality="aalborg", initiator_id="i", status=status)
    actor = make_actor(proposal, spec)
    for to in domain.STATUSES:
        if status in domain.CLOSED:
            with pytest.raises((Conflict, Forbidden, Invalid, NotFound)):
                proposal.transition(to, actor, reason="x", outcome="adopted" if to == "concluded" else None)


@settings(max_examples=200, deadline=None)
@given(spec=actors, status=st.sampled_from(domain.STATUSES))
def test_staff_of_another_municipality_are_plain_participants(spec, status):
    proposal = domain.Proposal(id="p", municipality="aalborg", initiator_id="i", status=status)
    outsider = domain.Actor(str(uuid.uuid4()), "employee", "hamar", True)
    assert domain.STAFF not in proposal.capacities(outsider)
    with pytest.raises((Forbidden, Conflict, NotFound, Invalid)):
        proposal.transition("published", outsider)
    with pytest.raises((Forbidden, NotFound)):
        proposal.check_moderate(outsider)


# -- seats and the waitlist -----------------------------------------------------------------

GROUPS = ("resident", "business", "association", "politician", "employee")


@st.composite
def seat_plans(draw):
    capacity = draw(st.integers(1, 12))
    reserved = {}
    left = capacity
    for group in draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=3)):
        if left == 0:
            break
        n = draw(st.integers(1, left))
        reserved[group] = n
        left -= n
    return seats_rules.Seats(capacity, reserved)


def confirmed_counts(people):
    counts = {}
    for status, group in people.values():
        if status == seats_rules.CONFIRMED:
            counts[group] = counts.get(group, 0) + 1
    return counts


def assert_sound(plan, people, waitlist):
    counts = confirmed_counts(people)
    assert sum(counts.values()) <= plan.capacity, "more confirmed than seats"
    assert seats_rules.open_seats_used(plan, counts) <= plan.open_seats, "a group took another group's reserved seat"
    for key, group in waitlist:
        assert not seats_rules.has_seat_for(group, plan, counts), f"{group} waits while a seat for them is free"


@settings(max_examples=400, deadline=None)
@given(plan=seat_plans(), ops=st.lists(st.tuples(st.booleans(), st.sampled_from(GROUPS), st.integers(0, 30)),
                                        max_size=40))
def test_seats_are_never_overbooked_and_nobody_waits_for_a_free_seat(plan, ops):
    assert seats_rules.seat_errors(plan.capacity, plan.reserved) == []
    people = {}      # key -> (status, group)
    waitlist = []    # [(key, group)] in arrival order
    arrivals = 0
    for register, group, pick in ops:
        if register:
            arrivals += 1
            key = f"p{arrivals}"
            status = seats_rules.decide(group, plan, confirmed_counts(people))
            people[key] = (status, group)
            if status == seats_rules.WAITLISTED:
                waitlist.append((key, group))
        else:
            live = [k for k, (s, _) in people.items() if s != seats_rules.CANCELLED]
            if not live:
                continue
            key = live[pick % len(live)]
            was, group_of = people[key]
            people[key] = (seats_rules.CANCELLED, group_of)
            waitlist = [w for w in waitlist if w[0] != key]
            if was == seats_rules.CONFIRMED:
                promoted = seats_rules.promotions(plan, confirmed_counts(people), waitlist)
                for k in promoted:
                    people[k] = (seats_rules.CONFIRMED, people[k][1])
                waitlist = [w for w in waitlist if w[0] not in promoted]
        assert_sound(plan, people, waitlist)
        counts = confirmed_counts(people)
        assert seats_rules.seats_left(plan, counts) == plan.capacity - sum(counts.values())


@settings(max_examples=200, deadline=None)
@given(capacity=st.integers(-5, 50), reserved=st.dictionaries(st.sampled_from(GROUPS), st.integers(1, 60), max_size=4))
def test_a_seat_plan_that_does_not_fit_is_refused_with_its_field(capacity, reserved):
    errors = seats_rules.seat_errors(capacity, reserved)
    fits = capacity >= 1 and sum(reserved.values()) <= capacity
    assert (errors == []) == fits
    if not fits:
        assert {e["field"] for e in errors} <= {"capacity", "reserved"}


# -- citizen panels ------------------------------------------------------------------------------

@st.composite
def panel_requests(draw):
    n = draw(st.integers(4, 24))
    genders = ("f", "m", "x")
    ages = ("16-29", "30-59", "60+")
    volunteers = [
        panels.Volunteer(f"v{i}", {"gender": draw(st.sampled_from(genders)), "age": draw(st.sampled_from(ages))},
                         household=draw(st.one_of(st.none(), st.sampled_from(["h1", "h2", "h3"]))))
        for i in range(n)
    ]
    size = draw(st.integers(1, n))
    quotas = []
    for feature, values in (("gender", genders), ("age", ages)):
        for value in values:
            lo = draw(st.integers(0, size))
            hi = draw(st.integers(lo, size))
            quotas.append(panels.Quota(feature, value, lo, hi))
    return volunteers, size, quotas, draw(st.integers(0, 2**32)), draw(st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(request=panel_requests())
def test_a_panel_meets_its_quotas_and_is_reproducible_from_its_seed(request):
    volunteers, size, quotas, seed, household = request
    try:
        first = panels.select(volunteers, size, quotas, seed=seed, one_per_household=household)
    except panels.Infeasible as exc:
        assert exc.conflicts, "an infeasible request must say which quotas conflict"
        return
    except panels.InvalidRequest as exc:
        assert exc.errors
        return
    by_id = {v.id: v for v in volunteers}
    assert len(first.members) == size == len(set(first.members))
    assert set(first.members) <= set(by_id)
    for q in quotas:
        n = sum(1 for m in first.members if by_id[m].features[q.feature] == q.value)
        assert q.min <= n <= q.max, f"{q.feature}={q.value}: {n} not in [{q.min}, {q.max}]"
    if household:
        houses = [by_id[m].household for m in first.members if by_id[m].household]
        assert len(houses) == len(set(houses)), "two members from one household"
    assert sum(first.probabilities.values()) == pytest.approx(size, abs=1e-4)
    assert all(-1e-9 <= p <= 1 + 1e-9 for p in first.probabilities.values())
    assert first.lowest_probability == pytest.approx(min(first.probabilities.values()))
    again = panels.select(volunteers, size, quotas, seed=seed, one_per_household=household)
    assert again.members == first.members, "the same seed and pool must give the same panel"
