"""Registration under concurrency, against the real service (two instances) and database."""
import pytest
import sqlalchemy as sa

from samskab.testing import Subscriber, unit_of_work

from meetings.service import Service as Meetings
from meetings.storage import registrations

from .conftest import meeting_payload, person, staff

pytestmark = pytest.mark.integration


@pytest.fixture
def second_instance(container_factory, meetings_config, meetings_service):
    container = container_factory(Meetings, meetings_config)
    container.start()
    return container


def stored_registrations(url, meeting_id):
    with unit_of_work(url) as uow:
        return uow.execute(sa.select(registrations).where(registrations.c.meeting_id == meeting_id)
                           .order_by(registrations.c.seq)).all()


def test_twenty_people_racing_for_the_last_three_seats(rpc, second_instance, meetings_config, broker_uri):
    subscriber = Subscriber(broker_uri, "aalborg.registration.*")
    meeting = rpc.schedule("aalborg", staff(), meeting_payload(capacity=10))
    for _ in range(7):
        assert rpc.register("aalborg", person(), meeting["id"])["status"] == "confirmed"

    racers = [person() for _ in range(20)]
    calls = [rpc.register.call_async("aalborg", actor, meeting["id"]) for actor in racers]
    results = [call.result() for call in calls]

    statuses = [r["status"] for r in results]
    assert statuses.count("confirmed") == 3
    assert statuses.count("waitlisted") == 17
    assert sorted(r["waitlist_position"] for r in results if r["status"] == "waitlisted") == list(range(1, 18))

    after = rpc.get("aalborg", None, meeting["id"])
    assert (after["confirmed_count"], after["waitlist_count"], after["seats_left"]) == (10, 17, 0)
    stored = stored_registrations(meetings_config["DATABASE_URL"], meeting["id"])
    assert [r.status for r in stored].count("confirmed") == 10, "nobody got a seat twice over"
    # the waitlist is the order in which the registrations were decided
    waitlist = [str(r.participant_id) for r in stored if r.status == "waitlisted"]
    by_position = {r["waitlist_position"]: a["id"] for a, r in zip(racers, results) if r["status"] == "waitlisted"}
    assert waitlist == [by_position[p] for p in range(1, 18)]

    # two confirmed people cancel: the first two on the waitlist move up, in order
    confirmed_racers = [a for a, r in zip(racers, results) if r["status"] == "confirmed"]
    rpc.cancel_registration("aalborg", confirmed_racers[0], meeting["id"])
    rpc.cancel_registration("aalborg", confirmed_racers[1], meeting["id"])
    first, second, third = by_position[1], by_position[2], by_position[3]
    assert rpc.get("aalborg", {"id": first, "role": "resident"}, meeting["id"])["my_registration"]["status"] == "confirmed"
    assert rpc.get("aalborg", {"id": second, "role": "resident"}, meeting["id"])["my_registration"]["status"] == "confirmed"
    third_now = rpc.get("aalborg", {"id": third, "role": "resident"}, meeting["id"])["my_registration"]
    assert (third_now["status"], third_now["waitlist_position"]) == ("waitlisted", 1)

    # a waitlisted person cancelling frees no seat and promotes nobody
    rpc.cancel_registration("aalborg", {"id": third, "role": "resident"}, meeting["id"])
    after = rpc.get("aalborg", None, meeting["id"])
    assert (after["confirmed_count"], after["waitlist_count"]) == (10, 14)

    received = subscriber.drain(expect=7 + 20 + 2 + 2 + 1, timeout=30)
    keys = [m.routing_key for m, _, _ in received]
    assert keys.count("aalborg.registration.confirmed") == 10
    assert keys.count("aalborg.registration.waitlisted") == 17
    assert keys.count("aalborg.registration.promoted") == 2
    assert keys.count("aalborg.registration.cancelled") == 3
    for _, _, body in received:
        for racer in racers:
            assert racer["id"].encode() not in body, "the public stream never says who registered"
    subscriber.close()


def test_reserved_group_seats_hold_under_concurrency(rpc, second_instance, meetings_config):
    # a task committee: 10 residents + 5 politicians, no open seats
    meeting = rpc.schedule("aalborg", staff(), meeting_payload(
        format="task_committee", capacity=15, reserved={"resident": 10, "politician": 5}))
    residents = [person("resident") for _ in range(14)]
    politicians = [person("politician") for _ in range(7)]
    actors = [a for pair in zip(residents, politicians) for a in pair] + residents[len(politicians):]
    calls = [rpc.register.call_async("aalborg", actor, meeting["id"]) for actor in actors]
    results = {a["id"]: c.result() for a, c in zip(actors, calls)}

    confirmed = {g: sum(1 for a in group if results[a["id"]]["status"] == "confirmed")
                 for g, group in (("resident", residents), ("politician", politicians))}
    assert confirmed == {"resident": 10, "politician": 5}

    # a politician cancels: the first waiting politician moves up, not a waiting resident
    waiting_politicians = sorted((results[a["id"]]["waitlist_position"], a["id"]) for a in politicians
                                 if results[a["id"]]["status"] == "waitlisted")
    leaving = next(a for a in politicians if results[a["id"]]["status"] == "confirmed")
    rpc.cancel_registration("aalborg", leaving, meeting["id"])
    stored = {str(r.participant_id): r.status for r in stored_registrations(meetings_config["DATABASE_URL"], meeting["id"])}
    assert stored[waiting_politicians[0][1]] == "confirmed"
    assert stored[waiting_politicians[1][1]] == "waitlisted"
    assert sum(1 for a in residents if stored[a["id"]] == "confirmed") == 10


