"""Configuration from environment variables, with defaults that work locally.

The result is a plain dict, which is what nameko hands every extension as
``container.config``; tests build the same dict directly.  The README's
configuration table lists every variable read here.
"""
import os
import re
from urllib.parse import urlsplit, urlunsplit

from . import secrets

# A received event larger than this is dead-lettered.  1 MiB holds a meeting update naming
# 25,000 people (registrants and waitlist, 39 bytes an id); a meeting has at most 20,000 seats.
MAX_EVENT_BYTES = 1024 * 1024

SERVICES = ("gateway", "proposals", "matching", "meetings", "notifications")

DEFAULT_PORTS = {
    "gateway": 8000,
    "proposals": 9101,
    "matching": 9102,
    "meetings": 9103,
    "notifications": 9104,
}

MUNICIPALITY_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _log_format(env):
    value = env.get("LOG_FORMAT", "text")
    if value not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT must be 'text' or 'json', not {value!r}")
    return value


def parse_municipalities(value):
    """``*`` (every municipality) or a comma-separated list of slugs.

    Returns ``"*"`` or a sorted tuple, so equal lists name the same queues.
    """
    value = (value or "*").strip()
    if value == "*":
        return "*"
    slugs = sorted({part.strip() for part in value.split(",") if part.strip()})
    if not slugs:
        raise ConfigError("MUNICIPALITIES is empty; use '*' or a list such as 'aalborg,hjorring'")
    for slug in slugs:
        if not MUNICIPALITY_RE.match(slug):
            raise ConfigError(f"MUNICIPALITIES: {slug!r} is not a municipality id (^[a-z][a-z0-9-]{{1,62}}$)")
    return tuple(slugs)


def _ints(name, value):
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"{name} must be a comma-separated list of integers, got {value!r}")


