"""Signing keys for a deployment, as environment-file lines.

    python scripts/make_secrets.py                 # print SECRET_KEY=… and NOTIFICATIONS_SECRET=…
    python scripts/make_secrets.py --write .env    # add the missing ones to .env (mode 0600)
    python scripts/make_secrets.py --rotate .env   # a new key in front of each; the old ones still verify

docker compose reads ``.env`` beside docker-compose.yml; Kubernetes takes the same
values as Secrets (docs/runbook.md, *Secrets*).  ``--dev`` makes keys that only
``make run`` accepts (scripts/run_local.py writes them to var/secrets.env).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shared"))

from samskab import broker_definitions, secrets  # noqa: E402
from samskab.config import SERVICES  # noqa: E402

NAMES = [name for settings in secrets.SETTINGS.values() for name in settings]
# docker compose's broker passwords: the administrator (it imports the definitions) and a
# user per service.  They go into amqp:// URIs, so hex; --rotate leaves them alone (a
# password is one value, not a list; docs/runbook.md "Broker users" says how to change one).
PASSWORDS = ["RABBITMQ_ADMIN_PASSWORD"] + [broker_definitions.env_name(broker_definitions.service_user(s))
                                          for s in SERVICES]


def read(path):
    values = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                name, sep, value = line.strip().partition("=")
                if sep and not name.startswith("#"):
                    values[name.strip()] = value.strip()
    return values


def write(path, values, rotate=False, development=False):
    """Add a key for each missing name (or, with ``rotate``, a new first key to each), keeping the rest of the file."""
    present = read(path)
    lines = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    changed = []
    for name in values:
        old = present.get(name, "")
        if old and not rotate:
            continue
        new = secrets.generate(development) + ("," + old if old and rotate else "")
        lines = [line for line in lines if line.partition("=")[0].strip() != name] + [f"{name}={new}"]
        changed.append(name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return changed


def write_passwords(path, names):
    """Add a random password for each name missing from the file; returns the names added."""
    import secrets as random

    present = read(path)
    missing = [name for name in names if not present.get(name)]
    if missing:
        with open(path, encoding="utf-8") as fh:
            lines = [line for line in fh.read().splitlines() if line.partition("=")[0].strip() not in missing]
        lines += [f"{name}={random.token_hex(24)}" for name in missing]
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    return missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", metavar="FILE", help="add missing keys to FILE (created with mode 0600)")
    parser.add_argument("--rotate", metavar="FILE", help="put a new key in front of each key in FILE")
    parser.add_argument("--dev", action="store_true", help="development keys (accepted only by make run)")
    args = parser.parse_args(argv)
    path = args.write or args.rotate
    if path:
        changed = write(path, NAMES, rotate=bool(args.rotate), development=args.dev)
        if not args.rotate and not args.dev:
            changed += write_passwords(path, PASSWORDS)
        print(f"{path}: {', '.join(changed) or 'nothing to add'}", file=sys.stderr)
        return 0
    for name in NAMES:
        print(f"{name}={secrets.generate(args.dev)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
