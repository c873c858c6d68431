"""The proposals service on its own, against a real PostgreSQL: refused changes leave
no trace (no row, no history, no event in the outbox), and the listing queries use
the keyset indexes (no sort of every row, so page 1000 costs what page 1 costs)."""
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab.db import driver_url, outbox
from samskab.errors import Conflict, Forbidden, Invalid, NotFound
from samskab.testing import unit_of_work

from proposals import storage
from proposals.service import Service

pytestmark = pytest.mark.integration

RESIDENT = {"id": str(uuid.uuid4()), "role": "resident", "municipality": "aalborg", "staff": False}
EMPLOYEE = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "aalborg", "staff": True}
HJORRING_EMPLOYEE = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "hjorring", "staff": True}
PROPOSAL = {"kind": "policy", "title": "Ny kommuneplan", "problem": "Planen er forældet", "goal": "En ny plan",
            "language": "da"}


@pytest.fixture
def service(container_factory, make_config):
    config = make_config("proposals")
    container = container_factory(Service, config)
    container.start()

    def call(method, *args):
        with entrypoint_hook(container, method) as hook:
            return hook(*args)

    return call, config["DATABASE_URL"]


def counts(url):
    with unit_of_work(url) as uow:
        return {
            "outbox": uow.execute(sa.select(sa.func.count()).select_from(outbox)).scalar(),
            "history": uow.execute(sa.select(sa.func.count()).select_from(storage.status_history)).scalar(),
            "statuses": sorted(uow.execute(sa.select(storage.proposals.c.status)).scalars()),
        }


def test_a_refused_change_stores_nothing_and_emits_nothing(service):
    call, url = service
    proposal = call("submit", "aalborg", RESIDENT, PROPOSAL)
    before = counts(url)
    assert before == {"outbox": 1, "history": 1, "statuses": ["submitted"]}

    with pytest.raises(Forbidden):
        call("transition", "aalborg", HJORRING_EMPLOYEE, proposal["id"], {"to": "published"})
    with pytest.raises(Conflict):
        call("transition", "aalborg", EMPLOYEE, proposal["id"], {"to": "concluded", "outcome": "adopted", "reason": "x"})
    with pytest.raises(Invalid):
        call("transition", "aalborg", EMPLOYEE, proposal["id"], {"to": "rejected"})
    with pytest.raises(Invalid):
        call("submit", "aalborg", RESIDENT, {**PROPOSAL, "problem": ""})
    with pytest.raises(Conflict):
        call("support", "aalborg", RESIDENT, proposal["id"])  # not published yet
    assert counts(url) == before

    call("transition", "aalborg", EMPLOYEE, proposal["id"], {"to": "rejected", "reason": "Uden for kommunens opgaver"})
    after = counts(url)
    assert after == {"outbox": 2, "history": 2, "statuses": ["rejected"]}


def test_a_proposal_of_one_municipality_is_not_found_under_another(service):
    call, _ = service
    proposal = call("submit", "aalborg", RESIDENT, PROPOSAL)
    with pytest.raises(NotFound):
        call("get", "hjorring", HJORRING_EMPLOYEE, proposal["id"])
    with pytest.raises(NotFound):
        call("transition", "hjorring", HJORRING_EMPLOYEE, proposal["id"], {"to": "published"})
    assert call("list_page", "hjorring", HJORRING_EMPLOYEE, {})["items"] == []


@pytest.fixture
def many(make_database):
    """5,000 public proposals of aalborg and 1,000 of hjorring, inserted in bulk."""
    url = make_database("proposals")
    with unit_of_work(url) as uow:
        uow.execute(sa.text("""
            INSERT INTO proposals (id, municipality, kind, title, problem, goal, language, status, initiator_id,
                                   initiator_role, created_at, updated_at, last_activity_at, support_count, topics)
            SELECT gen_random_uuid(), CASE WHEN n % 6 = 0 THEN 'hjorring' ELSE 'aalborg' END,
                   (ARRAY['service','development','policy'])[n % 3 + 1], 'Forslag ' || n, 'cykelsti ' || n, 'mål',
                   'da', (ARRAY['submitted','published','forming','active'])[n % 4 + 1], gen_random_uuid(),
                   'resident', now() - n * interval '1 minute', now(), now() - (n % 977) * interval '1 minute',
                   n % 53, ARRAY['mobility']
            FROM generate_series(1, 6000) AS n
        """))
        uow.execute(sa.text("ANALYZE proposals"))
    return url


@pytest.mark.parametrize("sort, filters, index", [
    ("newest", {}, "proposals_public_newest"),
    ("supported", {}, "proposals_public_supported"),
    ("active", {}, "proposals_public_active"),
    ("newest", {"status": ["published"]}, "proposals_public_status_newest"),
    ("newest", {"kind": "policy"}, "proposals_public_kind_newest"),
])
def test_deep_pages_walk_an_index_from_the_cursor_without_sorting(many, sort, filters, index):
    engine = sa.create_engine(driver_url(many))
    try:
        with engine.connect() as conn:
            cursor = None
            for _ in range(50):  # 50 pages deep, through the service's own cursor
                rows, cursor = storage.list_page(conn, "aalborg", sort=sort, limit=20, cursor=cursor, **filters)
                assert rows and all(r.municipality == "aalborg" for r in rows)
            stmt = storage.list_query("aalborg", sort=sort, cursor=cursor, limit=20, **filters)
            plan = "\n".join(conn.execute(sa.text(
                "EXPLAIN " + str(stmt.compile(engine, compile_kwargs={"literal_binds": True})))).scalars())
    finally:
        engine.dispose()
    assert f"Index Scan using {index}" in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan


def test_pages_never_repeat_or_skip_a_proposal(many):
    engine = sa.create_engine(driver_url(many))
    try:
        with engine.connect() as conn:
            for sort in ("newest", "supported", "active"):
                seen, cursor = [], None
                while True:
                    rows, cursor = storage.list_page(conn, "aalborg", sort=sort, limit=100, cursor=cursor)
                    seen += [r.id for r in rows]
                    if cursor is None:
                        break
                assert len(seen) == len(set(seen)) == 5000, sort
    finally:
        engine.dispose()


def test_a_withdrawn_draft_is_discarded_not_published(service):
    call, url = service
    draft = call("submit", "aalborg", RESIDENT, {**PROPOSAL, "submit": False})
    withdrawn = call("transition", "aalborg", RESIDENT, draft["id"], {"to": "withdrawn", "reason": "changed my mind"})
    assert withdrawn["status"] == "withdrawn"
    for who in (None, EMPLOYEE, RESIDENT):
        with pytest.raises(NotFound):
            call("get", "aalborg", who, draft["id"])
    assert counts(url) == {"outbox": 0, "history": 0, "statuses": []}
