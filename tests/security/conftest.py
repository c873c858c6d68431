"""The whole platform in one test: every service present, a gateway on a free
port, people in two municipalities in every role, and a third party's pika
queue on ``samskab.public``."""
import hashlib
import uuid
from dataclasses import dataclass, field

import pytest
import requests
import sqlalchemy as sa
from argon2 import PasswordHasher

from samskab.testing import Subscriber, http_port, unit_of_work

SERVICES = {}
for _name in ("proposals", "matching", "meetings", "notifications", "gateway"):
    try:
        SERVICES[_name] = __import__(f"{_name}.service", fromlist=["Service"]).Service
    except ImportError:
        pass

PASSWORD = "a long password 123"
SECRET = "test-secret"  # make_config's gateway SECRET_KEY


@dataclass
class Person:
    key: str
    id: str
    email: str
    name: str
    municipality: str
    role: str
    token: str = ""

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Platform:
    base: str
    configs: dict
    containers: dict
    public: Subscriber
    people: dict = field(default_factory=dict)

    @property
    def api(self):
        return self.base + "/api/v1"

    def db(self, service):
        return unit_of_work(self.configs[service]["DATABASE_URL"])

    def scalar(self, service, sql, **params):
        with self.db(service) as uow:
            return uow.execute(sa.text(sql), params).scalar()

    def token(self, email, password=PASSWORD):
        r = requests.post(f"{self.api}/auth/token", json={"email": email, "password": password}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def add(self, key, municipality, role, name=None, email=None):
        """A person: residents register through the API and confirm; staff and operators
        are put in the accounts table as an operator would have granted them."""
        name = name or f"{key.title()} Testesen"
        email = email or f"{key}.{uuid.uuid4().hex[:6]}@example.org"
        if role in ("resident", "business", "association"):
            r = requests.post(f"{self.api}/auth/register", json={
                "email": email, "password": PASSWORD, "display_name": name, "municipality": municipality,
                "role": role}, timeout=10)
            assert r.status_code == 201, r.text
            pid = r.json()["id"]
            with self.db("gateway") as uow:  # as if the e-mail link was followed
                uow.execute(sa.text("UPDATE accounts SET email_confirmed_at = now() WHERE id = :i"), {"i": pid})
        else:
            pid = str(uuid.uuid4())
            with self.db("gateway") as uow:
                uow.execute(sa.text(
                    "INSERT INTO accounts (id, email, password_hash, display_name, municipality, role, language, "
                    "email_confirmed_at) VALUES (:id, :email, :hash, :name, :m, :role, 'da', now())"),
                    {"id": pid, "email": email, "hash": _hash(), "name": name, "m": municipality, "role": role})
        person = Person(key, pid, email, name, municipality, role)
        person.token = self.token(email)
        self.people[key] = person
        return person


_HASH = []


def _hash():
    if not _HASH:
        _HASH.append(PasswordHasher().hash(PASSWORD))
    return _HASH[0]


def confirm_token(person):
    from gateway.accounts import tokens

    return tokens.issue(SECRET, person.id, 0, 3600, use="confirm",
                        em=hashlib.sha256(person.email.encode()).hexdigest()[:16])


@pytest.fixture
def platform(make_config, runner_factory, broker_uri):
    configs = {}
    for name in SERVICES:
        extra = {}
        if name == "notifications":
            extra = {"NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "NOTIFICATIONS_POLL_SECONDS": "0.1",
                     "NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS": "0.1", "NOTIFICATIONS_SMTP_PORT": "1"}
        configs[name] = make_config(name, **extra)
    containers = {}
    for name, cls in SERVICES.items():
        runner = runner_factory(configs[name], cls)
        runner.start()
        containers[name] = runner.service_map[name]
    public = Subscriber(broker_uri, "#")
    p = Platform(f"http://127.0.0.1:{http_port(containers['gateway'])}", configs, containers, public)
    yield p
    public.close()


@pytest.fixture
def people(platform):
    """Everyone the matrix needs, in aalborg (own) and hamar (other)."""
    p = platform
    p.add("resident", "aalborg", "resident", name="Karen Kjærgaard")
    p.add("outsider", "hamar", "resident", name="Ola Nordmann")
    p.add("employee", "aalborg", "employee", name="Mette Medarbejder")
    p.add("foreign_employee", "hamar", "employee", name="Kari Tilsett")
    p.add("operator", "aalborg", "operator", name="Ole Operatør")
    return p.people
