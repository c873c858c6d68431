"""The unit of work on the real PostgreSQL: one transaction, few round trips.

A unit sends BEGIN with its first statement and its outbox rows and claims
with its COMMIT; these tests check that this saving keeps the guarantees:
state and events commit together or not at all, a claimed event commits
nothing a second time, and no connection goes back to the pool inside a
transaction.
"""
import uuid

import pytest
import sqlalchemy as sa

from samskab.db import DuplicateEvent, UnitOfWork, engine_for, units_engine

PROPOSAL = {
    "kind": "service", "title": "Shelter at the bus stop", "problem": "p", "goal": "g", "language": "da",
    "status": "submitted", "initiator_role": "resident", "created_at": "2026-11-26T10:00:00+00:00",
}


@pytest.fixture
def url(make_database):
    url = make_database("proposals")  # migrated: it has the outbox and processed_events
    with engine_for(url).begin() as conn:
        conn.execute(sa.text("CREATE TABLE effects (id uuid PRIMARY KEY, note text)"))
    return url


def submitted(pid):
    return dict(PROPOSAL, id=str(pid), municipality="aalborg", initiator_id=str(uuid.uuid4()))


def count_statements(engine):
    sent = []
    sa.event.listen(engine, "after_cursor_execute", lambda conn, cursor, statement, *a: sent.append(statement))
    return sent


def test_a_row_and_its_event_commit_in_one_transaction_with_two_round_trips(url):
    engine = units_engine(url)
    sent = count_statements(engine)
    pid = uuid.uuid4()
    with UnitOfWork(engine, "proposals") as uow:
        uow.execute(sa.text("INSERT INTO effects (id, note) VALUES (:i, 'made')"), {"i": pid})
        envelope = uow.emit("samskab.proposal.submitted", municipality="aalborg", subject=f"proposals/{pid}",
                            data=submitted(pid))
    assert len(sent) == 2, sent
    assert sent[0].startswith("BEGIN;") and sent[1].rstrip().endswith("COMMIT")
    with engine_for(url).connect() as conn:
        effect_tx = conn.execute(sa.text("SELECT xmin::text FROM effects WHERE id = :i"), {"i": pid}).scalar()
        event_tx, stored = conn.execute(sa.text(
            "SELECT xmin::text, envelope FROM outbox WHERE event_id = :e"), {"e": envelope["id"]}).one()
    assert effect_tx == event_tx  # the same transaction wrote both
    assert stored == envelope


def test_a_unit_that_raises_keeps_neither_its_rows_nor_its_events(url):
    engine = units_engine(url)
    pid = uuid.uuid4()
    with pytest.raises(RuntimeError):
        with UnitOfWork(engine, "proposals") as uow:
            uow.execute(sa.text("INSERT INTO effects (id) VALUES (:i)"), {"i": pid})
            uow.emit("samskab.proposal.submitted", municipality="aalborg", subject=f"proposals/{pid}",
                     data=submitted(pid))
            raise RuntimeError("the handler failed")
    with engine_for(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM effects")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM outbox")).scalar() == 0


