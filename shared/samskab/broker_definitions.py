"""Who may say what on the broker: the RabbitMQ definitions of the vhost ``samskab``.

``deploy/rabbitmq/definitions.json`` is made by :func:`generate` and is the one
file ``make run``, the tests, compose and Kubernetes import.  It holds:

* one user per service (``samskab-<service>``, serving every municipality),
  allowed everything in the vhost but third parties' ``tp.*`` queues;
* topic permissions on ``samskab.events`` and ``samskab.public``: a user
  publishes only routing keys of the municipalities it serves; reading
  (binding) is open to services;
* the third-party template ``tp-example-press`` and the queue policies.

An instance group for some municipalities gets its own user per service,
``samskab-<service>.<group>``, whose topic permissions allow only those
municipalities' routing keys (:func:`group_entries`; ``python -m
samskab.broker_definitions group``).  A partner gets ``tp-<name>``: its own
``tp.<name>.*`` queues, bound to ``samskab.public`` with routing keys of the
chosen municipalities, and no publishing at all (:func:`partner_entries`,
``scripts/onboard_partner.py``).

Users in the file have no password (``password_hash`` is empty: nobody logs
in with it); :func:`apply` fills in the passwords it is given and leaves out
the users it has none for, so an import never wipes a password set before.

    python -m samskab.broker_definitions write        # regenerate definitions.json
    python -m samskab.broker_definitions check        # is it current?
    python -m samskab.broker_definitions apply        # import, passwords from SAMSKAB_BROKER_PASSWORD_<USER>
    python -m samskab.broker_definitions group NAME MUNICIPALITIES   # an instance group's users
"""
import argparse
import base64
import copy
import hashlib
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from .config import MUNICIPALITY_RE, SERVICES

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "deploy" / "rabbitmq" / "definitions.json"
VHOST = "samskab"
PREFIX = "samskab-"
TEMPLATE_PARTNER = "example-press"
PARTNER_RE = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
ANY_MUNICIPALITY = r"^[a-z][a-z0-9-]{1,62}\."
TOPIC_EXCHANGES = ("samskab.events", "samskab.public")
NOT_THIRD_PARTIES = r"^(?!tp\.).*$"  # every resource but partners' queues


def service_user(service, group=None, prefix=PREFIX):
    return f"{prefix}{service}" + (f".{group}" if group else "")


def partner_user(name):
    return f"tp-{name}"


def keys_of(municipalities):
    """The routing keys (``<municipality>.…``) of these municipalities, as a regex."""
    if municipalities == "*":
        return ANY_MUNICIPALITY
    for m in municipalities:
        if not MUNICIPALITY_RE.match(m):
            raise ValueError(f"{m!r} is not a municipality id")
    return r"^(" + "|".join(sorted(municipalities)) + r")\."  # slugs: nothing to escape


def _user(name, tags=(), limits=None):
    entry = {"name": name, "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256",
             "tags": list(tags)}
    if limits:
        entry["limits"] = limits
    return entry


def service_entries(service, municipalities="*", group=None, vhost=VHOST, prefix=PREFIX):
    """A service's user (of one instance group): it may publish only its municipalities' keys."""
    user = service_user(service, group, prefix)
    write = keys_of(municipalities)
    return {
        "users": [_user(user)],
        "permissions": [{"user": user, "vhost": vhost, "configure": NOT_THIRD_PARTIES,
                         "write": NOT_THIRD_PARTIES, "read": NOT_THIRD_PARTIES}],
        # Reading stays open: an erasure is heard from every municipality.
        "topic_permissions": [{"user": user, "vhost": vhost, "exchange": exchange, "write": write, "read": ".*"}
                              for exchange in TOPIC_EXCHANGES] + rpc_limits(service, user, vhost),
    }


def rpc_limits(service, user, vhost=VHOST):
    """Only the gateway calls services: a backend's user may not send a call to any
    service's RPC exchange (``samskab.rpc.<service>``), nor a ``<service>.<method>`` call
    on nameko's own exchange; it still sends its replies there (their keys are ids)."""
    if service == "gateway":
        return []
    calls = r"^(?!(" + "|".join(SERVICES) + r")\.).*$"
    return ([{"user": user, "vhost": vhost, "exchange": f"samskab.rpc.{s}", "write": "^$", "read": ".*"}
             for s in SERVICES if s != "gateway"]
            + [{"user": user, "vhost": vhost, "exchange": "nameko-rpc", "write": calls, "read": ".*"}])


