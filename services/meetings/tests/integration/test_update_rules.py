"""A change to a meeting may set its title, times and capacity, never clear them."""
import datetime as dt
import uuid

import pytest
from nameko.testing.services import entrypoint_hook

from samskab.errors import Invalid

from meetings.service import Service

pytestmark = pytest.mark.integration

STAFF = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "aalborg", "staff": True,
         "operator": False, "confirmed": True}


@pytest.mark.parametrize("field", ["title", "purpose", "promise", "starts_at", "ends_at", "capacity"])
def test_clearing_a_required_field_is_invalid_and_changes_nothing(container_factory, make_config, field):
    container = container_factory(Service, make_config("meetings"))
    container.start()
    start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=5)).replace(microsecond=0)
    with entrypoint_hook(container, "schedule") as schedule:
        meeting = schedule("aalborg", STAFF, {
            "title": "Debatsalon om stien", "format": "debate_salon", "purpose": "Hvad skal stien kunne?",
            "promise": "Vi tager svarene med i planen", "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 10,
            "online_url": "https://example.org/salon"})
    with entrypoint_hook(container, "update") as update, pytest.raises(Invalid) as refused:
        update("aalborg", STAFF, meeting["id"], {field: None, "capacity": 12} if field != "capacity" else {field: None})
    assert [e["field"] for e in refused.value.errors] == [field]
    with entrypoint_hook(container, "get") as get:
        assert get("aalborg", STAFF, meeting["id"])["capacity"] == 10