def test_nobody_registers_twice_even_at_once_and_every_answer_names_the_one_registration(
        rpc, second_instance, meetings_config):
    meeting = rpc.schedule("aalborg", staff(), meeting_payload(capacity=5))
    actor = person()
    # at once, spread over two instances (two desks, the row lock between them) …
    answers = [call.result() for call in [rpc.register.call_async("aalborg", actor, meeting["id"]) for _ in range(6)]]
    # … and again afterwards
    answers.append(rpc.register("aalborg", actor, meeting["id"]))
    assert len({a["id"] for a in answers}) == 1
    assert {a["status"] for a in answers} == {"confirmed"}
    assert sorted(a["replayed"] for a in answers) == [False] + [True] * 6
    [stored] = stored_registrations(meetings_config["DATABASE_URL"], meeting["id"])
    assert str(stored.id) == answers[0]["id"]
    shown = rpc.get("aalborg", None, meeting["id"])
    assert (shown["confirmed_count"], shown["waitlist_count"]) == (1, 0)


def test_a_registered_person_retrying_after_the_window_closed_still_gets_their_registration(rpc, meetings_config):
    import datetime as dt

    from samskab.errors import Conflict
    from meetings.storage import meetings

    meeting = rpc.schedule("aalborg", staff(), meeting_payload(capacity=5))
    early, late = person(), person()
    first = rpc.register("aalborg", early, meeting["id"])
    with unit_of_work(meetings_config["DATABASE_URL"]) as uow:
        uow.execute(meetings.update().values(
            registration_closes_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
    assert rpc.register("aalborg", early, meeting["id"])["id"] == first["id"]
    with pytest.raises(Conflict, match="closed"):
        rpc.register("aalborg", late, meeting["id"])
    assert len(stored_registrations(meetings_config["DATABASE_URL"], meeting["id"])) == 1
    # once the meeting is cancelled, nobody is told they have a seat
    rpc.cancel("aalborg", staff(), meeting["id"], {"reason": "Salen er lukket"})
    with pytest.raises(Conflict, match="cancelled"):
        rpc.register("aalborg", early, meeting["id"])


def test_raising_the_capacity_promotes_the_first_in_line_and_raises_sequence(rpc, meetings_config):
    meeting = rpc.schedule("aalborg", staff(), meeting_payload(capacity=2))
    people = [person() for _ in range(5)]
    for p in people:
        rpc.register("aalborg", p, meeting["id"])
    changed = rpc.update("aalborg", staff(), meeting["id"], {"capacity": 4})
    assert (changed["sequence"], changed["confirmed_count"], changed["waitlist_count"]) == (1, 4, 1)
    stored = {str(r.participant_id): r.status for r in stored_registrations(meetings_config["DATABASE_URL"], meeting["id"])}
    assert [stored[p["id"]] for p in people] == ["confirmed"] * 4 + ["waitlisted"]

    from samskab.errors import Invalid

    with pytest.raises(Invalid):
        rpc.update("aalborg", staff(), meeting["id"], {"capacity": 3})  # below the seats already given
    assert rpc.get("aalborg", None, meeting["id"])["capacity"] == 4


def test_an_erased_person_leaves_no_registration_and_their_seat_passes_on(rpc, meetings_config, broker_uri):
    from samskab import events
    from samskab.amqp_publish import ConfirmingPublisher

    from .conftest import wait_for

    meeting = rpc.schedule("aalborg", staff(), meeting_payload(capacity=1))
    leaving, waiting = person(), person()
    rpc.register("aalborg", leaving, meeting["id"])
    rpc.register("aalborg", waiting, meeting["id"])
    envelope = events.make("samskab.participant.erased", municipality="aalborg", service="gateway",
                           subject=f"participants/{leaving['id']}", data={"id": leaving["id"], "municipality": "aalborg"})
    publisher = ConfirmingPublisher(broker_uri)
    publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.participant.erased", envelope)])
    publisher.close()

    def statuses():
        rows = stored_registrations(meetings_config["DATABASE_URL"], meeting["id"])
        return {str(r.participant_id): r.status for r in rows} if len(rows) == 1 else None

    assert wait_for(statuses) == {waiting["id"]: "confirmed"}


def test_a_task_committee_is_a_series_of_sessions(rpc):
    import datetime as dt

    from samskab.errors import Invalid

    first_start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    sessions = []
    for n in range(3):
        starts = first_start + dt.timedelta(days=60 * n)
        sessions.append(rpc.schedule("aalborg", staff(), meeting_payload(
            format="task_committee", capacity=15, reserved={"resident": 10, "politician": 5},
            series_id=sessions[0]["series_id"] if sessions else None, title=f"Opgaveudvalg, møde {n + 1}",
            starts_at=starts.isoformat(), ends_at=(starts + dt.timedelta(hours=3)).isoformat())))
    shown = rpc.get("aalborg", None, sessions[2]["id"])
    assert [s["id"] for s in shown["sessions"]] == [s["id"] for s in sessions]
    assert {s["series_id"] for s in sessions} == {sessions[0]["id"]}
    with pytest.raises(Invalid):
        rpc.schedule("aalborg", staff(), meeting_payload(series_id="0b7c6c1e-0000-4000-8000-000000000000"))
    with pytest.raises(Invalid):  # another municipality's series is not found either
        rpc.schedule("hjorring", staff("hjorring"), meeting_payload(series_id=sessions[0]["series_id"]))
