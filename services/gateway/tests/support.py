"""Helpers for tests of the web pages: the whole platform in one runner, accounts
made the way an operator makes them, and a form-filling HTTP client that keeps
its cookies and sends each form's CSRF token, as a browser does."""
import re
import time
import uuid
from html import unescape

import requests
import sqlalchemy as sa

from samskab.testing import http_port, unit_of_work

PASSWORD = "correct horse battery"
SERVICES = ("proposals", "matching", "meetings", "notifications")


def start_platform(runner_factory, make_config, services=SERVICES, **gateway_overrides):
    """Gateway and the named backends, each with its own fresh database; returns (base URL, gateway config)."""
    from gateway.service import Service as Gateway

    classes = {"gateway": Gateway}
    if "proposals" in services:
        from proposals.service import Service as Proposals
        classes["proposals"] = Proposals
    if "matching" in services:
        from matching.service import Service as Matching
        classes["matching"] = Matching
    if "meetings" in services:
        from meetings.service import Service as Meetings
        classes["meetings"] = Meetings
    if "notifications" in services:
        from notifications.service import Service as Notifications
        classes["notifications"] = Notifications
    gateway_config = make_config("gateway", **gateway_overrides)
    runner = runner_factory(gateway_config, Gateway)
    runner.start()
    for name in services:
        backend = runner_factory(make_config(name), classes[name])
        backend.start()
    port = http_port(runner.service_map["gateway"])
    return f"http://127.0.0.1:{port}", gateway_config


def make_account(gateway_config, email, role, municipality="aalborg", language="da", name=None):
    """An account with any role, inserted as the demo seed and the first operator are."""
    from gateway.accounts.storage import accounts
    from gateway.accounts.passwords import hasher

    account_id = uuid.uuid4()
    with unit_of_work(gateway_config["DATABASE_URL"]) as uow:
        uow.execute(accounts.insert().values(
            id=account_id, email=email, password_hash=hasher.hash(PASSWORD), display_name=name or role.title(),
            municipality=municipality, role=role, language=language, email_confirmed_at=sa.func.now(),
        ))
    return str(account_id)


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor:
    """A person with a browser that does not run JavaScript."""

    def __init__(self, base, accept_language="da"):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = accept_language
        self.last = None

    def get(self, path, **kwargs):
        self.last = self.http.get(self.base + path, timeout=30, **kwargs)
        return self.last

    def csrf(self, path=None):
        page = self.get(path) if path else self.last
        found = _TOKEN.search(page.text)
        assert found, f"no form with a CSRF token on {page.url}"
        return unescape(found.group(1))

    def post(self, path, data=None, token_from=None, follow=True):
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.csrf(token_from or "/login")
        self.last = self.http.post(self.base + path, data=data, timeout=30, allow_redirects=follow)
        return self.last

    def register(self, email, name="Test Person", municipality="aalborg", language="da", role="resident"):
        r = self.post("/register", {"display_name": name, "email": email, "password": PASSWORD,
                                    "municipality": municipality, "role": role, "language": language},
                      token_from="/register")
        assert r.status_code == 200 and "/me/profile" in r.url, (r.status_code, r.url)
        return r

    def login(self, email, password=PASSWORD):
        return self.post("/login", {"email": email, "password": password}, token_from="/login")


def wait_for(check, timeout=15.0, interval=0.2, what="condition"):
    deadline = time.time() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)
