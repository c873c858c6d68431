"""Two instance groups, each with its own databases: group A serves aalborg, group B
(the home group) serves hamar.  A call for aalborg is answered by A only; B's
databases never hold an aalborg row; a person whose account lives in hamar (group B)
still hears of an aalborg proposal they follow.  Real RabbitMQ and PostgreSQL."""
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from samskab.testing import http_port, mentions, unit_of_work, wait_for

from gateway.service import Service as Gateway
from notifications.service import Service as Notifications
from proposals.service import Service as Proposals

sys.path.insert(0, str(Path(__file__).parent))
import rpc_client  # noqa: E402

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
PROPOSAL = {
    "kind": "development", "title": "Grøn pendling til Aalborg Øst",
    "problem": "Most commuters to the eastern industrial area drive alone.",
    "goal": "Half of the commuters use bike, bus or car pooling by 2028.", "language": "da",
}
GROUPS = {"A": {"MUNICIPALITIES": ("aalborg",), "HOME_GROUP": False},
          "B": {"MUNICIPALITIES": ("hamar",), "HOME_GROUP": True}}


@pytest.fixture
def platform(runner_factory, make_config, make_database, broker_uri):
    gateway = make_config("gateway")
    databases, runners = {}, [runner_factory(gateway, Gateway)]
    for group, settings in GROUPS.items():
        for service, cls in (("proposals", Proposals), ("notifications", Notifications)):
            databases[service, group] = make_database(service)
            config = make_config(service, DATABASE_URL=databases[service, group], NOTIFICATIONS_POLL_SECONDS="0.1",
                                 **settings)
            runners.append(runner_factory(config, cls))
    for runner in runners:
        runner.start()
    base = f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1"
    return {"base": base, "amqp": broker_uri, "db": databases, "gateway_db": gateway["DATABASE_URL"]}


def register(p, email, municipality, role=None):
    r = requests.post(f"{p['base']}/auth/register", timeout=10, json={
        "email": email, "password": PASSWORD, "display_name": email.split("@")[0], "municipality": municipality})
    assert r.status_code == 201, r.text
    if role:
        with unit_of_work(p["gateway_db"]) as uow:
            uow.execute(sa.text("UPDATE accounts SET role = :r WHERE email = :e"), {"r": role, "e": email})
    token = requests.post(f"{p['base']}/auth/token", json={"email": email, "password": PASSWORD}, timeout=10)
    return r.json()["id"], {"Authorization": f"Bearer {token.json()['access_token']}"}


