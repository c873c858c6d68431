"""A meeting as full as it may be (every seat taken, a waitlist a quarter as long) still
fits in one event that every consumer takes: its update names everyone on it."""
import datetime as dt
import json
import uuid

import pytest
from pydantic import ValidationError

from samskab import config, events
from samskab.contracts.meetings.inputs import MAX_SEATS, NewMeeting


def test_the_update_of_the_fullest_meeting_is_within_the_event_size_limit():
    starts = dt.datetime(2027, 3, 1, 17, tzinfo=dt.timezone.utc)
    people = [str(uuid.uuid4()) for _ in range(MAX_SEATS + MAX_SEATS // 4)]
    data = {"id": str(uuid.uuid4()), "municipality": "aalborg", "format": "working_citizens_meeting",
            "title": "Borgermøde" * 20, "purpose": "x" * 2000, "promise": "y" * 2000,
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "time_zone": "Europe/Copenhagen", "online": False, "capacity": MAX_SEATS, "status": "scheduled",
            "sequence": 2, "confirmed_count": MAX_SEATS, "waitlist_count": MAX_SEATS // 4, "seats_left": 0,
            "changed": ["starts_at"], "participant_ids": people}
    envelope = events.make("samskab.meeting.updated", municipality="aalborg", service="meetings",
                           subject=f"meetings/{data['id']}", data=data)
    size = len(json.dumps(envelope).encode("utf-8"))
    assert size < config.MAX_EVENT_BYTES, size
    assert config.load("meetings", environ={"POSTGRES_URL": "postgresql://x@127.0.0.1/x"})["MAX_EVENT_BYTES"] == config.MAX_EVENT_BYTES


def test_a_meeting_with_more_seats_than_that_is_refused():
    with pytest.raises(ValidationError):
        NewMeeting.model_validate({"capacity": MAX_SEATS + 1})
