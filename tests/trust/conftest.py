"""Broker users for one test: the definitions' users, made in the test's own vhost
under a prefix of the test's own (user names are global on a broker), with
passwords, and deleted afterwards."""
import uuid
from urllib.parse import quote, urlparse

import pytest

from samskab import broker_definitions as defs

API = "http://guest:guest@localhost:15672"


class People:
    def __init__(self, broker_uri):
        parsed = urlparse(broker_uri)
        self.vhost = parsed.path[1:] or "/"
        self.host, self.port = parsed.hostname, parsed.port or 5672
        self.prefix = f"t{uuid.uuid4().hex[:8]}-"
        self.passwords = {}
        self.scheme = "amqp"

    def _make(self, entries):
        passwords = {u["name"]: uuid.uuid4().hex for u in entries["users"]}
        defs.apply(API, defs.with_passwords(entries, passwords))
        self.passwords.update(passwords)
        return [u["name"] for u in entries["users"]]

    def services(self, *services, municipalities="*", group=None):
        """One user per service (of this group), as in definitions.json."""
        return self._make(defs.merge(*(defs.service_entries(
            s, municipalities, group, vhost=self.vhost, prefix=self.prefix) for s in services)))

    def partner(self, name, municipalities):
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(defs.ROOT) / "scripts"))
        import onboard_partner

        name = f"{self.prefix[:-1]}-{name}"
        user, password = onboard_partner.onboard(name, municipalities, API, vhost=self.vhost)
        self.passwords[user] = password
        return name, user

    def user(self, service, group=None):
        return defs.service_user(service, group, self.prefix)

    def uri(self, user, host=None, port=None, scheme=None):
        return (f"{scheme or self.scheme}://{quote(user, safe='')}:{self.passwords[user]}"
                f"@{host or self.host}:{port or self.port}/{quote(self.vhost, safe='')}")

    def config(self, make_config, service, group=None, **overrides):
        """A service's config connecting as its own user."""
        return make_config(service, AMQP_URI=self.uri(self.user(service, group)),
                           BROKER_USER_PREFIX=self.prefix, **overrides)

    def cleanup(self):
        defs.delete_users(API, list(self.passwords))


@pytest.fixture
def people(broker_uri):
    made = People(broker_uri)
    # the exchanges and policies of the definitions, in the test's vhost
    definitions = defs.in_vhost(defs.load(), made.vhost)
    defs.apply(API, {k: definitions[k] for k in ("exchanges", "queues", "bindings", "policies")})
    yield made
    made.cleanup()
