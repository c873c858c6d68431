"""Onboard a third party: its broker user, permissions and connection details, in one command.

    make partner NAME=nordjyske MUNICIPALITIES=aalborg,hjorring
    python scripts/onboard_partner.py nordjyske aalborg,hjorring [--host broker.example.org]

The partner ``tp-<name>`` may declare queues named ``tp.<name>.…``, bind them to
``samskab.public`` with routing keys of the chosen municipalities only
(``aalborg.#``, ``aalborg.meeting.*``), read them, and publish nothing.  A new
password is generated each time (running it again for the same partner rotates
it, and the municipalities become the new list).  Uses the management API at
RABBITMQ_API_URI (default http://guest:guest@localhost:15672).
"""
import argparse
import os
import secrets
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))

from samskab import broker_definitions as defs  # noqa: E402


def onboard(name, municipalities, api_uri, vhost=defs.VHOST, password=None):
    """Create (or update) the partner; returns ``(user, password)``."""
    password = password or secrets.token_urlsafe(24)
    entries = defs.partner_entries(name, municipalities, vhost=vhost)
    user = defs.partner_user(name)
    defs.apply(api_uri, defs.with_passwords(entries, {user: password}))
    return user, password


def details(name, municipalities, user, password, host, port=5671, vhost=defs.VHOST):
    patterns = ["#"] if municipalities == "*" else [f"{m}.#" for m in municipalities]
    from urllib.parse import quote

    return "\n".join([
        f"partner {name}: connection details (send the password by a separate channel)",
        f"  url:       amqps://{user}:{quote(password, safe='')}@{host}:{port}/{quote(vhost, safe='')}",
        f"  user:      {user}",
        f"  password:  {password}",
        f"  vhost:     {vhost}",
        f"  exchange:  samskab.public (topic, durable; read-only for you)",
        f"  queues:    declare your own, named tp.{name}.<anything> (e.g. tp.{name}.main, durable)",
        f"  bindings:  {', '.join(patterns)}  (narrower patterns such as {patterns[0].replace('#', 'meeting.*')} work too)",
        "  messages:  CloudEvents 1.0, structured JSON; see docs/asyncapi.yaml",
        "  TLS:       the server's certificate is signed by the deployment's CA; verify it",
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the partner's short name, e.g. nordjyske")
    parser.add_argument("municipalities", help="comma-separated municipality ids, or * for all")
    parser.add_argument("--host", default=os.environ.get("PARTNER_AMQP_HOST", "localhost"),
                        help="the host partners connect to (the Service samskab-rabbitmq-partners)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PARTNER_AMQP_PORT", "5671")))
    parser.add_argument("--vhost", default=defs.VHOST)
    args = parser.parse_args(argv)
    scope = "*" if args.municipalities.strip() == "*" else sorted(
        {m.strip() for m in args.municipalities.split(",") if m.strip()})
    if not scope:
        parser.error("name at least one municipality (or *)")
    api = os.environ.get("RABBITMQ_API_URI", "http://guest:guest@localhost:15672")
    try:
        user, password = onboard(args.name, scope, api, vhost=args.vhost)
    except (ValueError, RuntimeError) as exc:
        print(f"onboard_partner: {exc}", file=sys.stderr)
        return 1
    print(details(args.name, scope, user, password, args.host, args.port, args.vhost))
    return 0


if __name__ == "__main__":
    sys.exit(main())
