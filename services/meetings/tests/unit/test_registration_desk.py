"""The group commit of registrations: arrival order, batches, failures."""
import eventlet
import pytest

from samskab.errors import Conflict

from meetings.desk import RegistrationDesk


def desk():
    d = RegistrationDesk()
    d.setup()
    return d


def test_registrations_arriving_while_a_batch_is_decided_form_the_next_batch_in_order():
    d, batches = desk(), []

    def decide(key, items):
        batches.append(list(items))
        eventlet.sleep(0.01)  # the database round trip: others queue up meanwhile
        return [f"seat-{i}" for i in items]

    pool = eventlet.GreenPool()
    threads = [pool.spawn(d.submit, "meeting-1", i, decide) for i in range(10)]
    assert [t.wait() for t in threads] == [f"seat-{i}" for i in range(10)]
    assert batches == [[0], list(range(1, 10))]
    assert d.queues == {} and d.leading == set()


def test_meetings_are_batched_apart():
    d, seen = desk(), []

    def decide(key, items):
        seen.append((key, list(items)))
        eventlet.sleep(0.01)
        return items

    pool = eventlet.GreenPool()
    for i in range(4):
        pool.spawn(d.submit, f"meeting-{i % 2}", i, decide)
    pool.waitall()
    assert sorted(seen) == [("meeting-0", [0]), ("meeting-0", [2]), ("meeting-1", [1]), ("meeting-1", [3])]


def test_one_refusal_touches_only_its_own_registration():
    d = desk()

    def decide(key, items):
        eventlet.sleep(0.01)
        return [Conflict("registration has closed") if i == 2 else i for i in items]

    pool = eventlet.GreenPool()
    threads = [pool.spawn(d.submit, "m", i, decide) for i in range(4)]
    assert threads[0].wait() == 0 and threads[1].wait() == 1 and threads[3].wait() == 3
    with pytest.raises(Conflict):
        threads[2].wait()


def test_a_failing_batch_fails_each_of_its_registrations_and_the_next_leader_carries_on():
    d, calls = desk(), []

    def decide(key, items):
        calls.append(list(items))
        eventlet.sleep(0.01)
        if 1 in items:
            raise Conflict("registration has closed")
        return items

    pool = eventlet.GreenPool()
    threads = [pool.spawn(d.submit, "m", i, decide) for i in range(3)]
    assert threads[0].wait() == 0
    for t in threads[1:]:
        with pytest.raises(Conflict, match="closed"):
            t.wait()
    assert d.submit("m", 7, lambda key, items: items) == 7
