"""Limits on attempts (sign-ins, reset and confirmation e-mails) that hold under concurrency.

Each attempt is counted before the work it guards, by one ``INSERT … ON CONFLICT DO UPDATE
… RETURNING count`` per limit set: PostgreSQL serialises the increments on the row, so of
N simultaneous attempts only the first ``most`` see a count within the limit, however slow
the password check after it is.  Windows are fixed (``window`` seconds); a refusal says
when the window ends (``Retry-After``).  Rows older than the retention
(``THROTTLE_RETENTION_SECONDS``, default a day) are deleted as new attempts come in.
"""
import datetime as dt
import hashlib
import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.errors import TooManyRequests

from .storage import throttle

DEFAULT_RETENTION = 86400


@dataclass(frozen=True)
class Limit:
    scope: str  # what is counted, e.g. "sign-in per account and IP"
    value: str  # whose: an address, an IP, both
    most: int
    window: int  # seconds

    @property
    def key(self):
        # A digest: the table never holds an address or IP in clear.
        return hashlib.sha256(f"{self.scope}|{self.value}".encode()).hexdigest()

    def window_start(self, now):
        return dt.datetime.fromtimestamp(now - now % self.window, dt.timezone.utc)


class Throttled(TooManyRequests):
    """Over a limit; ``headers`` carry ``Retry-After`` (seconds until the window ends)."""

    def __init__(self, detail, retry_after):
        super().__init__(detail)
        self.retry_after = max(1, int(math.ceil(retry_after)))
        self.headers = {"Retry-After": str(self.retry_after)}


def client_ip(ctx):
    """The caller's address.  Behind ``TRUSTED_PROXY_HOPS`` reverse proxies (an ingress) it is
    that many entries from the right of ``X-Forwarded-For`` (what the nearest trusted proxy
    saw; entries further left are the client's to forge); with none, the peer's address."""
    hops = int(ctx.config.get("TRUSTED_PROXY_HOPS", 0) or 0)
    if hops > 0:
        forwarded = [a.strip() for a in ctx.request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return ctx.request.remote_addr or "unknown"


def retention(config):
    return int(config.get("THROTTLE_RETENTION_SECONDS", DEFAULT_RETENTION))


def hit(db, config, limits, detail):
    """Count one attempt against every limit; :class:`Throttled` when any is exceeded.
    Returns the limits counted, for :func:`release`."""
    now = time.time()
    limits = sorted(limits, key=lambda lim: lim.key)  # one lock order for every caller: no deadlock
    rows = [{"key": lim.key, "window_start": lim.window_start(now), "count": 1} for lim in limits]
    upsert = pg.insert(throttle).values(rows)
    upsert = upsert.on_conflict_do_update(
        index_elements=[throttle.c.key, throttle.c.window_start], set_={"count": throttle.c.count + 1},
    ).returning(throttle.c.key, throttle.c.count)
    keep = max([retention(config)] + [lim.window for lim in limits])
    with db as uow:
        counts = dict(uow.execute(upsert).all())
        uow.execute(throttle.delete().where(
            throttle.c.window_start < dt.datetime.fromtimestamp(now - keep, dt.timezone.utc)))
    over = [lim for lim in limits if counts[lim.key] > lim.most]
    if over:
        wait = max(lim.window_start(now).timestamp() + lim.window - now for lim in over)
        raise Throttled(detail, wait)
    return limits


def release(db, limits):
    """Uncount an attempt that succeeded: the limits count failures (and attempts in flight)."""
    if not limits:
        return
    now = time.time()
    with db as uow:
        for lim in sorted(limits, key=lambda lim: lim.key):
            uow.execute(throttle.update().where(
                throttle.c.key == lim.key, throttle.c.window_start == lim.window_start(now),
            ).values(count=sa.func.greatest(throttle.c.count - 1, 0)))
