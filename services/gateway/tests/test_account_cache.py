"""The callers' accounts kept in memory (``gateway.accounts.cache``): kept while PostgreSQL
says they are unchanged, and a change made anywhere (another instance, by hand) seen within
a second: a new name, a revoked token; while the listening connection is down, every request
reads its account again. The first tests need no I/O; the rest run the gateway on the real
PostgreSQL and broker."""
import gc
import uuid

import pytest
import requests
import sqlalchemy as sa

from samskab.testing import unit_of_work

from gateway.accounts.cache import AccountCache, Accounts

from .support import make_account, start_platform, wait_for

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def listening(seconds=30, max_rows=100):
    clock = Clock()
    accounts = Accounts(seconds, max_rows=max_rows, clock=clock)
    accounts.listening = True
    return accounts, clock


def test_a_kept_account_is_read_once_until_its_time_is_up():
    accounts, clock = listening(seconds=30)
    reads = []
    load = lambda: reads.append(1) or ("row", len(reads))  # noqa: E731
    key = uuid.uuid4()
    assert accounts.read(key, load) == ("row", 1)
    clock.now += 29
    assert accounts.read(key, load) == ("row", 1)
    clock.now += 2
    assert accounts.read(key, load) == ("row", 2) and len(reads) == 2


def test_a_notice_forgets_that_account_and_no_other():
    accounts, _ = listening()
    a, b = uuid.uuid4(), uuid.uuid4()
    accounts.read(a, lambda: "a1")
    accounts.read(b, lambda: "b1")
    accounts.noticed(str(a))
    assert accounts.read(a, lambda: "a2") == "a2"
    assert accounts.read(b, lambda: "b2") == "b1"
    accounts.noticed("not an id")  # an unreadable notice forgets everything
    assert accounts.read(b, lambda: "b3") == "b3"


def test_a_row_read_while_a_notice_came_is_not_kept():
    accounts, _ = listening()
    key = uuid.uuid4()

    def load_racing_a_change():
        accounts.noticed(str(key))  # the change commits while the old row is on its way
        return "old"

    assert accounts.read(key, load_racing_a_change) == "old"
    assert accounts.read(key, lambda: "new") == "new"


def test_nothing_is_kept_while_not_listening_or_when_turned_off():
    accounts, _ = listening()
    accounts.listening = False
    key = uuid.uuid4()
    accounts.read(key, lambda: "first")
    assert accounts.read(key, lambda: "second") == "second" and not accounts.rows
    off, _ = listening(seconds=0)
    off.read(key, lambda: "first")
    assert off.read(key, lambda: "second") == "second" and not off.rows


def test_at_most_max_rows_are_kept_the_least_recently_read_go_first():
    accounts, _ = listening(max_rows=2)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for key in (a, b, a, c):
        accounts.read(key, lambda: "row")
    assert list(accounts.rows) == [a, c]


# -- the running gateway -------------------------------------------------------------------


@pytest.fixture
def gateway(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=())
    cache = next(o for o in gc.get_objects() if isinstance(o, AccountCache) and getattr(o, "running", False))
    wait_for(lambda: cache.accounts.listening, timeout=10, interval=0.05, what="the gateway listening for changes")
    return base + "/api/v1", config, cache.accounts


def signed_in(api, config, email):
    account_id = uuid.UUID(make_account(config, email, "resident", name="Mona Møller"))
    r = requests.post(api + "/auth/token", json={"email": email, "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return account_id, {"Authorization": "Bearer " + r.json()["access_token"]}


def me(api, headers):
    return requests.get(api + "/me", headers=headers, timeout=10)


def changed_by_hand(config, sql, account_id):
    with unit_of_work(config["DATABASE_URL"]) as uow:  # as another instance, or an operator with psql
        uow.execute(sa.text(sql), {"id": account_id})


@pytest.mark.integration
def test_a_change_made_anywhere_is_seen_within_a_second(gateway):
    api, config, accounts = gateway
    account_id, mona = signed_in(api, config, "mona@example.org")
    assert me(api, mona).json()["display_name"] == "Mona Møller"
    assert account_id in accounts.rows  # kept: her next requests do not read it
    changed_by_hand(config, "UPDATE accounts SET display_name = 'Mona Madsen' WHERE id = :id", account_id)
    wait_for(lambda: me(api, mona).json()["display_name"] == "Mona Madsen", timeout=1, interval=0.01,
             what="the new name")
    # Signed out everywhere (her token's version raised): refused within a second.
    changed_by_hand(config, "UPDATE accounts SET token_version = token_version + 1 WHERE id = :id", account_id)
    wait_for(lambda: me(api, mona).status_code == 401, timeout=1, interval=0.01, what="the token refused")


@pytest.mark.integration
def test_a_write_through_this_instance_is_seen_on_the_next_request(gateway):
    api, config, accounts = gateway
    account_id, mona = signed_in(api, config, "mona@example.org")
    assert me(api, mona).status_code == 200 and account_id in accounts.rows
    r = requests.post(api + "/auth/logout", headers=mona, timeout=10)  # signs her out everywhere
    assert r.status_code == 204, r.text
    assert account_id not in accounts.rows  # forgotten with the answer, not when the notice comes
    assert me(api, mona).status_code == 401


@pytest.mark.integration
def test_a_lost_listening_connection_is_made_again_and_nothing_kept_before_is_trusted(gateway):
    api, config, accounts = gateway
    account_id, mona = signed_in(api, config, "mona@example.org")
    assert me(api, mona).status_code == 200 and account_id in accounts.rows and accounts.connections == 1
    with unit_of_work(config["DATABASE_URL"]) as uow:  # PostgreSQL drops the gateway's listening connection
        uow.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE query = 'LISTEN samskab_accounts' AND datname = current_database()"))
    wait_for(lambda: accounts.connections == 2 and accounts.listening, timeout=10, interval=0.02,
             what="the lost connection noticed and made again")
    assert account_id not in accounts.rows  # what was kept before is read again
    changed_by_hand(config, "UPDATE accounts SET display_name = 'Mona Madsen' WHERE id = :id", account_id)
    wait_for(lambda: me(api, mona).json()["display_name"] == "Mona Madsen", timeout=1, interval=0.01,
             what="the new name after reconnecting")
