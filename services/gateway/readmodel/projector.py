"""The projector: the gateway listens to ``samskab.public`` as any third party does.

Each gateway instance binds a queue of its own (exclusive, gone when the instance
is) to ``<municipality>.#`` for each municipality it serves (every key when it serves
all), because each instance keeps its own memory.  An event drops what it changed
(:meth:`Store.changed`) as it arrives, and the pages that readers asked for lately
are rendered again at once, once, as a reader would see them.

On start, once the queue is bound (so that nothing falls between the log and the
stream), it reads each municipality's catch-up log (``GET …/events``) and renders
the municipality's home and lists and the pages of what changed last, so that the
model can be dropped and rebuilt at any time (:meth:`PublicReadModel.rebuild`).
"""
import json
import logging
import socket
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode

import eventlet
import kombu
from eventlet.event import Event
from nameko.extensions import DependencyProvider

from samskab import municipalities

from .store import UUID, Store, ids_in

log = logging.getLogger("gateway.readmodel")

EXCHANGE = "samskab.public"
RECENT_READS = 300.0  # pages read within this many seconds are rendered again right after an event
RENDER_AT_ONCE = 50  # at most this many pages per event; the rest wait for their next reader


def _flag(value):
    return str(value).lower() not in ("0", "false", "no", "off")


