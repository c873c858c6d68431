"""The gateway's meeting routes: ``/meetings/<id>.ics`` and ``/meetings/<id>`` do not clash."""
import uuid

import pytest
from werkzeug.exceptions import NotFound

from gateway.api import meetings as api
from gateway.api.router import router

MID = uuid.uuid4()


@pytest.mark.parametrize("path, method, handler", [
    (f"/api/v1/municipalities/aalborg/meetings/{MID}", "GET", api.get_meeting),
    (f"/api/v1/municipalities/aalborg/meetings/{MID}.ics", "GET", api.meeting_ics),
    (f"/api/v1/municipalities/aalborg/meetings/{MID}", "PATCH", api.update_meeting),
    (f"/api/v1/municipalities/aalborg/meetings/{MID}/registrations", "POST", api.register),
    (f"/api/v1/municipalities/aalborg/meetings/{MID}/registrations", "DELETE", api.cancel_registration),
    ("/api/v1/municipalities/aalborg/calendar.ics", "GET", api.municipality_ics),
    ("/api/v1/calendar/abc_DEF-123.ics", "GET", api.participant_ics),
    ("/api/v1/municipalities/aalborg/meeting-formats/suggest", "GET", api.suggest_formats),
    ("/api/v1/municipalities/aalborg/meetings", "POST", api.schedule_meeting),
])
def test_each_path_reaches_its_own_handler(path, method, handler):
    route, values = router.match(path, method)
    assert route.handler is handler
    if "meeting_id" in values:
        assert values["meeting_id"] == MID


def test_the_ics_route_does_not_take_a_plain_meeting_id_and_vice_versa():
    route, values = router.match(f"/api/v1/municipalities/aalborg/meetings/{MID}.ics", "GET")
    assert route.handler is api.meeting_ics and values["meeting_id"] == MID  # not "<id>.ics" as an id
    with pytest.raises(NotFound):
        router.match("/api/v1/municipalities/aalborg/meetings/not-a-meeting.ics", "GET")


def test_openapi_names_the_ics_path_with_its_parameter():
    paths = router.openapi()["paths"]
    assert "get" in paths["/api/v1/municipalities/{m}/meetings/{meeting_id}.ics"]
    assert "patch" in paths["/api/v1/municipalities/{m}/meetings/{meeting_id}"]