def test_a_unit_that_only_emits_is_one_round_trip(url):
    engine = units_engine(url)
    sent = count_statements(engine)
    pid = uuid.uuid4()
    with UnitOfWork(engine, "proposals") as uow:
        uow.emit("samskab.proposal.submitted", municipality="aalborg", subject=f"proposals/{pid}", data=submitted(pid))
    assert len(sent) == 1 and sent[0].startswith("BEGIN;INSERT INTO outbox")
    with engine_for(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM outbox")).scalar() == 1


def test_a_second_claim_of_an_event_commits_nothing(url):
    engine = units_engine(url)
    event_id = uuid.uuid4()
    for attempt, note in enumerate(("first", "second")):
        try:
            with UnitOfWork(engine, "matching") as uow:
                uow.claim_on_commit("matching.on_submitted", event_id)
                uow.execute(sa.text("INSERT INTO effects (id, note) VALUES (:i, :n)"), {"i": uuid.uuid4(), "n": note})
                uow.emit("samskab.proposal.submitted", municipality="aalborg", subject="proposals/x",
                         data=submitted(uuid.uuid4()))
        except DuplicateEvent:
            assert attempt == 1
        else:
            assert attempt == 0
    with engine_for(url).connect() as conn:
        assert conn.execute(sa.text("SELECT array_agg(note) FROM effects")).scalar() == ["first"]
        assert conn.execute(sa.text("SELECT count(*) FROM outbox")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM processed_events")).scalar() == 1


def test_a_failed_statement_ends_the_transaction_and_the_connection_comes_back_clean(url):
    engine = units_engine(url)
    with engine_for(url).begin() as conn:
        conn.execute(sa.text("INSERT INTO effects (id) VALUES ('00000000-0000-0000-0000-000000000001')"))
    with pytest.raises(sa.exc.IntegrityError):
        with UnitOfWork(engine, "proposals") as uow:
            uow.execute(sa.text("INSERT INTO effects (id) VALUES (:i)"), {"i": uuid.uuid4()})
            uow.execute(sa.text("INSERT INTO effects (id) VALUES ('00000000-0000-0000-0000-000000000001')"))
    # every pooled connection is idle again and the next unit works
    with UnitOfWork(engine, "proposals") as uow:
        status = uow.connection.connection.dbapi_connection.info.transaction_status
        uow.execute(sa.text("INSERT INTO effects (id) VALUES (:i)"), {"i": uuid.uuid4()})
    assert status == 0  # psycopg2.extensions.TRANSACTION_STATUS_IDLE
    with engine_for(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM effects")).scalar() == 2


def test_a_connection_left_inside_a_transaction_is_rolled_back_on_return(url):
    engine = units_engine(url)
    uow = UnitOfWork(engine, "proposals")
    uow.execute(sa.text("INSERT INTO effects (id) VALUES (:i)"), {"i": uuid.uuid4()})
    uow.close()  # neither committed nor rolled back: a bug elsewhere must not leak the transaction
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection.info.transaction_status == 0
    with engine_for(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM effects")).scalar() == 0


def test_streamed_results_work_inside_a_unit(url):
    engine = units_engine(url)
    with engine_for(url).begin() as conn:
        conn.execute(sa.text("INSERT INTO effects (id, note) SELECT gen_random_uuid(), 'n' || g FROM generate_series(1, 500) g"))
    with UnitOfWork(engine, "matching") as uow:
        result = uow.execute(sa.text("SELECT note FROM effects").execution_options(stream_results=True, max_row_buffer=50))
        notes = [row.note for row in result]
        uow.execute(sa.text("INSERT INTO effects (id, note) VALUES (:i, 'after')"), {"i": uuid.uuid4()})
    assert len(notes) == 500
    with engine_for(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM effects")).scalar() == 501


def test_a_unit_of_work_on_a_plain_engine_is_refused(url):
    with pytest.raises(TypeError, match="units_engine"):
        UnitOfWork(engine_for(url), "proposals")


def test_a_unit_can_bound_its_lock_waits_for_its_next_transaction_only(url):
    engine = units_engine(url)
    sent = count_statements(engine)
    uow = UnitOfWork(engine, "proposals")
    uow.give_way_after(150)
    with uow:
        assert uow.execute(sa.text("SHOW lock_timeout")).scalar() == "150ms"
        with pytest.raises(RuntimeError, match="before the unit's first statement"):
            uow.give_way_after(10)
    assert sent[0].startswith("BEGIN;SET LOCAL lock_timeout = 150;"), "it goes with BEGIN: no round trip of its own"
    with uow:
        assert uow.execute(sa.text("SHOW lock_timeout")).scalar() == "0"
    with engine.connect() as conn:  # and the pooled connection did not keep it
        assert conn.execute(sa.text("SHOW lock_timeout")).scalar() == "0"


def test_a_unit_that_gives_way_fails_instead_of_waiting_on_a_held_lock(url):
    engine = units_engine(url)
    with engine_for(url).connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(4242)"))
        try:
            uow = UnitOfWork(engine, "proposals")
            uow.give_way_after(100)
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                with uow:
                    uow.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))
        finally:
            holder.execute(sa.text("SELECT pg_advisory_unlock(4242)"))
            holder.commit()