def with_database(url, name):
    """The same server's URL with another database (keeps ``?host=/socket/dir``)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_url(service, environ=None):
    """The service's own database.

    ``<SERVICE>_DATABASE_URL`` names it outright; otherwise the database
    ``samskab_<service>`` on the server at ``POSTGRES_URL``.
    """
    env = os.environ if environ is None else environ
    own = env.get(f"{service.upper()}_DATABASE_URL")
    if own:
        return own
    server = env.get("POSTGRES_URL")
    if server:
        return with_database(server, f"samskab_{service}")
    if not server:
        raise ConfigError(
            f"no database for {service}: set {service.upper()}_DATABASE_URL or POSTGRES_URL "
            "(make run starts an embedded PostgreSQL and sets POSTGRES_URL for you)"
        )


def _count(env, name, default):
    """A whole number of at least 1 (workers, events per transaction), refused by name otherwise."""
    try:
        count = int(env.get(name, default))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {env.get(name)!r}") from None
    if count < 1:
        raise ConfigError(f"{name} must be at least 1, got {count}")
    return count


def _group(value):
    value = value.strip()
    if value and not MUNICIPALITY_RE.match(value):
        raise ConfigError(f"INSTANCE_GROUP {value!r} is not a name like 'north' (lower-case letters, digits, -)")
    return value or None


def amqp_ssl(uri, environ=None):
    """TLS options for an ``amqps://`` URI (kombu and py-amqp take them as ``ssl``):
    the server's certificate is verified against ``AMQP_CA_FILE`` (else the
    system's CAs) and must name the host; ``AMQP_CERT_FILE``/``AMQP_KEY_FILE``
    add a client certificate (X.509 login)."""
    import ssl

    env = os.environ if environ is None else environ
    options = {"cert_reqs": ssl.CERT_REQUIRED, "server_hostname": urlsplit(uri).hostname or "localhost"}
    if env.get("AMQP_CA_FILE"):
        options["ca_certs"] = env["AMQP_CA_FILE"]
    if env.get("AMQP_CERT_FILE"):
        options["certfile"] = env["AMQP_CERT_FILE"]
        options["keyfile"] = env.get("AMQP_KEY_FILE") or None
    return options


def load(service, environ=None, extra=None):
    """The nameko config dict of one service.

    ``extra`` maps the service's own variable names to their defaults
    (e.g. ``{"SMTP_HOST": "localhost"}``); they are read from the
    environment and stored under the same names.
    """
    env = os.environ if environ is None else environ
    if service not in SERVICES:
        raise ConfigError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    port_var = "HTTP_PORT" if service == "gateway" else f"{service.upper()}_METRICS_PORT"
    config = {
        "SERVICE": service,
        "AMQP_URI": env.get("AMQP_URI", "amqp://guest:guest@localhost:5672/"),
        "MUNICIPALITIES": parse_municipalities(env.get("MUNICIPALITIES", "*")),
        "DATABASE_URL": database_url(service, env),
        "METRICS_PORT": int(env.get(port_var, DEFAULT_PORTS[service])),
        "RETRY_DELAYS_MS": _ints("RETRY_DELAYS_MS", env.get("RETRY_DELAYS_MS", "1000,5000,30000")),
        "QUEUE_TYPE": env.get("QUEUE_TYPE", "classic"),
        "MAX_EVENT_BYTES": int(env.get("MAX_EVENT_BYTES", str(MAX_EVENT_BYTES))),
        "EVENT_BATCH": _count(env, "EVENT_BATCH", "10"),
        "OUTBOX_POLL_SECONDS": float(env.get("OUTBOX_POLL_SECONDS", "0.5")),
        "OUTBOX_BATCH": int(env.get("OUTBOX_BATCH", "500")),
        "OUTBOX_RETENTION_HOURS": float(env.get("OUTBOX_RETENTION_HOURS", "168")),
        # A gateway worker mostly waits on an RPC reply: it gets many more than a backend.
        "max_workers": _count(env, "GATEWAY_MAX_WORKERS", "100") if service == "gateway"
        else _count(env, "MAX_WORKERS", "10"),
        "MIGRATE_ON_START": env.get("MIGRATE_ON_START", "1") not in ("0", "false", "no"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "LOG_FORMAT": _log_format(env),
        "MUNICIPALITY_CATALOG": env.get("MUNICIPALITY_CATALOG", ""),
        # The instance group that answers RPC calls naming no municipality (samskab.rpc).
        "HOME_GROUP": env.get("HOME_GROUP", "1") not in ("0", "false", "no"),
        # Names the group's event queues (samskab.consumer.queue_name): adding a municipality then only binds.
        "INSTANCE_GROUP": _group(env.get("INSTANCE_GROUP", "")),
        # Trust on the broker (docs/runbook.md, "Broker users"): a service's own user, TLS, heartbeats.
        "BROKER_USER_PREFIX": env.get("BROKER_USER_PREFIX", "samskab-"),
        "HEARTBEAT": _count(env, "AMQP_HEARTBEAT", "60"),
    }
    own_uri = env.get(f"{service.upper()}_AMQP_URI")  # make run gives each service its own user
    if own_uri:
        config["AMQP_URI"] = own_uri
    if config["AMQP_URI"].startswith("amqps://"):
        config["AMQP_SSL"] = amqp_ssl(config["AMQP_URI"], env)
    if service == "gateway":
        config["WEB_SERVER_ADDRESS"] = f"{env.get('HTTP_HOST', '0.0.0.0')}:{config['METRICS_PORT']}"
    for name, default in (extra or {}).items():
        config[name] = env.get(name, default)
    for name in secrets.SETTINGS.get(service, ()):
        config[name] = env.get(name, "")  # keys come from the environment only, never a default in code
    return config


def check_secrets(service, config, environ=None):
    """Refuse to start without the service's signing keys, or with a published or a
    development key outside ``make run``; the message names the variable."""
    env = os.environ if environ is None else environ
    for name in secrets.SETTINGS.get(service, ()):
        try:
            secrets.check(name, config.get(name, ""), development=env.get(secrets.DEV_FLAG) == "1")
        except secrets.SecretError as exc:
            raise ConfigError(str(exc)) from None