class PublicReadModel(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.enabled = _flag(config.get("READMODEL", "1"))
        self.served = municipalities.served(config)
        self.everything = config.get("MUNICIPALITIES", "*") == "*"
        self.store = Store(max_answers=int(config.get("READMODEL_MAX_ANSWERS", 100_000)),
                           max_pages=int(config.get("READMODEL_MAX_PAGES", 5_000)),
                           max_age=float(config.get("READMODEL_MAX_AGE_SECONDS", 60)),
                           list_lag=float(config.get("READMODEL_LIST_LAG_MS", 250)) / 1000)
        self.store.cache_seconds = int(config.get("PUBLIC_CACHE_SECONDS", 1))
        self.store.own.max_age = float(config.get("READMODEL_OWN_SECONDS", 60))
        self.warm = int(config.get("READMODEL_WARM", 100))
        self._base = None
        self.amqp = dict(uri=config["AMQP_URI"], ssl=config.get("AMQP_SSL"),
                         heartbeat=int(config.get("HEARTBEAT", 60) or 0))
        self.position = {}  # municipality -> the catch-up log's cursor after the rebuild
        self.bound = Event()
        self.running = False
        self.pool = eventlet.GreenPool(4)

    def start(self):
        if not self.enabled:
            return
        self.running = True
        self.container.spawn_managed_thread(self._listen, identifier="readmodel-listen")
        self.container.spawn_managed_thread(self._rebuild_when_bound, identifier="readmodel-rebuild")

    def stop(self):
        self.running = False

    def kill(self):
        self.running = False

    def get_dependency(self, worker_ctx):
        return self.store if self.enabled else None

    # -- the stream ------------------------------------------------------------------------

    def patterns(self):
        return ["#"] if self.everything else [f"{m}.#" for m in sorted(self.served)]

    def _listen(self):
        first = True
        while self.running:
            try:
                with kombu.Connection(self.amqp["uri"], ssl=self.amqp["ssl"] or False,
                                      heartbeat=self.amqp["heartbeat"]) as conn:
                    channel = conn.channel()
                    exchange = kombu.Exchange(EXCHANGE, "topic", durable=True)
                    exchange(channel).declare()
                    queue = kombu.Queue(f"gateway.readmodel.{uuid.uuid4().hex}", exclusive=True, auto_delete=True,
                                        bindings=[kombu.binding(exchange, routing_key=p) for p in self.patterns()])
                    with kombu.Consumer(channel, queues=[queue], on_message=self._on_message, no_ack=True):
                        if not first:
                            # Events may have passed while we were away: start afresh.
                            self.store.drop_all()
                        first = False
                        if not self.bound.ready():
                            self.bound.send(True)
                        while self.running:
                            try:
                                conn.drain_events(timeout=1)
                            except socket.timeout:
                                conn.heartbeat_check()
            except Exception:
                if self.running:
                    log.exception("read model: the public stream went away; listening again in 1 s")
                    eventlet.sleep(1)

    def _on_message(self, message):
        try:
            envelope = json.loads(message.body)
        except ValueError:
            return
        if not isinstance(envelope, dict):
            return
        self.apply(envelope)

    def apply(self, envelope):
        """One public event: drop what it changed, render again what readers read lately."""
        municipality = envelope.get("municipality")
        if municipality not in self.served:
            return
        ids = ids_in(envelope.get("data")) | set(UUID.findall(str(envelope.get("subject") or "")))
        dropped = self.store.changed(municipality, ids, envelope.get("type"))
        now = time.monotonic()
        recent = [e.key for e in dropped if now - e.read_at < RECENT_READS][:RENDER_AT_ONCE]
        for key in recent:
            self.pool.spawn_n(self.render, *key)
        log.debug("read model: %s %s dropped %d pages, renders %d", envelope.get("type"), envelope.get("id"),
                  len(dropped), len(recent))

    # -- rendering as a reader would ----------------------------------------------------------

    @property
    def base(self):
        """This gateway's own address (the port is the one its web server got)."""
        if self._base is None:
            from nameko.web.server import WebServer

            server = next(e for e in self.container.extensions if isinstance(e, WebServer))
            host, port = server._sock.getsockname()[:2]
            self._base = f"http://{'127.0.0.1' if host in ('', '0.0.0.0', '::') else host}:{port}"
        return self._base

    def render(self, path, query=b"", lang=None):
        """GET a page as an anonymous reader in ``lang``: the page is made and kept on the way."""
        url = self.base + path + ("?" + query.decode() if query else "")
        headers = {"Accept-Language": lang or "da"}
        if lang:
            headers["Cookie"] = f"samskab_lang={lang}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except Exception as exc:
            log.warning("read model: rendering %s failed: %s", path, type(exc).__name__)
            return None

    def _log(self, municipality, after=""):
        query = urlencode({"after": after, "limit": 500})
        url = f"{self.base}/api/v1/municipalities/{municipality}/events?{query}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def _rebuild_when_bound(self):
        with eventlet.Timeout(60, False):
            self.bound.wait()
        for attempt in range(30):
            try:
                self.rebuild()
                return
            except Exception as exc:
                log.info("read model: rebuild waits for the gateway and the log (%s)", type(exc).__name__)
                eventlet.sleep(1)

    def rebuild(self, drop=False):
        """Read every served municipality's catch-up log and render its home, its lists and
        the pages of the last ``READMODEL_WARM`` proposals and meetings that changed."""
        if drop:
            self.store.drop_all()
        for m, place in sorted(self.served.items()):
            cursor, latest = "", {}
            while True:
                page = self._log(m, cursor)
                for envelope in page.get("events", []):
                    subject = str(envelope.get("subject") or "")
                    kind, _, rest = subject.partition("/")
                    found = UUID.match(rest)
                    if kind in ("proposals", "meetings") and found:
                        key = (kind, found.group(0))
                        latest.pop(key, None)
                        latest[key] = True  # the newest last
                cursor = page.get("next", cursor)
                if not page.get("more"):
                    break
            self.position[m] = cursor
            paths = [f"/municipalities/{m}", f"/municipalities/{m}/proposals", f"/municipalities/{m}/meetings"]
            paths += [f"/municipalities/{m}/{kind}/{i}" for kind, i in list(latest)[::-1][:self.warm]]
            for path in paths:
                self.pool.spawn_n(self.render, path, b"", place.language)
        self.pool.waitall()
        self.store.stats["rebuilds"] += 1
