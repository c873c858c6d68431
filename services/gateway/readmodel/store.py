"""The read model's memory: the backends' public answers and the pages made of them.

An **answer** is what one read returns to nobody in particular (``actor`` None), kept
as JSON with the ids it names (its arguments' and its result's).  A municipality's
lists (no id among the arguments) also depend on the municipality as a whole.  A
public event drops, at once, every answer that names one of its ids; the next read
fetches it again, once: readers who come while it is being fetched wait for that one
call (never a call per reader).  The municipality's lists are the exception: an event
marks them stale, and they are still served for at most ``list_lag`` seconds after the
first event that changed them (READMODEL_LIST_LAG_MS, 250 ms), then fetched again.  A
busy municipality has events many times a second (every support changes the counts in
its lists); dropping its lists on each would turn every reader of a list into a live
call and every list page into a render.  Moderation (an event whose type ends in
``hidden``) drops the lists at once too.

A **page** is the bytes of an anonymous response, per path, query and language, with
the answers it was made of; it is served as long as each of them is still the one
it was made of.
"""
import collections
import hashlib
import json
import re
import sys
import time

import eventlet
from eventlet.event import Event

from samskab.errors import NotFound

from .inline import BATCHES, NotKept, Wanted, asked_in_memory_only
from .own import OwnReads


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_IDS = 2000  # ids remembered per answer: a list of 500 meetings names them all

# Reads that are the same for every caller who is not the municipality's staff: a
# signed-in reader takes them from the model too.  The check says whether this answer
# holds nothing that a signed-in person might see differently (their own hidden text).
_no_hidden = lambda value: not any(item.get("hidden") for item in (value or []))  # noqa: E731
SHARED = {
    # "No agreement yet" is the same for everyone; an agreement names the caller's own parties.
    ("proposals", "agreement"): lambda value: False,
    ("proposals", "history"): None,
    ("proposals", "experiments"): None,
    ("proposals", "questions"): _no_hidden,
    ("proposals", "updates"): _no_hidden,
    ("meetings", "list"): None,
    ("matching", "similar"): None,
    ("matching", "panels_of"): None,  # the people drawn and their chances: staff only, and staff go live
    ("proposals", "attachments"): None,  # hidden ones only in staff's answer, and staff go live (issue 21)
    ("proposals", "case_of_proposal"): None,  # the council's case and decision: the same for everyone (issue 22)
    ("meetings", "attachments"): None,  # a meeting's pictures and files: hidden ones only staff's (issue 21)
}
# The public log (the Atom feed, the catch-up log, open data) is not kept: notifications
# writes it from the same events that reach this model, so an answer fetched between the
# event's arrival here and its arrival there would be kept stale until the next event.
# A read not named here or below is always asked live, and a page that used one is not kept
# (counted as "live <service>.<method>" in the stats): a new public read on a page belongs here.
# Reads kept for anonymous callers only: a signed-in caller's answer carries what is
# theirs (their support, their registration, their drafts, their party in an agreement).
ANONYMOUS = {
    ("proposals", "get"), ("proposals", "list"), ("proposals", "list_page"), ("proposals", "agreement"),
    ("meetings", "get"), ("meetings", "meeting_ics"), ("meetings", "municipality_calendar"),
    ("meetings", "list_places"),
    # a meeting's comment thread (issue 21): a signed-in caller's answer marks their own
    ("meetings", "comments"),
    # the missions a proposal works towards (issue 22): a signed-in caller's says what they may do
    ("proposals", "missions_of_proposal"),
} | set(SHARED)


# Reads with no arguments whose answer is the same for everyone in every municipality: a
# service's own catalogue (the meeting formats), changed only by a new release of it. Kept
# until READMODEL_MAX_AGE_SECONDS, as no event says that it changed.
CONSTANT = {("meetings", "formats")}


