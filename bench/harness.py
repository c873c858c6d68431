"""The whole platform as separate processes, for the benchmark and the fault drills.

    platform = Platform(amqp_uri, postgres_url, name="bench")
    platform.prepare()          # fresh databases, migrated
    platform.start_all()        # one process per service (python -m samskab.run <service>)
    api = Api(platform.base_url)
    ...
    platform.stop_all(); platform.drop()

Each service whose ``services/<name>/service.py`` exists takes part; the rest
are left out, so the harness grows with the platform.  Everything a run
leaves behind (logs, the mail sink's files) is under one temporary folder.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

SERVICES = ("proposals", "matching", "meetings", "notifications", "gateway")
PASSWORD = "bench-password-2026"
SECRET_KEY = "bench-secret-key"


def has_service(name):
    return os.path.exists(os.path.join(ROOT, "services", name, "service.py"))


def present_services():
    return [s for s in SERVICES if has_service(s)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port, host="127.0.0.1", timeout=0.3):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(check, timeout=30.0, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = check()
        except Exception as exc:  # a check may fail while things come up
            last = None
            err = exc
        if last:
            return last
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def driver_engine(url):
    import sqlalchemy as sa

    from samskab.db import driver_url

    return sa.create_engine(driver_url(url), pool_size=2, max_overflow=2, pool_pre_ping=True)


# -- CPU by process --------------------------------------------------------------------------

def _ticks(pid):
    """User + system CPU time of a process so far, in clock ticks (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def _pids_named(comm):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as fh:
                    if fh.read().strip() == comm:
                        found.append(int(entry))
            except OSError:
                pass
    return found


class CpuMeter:
    """CPU used between ``start()`` and ``stop()`` by the platform's processes, the
    broker, PostgreSQL (every server process on the machine) and the load generator,
    in percent of one core; ``machine`` is the whole machine's busy share (all cores),
    so that other work on a shared machine shows."""

    def __init__(self, platform):
        self.platform = platform

    def _processes(self):
        named = {f"{service}" + (f".{instance}" if instance else ""): [proc.pid]
                 for (service, instance), proc in self.platform.procs.items() if proc.poll() is None}
        if self.platform.sink is not None:
            named["mail sink"] = [self.platform.sink.pid]
        named["load generator (bench)"] = [os.getpid()]
        named["RabbitMQ"] = _pids_named("beam.smp")
        named["PostgreSQL (all)"] = _pids_named("postgres")
        return named

    @staticmethod
    def _machine():
        with open("/proc/stat") as fh:
            values = [int(x) for x in fh.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    def start(self):
        self.t0 = time.time()
        self.before = {name: {pid: _ticks(pid) or 0 for pid in pids} for name, pids in self._processes().items()}
        self.machine0 = self._machine()
        return self

    def stop(self):
        seconds = max(1e-6, time.time() - self.t0)
        hz = os.sysconf("SC_CLK_TCK")
        used = {}
        for name, pids in self._processes().items():
            ticks = 0
            for pid in pids:
                now = _ticks(pid)
                if now is not None:
                    ticks += now - self.before.get(name, {}).get(pid, 0)
            used[name] = round(100 * ticks / hz / seconds)
        busy1, total1 = self._machine()
        busy0, total0 = self.machine0
        used["machine (all cores, % of one)"] = round(100 * (os.cpu_count() or 1) * (busy1 - busy0) / max(1, total1 - total0))
        return used


# -- the broker's management API ---------------------------------------------------------

class Vhost:
    """A throwaway vhost on a broker, made and dropped through the management API."""

    def __init__(self, api="http://localhost:15672", amqp_host="localhost", amqp_port=5672, prefix="samskab-bench"):
        import requests

        self.api, self.name = api, f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.auth = ("guest", "guest")
        requests.put(f"{api}/api/vhosts/{self.name}", auth=self.auth, timeout=10).raise_for_status()
        requests.put(f"{api}/api/permissions/{self.name}/guest", auth=self.auth, timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        self.uri = f"amqp://guest:guest@{amqp_host}:{amqp_port}/{self.name}"

    def queues(self):
        import requests
        from urllib.parse import quote

        r = requests.get(f"{self.api}/api/queues/{quote(self.name, safe='')}", auth=self.auth, timeout=10)
        r.raise_for_status()
        return {q["name"]: q for q in r.json()}

    def drop(self):
        import requests

        try:
            requests.delete(f"{self.api}/api/vhosts/{self.name}", auth=self.auth, timeout=10)
        except Exception:
            pass


# -- the platform ---------------------------------------------------------------------------

class Platform:
    def __init__(self, amqp_uri, postgres_url, *, name="bench", services=None, env=None, workdir=None,
                 municipalities="*"):
        import tempfile

        from samskab.config import with_database

        self.amqp_uri, self.postgres_url = amqp_uri, postgres_url
        self.services = list(services or present_services())
        self.run_id = f"{name}_{uuid.uuid4().hex[:6]}"
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"samskab-{name}-")
        self.log_dir = os.path.join(self.workdir, "log")
        os.makedirs(self.log_dir, exist_ok=True)
        self.db_urls = {s: with_database(postgres_url, f"samskab_{self.run_id}_{s}") for s in self.services}
        self.ports = {s: free_port() for s in self.services}
        self.smtp_port = free_port()
        self.extra_env = dict(env or {})
        self.municipalities = municipalities
        self.procs = {}   # (service, instance) -> Popen
        self.instance_ports = {}  # (service, instance > 0) -> its metrics port
        self.sink = None
        self._engines = {}

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def api_url(self):
        return self.base_url + "/api/v1"

    def env_for(self, service, instance=0):
        env = dict(os.environ)
        env.update({
            "AMQP_URI": self.amqp_uri,
            "MIGRATE_ON_START": "0",
            "MUNICIPALITIES": self.municipalities,
            "PYTHONPATH": os.pathsep.join([os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]),
            "PYTHONWARNINGS": "ignore",
            "SECRET_KEY": SECRET_KEY,
            "NOTIFICATIONS_SECRET": "bench-notifications-secret-key",  # none is built in (samskab.secrets)
            "TOKEN_TTL_SECONDS": "3600",
            "HTTP_HOST": "127.0.0.1",
            "OUTBOX_POLL_SECONDS": "0.1",
            "RETRY_DELAYS_MS": "200,1000,3000",
            "LOG_LEVEL": "INFO",
            "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
            "NOTIFICATIONS_SMTP_PORT": str(self.smtp_port),
            "NOTIFICATIONS_POLL_SECONDS": "0.2",
            "NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS": "0.5",
            "NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS": "30",
            "NOTIFICATIONS_WEBHOOK_DISABLE_AFTER": "1000",
            "PUBLIC_URL": self.base_url,
        })
        for s in SERVICES:
            env.pop(f"{s.upper()}_DATABASE_URL", None)
        env.pop("POSTGRES_URL", None)
        env[f"{service.upper()}_DATABASE_URL"] = self.db_urls[service]
        port = self.ports[service] if instance == 0 else self.instance_ports.setdefault((service, instance), free_port())
        env["HTTP_PORT" if service == "gateway" else f"{service.upper()}_METRICS_PORT"] = str(port)
        env.update(self.extra_env)
        return env

    # -- databases -------------------------------------------------------------------

    def prepare(self):
        from samskab import migrate

        for service in self.services:
            migrate.upgrade(service, self.db_urls[service])
        self._staff_ready = False

    def engine(self, service):
        if service not in self._engines:
            self._engines[service] = driver_engine(self.db_urls[service])
        return self._engines[service]

    def scalar(self, service, sql, **params):
        import sqlalchemy as sa

        with self.engine(service).connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, service, sql, **params):
        import sqlalchemy as sa

        with self.engine(service).connect() as conn:
            return conn.execute(sa.text(sql), params).all()

    def dispose(self):
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def drop(self):
        import sqlalchemy as sa

        from samskab.config import with_database

        self.dispose()
        admin = driver_engine(with_database(self.postgres_url, "postgres"))
        admin = admin.execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for url in self.db_urls.values():
                name = url.rsplit("/", 1)[1].split("?")[0]
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    # -- processes ---------------------------------------------------------------------

    def start_sink(self):
        if not has_service("notifications"):
            return
        env = self.env_for("notifications")
        log = open(os.path.join(self.log_dir, "mailsink.log"), "ab")
        self.sink = subprocess.Popen(
            [sys.executable, "-m", "notifications.mailsink", "--port", str(self.smtp_port),
             "--dir", os.path.join(self.workdir, "mail")], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def start(self, service, instance=0, env=None):
        key = (service, instance)
        e = self.env_for(service, instance)
        e.update(env or {})
        log = open(os.path.join(self.log_dir, f"{service}.{instance}.log"), "ab")
        self.procs[key] = subprocess.Popen([sys.executable, "-m", "samskab.run", service], env=e, cwd=ROOT,
                                           stdout=log, stderr=subprocess.STDOUT)
        return self.procs[key]

    def start_all(self, timeout=90):
        self.start_sink()
        for service in self.services:
            self.start(service)
        self.wait_ready(timeout)

    def health_ok(self, service):
        import requests

        port = self.ports[service]
        r = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=3)
        return r.status_code == 200

    def wait_ready(self, timeout=90):
        import requests

        def ready():
            for key, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{key[0]} exited with {proc.returncode}; see {self.log_path(key[0], key[1])}")
            try:
                return requests.get(f"{self.base_url}/readyz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        deadline = time.time() + timeout
        while time.time() < deadline:
            if ready():
                return True
            time.sleep(0.3)
        raise TimeoutError(f"the platform was not ready within {timeout}s (logs in {self.log_dir})")

    def port_of(self, service, instance=0):
        return self.ports[service] if instance == 0 else self.instance_ports[(service, instance)]

    def unhealthy(self):
        """Processes that exited, or whose service no longer answers /healthz (a dead container
        in a live process), as ``service.instance`` names."""
        import requests

        bad = []
        for (service, instance), proc in sorted(self.procs.items()):
            if proc.poll() is not None:
                bad.append(f"{service}.{instance} (exited {proc.returncode})")
                continue
            ok = False
            for attempt in range(3):  # as a liveness probe's failureThreshold: one slow answer is not death
                try:
                    ok = requests.get(f"http://127.0.0.1:{self.port_of(service, instance)}/healthz", timeout=3).ok
                except requests.RequestException:
                    ok = False
                if ok or proc.poll() is not None:
                    break
                time.sleep(1)
            if not ok:
                bad.append(f"{service}.{instance} (not answering /healthz)")
        return bad

    def log_path(self, service, instance=0):
        return os.path.join(self.log_dir, f"{service}.{instance}.log")

    def logs(self):
        text = {}
        for name in sorted(os.listdir(self.log_dir)):
            with open(os.path.join(self.log_dir, name), "rb") as fh:
                text[name] = fh.read().decode("utf-8", "replace")
        return text

    def signal(self, service, sig=signal.SIGKILL, instance=0):
        proc = self.procs.get((service, instance))
        if proc is not None and proc.poll() is None:
            proc.send_signal(sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                proc.wait(30)
        return proc

    def stop(self, service, instance=0):
        proc = self.procs.pop((service, instance), None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self, grace=20):
        for key, proc in list(self.procs.items()):
            if proc.poll() is None:
                proc.terminate()
        for key, proc in list(self.procs.items()):
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        if self.sink is not None and self.sink.poll() is None:
            self.sink.terminate()
            self.sink.wait(10)
        self.sink = None

    # -- arranging data the API cannot make by itself ------------------------------------

    def add_staff(self, municipality, role="employee", email=None, display_name="Bench Staff"):
        """Staff and operators are granted by an operator; the first one is put straight in the table."""
        import sqlalchemy as sa

        email = email or f"{role}-{uuid.uuid4().hex[:8]}@{municipality}.bench.example"
        with self.engine("gateway").begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO accounts (id, email, password_hash, display_name, municipality, role, language, "
                "email_confirmed_at) VALUES (:id, :email, :hash, :name, :m, :role, 'da', now())"),
                {"id": uuid.uuid4(), "email": email, "hash": password_hash(), "name": display_name,
                 "m": municipality, "role": role})
        return email


_HASH = None


def password_hash():
    global _HASH
    if _HASH is None:
        from argon2 import PasswordHasher

        _HASH = PasswordHasher().hash(PASSWORD)
    return _HASH


# -- a plain HTTP client of the public API -------------------------------------------------------

class Api:
    def __init__(self, api_url, session=None):
        import requests

        self.url = api_url.rstrip("/")
        self.http = session or requests.Session()

    def call(self, method, path, token=None, expect=None, **kwargs):
        headers = kwargs.pop("headers", {}) or {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 30)
        r = self.http.request(method, self.url + path, headers=headers, **kwargs)
        if expect is not None and r.status_code not in ((expect,) if isinstance(expect, int) else expect):
            raise ApiError(method, path, r)
        return r

    def token(self, email, password=PASSWORD):
        r = self.call("POST", "/auth/token", json={"email": email, "password": password}, expect=200)
        return r.json()["access_token"]

    def register(self, municipality, email=None, display_name="Bench Person", role="resident", sign_in=True,
                 confirm=True):
        """Register through the API; the token comes from ``POST /auth/token``, or, with
        ``sign_in=False``, is issued here with the platform's key (saves an argon2 check)."""
        email = email or f"p-{uuid.uuid4().hex[:12]}@bench.example"
        r = self.call("POST", "/auth/register", expect=201, json={
            "email": email, "password": PASSWORD, "display_name": display_name, "municipality": municipality,
            "role": role})
        pid = r.json()["id"]
        if confirm:  # what following the link in the confirmation e-mail does
            self.call("POST", "/auth/confirm", expect=200, json={"token": confirm_token(pid, email)})
        return pid, email, self.token(email) if sign_in else issue_token(pid)


def issue_token(account_id, version=0, ttl=3600, secret=SECRET_KEY, now=None):
    """A token as the gateway issues it (the harness configures the gateway's key)."""
    from gateway.accounts import tokens

    return tokens.issue(secret, account_id, version, ttl, now=now)


def confirm_token(account_id, email, secret=SECRET_KEY):
    """The token of the link in the confirmation e-mail."""
    import hashlib

    from gateway.accounts import tokens

    return tokens.issue(secret, account_id, 0, 3600, use="confirm",
                        em=hashlib.sha256(email.lower().encode()).hexdigest()[:16])


class ApiError(RuntimeError):
    def __init__(self, method, path, response):
        self.status = response.status_code
        super().__init__(f"{method} {path} → {response.status_code}: {response.text[:300]}")


# -- a plain third-party subscriber, collecting in a thread -------------------------------------

class PublicListener:
    """A pika consumer on its own queue bound to ``samskab.public``; records
    (arrival time, routing key, envelope) of every message, counting duplicates.

    ``durable=True`` keeps the queue across a broker restart (the listener
    reconnects on its own)."""

    def __init__(self, amqp_uri, pattern="#", durable=False):
        import threading

        self.amqp_uri, self.pattern, self.durable = amqp_uri, pattern, durable
        self.queue_name = f"bench.listener.{uuid.uuid4().hex[:8]}" if durable else ""
        self.received = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self.ready.wait(20):
            raise TimeoutError("the public listener could not connect")

    def _run(self):
        import pika

        while not self.stopping.is_set():
            try:
                conn = pika.BlockingConnection(pika.URLParameters(self.amqp_uri))
                ch = conn.channel()
                ch.exchange_declare("samskab.public", "topic", durable=True)
                if self.durable:
                    q = ch.queue_declare(self.queue_name, durable=True).method.queue
                else:
                    q = ch.queue_declare("", exclusive=True).method.queue
                ch.queue_bind(q, "samskab.public", routing_key=self.pattern)
                ch.basic_qos(prefetch_count=500)
                self.ready.set()
                for method, props, body in ch.consume(q, inactivity_timeout=0.2):
                    if self.stopping.is_set():
                        break
                    if method is None:
                        continue
                    now = time.time()
                    try:
                        envelope = json.loads(body)
                    except ValueError:
                        envelope = {"unparsable": body[:200].decode("utf-8", "replace")}
                    with self.lock:
                        self.received.append((now, method.routing_key, envelope, body))
                    ch.basic_ack(method.delivery_tag)
                try:
                    if self.durable and self.stopping.is_set():
                        ch.queue_delete(q)
                    conn.close()
                except Exception:
                    pass
            except Exception:
                time.sleep(0.5)  # broker away: try again

    def snapshot(self):
        with self.lock:
            return list(self.received)

    def by_type(self, type_name):
        return [r for r in self.snapshot() if r[2].get("type") == type_name]

    def close(self):
        self.stopping.set()
        self.thread.join(5)