def rows_of(url, municipality):
    """Rows naming ``municipality`` in any table with a ``municipality`` column: {table: count}."""
    found = {}
    with unit_of_work(url) as uow:
        tables = uow.execute(sa.text(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'municipality'")).scalars().all()
        for table in tables:
            n = uow.execute(sa.text(f'SELECT count(*) FROM "{table}" WHERE municipality = :m'),
                            {"m": municipality}).scalar()
            if n:
                found[table] = n
    return found


def test_each_group_answers_only_for_its_municipalities_keeps_its_rows_and_followers_hear_across(platform):
    p, base = platform, platform["base"]
    karen_id, karen = register(p, "karen@aalborg.example.org", "aalborg")
    _, staff = register(p, "jens@aalborg.example.org", "aalborg", role="employee")
    ole_id, ole = register(p, "ole@hamar.example.org", "hamar")

    r = requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL, headers=karen, timeout=10)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = requests.post(f"{base}/municipalities/aalborg/proposals/{pid}/transitions", json={"to": "published"},
                      headers=staff, timeout=10)
    assert r.status_code == 200, r.text

    # Group A answers for aalborg; B has never heard of the proposal.
    answer = rpc_client.call(p["amqp"], "proposals", "aalborg.get", ["aalborg", None, pid])
    assert answer["error"] is None and answer["group"] == "aalborg"
    assert requests.get(f"{base}/municipalities/hamar/proposals/{pid}", timeout=10).status_code == 404
    # No group serves volda: the gateway says the backend is unavailable rather than asking another group.
    assert requests.get(f"{base}/municipalities/volda/proposals", timeout=10).status_code == 503

    # Ole's account lives in hamar (group B); he follows the aalborg proposal, and Karen moves it on.
    r = requests.post(f"{base}/municipalities/aalborg/proposals/{pid}/follows", headers=ole, timeout=10)
    assert r.status_code in (200, 201), r.text
    r = requests.post(f"{base}/municipalities/aalborg/proposals/{pid}/transitions", json={"to": "forming"},
                      headers=karen, timeout=10)
    assert r.status_code == 200, r.text

    def ole_heard():
        items = requests.get(f"{base}/me/notifications", headers=ole, timeout=10).json()["items"]
        return [i for i in items if i["municipality"] == "aalborg" and pid in (i["subject"] or "")]
    heard = wait_for(ole_heard, timeout=30, what="Ole's notification of the aalborg proposal")
    assert heard[0]["event_type"] == "samskab.proposal.status_changed"

    # The e-mail too: group A has no address for him, so it hands the notice to the groups;
    # B, which holds his account, sends it in his language (bokmål, Hamar's) and A sends none.
    def ole_mailed():
        with unit_of_work(p["db"]["notifications", "B"]) as uow:
            return uow.execute(sa.text(
                "SELECT to_address, message FROM email_deliveries WHERE participant_id = :p AND purpose = 'immediate'"),
                {"p": ole_id}).all()
    mailed = wait_for(ole_mailed, timeout=30, what="Ole's e-mail, sent by his own group")
    assert len(mailed) == 1 and mailed[0].to_address == "ole@hamar.example.org"
    message = mailed[0].message if isinstance(mailed[0].message, str) else bytes(mailed[0].message).decode()
    assert "Content-Language: nb" in message or 'lang="nb"' in message, message[:400]
    with unit_of_work(p["db"]["notifications", "A"]) as uow:
        assert uow.execute(sa.text("SELECT count(*) FROM email_deliveries WHERE participant_id = :p"),
                           {"p": ole_id}).scalar() == 0
        # A knows nothing of his address: only his notice's inbox entry is there.
        assert uow.execute(sa.text("SELECT count(*) FROM participants WHERE id = :p"), {"p": ole_id}).scalar() == 0
    # Marking it read reaches the group that holds it.
    r = requests.post(f"{base}/me/notifications/read", json={"all": True}, headers=ole, timeout=10)
    assert r.status_code == 200 and r.json()["marked"] >= 1, r.text

    # His choices reach every group: each decides for its own municipalities' notifications.
    r = requests.put(f"{base}/me/preferences", json={"proposal_activity": {"email": "off"}}, headers=ole, timeout=10)
    assert r.status_code == 200, r.text
    for group in GROUPS:
        with unit_of_work(p["db"]["notifications", group]) as uow:
            assert uow.execute(sa.text("SELECT frequency FROM preferences WHERE participant_id = :p AND "
                                       "kind = 'proposal_activity' AND channel = 'email'"),
                               {"p": ole_id}).scalar() == "off", group

    # A holds aalborg's rows; B's databases hold none of aalborg's and nothing of the proposal,
    # but for the e-mail-only notice to its own resident Ole (his address is only there).
    assert rows_of(p["db"]["proposals", "A"], "aalborg")
    assert rows_of(p["db"]["notifications", "A"], "aalborg")
    assert rows_of(p["db"]["proposals", "B"], "aalborg") == {}
    assert mentions(p["db"]["proposals", "B"], pid) == {}
    assert rows_of(p["db"]["notifications", "B"], "aalborg") == {"notifications": 1}
    assert mentions(p["db"]["notifications", "B"], pid) == {"notifications (text)": 1}
    with unit_of_work(p["db"]["notifications", "B"]) as uow:
        kept = uow.execute(sa.text("SELECT participant_id, in_inbox FROM notifications WHERE municipality = 'aalborg'")).one()
    assert (str(kept.participant_id), kept.in_inbox) == (ole_id, False)
    assert rows_of(p["db"]["proposals", "A"], "hamar") == {}


def test_a_group_refuses_a_call_for_a_municipality_it_does_not_serve_even_when_asked_directly(platform):
    answer = rpc_client.call(platform["amqp"], "proposals", "_home.list", ["aalborg"])
    assert answer["group"] == "hamar" and answer["error"]["exc_type"] == "NotServedHere"