# What each public event can change, by its type (``samskab.`` left off): an event drops only
# the answers of these reads that name one of its ids (and these lists of its municipality).
# A type not named here drops every read that names its ids.
_CONTENT = {("proposals", "get"), ("proposals", "list"), ("proposals", "list_page"), ("matching", "similar")}
_PROPOSAL = _CONTENT | {("proposals", "history"), ("meetings", "get"), ("meetings", "list")}
_MEETING = {("meetings", "get"), ("meetings", "list"), ("meetings", "meeting_ics"),
            ("meetings", "municipality_calendar"), ("meetings", "list_places")}
_COUNT = {("proposals", "get"), ("proposals", "list"), ("proposals", "list_page")}
CHANGES = {
    # Its content (not its status: no history, no meetings) for an update.
    "proposal.submitted": _PROPOSAL, "proposal.published": _PROPOSAL, "proposal.updated": _CONTENT,
    "proposal.status_changed": _PROPOSAL,
    "proposal.supported": _COUNT, "proposal.support_withdrawn": _COUNT, "proposal.support_threshold_reached": _COUNT,
    "proposal.question_asked": {("proposals", "questions")}, "proposal.question_answered": {("proposals", "questions")},
    "proposal.agreement_updated": {("proposals", "agreement")},
    "proposal.experiment_recorded": {("proposals", "experiments")},
    "proposal.progress_posted": {("proposals", "updates")},
    "proposal.attachment_added": {("proposals", "attachments")},
    "proposal.attachment_hidden": {("proposals", "attachments")},
    "proposal.similar_found": {("matching", "similar")},
    "proposal.matches_suggested": set(),
    "meeting.scheduled": _MEETING, "meeting.updated": _MEETING, "meeting.cancelled": _MEETING,
    "meeting.concluded": _MEETING, "meeting.outcome_recorded": _MEETING,
    "registration.confirmed": _MEETING, "registration.waitlisted": _MEETING, "registration.promoted": _MEETING,
    "registration.cancelled": _MEETING,
    # a comment under a meeting changes its thread only: the meeting's page stays kept (issue 21)
    "meeting.comment_posted": {("meetings", "comments")}, "meeting.comment_edited": {("meetings", "comments")},
    "meeting.comment_hidden": {("meetings", "comments")},
    # a meeting's picture or file changes its list only (issue 21)
    "meeting.attachment_added": {("meetings", "attachments")},
    "meeting.attachment_hidden": {("meetings", "attachments")},
}


def _is_actor(value):
    return isinstance(value, dict) and "role" in value and "id" in value


