"""The read model's memory on its own: one fetch however many wait, an event drops
what it can change and nothing else, nothing personal is kept, pages live only as
long as what they were made of."""
import eventlet
import pytest

from samskab.errors import NotFound

from gateway.readmodel.store import Store

M = "aalborg"
P = "11111111-1111-4111-8111-111111111111"
Q = "22222222-2222-4222-8222-222222222222"
OTHER = "33333333-3333-4333-8333-333333333333"
RESIDENT = {"id": "44444444-4444-4444-8444-444444444444", "role": "resident", "staff": False, "operator": False}
STAFF = {**RESIDENT, "role": "employee", "staff": True}


class Request:
    def __init__(self):
        self.environ = {}


class Ctx:
    def __init__(self):
        self.request = Request()


class Backend:
    """Counts calls; answers what ``answers`` says for (method, actor id)."""

    def __init__(self, answers=None, delay=0):
        self.calls, self.answers, self.delay = [], answers or {}, delay

    def __call__(self, service, method, *args, **kwargs):
        actor = next((a for a in args if isinstance(a, dict) and "role" in a), None)
        self.calls.append((service, method, actor["id"] if actor else None))
        if self.delay:
            eventlet.sleep(self.delay)
        found = self.answers.get((method, actor["id"] if actor else None), self.answers.get(method))
        if isinstance(found, Exception):
            raise found
        return found if found is not None else {"id": P, "title": "Bænke", "method": method}


def read(store, backend, method, actor=None, *rest, service="proposals"):
    return store.call(Ctx(), service, method, (M, actor, P) + rest, {}, backend)


def test_many_readers_at_once_make_one_call():
    store, backend = Store(), Backend(delay=0.05)
    answers = list(eventlet.GreenPool().imap(lambda _: read(store, backend, "get"), range(20)))
    assert len(backend.calls) == 1 and all(a["title"] == "Bænke" for a in answers)
    read(store, backend, "get")
    assert len(backend.calls) == 1


def test_an_event_drops_what_its_type_can_change_and_keeps_the_rest():
    store, backend = Store(), Backend()
    for method in ("get", "questions", "experiments"):
        read(store, backend, method)
    store.changed(M, {P}, "samskab.proposal.question_asked")
    read(store, backend, "get"), read(store, backend, "questions"), read(store, backend, "experiments")
    assert [c[1] for c in backend.calls] == ["get", "questions", "experiments", "questions"]
    store.changed(M, {OTHER}, "samskab.proposal.updated")  # another proposal: nothing of this one
    store.changed("hjorring", {OTHER}, "samskab.proposal.updated")  # another municipality's lists: not ours
    read(store, backend, "get")
    assert len(backend.calls) == 4
    store.changed(M, {P}, "samskab.proposal.hidden")  # moderation drops everything that names it
    for method in ("get", "questions", "experiments"):
        read(store, backend, method)
    assert len(backend.calls) == 7


LIST = (M, None, {"limit": 20})


def list_page(store, backend):
    return store.call(Ctx(), "proposals", "list_page", LIST, {}, backend)


def test_a_list_is_fetched_again_once_the_lag_after_anything_new_in_its_municipality_is_over():
    store, backend = Store(list_lag=0.05), Backend(answers={"list_page": {"items": []}})
    list_page(store, backend)
    store.changed(M, {OTHER}, "samskab.proposal.published")
    list_page(store, backend)  # within the lag: the kept list
    assert len(backend.calls) == 1
    eventlet.sleep(0.06)
    list_page(store, backend)
    assert len(backend.calls) == 2


def test_with_no_lag_a_list_is_dropped_at_once_by_anything_new_in_its_municipality():
    store, backend = Store(list_lag=0), Backend(answers={"list_page": {"items": []}})
    list_page(store, backend)
    store.changed(M, {OTHER}, "samskab.proposal.published")
    list_page(store, backend)
    assert len(backend.calls) == 2