def group_entries(group, municipalities, services=SERVICES, vhost=VHOST, prefix=PREFIX):
    """The users of an instance group (one per service) serving ``municipalities``."""
    if not re.match(r"^[a-z0-9-]{1,40}$", group):
        raise ValueError(f"group {group!r}: lower-case letters, digits and '-' only")
    return merge(*(service_entries(s, municipalities, group, vhost, prefix) for s in services))


def partner_entries(name, municipalities, vhost=VHOST):
    """A third party: its own ``tp.<name>.*`` queues, bound to ``samskab.public``
    for these municipalities only, read-only (no exchange it may write to)."""
    if not PARTNER_RE.match(name):
        raise ValueError(f"partner {name!r}: lower-case letters, digits and '-', 2 to 41 characters")
    user, own = partner_user(name), rf"^tp\.{name}\.[a-z0-9._-]+$"  # names as PARTNER_RE: nothing to escape
    return {
        "users": [_user(user, limits={"max-connections": 5, "max-channels": 20})],
        "permissions": [{"user": user, "vhost": vhost, "configure": own, "write": own,
                         "read": rf"^(samskab\.public|tp\.{name}\.[a-z0-9._-]+)$"}],
        "topic_permissions": [{"user": user, "vhost": vhost, "exchange": "samskab.public",
                               "write": "^$", "read": keys_of(municipalities)}],
    }


def merge(*parts):
    out = {}
    for part in parts:
        for key, items in part.items():
            out.setdefault(key, []).extend(copy.deepcopy(items))
    return out


def _exchange(name, kind):
    return {"name": name, "vhost": VHOST, "type": kind, "durable": True, "auto_delete": False,
            "internal": False, "arguments": {}}


POLICIES = [
    {
        "vhost": VHOST, "name": "samskab-work-queues",
        "pattern": r"^samskab\.[a-z]+\.[a-z0-9_]+(@[a-z0-9+-]+)?$",
        "apply-to": "queues", "priority": 10,
        "definition": {"delivery-limit": 20, "dead-letter-exchange": "samskab.dead-letters"},
    },
    {
        "vhost": VHOST, "name": "samskab-third-party-queues", "pattern": r"^tp\.",
        "apply-to": "queues", "priority": 5,
        "definition": {"max-length": 100000, "overflow": "drop-head", "expires": 604800000},
    },
]


def generate():
    """The whole definitions file."""
    people = merge(*(service_entries(s) for s in SERVICES), partner_entries(TEMPLATE_PARTNER, "*"))
    # The template partner reads every municipality (the onboarding command narrows it).
    people["topic_permissions"][-1]["read"] = ".*"
    return {
        "rabbitmq_version": "3.13",
        "vhosts": [{"name": VHOST, "description": "Samskab event backbone", "tags": [],
                    "metadata": {"description": "Samskab event backbone", "tags": []}}],
        **people,
        "exchanges": [_exchange("samskab.events", "topic"), _exchange("samskab.public", "topic"),
                      _exchange("samskab.dead-letters", "fanout")],
        "queues": [{"name": "samskab.dead-letters", "vhost": VHOST, "durable": True, "auto_delete": False,
                    "arguments": {"x-queue-type": "quorum"}}],
        "bindings": [{"source": "samskab.dead-letters", "vhost": VHOST, "destination": "samskab.dead-letters",
                      "destination_type": "queue", "routing_key": "", "arguments": {}}],
        "policies": copy.deepcopy(POLICIES),
    }


def render(definitions):
    return json.dumps(definitions, indent=2, ensure_ascii=False) + "\n"


def load(path=FILE):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def in_vhost(definitions, vhost):
    """The same definitions for another vhost (the tests' own)."""
    out = copy.deepcopy(definitions)
    for key in ("permissions", "topic_permissions", "exchanges", "queues", "bindings", "policies"):
        for item in out.get(key, []):
            item["vhost"] = vhost
    out["vhosts"] = [dict(v, name=vhost) for v in out.get("vhosts", [])]
    return out


