"""The caller's account, kept in memory while PostgreSQL says it is unchanged.

Every signed-in request needs its account (token version, role, erasure, ``own_version``).
Reading it is the gateway's hottest statement; most requests find it unchanged. So each
instance keeps the rows it read, and forgets one as soon as it may have changed:

* a trigger on ``accounts`` (migration 0006) sends ``NOTIFY samskab_accounts, '<id>'`` for
  every row any writer changes or deletes, on any instance or by hand; each instance
  listens on a connection of its own and forgets that id when the notice arrives
  (milliseconds after the commit);
* the instance that handled a write forgets everything it kept once the write is answered
  (``forget_all`` from ``Service.handle``), so its own next request never waits for the notice;
* a row read while a notice arrived is not kept (a generation count), so a read that raced a
  change cannot put the old row back;
* while the listening connection is down (PostgreSQL restarting), nothing is kept and every
  request reads its account as before; on reconnecting, everything is forgotten;
* every row is read again after ``ACCOUNT_CACHE_SECONDS`` in any case (0: keep nothing).
"""
import collections
import logging
import time
import uuid

import eventlet
from eventlet.hubs import trampoline
from nameko.extensions import DependencyProvider

from samskab.db import units_engine

log = logging.getLogger("gateway.accounts")

CHANNEL = "samskab_accounts"
SECONDS_DEFAULT = "30"
MAX_ROWS = 20000
IDLE_CHECK_SECONDS = 30  # a silent connection is asked SELECT 1 this often, so a dead one is noticed
RETRY_SECONDS = (0.2, 1, 2, 5)


class Accounts:
    """Account rows by id, each valid until its notice or ``seconds``."""

    def __init__(self, seconds, max_rows=MAX_ROWS, clock=time.monotonic):
        self.seconds = seconds
        self.max_rows = max_rows
        self.clock = clock
        self.rows = collections.OrderedDict()  # id -> (row, read at)
        self.generation = 0
        self.listening = False
        self.connections = 0  # how often the listening connection was made
        self.drain = None

    def read(self, account_id, load):
        """The account with this id: kept, or ``load()`` (and kept if nothing changed meanwhile)."""
        if not self.listening or self.seconds <= 0:
            return load()
        if self.drain is not None:
            self.drain()  # notices already on the connection count, even before their green thread runs
        kept = self.rows.get(account_id)
        now = self.clock()
        if kept is not None and now - kept[1] < self.seconds:
            self.rows.move_to_end(account_id)
            return kept[0]
        generation = self.generation
        row = load()
        if row is not None and self.listening and generation == self.generation:
            self.rows[account_id] = (row, now)
            self.rows.move_to_end(account_id)
            while len(self.rows) > self.max_rows:
                self.rows.popitem(last=False)
        return row

    def forget(self, account_id):
        self.generation += 1
        self.rows.pop(account_id, None)

    def forget_all(self):
        self.generation += 1
        self.rows.clear()

    def noticed(self, payload):
        try:
            self.forget(uuid.UUID(payload))
        except ValueError:
            self.forget_all()  # not an id we know how to read: forget everything rather than guess


class AccountCache(DependencyProvider):
    """The instance's :class:`Accounts`, and the green thread that listens for changes."""

    def setup(self):
        self.accounts = Accounts(float(self.container.config.get("ACCOUNT_CACHE_SECONDS", SECONDS_DEFAULT)))
        self.running = False
        self.thread = None

    def start(self):
        if self.accounts.seconds <= 0:
            return
        self.running = True
        self.thread = self.container.spawn_managed_thread(self._listen, identifier="account-notices")

    def stop(self):
        self.running = False
        self.accounts.listening = False
        if self.thread is not None:
            self.thread.kill()
            self.thread = None

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.accounts

    def _listen(self):
        failures = 0
        while self.running:
            conn = None
            try:
                pooled = units_engine(self.container.config["DATABASE_URL"]).raw_connection()  # the db's own engine
                pooled.detach()  # its own connection, never handed back to the pool
                conn = pooled.dbapi_connection
                conn.autocommit = True
                with conn.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                self.accounts.forget_all()  # whatever was kept before now was not watched
                self.accounts.listening = True
                self.accounts.connections += 1
                failures = 0
                log.info("keeping accounts in memory: listening for changes on %s", CHANNEL)
                self._receive(conn)
            except Exception as exc:  # the database away: read every account until listening again
                if self.running:
                    failures += 1
                    log.warning("not listening for account changes (%s): every request reads its account",
                                exc.__class__.__name__)
            finally:
                self.accounts.listening = False
                self.accounts.forget_all()
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:
                        pass
            if self.running:
                eventlet.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])

    def _receive(self, conn):
        self.asking = False
        self.accounts.drain = lambda: self._drain(conn)
        try:
            while self.running:
                try:
                    trampoline(conn.fileno(), read=True, timeout=IDLE_CHECK_SECONDS)
                except eventlet.Timeout:
                    self.asking = True
                    try:
                        with conn.cursor() as cursor:
                            cursor.execute("SELECT 1")  # raises if the connection died quietly
                    finally:
                        self.asking = False
                self._drain(conn)
                if not self.accounts.listening:
                    raise ConnectionError("the listening connection failed")
        finally:
            self.accounts.drain = None

    def _drain(self, conn):
        """The notices already on the connection; not while SELECT 1 is on it."""
        if self.asking:
            return
        try:
            conn.poll()
        except Exception:
            self.accounts.listening = False  # the listening thread sees it too, and reconnects
            self.accounts.forget_all()
            return
        while conn.notifies:
            self.accounts.noticed(conn.notifies.pop(0).payload)
