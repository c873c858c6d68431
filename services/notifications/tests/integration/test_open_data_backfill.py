"""An existing deployment upgraded to open data's tables finds them filled from the public
log it already holds (the migration's backfill), with the hidden content blanked."""
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from alembic import command

from samskab import events, migrate
from samskab.testing import unit_of_work

from notifications.storage import open_data
from notifications.storage.open_data_tables import DATASETS
from notifications.storage.tables import public_events
from notifications.tests.open_data_events import HIDDEN_TITLE, SECRET_COMMENT, SECRET_QUESTION, scenario

pytestmark = pytest.mark.integration


def test_the_upgrade_fills_every_dataset_from_the_public_log_one_row_per_entity(make_database):
    url = make_database("notifications")
    command.downgrade(migrate.alembic_config("notifications", url), "0002")
    ids, stages, expected = scenario()
    start = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)
    with unit_of_work(url) as uow:
        n = 0
        for stage in stages:
            for type_name, subject, data in stage:
                n += 1
                time = (start + dt.timedelta(seconds=n)).isoformat().replace("+00:00", "Z")
                public = events.public_envelope(events.make(type_name, municipality="aalborg", service="proposals",
                                                            subject=subject, data=data, time=time))
                uow.execute(public_events.insert().values(
                    municipality="aalborg", event_id=public["id"], type=type_name, subject=subject,
                    time=dt.datetime.fromisoformat(time.replace("Z", "+00:00")), envelope=public))
    migrate.upgrade("notifications", url)

    with unit_of_work(url) as uow:
        found = {name: open_data.records(uow, "aalborg", name) for name in DATASETS}
        assert all(open_data.records(uow, "hjorring", name) == [] for name in DATASETS)
    for name, entities in expected.items():
        rows = {str(r["id"]): (r["title"], r["status"]) for r in found[name]}
        assert rows == entities, name
        assert all(r["municipality"] == "aalborg" for r in found[name])
    [proposal] = [r for r in found["proposals"] if str(r["id"]) == ids["proposal"]]
    assert (proposal["support_count"], proposal["experiment_count"], proposal["meeting_count"]) == (1, 1, 1)
    assert str(proposal["mission_id"]) == ids["mission"]
    text = json.dumps(found, default=str)
    for secret in (SECRET_QUESTION, SECRET_COMMENT, HIDDEN_TITLE, ids["resident"], ids["partner"]):
        assert secret not in text


def test_the_downgrade_takes_the_tables_away(make_database):
    url = make_database("notifications")
    command.downgrade(migrate.alembic_config("notifications", url), "0002")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.connect() as conn:
            left = [t for t in sa.inspect(conn).get_table_names() if t.startswith("open_data_")]
        assert left == []
    finally:
        engine.dispose()