def test_hiding_something_drops_the_lists_at_once():
    store, backend = Store(list_lag=10), Backend(answers={"list_page": {"items": []}})
    list_page(store, backend)
    store.changed(M, {P}, "samskab.proposal.hidden")
    list_page(store, backend)
    assert len(backend.calls) == 2


def test_this_instances_own_write_drops_the_lists_at_once():
    store, backend = Store(list_lag=10), Backend(answers={"list_page": {"items": []}})
    list_page(store, backend)
    store.changed(M, {P}, at_once=True)
    list_page(store, backend)
    assert len(backend.calls) == 2


def test_a_busy_municipalitys_list_is_fetched_once_a_lag_not_once_an_event():
    store, backend = Store(list_lag=0.1), Backend(answers={"list_page": {"items": []}})
    for _ in range(25):  # an event every 10 ms for a quarter of a second, each followed by a reader
        store.changed(M, {OTHER}, "samskab.proposal.supported")
        list_page(store, backend)
        eventlet.sleep(0.01)
    assert 2 <= len(backend.calls) <= 4


def test_a_list_fetch_overtaken_by_an_event_answers_its_waiting_readers_and_is_kept_within_the_lag():
    store, backend = Store(list_lag=0.2), Backend(answers={"list_page": {"items": []}}, delay=0.05)
    early = eventlet.spawn(list_page, store, backend)
    eventlet.sleep(0.01)
    store.changed(M, {OTHER}, "samskab.proposal.supported")
    late = eventlet.spawn(list_page, store, backend)  # waits for the fetch under way
    early.wait(), late.wait()
    list_page(store, backend)
    assert len(backend.calls) == 1
    eventlet.sleep(0.2)  # the lag counts from the event
    list_page(store, backend)
    assert len(backend.calls) == 2


def test_a_fetch_overtaken_by_an_event_is_not_kept_and_later_readers_fetch_anew():
    store, backend = Store(), Backend(delay=0.05)
    early = eventlet.spawn(read, store, backend, "get")
    eventlet.sleep(0.01)
    store.changed(M, {P}, "samskab.proposal.updated")
    late = eventlet.spawn(read, store, backend, "get")  # came after the event: never the older answer
    early.wait(), late.wait()
    assert len(backend.calls) == 2
    read(store, backend, "get")  # the late one's answer is kept
    assert len(backend.calls) == 2


def test_a_reader_does_not_wait_forever_for_a_slow_fetch():
    store, backend = Store(wait=0.05), Backend(delay=0.2)
    first = eventlet.spawn(read, store, backend, "get")
    eventlet.sleep(0.01)
    assert read(store, backend, "get")["title"] == "Bænke"  # asked on its own after 50 ms
    first.wait()
    assert store.stats["answer_wait_gave_up"] == 1


def test_signed_in_readers_take_what_is_not_theirs_and_ask_for_what_is():
    store, backend = Store(), Backend()
    read(store, backend, "history")
    read(store, backend, "history", RESIDENT)  # the same for every resident: from memory
    read(store, backend, "get", RESIDENT)  # their own support and buttons: live
    read(store, backend, "get", RESIDENT)
    read(store, backend, "history", STAFF)  # staff see more: live
    assert backend.calls == [("proposals", "history", None), ("proposals", "get", RESIDENT["id"]),
                             ("proposals", "get", RESIDENT["id"]), ("proposals", "history", STAFF["id"])]
    assert all(RESIDENT["id"] not in a.body and RESIDENT["id"] not in str(a.key) for a in store.answers.values())


def test_their_own_hidden_question_is_asked_for_live():
    hidden = [{"id": Q, "hidden": True, "body": None}]
    store, backend = Store(), Backend(answers={("questions", None): hidden,
                                               ("questions", RESIDENT["id"]): [{"id": Q, "hidden": True,
                                                                                "body": "my own words"}]})
    assert read(store, backend, "questions", RESIDENT)[0]["body"] == "my own words"


