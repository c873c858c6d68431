"""What a handler needs about one request: the caller, the backends, the municipality."""
import collections
import uuid
import weakref

import eventlet
import eventlet.semaphore
import psycopg2
from nameko.exceptions import UnknownService
from nameko.amqp.publish import UndeliverableMessage

from samskab.errors import Forbidden, NotFound, Unauthorized

from ..accounts import STAFF_ROLES, tokens
from ..accounts.storage import accounts
from ..readmodel.own import ACCOUNT
from ..readmodel.inline import NotKept, asked_in_memory_only
from .problems import BackendUnavailable

SESSION_COOKIE = "samskab_session"

# The caller's account, read on every authenticated request: by primary key, without the
# password hash.  It is the gateway's hottest statement, so it goes to the pooled psycopg2
# connection directly (SQLAlchemy's execution layer, its events and result rows cost more
# CPU than the query); the columns still come from the table's declaration.
_ACCOUNT_COLUMNS = tuple(c.name for c in accounts.c if c.name != "password_hash")
_ACCOUNT_BY_ID = f"SELECT {', '.join(_ACCOUNT_COLUMNS)} FROM {accounts.name} WHERE id = %s"
Account = collections.namedtuple("Account", _ACCOUNT_COLUMNS)
_RAISE_OWN_VERSION = f"UPDATE {accounts.name} SET own_version = own_version + 1 WHERE id = %s"

# At most as many account reads at once as the engine's pool keeps connections: the gateway
# runs many more workers than that (GATEWAY_MAX_WORKERS), and a read beyond the pool's size
# would open an overflow connection that the pool closes again on its return, so every
# request over the limit would pay for a new PostgreSQL connection.  A read takes one round
# trip, so waiting for a turn is short.
_readers = weakref.WeakKeyDictionary()


def _account_readers(engine):
    readers = _readers.get(engine)
    if readers is None:
        readers = _readers[engine] = eventlet.semaphore.Semaphore(max(1, engine.pool.size()))
    return readers


def one_statement(engine, sql, params, fetch=False):
    """One statement on a pooled connection, in one round trip: the units of work's
    connections are in autocommit mode, so a single statement needs no transaction (a unit
    of work would add BEGIN and COMMIT).  With ``fetch``, its first row."""
    with _account_readers(engine):
        for attempt in (1, 2):
            conn = engine.raw_connection()
            try:
                with conn.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchone() if fetch else None
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                # The database restarted (or went away): this connection and every other
                # pooled one are stale.  Drop them all, as SQLAlchemy's execution layer
                # would, and try once on a new connection.
                conn.invalidate()
                engine.dispose(close=False)
                if attempt == 2:
                    raise
            finally:
                conn.close()  # back to the pool


def raise_own_version(engine, account_id):
    """Whatever is the account's own may have changed (``gateway.readmodel.own``)."""
    one_statement(engine, _RAISE_OWN_VERSION, (str(account_id),))


def actor_of(account):
    """The caller as the services see it: ids and role, nothing personal."""
    return {
        "id": str(account.id),
        "role": account.role,
        "municipality": account.municipality,
        "staff": account.role in STAFF_ROLES,
        "operator": account.role == "operator",
        "confirmed": account.email_confirmed_at is not None,
    }


class Context:
    def __init__(self, gateway, request, trace):
        self.gateway = gateway
        self.request = request
        self.config = gateway.config
        self.db = gateway.db
        self.trace = trace
        self._account = False

    # -- who is calling ------------------------------------------------------

    def _token(self):
        header = self.request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return self.request.cookies.get(SESSION_COOKIE)

    @property
    def account(self):
        """The caller's account row, or ``None`` when anonymous."""
        if self._account is False:
            self._account = None
            token = self._token()
            if token:
                payload = tokens.verify(self.config["SECRET_KEY"], token)
                try:
                    account_id = uuid.UUID(payload["sub"])
                except (KeyError, ValueError):
                    raise Unauthorized("invalid token")
                row = self._load_account(account_id)
                if row is None or row.erased_at is not None or row.token_version != payload.get("ver"):
                    raise Unauthorized("token no longer valid")
                self._account = row
                self.request.environ[ACCOUNT] = row  # a write raises its own_version (readmodel.own)
        return self._account

    def _load_account(self, account_id):
        """Read on every request, or kept in memory while PostgreSQL says it is unchanged
        (``gateway.accounts.cache``), so that a password reset, a role change or an erasure
        takes effect at once: on this instance with the answer, on others with the notice."""
        return self.gateway.account_cache.read(account_id, lambda: self._read_account(account_id))

    def _read_account(self, account_id):
        found = one_statement(self.db.engine, _ACCOUNT_BY_ID, (str(account_id),), fetch=True)
        if found is None:
            return None
        account = Account(*found)
        return account if isinstance(account.id, uuid.UUID) else account._replace(id=uuid.UUID(str(account.id)))

    @property
    def actor(self):
        return actor_of(self.account) if self.account is not None else None

    def require_account(self):
        if self.account is None:
            raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' (POST /api/v1/auth/token)")
        return self.account

    def require_staff(self, municipality):
        account = self.require_account()
        if account.role not in STAFF_ROLES or account.municipality != municipality:
            raise Forbidden("only the municipality's staff may do this")
        return account

    def require_operator(self):
        account = self.require_account()
        if account.role != "operator":
            raise Forbidden("only an operator may do this")
        return account

    # -- where -----------------------------------------------------------------

    def municipality(self, m):
        found = self.gateway.municipalities.get(m)
        if found is None:
            raise NotFound(f"this deployment does not serve a municipality '{m}'")
        return found

    # -- backends ----------------------------------------------------------------
    # Typed clients (``samskab.contracts.<service>``): ``ctx.proposals.submit(m, actor, …)``.

    @property
    def proposals(self):
        from samskab.contracts.proposals import ProposalsRpc
        return ProposalsRpc(self.call)

    @property
    def meetings(self):
        from samskab.contracts.meetings import MeetingsRpc
        return MeetingsRpc(self.call)

    @property
    def matching(self):
        from samskab.contracts.matching import MatchingRpc
        return MatchingRpc(self.call)

    @property
    def notifications(self):
        from samskab.contracts.notifications import NotificationsRpc
        return NotificationsRpc(self.call)

    def call(self, service, method, *args, **kwargs):
        """A backend's answer: public reads from the read model (``gateway.readmodel``), the rest by RPC."""
        model = getattr(self.gateway, "readmodel", None)
        if model is not None:
            return model.call(self, service, method, args, kwargs, self.rpc)
        return self.rpc(service, method, *args, **kwargs)

    def rpc(self, service, method, *args, **kwargs):
        """RPC to a backend; a silent or absent backend is a 503, not a hang."""
        if asked_in_memory_only():
            raise NotKept  # a page's parts from memory first (web.app.parts): this one needs the call
        proxy = getattr(self.gateway, service)
        try:
            with eventlet.Timeout(self.gateway.rpc_timeout):
                return getattr(proxy, method)(*args, **kwargs)
        except eventlet.Timeout:
            raise BackendUnavailable(service)
        except (UnknownService, UndeliverableMessage):
            raise BackendUnavailable(service)
