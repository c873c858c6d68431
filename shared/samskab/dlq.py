"""Dead letters: list them, show why they failed, and replay them.

    python -m samskab.dlq list                  # every *.dlq queue with its count
    python -m samskab.dlq show <queue.dlq>      # the messages' ids, types and reasons
    python -m samskab.dlq replay <queue.dlq>    # back to the work queue, retries reset

Uses AMQP_URI (replay as the consuming service's own broker user: the
service trusts a replayed copy only from itself, and still checks who first
published it) and, for listing, the RabbitMQ management API at
RABBITMQ_API_URI (default http://guest:guest@localhost:15672).  A queue's own
service user is taken from ``<SERVICE>_AMQP_URI`` when set; under ``make run``
(no AMQP_URI given) from the passwords it keeps in var/rabbitmq-users.json, in
the platform's vhost ``samskab`` (:func:`uri_for`).
"""
import argparse
import json
import os
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import amqp
import requests

from .amqp_publish import connection_params
from .consumer import ATTEMPT_HEADER, PUBLISHER_HEADER, QUEUE_HEADER, REASON_HEADER


LOCAL_USERS = Path(__file__).resolve().parents[2] / "var" / "rabbitmq-users.json"  # written by make run


def uri_for(queue=None, environ=None, local_users=LOCAL_USERS):
    """The broker URI to use for ``queue`` (or for listing, without one): the
    consuming service's own ``<SERVICE>_AMQP_URI``, else ``AMQP_URI``, else
    ``make run``'s broker (vhost ``samskab``, that service's user and password)."""
    from .broker_definitions import VHOST, service_user

    env = os.environ if environ is None else environ
    parts = (queue or "").split(".")
    service = parts[1] if len(parts) > 2 and parts[0] == "samskab" else None
    if service and env.get(f"{service.upper()}_AMQP_URI"):
        return env[f"{service.upper()}_AMQP_URI"]
    if env.get("AMQP_URI"):
        return env["AMQP_URI"]
    if not Path(local_users).exists():
        return "amqp://guest:guest@localhost:5672/"
    passwords = json.loads(Path(local_users).read_text(encoding="utf-8"))
    user = service_user(service) if service else None
    if user in passwords:
        return f"amqp://{quote(user, safe='')}:{quote(passwords[user], safe='')}@localhost:5672/{VHOST}"
    return f"amqp://guest:guest@localhost:5672/{VHOST}"  # listing goes through the management API


def _vhost(amqp_uri):
    return connection_params(amqp_uri)["virtual_host"]


def list_queues(amqp_uri, api_uri):
    parsed = urlparse(api_uri)
    base = f"{parsed.scheme}://{parsed.hostname}:{parsed.port or 15672}"
    auth = (parsed.username or "guest", parsed.password or "guest")
    r = requests.get(f"{base}/api/queues/{quote(_vhost(amqp_uri), safe='')}", auth=auth, timeout=10)
    r.raise_for_status()
    return sorted(
        ((q["name"], q.get("messages", 0)) for q in r.json() if q["name"].endswith(".dlq")),
        key=lambda item: item[0],
    )


def _connect(amqp_uri):
    conn = amqp.Connection(heartbeat=0, **connection_params(amqp_uri))
    conn.connect()
    return conn


def show(amqp_uri, queue, limit=100):
    """The dead letters of ``queue`` (left in place)."""
    conn = _connect(amqp_uri)
    try:
        ch = conn.channel()
        found = []
        while len(found) < limit:
            msg = ch.basic_get(queue, no_ack=False)
            if msg is None:
                break
            headers = msg.properties.get("application_headers") or {}
            found.append({
                "message_id": msg.properties.get("message_id"),
                "type": msg.properties.get("type"),
                "reason": headers.get(REASON_HEADER),
            })
        return found  # closing the channel unacked puts them all back
    finally:
        conn.close()


def replay(amqp_uri, queue, limit=None):
    """Move dead letters back to their work queue; returns how many."""
    if not queue.endswith(".dlq"):
        raise ValueError(f"{queue} is not a dead-letter queue (names end in .dlq)")
    conn = _connect(amqp_uri)
    moved = 0
    try:
        ch = conn.channel()
        ch.confirm_select()
        while limit is None or moved < limit:
            msg = ch.basic_get(queue, no_ack=False)
            if msg is None:
                break
            headers = dict(msg.properties.get("application_headers") or {})
            target = headers.pop(QUEUE_HEADER, None) or queue[: -len(".dlq")]
            headers.pop(ATTEMPT_HEADER, None)
            headers.pop(REASON_HEADER, None)
            props = {k: v for k, v in msg.properties.items() if k != "application_headers"}
            # The broker takes no user_id but ours; who first published it stays in the header.
            first = headers.get(PUBLISHER_HEADER) or props.get("user_id")
            if first:
                headers[PUBLISHER_HEADER] = first
            props["user_id"] = connection_params(amqp_uri)["userid"]
            copy = amqp.Message(msg.body, application_headers=headers, **props)
            ch.basic_publish_confirm(copy, exchange="", routing_key=target)
            ch.basic_ack(msg.delivery_tag)
            moved += 1
        return moved
    finally:
        conn.close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m samskab.dlq", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["list", "show", "replay"])
    parser.add_argument("queue", nargs="?")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    amqp_uri = uri_for(args.queue)
    api_uri = os.environ.get("RABBITMQ_API_URI", "http://guest:guest@localhost:15672")
    if args.command == "list":
        queues = list_queues(amqp_uri, api_uri)
        if not queues:
            print("no dead-letter queues")
        for name, count in queues:
            print(f"{count:8d}  {name}")
        return 0
    if not args.queue:
        parser.error(f"{args.command} needs a queue name (see 'list')")
    if args.command == "show":
        for item in show(amqp_uri, args.queue, args.limit or 100):
            print(f"{item['message_id']}  {item['type']}  {item['reason']}")
        return 0
    moved = replay(amqp_uri, args.queue, args.limit)
    print(f"replayed {moved} message(s) from {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