def test_not_found_is_kept_and_shared_until_something_happens_to_it():
    store, backend = Store(), Backend(answers={"agreement": NotFound("no agreement yet")})
    for actor in (None, RESIDENT, None):
        with pytest.raises(NotFound):
            read(store, backend, "agreement", actor)
    assert len(backend.calls) == 1
    store.changed(M, {P}, "samskab.proposal.agreement_updated")
    with pytest.raises(NotFound):
        read(store, backend, "agreement")
    assert len(backend.calls) == 2


def test_a_page_lives_as_long_as_what_it_was_made_of():
    store, backend = Store(), Backend()
    ctx = Ctx()
    store.call(ctx, "proposals", "get", (M, None, P), {}, backend)
    answers = ctx.request.environ["samskab.readmodel"].answers
    store.keep_page(("/p", b"", "da"), b"<html>", [], answers)
    assert store.page(("/p", b"", "da")).body == b"<html>"
    dropped = store.changed(M, {P}, "samskab.proposal.supported")
    assert [e.key for e in dropped] == [("/p", b"", "da")] and store.page(("/p", b"", "da")) is None


def test_a_list_page_is_served_within_the_lag_and_made_again_after_it():
    store, backend = Store(list_lag=0.05), Backend(answers={"list_page": {"items": []}})
    ctx = Ctx()
    store.call(ctx, "proposals", "list_page", LIST, {}, backend)
    store.keep_page(("/l", b"", "da"), b"<list>", [], ctx.request.environ["samskab.readmodel"].answers)
    assert store.changed(M, {OTHER}, "samskab.proposal.published") == []  # not dropped: stale
    assert store.page(("/l", b"", "da")).body == b"<list>"
    eventlet.sleep(0.06)
    assert store.page(("/l", b"", "da")) is None


def test_a_page_made_of_answers_dropped_meanwhile_is_not_kept():
    store, backend = Store(), Backend()
    ctx = Ctx()
    store.call(ctx, "proposals", "get", (M, None, P), {}, backend)
    store.changed(M, {P}, "samskab.proposal.updated")
    assert store.keep_page(("/p", b"", "da"), b"old", [], ctx.request.environ["samskab.readmodel"].answers) is None


def test_writes_and_unknown_reads_go_live_and_mark_the_request():
    store, backend = Store(), Backend()
    ctx = Ctx()
    store.call(ctx, "proposals", "support", (M, RESIDENT, P), {}, backend)
    store.call(ctx, "proposals", "support", (M, RESIDENT, P), {}, backend)
    assert len(backend.calls) == 2 and ctx.request.environ["samskab.readmodel"].live
    assert not store.answers


def test_in_memory_only_a_kept_answer_is_read_and_anything_else_is_not_asked():
    from gateway.readmodel.inline import NotKept, memory_only

    store, backend = Store(), Backend()
    read(store, backend, "get")
    with memory_only():
        assert read(store, backend, "get")["title"] == "Bænke"  # kept
        for method, actor in (("questions", None), ("get", RESIDENT), ("support", RESIDENT)):
            with pytest.raises(NotKept):  # not kept, personal, a write: each would be a call
                read(store, backend, method, actor)
    assert backend.calls == [("proposals", "get", None)] and not store.flights


def test_a_pages_parts_come_from_memory_first_and_only_the_rest_is_asked():
    """``web.app.parts``: the kept parts inline, the others by call (those of one service in
    one); a part that turns any error into its default still gets its answer (the memory-only
    signal is no error)."""
    from gateway.web.app import parts

    store, backend = Store(), Batch()
    read(store, backend, "get")
    read(store, backend, "history")

    def forgiving():
        try:
            return read(store, backend, "experiments")
        except Exception:
            return "default"

    found = parts(get=(lambda: read(store, backend, "get"), None),
                  history=(lambda: read(store, backend, "history"), None),
                  questions=(lambda: read(store, backend, "questions"), None),
                  experiments=(forgiving, None))
    assert found["get"]["title"] == "Bænke" and found["history"]["method"] == "history"
    assert found["questions"]["method"] == "questions" and found["experiments"]["method"] == "experiments"
    # get and history were kept; questions and experiments missed: one call for both, and
    # questions (which the batch could not answer) asked alone.
    assert backend.calls == [("proposals", "get", None), ("proposals", "history", None),
                             ("proposals", "reads", ("questions", "experiments")), ("proposals", "questions", None)]