def ids_in(value, found=None):
    """Every id (UUID text) in a JSON value, up to :data:`MAX_IDS`."""
    found = set() if found is None else found
    if isinstance(value, str):
        if len(value) == 36 and UUID.fullmatch(value):
            found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            if len(found) >= MAX_IDS:
                break
            ids_in(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if len(found) >= MAX_IDS:
                break
            ids_in(item, found)
    return found


class Answer:
    """One kept answer; ``missing`` when the read answered "not found" (kept too: it is as
    public as an answer, and a page of something that does not exist is read as often)."""
    __slots__ = ("key", "municipality", "body", "deps", "at", "made", "missing", "stale_at")

    def __init__(self, key, municipality, body, deps, missing=None):
        self.key, self.municipality, self.body, self.deps, self.missing = key, municipality, body, deps, missing
        self.stale_at = None  # a list: when the first event came that may have changed it
        self.at = time.time()  # when it was fetched: its Last-Modified
        self.made = time.monotonic()

    def value(self):
        if self.missing is not None:
            raise NotFound(self.missing)
        # A copy per reader: a view that changes what it was given changes nothing here.
        return json.loads(self.body)


class PageEntry:
    __slots__ = ("key", "body", "headers", "etag", "last_modified", "answers", "made", "read_at")

    def __init__(self, key, body, headers, answers):
        self.key, self.body, self.headers, self.answers = key, body, headers, answers
        self.etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        self.last_modified = max([a.at for a in answers], default=time.time())
        self.made = time.monotonic()
        self.read_at = self.made


class Flight:
    """One fetch under way; ``dirty`` when an event came while it ran (its answer is then
    not kept, and readers who come after the event start a fetch of their own).  A list's
    fetch is not made dirty by an event but ``stale_at`` it (kept, and served within the lag)."""
    __slots__ = ("event", "municipality", "key", "dirty", "listing", "stale_at")

    def __init__(self, municipality, key, listing=False):
        self.event, self.municipality, self.key, self.dirty = Event(), municipality, key, False
        self.listing, self.stale_at = listing, None


class Record:
    """What one request took from the model (for its Last-Modified, and whether its page may be kept)."""
    __slots__ = ("answers", "live")

    def __init__(self):
        self.answers, self.live = [], False


def record_of(request):
    found = request.environ.get("samskab.readmodel")
    if found is None:
        found = request.environ["samskab.readmodel"] = Record()
    return found


class Store:
    def __init__(self, max_answers=100_000, max_pages=5_000, max_age=60.0, wait=5.0, list_lag=0.25):
        self.max_answers, self.max_pages, self.max_age, self.wait = max_answers, max_pages, max_age, wait
        self.list_lag = list_lag
        self.answers = collections.OrderedDict()  # key -> Answer, least recently used first
        self.by_dep = collections.defaultdict(set)  # ("id", uuid) | ("m", municipality) -> answer keys
        self.flights = {}  # answer key -> Flight
        self.pages = collections.OrderedDict()  # (path, query, lang) -> PageEntry
        self.pages_of = collections.defaultdict(set)  # answer key -> page keys made of it
        self.page_flights = {}  # page key -> (Event, started)
        self.stats = collections.Counter()
        self.own = OwnReads()  # beside the public model, not in it: each signed-in reader's own ids (own.py)

    # -- answers ------------------------------------------------------------------------

    def call(self, ctx, service, method, args, kwargs, live):
        """``ctx.call`` through the model: a public read from memory, anything else live."""
        record = record_of(ctx.request)
        only = asked_in_memory_only()
        if (service, method) in CONSTANT and not args and not kwargs:
            answer = self.read((service, method, "[]", "{}"), None, lambda: live(service, method))
            record.answers.append(answer)
            return answer.value()
        if (service, method) not in ANONYMOUS or not args or not isinstance(args[0], str):
            if only:
                raise NotKept
            record.live = True
            self.stats[f"live {service}.{method}"] += 1
            return live(service, method, *args, **kwargs)
        at = next((i for i, a in enumerate(args) if _is_actor(a)), None)
        if at is None:
            at = next((k for k, a in kwargs.items() if _is_actor(a)), None)
        actor = None if at is None else (args[at] if isinstance(at, int) else kwargs[at])
        if actor is not None:
            if (service, method) not in SHARED or actor.get("staff") or actor.get("operator"):
                if only:
                    raise NotKept
                record.live = True
                self.stats[f"live {service}.{method}"] += 1
                return live(service, method, *args, **kwargs)
            if isinstance(at, int):
                args = args[:at] + (None,) + args[at + 1:]
            else:
                kwargs = {**kwargs, at: None}
        key = (service, method, json.dumps(args, sort_keys=True, default=str),
               json.dumps(kwargs, sort_keys=True, default=str))
        if only and self.fresh(key) is None:
            raise NotKept(Wanted(self, key, args[0], service, method, args, kwargs, live))
        answer = self.read(key, args[0], lambda: live(service, method, *args, **kwargs), args)
        record.answers.append(answer)
        value = answer.value()  # raises NotFound for a kept "not found"
        check = SHARED.get((service, method))
        if actor is not None and check is not None and not check(value):
            if only:
                raise NotKept
            record.live = True
            self.stats[f"live {service}.{method} (personal)"] += 1
            return self._live_as(live, service, method, args, kwargs, at, actor)
        return value

    @staticmethod
    def _live_as(live, service, method, args, kwargs, at, actor):
        if isinstance(at, int):
            args = args[:at] + (actor,) + args[at + 1:]
        else:
            kwargs = {**kwargs, at: actor}
        return live(service, method, *args, **kwargs)

    def fresh(self, key):
        answer = self.answers.get(key)
        if answer is None:
            return None
        if time.monotonic() - answer.made > self.max_age or self._lagging(answer):
            self._drop(key)
            return None
        return answer

    def _lagging(self, answer):
        """A stale list served longer than the lag allows."""
        return answer.stale_at is not None and time.monotonic() - answer.stale_at > self.list_lag

    def read(self, key, municipality, fetch, args=()):
        answer = self.fresh(key)
        if answer is not None:
            self.stats["answer_hit"] += 1
            return answer
        if asked_in_memory_only():
            raise NotKept
        flight = self.flights.get(key)
        if flight is not None:
            self.stats["answer_wait"] += 1
            with eventlet.Timeout(self.wait, False):
                answer = flight.event.wait()
                if answer is not None:
                    return answer
                # (None: a batch that could not answer this read; ask on our own)
            # The fetch under way is slow (a backend under load): ask on our own, as without the model.
            self.stats["answer_wait_gave_up"] += 1
            return self._fetch(key, municipality, fetch, args, None)
        flight = self.flights[key] = Flight(municipality, key, listing=not ids_in(list(args[1:])))
        self.stats["answer_fetch"] += 1
        return self._fetch(key, municipality, fetch, args, flight)

    def _fetch(self, key, municipality, fetch, args, flight):
        """Fetch once; keep the answer unless an event that may change it came meanwhile
        (then it still answers those who waited for it, and the next reader fetches anew)."""
        try:
            missing = None
            try:
                value = fetch()
            except NotFound as exc:
                value, missing = None, exc.detail or "not found"
            answer = self._answer(key, municipality, args, value, missing)
        except BaseException:
            if flight is not None:
                self._failed(flight, sys.exc_info())
            raise
        if flight is not None:
            self._settle(flight, answer)
        return answer

    @staticmethod
    def _answer(key, municipality, args, value, missing=None):
        body = json.dumps(value, default=str, ensure_ascii=False)
        arg_ids = ids_in(list(args[1:]))
        deps = {("id", i) for i in arg_ids | ids_in(json.loads(body))}
        if not arg_ids:
            deps.add(("m", municipality))  # a list: anything new in the municipality may belong in it
        return Answer(key, municipality, body, deps, missing)

    def _settle(self, flight, answer):
        if not flight.dirty:
            answer.stale_at = flight.stale_at  # only a list's fetch is overtaken without being dirty
            self._keep(answer)
        self._land(flight)
        flight.event.send(answer)

    def _failed(self, flight, exc_info):
        self._land(flight)
        flight.event.send_exception(*exc_info)

    def claim_many(self, wanted):
        """Reads of one service that a page still needs, in one call of the service's batch
        entrypoint (``BATCHES``).  Claim the reads of ``wanted`` not kept and not under way (a flight each: readers who
        come now wait for it; an event meanwhile keeps its answer from being kept) and return
        the one call that fetches them all (or None): each answer is kept as its own fetch would
        keep it; a read the service could not answer is left to its reader, who asks alone.
        All of ``wanted``: one service, one municipality, anonymous (``args[1]`` None)."""
        service, municipality, live = wanted[0].service, wanted[0].municipality, wanted[0].live
        flights = {}
        for w in wanted:
            if w.key not in flights and w.key not in self.flights and self.fresh(w.key) is None:
                flights[w.key] = self.flights[w.key] = Flight(municipality, w.key, listing=not ids_in(list(w.args[1:])))
        batch = [w for w in {w.key: w for w in wanted}.values() if w.key in flights]
        if not batch:
            return None

        def call():
            self.stats["answer_fetch_many"] += 1
            self.stats["answer_fetch"] += len(batch)
            try:
                answers = live(service, BATCHES[service][0], municipality, None,
                               [[w.method, list(w.args[2:]), w.kwargs] for w in batch])
                for w, found in zip(batch, answers):
                    if "result" in found or "missing" in found:
                        self._settle(flights[w.key], self._answer(w.key, municipality, w.args, found.get("result"),
                                                                  found.get("missing")))
                    else:  # an error: its reader asks again alone (and gets the error as it would)
                        self._land(flights[w.key])
                        flights[w.key].event.send(None)
            except BaseException:
                # The call failed as a whole (a service that does not answer several reads yet, a
                # backend away): each reader waiting for one of them asks alone, as without it.
                for flight in flights.values():
                    if not flight.event.ready():
                        self._land(flight)
                        flight.event.send(None)
                raise
        return call

    def _land(self, flight):
        if self.flights.get(flight.key) is flight:
            del self.flights[flight.key]

    def _keep(self, answer):
        self._drop(answer.key)
        self.answers[answer.key] = answer
        for dep in answer.deps:
            self.by_dep[dep].add(answer.key)
        while len(self.answers) > self.max_answers:
            self._drop(next(iter(self.answers)))

    def _drop(self, key):
        answer = self.answers.pop(key, None)
        if answer is None:
            return ()
        for dep in answer.deps:
            keys = self.by_dep.get(dep)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self.by_dep[dep]
        return self.pages_of.pop(key, ())

    def changed(self, municipality, ids, kind=None, at_once=False):
        """An event (of type ``kind``) in ``municipality`` naming ``ids``: drop what it may have
        changed; the municipality's lists only within the lag, unless ``at_once`` (this
        instance's own write: its writer reads what they wrote) or the event hides something.
        Returns the pages that were made of it (their entries, with when they were last read)."""
        keys = set(self.by_dep.get(("m", municipality), ()))
        for i in ids:
            keys |= self.by_dep.get(("id", i), set())
        kind = (kind or "").removeprefix("samskab.")
        reads = CHANGES.get(kind)
        if reads is not None:
            keys = {k for k in keys if (k[0], k[1]) in reads}
        lag = self.list_lag > 0 and not at_once and not kind.endswith("hidden")
        now = time.monotonic()
        pages = set()
        for key in keys:
            answer = self.answers[key]
            if lag and ("m", municipality) in answer.deps:
                if answer.stale_at is None:
                    answer.stale_at = now
                    self.stats["list_stale"] += 1
                continue
            pages.update(self._drop(key))
        for flight in list(self.flights.values()):
            if flight.municipality == municipality and (
                    reads is None or (flight.key[0], flight.key[1]) in reads):
                if lag and flight.listing:
                    flight.stale_at = flight.stale_at or now  # kept, and readers go on waiting for it
                    continue
                flight.dirty = True
                self._land(flight)
        dropped = [entry for entry in (self.pages.pop(k, None) for k in pages) if entry is not None]
        self.stats["page_dropped"] += len(dropped)
        self.stats["events"] += 1
        return dropped

    def drop_all(self):
        self.answers.clear()
        self.by_dep.clear()
        self.pages.clear()
        self.pages_of.clear()
        for flight in list(self.flights.values()):
            flight.dirty = True
            self._land(flight)

    # -- pages ----------------------------------------------------------------------------

    def page(self, key):
        entry = self.pages.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.made > self.max_age or any(
                self.answers.get(a.key) is not a or self._lagging(a) for a in entry.answers):
            self.pages.pop(key, None)
            return None
        entry.read_at = time.monotonic()
        return entry

    def keep_page(self, key, body, headers, answers):
        # Made of answers that were dropped while it was rendered: not kept (it may be stale).
        if any(self.answers.get(a.key) is not a for a in answers):
            return None
        entry = PageEntry(key, body, headers, answers)
        self.pages.pop(key, None)
        self.pages[key] = entry
        for a in answers:
            self.pages_of[a.key].add(key)
        while len(self.pages) > self.max_pages:
            self.pages.pop(next(iter(self.pages)))
        return entry

    def page_flight(self, key):
        """``(event, mine)``: the render of this page under way, or a new one that is the caller's."""
        found = self.page_flights.get(key)
        if found is not None and time.monotonic() - found[1] < self.wait:
            return found[0], False
        event = Event()
        self.page_flights[key] = (event, time.monotonic())
        return event, True

    def page_landed(self, key):
        found = self.page_flights.pop(key, None)
        if found is not None and not found[0].ready():
            found[0].send(True)
