"""Idempotency-Key for every request that creates or changes something, API and web forms alike.

The first request with a key claims it (a row in ``idempotency_keys``, keyed by the
account and the key, holding a fingerprint of the request); its answer is stored when it
succeeds.  A retry with the same key and the same request gets the stored answer again
(``Idempotent-Replayed: true``) without running anything; the same key with another
request is refused (422); a retry while the first is still running waits for its answer
(up to ``IDEMPOTENCY_WAIT_SECONDS``, by default the RPC timeout) and replays it, or gets
409 and ``Retry-After`` when it takes longer.  A request that fails (4xx, 5xx, a backend's 503) leaves no answer: its
key may be sent again.  Keys are kept a day (``IDEMPOTENCY_RETENTION_SECONDS``).

Keys belong to an account (or to the API key a subscriber sends): an anonymous request's
key is not stored (another person could otherwise read the first one's answer by sending
the same key).
"""
import datetime as dt
import hashlib
import json
import time
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from werkzeug.wrappers import Response

from .accounts.storage import idempotency_keys as keys
from .api.problems import Problem

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
MAX_LENGTH = 255
DEFAULT_RETENTION = 86400
# A claim whose request never answered (the gateway stopped mid-way) may be taken over after this.
ABANDONED_AFTER = dt.timedelta(seconds=120)
KEPT_HEADERS = ("Content-Type", "Location", "Link", "X-Next-Cursor", "Content-Disposition")


def fingerprint(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


_API_KEY_OWNERS = uuid.UUID("6f2b1c1e-3f4a-4d7e-9a51-7d0c2b9e8a10")


def owner(account, api_key=None):
    """Whose keys these are: the signed-in account, else the subscriber holding the API key
    (a name derived from the key, so only its holder can replay), else nobody."""
    if account is not None:
        return account.id
    if api_key:
        return uuid.uuid5(_API_KEY_OWNERS, hashlib.sha256(api_key.encode()).hexdigest())
    return None


def checked_key(value, field=HEADER):
    """The key as sent, or a 422 naming it when empty, too long or not printable ASCII."""
    if not value or len(value) > MAX_LENGTH or not all(" " < ch < "\x7f" for ch in value):
        raise Problem(422, f"{field} must be 1 to {MAX_LENGTH} printable characters without spaces (a UUID)",
                      [{"field": field, "message": "1 to 255 printable characters"}])
    return value


class Claim:
    """One keyed request: ``replay`` is the stored answer (or ``None`` when this request
    runs), ``done(response)`` stores its answer, ``forget()`` lets the key be used again."""

    def __init__(self, db, account_id, key, replay=None):
        self.db, self.account_id, self.key, self.replay = db, account_id, key, replay

    def done(self, response, keep_body=True):
        """Keep the answer of a request that succeeded; with ``keep_body=False`` only that it
        did (an answer holding a secret shown once is not stored)."""
        if not 200 <= response.status_code < 400:
            return self.forget()
        headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        with self.db as uow:
            uow.execute(keys.update().where(keys.c.account_id == self.account_id, keys.c.key == self.key)
                        .values(status=response.status_code, headers=headers,
                                body=response.get_data() if keep_body else None))

    def forget(self):
        with self.db as uow:
            uow.execute(keys.delete().where(keys.c.account_id == self.account_id, keys.c.key == self.key,
                                            keys.c.status.is_(None)))


def claim(db, config, account_id, key, request_fingerprint, field=HEADER):
    """Claim ``key`` for this request, or find the answer of the request that claimed it;
    a retry sent while the first request runs waits for that answer (clients that retry
    at once after a lost connection get the same answer as a later retry would)."""
    patience = float(config.get("IDEMPOTENCY_WAIT_SECONDS") or config.get("RPC_TIMEOUT_SECONDS") or 10)
    give_up = time.monotonic() + patience
    pause = 0.02
    while True:
        try:
            return _claim_once(db, config, account_id, key, request_fingerprint, field)
        except _Running:
            if time.monotonic() + pause > give_up:
                raise Problem(409, f"the request with this {field} is still being handled; try again shortly",
                              headers={"Retry-After": "2"})
            time.sleep(pause)  # cooperative: eventlet has patched time
            pause = min(pause * 2, 0.5)


class _Running(Exception):
    """The request that claimed the key has not answered yet."""


def _claim_once(db, config, account_id, key, request_fingerprint, field):
    retention = dt.timedelta(seconds=int(config.get("IDEMPOTENCY_RETENTION_SECONDS", DEFAULT_RETENTION)))
    now = dt.datetime.now(dt.timezone.utc)
    with db as uow:
        uow.execute(keys.delete().where(keys.c.account_id == account_id, keys.c.key == key,
                                        keys.c.created_at < now - retention))
        claimed = uow.execute(pg.insert(keys).values(account_id=account_id, key=key, fingerprint=request_fingerprint)
                              .on_conflict_do_nothing().returning(keys.c.key)).first()
        if claimed is None:
            # The first request stopped without answering (the gateway was stopped): take it over.
            claimed = uow.execute(keys.update().where(
                keys.c.account_id == account_id, keys.c.key == key, keys.c.status.is_(None),
                keys.c.fingerprint == request_fingerprint, keys.c.created_at < now - ABANDONED_AFTER,
            ).values(created_at=sa.func.now()).returning(keys.c.key)).first()
        found = None if claimed else uow.execute(sa.select(keys).where(
            keys.c.account_id == account_id, keys.c.key == key)).first()
        if claimed:  # keys past their day go (by the created_at index: a few rows at most)
            uow.execute(keys.delete().where(keys.c.created_at < now - retention))
    if claimed:
        return Claim(db, account_id, key)
    if found is None:  # the first failed and let the key go between the two statements: claim again
        raise _Running()
    if found.fingerprint != request_fingerprint:
        raise Problem(422, f"this {field} was used for another request; use a new key for a new request",
                      [{"field": field, "message": "used before with another request"}])
    if found.status is None:
        raise _Running()
    return Claim(db, account_id, key, replay=found)


def replay_response(found, status=None):
    """The stored answer again, marked as a replay."""
    response = Response(found.body or b"", status=status or found.status)
    for name, value in (found.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
