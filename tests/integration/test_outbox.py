"""The outbox keeps unpublished events until they are published and forgets
published ones after the retention period."""
import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab.db import engine_for, outbox
from samskab.relay import OutboxRelay

from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

ACTOR = {"id": "5b0e7c1e-4a58-4b9f-9d36-4c7fd3f1f0a1", "role": "resident", "municipality": "aalborg",
         "staff": False}


def test_published_events_leave_the_outbox_after_the_retention_period(container_factory, make_config):
    config = make_config("proposals", OUTBOX_RETENTION_HOURS=1)
    container = container_factory(Proposals, config)
    container.start()
    with entrypoint_hook(container, "submit") as submit:
        for i in range(3):
            submit("aalborg", ACTOR, {"kind": "service", "title": f"Forslag {i}", "problem": "p", "goal": "g"})
    engine = engine_for(config["DATABASE_URL"])
    relay = next(ext for ext in container.extensions if isinstance(ext, OutboxRelay))
    import time
    deadline = time.time() + 10
    while time.time() < deadline:
        with engine.connect() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_not(None))).scalar() == 3:
                break
        time.sleep(0.05)
    relay.kill()  # stop relaying, then prune by hand
    with engine.begin() as conn:
        conn.execute(outbox.insert().values(  # an event the broker never confirmed: it must stay
            event_id="0b0e7c1e-4a58-4b9f-9d36-4c7fd3f1f0a1", type="samskab.proposal.submitted",
            municipality="aalborg", subject="proposals/x", envelope={}, created_at=sa.func.now() - sa.text("interval '3 hours'")))
    with engine.begin() as conn:
        conn.execute(outbox.update().where(outbox.c.published_at.is_not(None))
                     .values(published_at=sa.func.now() - sa.text("interval '2 hours'")))
    relay._conn = engine.connect()
    relay._last_prune = 0
    relay.prune()
    relay._conn.close()
    with engine.connect() as conn:
        left = conn.execute(sa.select(outbox.c.published_at)).all()
    assert [row.published_at for row in left] == [None], "only the unpublished event is left"