def password_hash(password):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def with_passwords(definitions, passwords):
    """Only the users with a password, their hashes filled in; permissions of
    the others are left out too (importing them would fail or wipe a password)."""
    out = copy.deepcopy(definitions)
    out["users"] = [dict(u, password_hash=password_hash(passwords[u["name"]]))
                    for u in out.get("users", []) if passwords.get(u["name"])]
    named = {u["name"] for u in out["users"]}
    for key in ("permissions", "topic_permissions"):
        out[key] = [p for p in out.get(key, []) if p["user"] in named]
    return out


def management(api_uri):
    """``(base URL, (user, password))`` of a management API URI."""
    parsed = urlparse(api_uri)
    base = f"{parsed.scheme}://{parsed.hostname}:{parsed.port or 15672}"
    # RABBITMQ_API_USER/RABBITMQ_API_PASSWORD: an operator's generated password need not fit in a URL.
    user = os.environ.get("RABBITMQ_API_USER") or unquote(parsed.username or "guest")
    password = os.environ.get("RABBITMQ_API_PASSWORD") or unquote(parsed.password or "guest")
    return base, (user, password)


def apply(api_uri, definitions, timeout=30):
    """Import through the management API (additive: nothing else is removed)."""
    import requests

    base, auth = management(api_uri)
    r = requests.post(f"{base}/api/definitions", json=definitions, auth=auth, timeout=timeout)
    if r.status_code not in (200, 201, 204):
        raise RuntimeError(f"RabbitMQ refused the definitions ({r.status_code}): {r.text[:300]}")


def delete_users(api_uri, names, timeout=10):
    import requests

    base, auth = management(api_uri)
    for name in names:
        requests.delete(f"{base}/api/users/{quote(name, safe='')}", auth=auth, timeout=timeout)


def summary(definitions):
    """One line per user: what it may publish and read."""
    topics = {}
    for t in definitions.get("topic_permissions", []):
        topics.setdefault(t["user"], []).append(f"{t['exchange']} write {t['write']} read {t['read']}")
    return [f"{u['name']}: " + "; ".join(topics.get(u["name"], ["no topic limits"]))
            for u in definitions.get("users", [])]


def env_name(user):
    return "SAMSKAB_BROKER_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", user.upper())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m samskab.broker_definitions",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("write")
    sub.add_parser("check")
    ap = sub.add_parser("apply", help="import; each user's password from SAMSKAB_BROKER_PASSWORD_<USER>")
    ap.add_argument("--file", default=str(FILE))
    gp = sub.add_parser("group", help="print (or --apply) an instance group's users")
    gp.add_argument("name")
    gp.add_argument("municipalities", help="comma-separated, e.g. aalborg,hjorring")
    gp.add_argument("--apply", action="store_true")
    args = parser.parse_args(argv)
    api = os.environ.get("RABBITMQ_API_URI", "http://guest:guest@localhost:15672")
    if args.command == "write":
        FILE.write_text(render(generate()), encoding="utf-8")
        print(f"wrote {FILE.relative_to(ROOT)}")
        return 0
    if args.command == "check":
        if FILE.read_text(encoding="utf-8") != render(generate()):
            print(f"{FILE.relative_to(ROOT)} is out of date: run python -m samskab.broker_definitions write")
            return 1
        return 0
    if args.command == "group":
        entries = group_entries(args.name, [m.strip() for m in args.municipalities.split(",") if m.strip()])
    else:
        entries = load(args.file)
    passwords = {u["name"]: os.environ.get(env_name(u["name"]), "") for u in entries["users"]}
    if args.command == "group" and not args.apply:
        print(render(entries), end="")
        return 0
    missing = [f"{name} ({env_name(name)})" for name, pw in passwords.items() if not pw]
    apply(api, {k: v for k, v in with_passwords(entries, passwords).items()})
    for line in summary(with_passwords(entries, passwords)):
        print(f"applied {line}")
    for name in missing:
        print(f"left out (no password given): {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