def _wanted(store, backend, method, *rest):
    """What a page reading ``method`` in memory only says it misses."""
    from gateway.readmodel.inline import NotKept, memory_only

    with memory_only():
        try:
            read(store, backend, method, None, *rest)
        except NotKept as missing:
            return missing.wanted
    raise AssertionError(f"{method} was kept")


class Batch(Backend):
    """Answers the proposals service's ``reads`` as it would: one entry per read."""

    def __call__(self, service, method, *args, **kwargs):
        if method != "reads":
            return super().__call__(service, method, *args, **kwargs)
        self.calls.append((service, "reads", tuple(c[0] for c in args[2])))
        if self.delay:
            eventlet.sleep(self.delay)
        found = {"history": {"result": [{"id": Q}]}, "agreement": {"missing": "no agreement yet"},
                 "questions": {"error": {"exc_type": "Invalid", "value": "x"}}}
        return [found.get(c[0], {"result": {"id": P, "method": c[0]}}) for c in args[2]]


def test_a_pages_misses_of_one_service_come_in_one_call_and_each_is_kept_as_its_own():
    store, backend = Store(), Batch()
    wanted = [_wanted(store, backend, m) for m in ("get", "history", "agreement", "questions")]
    store.claim_many(wanted)()
    assert backend.calls == [("proposals", "reads", ("get", "history", "agreement", "questions"))]
    assert read(store, backend, "get")["method"] == "get" and read(store, backend, "history") == [{"id": Q}]
    with pytest.raises(NotFound):
        read(store, backend, "agreement")  # kept as "not found", as its own fetch would be
    assert len(backend.calls) == 1
    read(store, backend, "questions")  # the service could not answer it with the others: asked alone
    assert backend.calls[-1] == ("proposals", "questions", None)
    store.changed(M, {Q})  # the history names Q: dropped by an event about Q, as its own fetch
    read(store, backend, "history")
    assert backend.calls[-1] == ("proposals", "history", None)


def test_readers_wait_for_the_call_and_an_event_meanwhile_keeps_its_answers_out():
    store, backend = Store(), Batch(delay=0.05)
    wanted = [_wanted(store, backend, m) for m in ("get", "experiments")]
    call = store.claim_many(wanted)
    assert store.claim_many(wanted) is None  # under way: nobody claims them again
    waiter = eventlet.spawn(read, store, backend, "get")
    runner = eventlet.spawn(call)
    eventlet.sleep(0.01)
    store.changed(M, {P}, "proposal.updated")  # while the call runs
    runner.wait()
    assert waiter.wait()["method"] == "get" and len(backend.calls) == 1  # the waiter got the call's answer
    read(store, backend, "get")  # but it was not kept: the event may have changed it
    assert backend.calls[-1] == ("proposals", "get", None)
    read(store, backend, "experiments")  # an update leaves experiments as they were: kept
    assert len(backend.calls) == 2


def test_when_the_call_for_several_fails_each_reader_asks_alone():
    """A proposals service that does not answer several reads yet (deployed after the gateway),
    or one away: the page's parts come as they did before, one call each."""
    from gateway.web.app import parts

    class Old(Backend):
        def __call__(self, service, method, *args, **kwargs):
            if method == "reads":
                self.calls.append((service, "reads", None))
                eventlet.sleep(0.02)  # the page's readers are waiting for it by now
                raise RuntimeError("MethodNotFound reads")
            return super().__call__(service, method, *args, **kwargs)

    store, backend = Store(), Old()
    found = parts(get=(lambda: read(store, backend, "get"), None),
                  history=(lambda: read(store, backend, "history"), None))
    assert found["get"]["method"] == "get" and found["history"]["method"] == "history"
    assert sorted(c[1] for c in backend.calls) == ["get", "history", "reads"]
