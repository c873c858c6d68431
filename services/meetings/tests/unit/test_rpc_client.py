"""The gateway's typed client and the service agree: every MeetingsRpc method calls an
entrypoint of the service with arguments that entrypoint takes, in its order."""
import inspect
import uuid

import pytest

from samskab.contracts.meetings import MeetingsRpc

from meetings.service import Service

ACTOR = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "aalborg", "staff": True}
MEETING = uuid.uuid4()

CALLS = {
    "list_places": ("aalborg",),
    "create_place": ("aalborg", ACTOR, {"name": "Bibliotek"}),
    "formats": (),
    "suggest_formats": ("involve", 30, "policy", 3),
    "list": ("aalborg", ACTOR),
    "schedule": ("aalborg", ACTOR, {"title": "Salon"}),
    "get": ("aalborg", ACTOR, MEETING),
    "update": ("aalborg", ACTOR, MEETING, {"title": "Salon"}),
    "cancel": ("aalborg", ACTOR, MEETING, {"reason": ""}),
    "conclude": ("aalborg", ACTOR, MEETING),
    "register": ("aalborg", ACTOR, MEETING),
    "cancel_registration": ("aalborg", ACTOR, MEETING),
    "registrations": ("aalborg", ACTOR, MEETING),
    "add_agenda_question": ("aalborg", ACTOR, MEETING, {"question": "Hvordan?"}),
    "set_minutes": ("aalborg", ACTOR, MEETING, {"text": ""}),
    "record_outcome": ("aalborg", ACTOR, MEETING, {"kind": "decision", "text": "Ja"}),
    "meeting_ics": ("aalborg", MEETING),
    "municipality_calendar": ("aalborg",),
    "new_calendar_token": ("aalborg", ACTOR),
    "participant_calendar": ("token",),
    # issue 21: comment threads
    "comments": ("aalborg", ACTOR, MEETING),
    "post_comment": ("aalborg", ACTOR, MEETING, {"body": "Godt"}),
    "edit_comment": ("aalborg", ACTOR, MEETING, uuid.uuid4(), {"body": "Godt"}),
    "report_comment": ("aalborg", ACTOR, MEETING, uuid.uuid4(), {"reason": "Grov"}),
    "hide_comment": ("aalborg", ACTOR, MEETING, uuid.uuid4(), {"reason": "Grov"}),
    # issue 21: the staff's one list of reports
    "reported": ("aalborg", ACTOR),
    "dismiss_reports": ("aalborg", ACTOR, MEETING, {"kind": "meeting_comment", "id": str(uuid.uuid4())}),
}


class Sent(Exception):
    pass


def test_every_client_method_is_exercised():
    mine = {name for name, _ in inspect.getmembers(MeetingsRpc, inspect.isfunction) if not name.startswith("_")}
    assert mine == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_client_calls_the_entrypoint_of_that_name_with_arguments_it_takes(name):
    sent = []

    def call(service, method, *args, **kwargs):
        sent.append((service, method, args, kwargs))
        raise Sent  # what came back is not this test's matter

    with pytest.raises(Sent):
        getattr(MeetingsRpc(call), name)(*CALLS[name])
    [(service, method, args, kwargs)] = sent
    assert service == "meetings" and method == name
    entrypoint = getattr(Service, method)
    bound = inspect.signature(entrypoint).bind(None, *args, **kwargs)  # raises if they disagree
    if "municipality" in bound.arguments:
        assert bound.arguments["municipality"] == "aalborg"
    if "actor" in bound.arguments:
        assert bound.arguments["actor"] == ACTOR
    # the meeting's id: "subject_id" in the entrypoints shared with proposals (samskab.subject_rpc)
    for meeting in ("meeting_id", "subject_id"):
        if meeting in bound.arguments:
            assert bound.arguments[meeting] == str(MEETING)  # ids go over the wire as text
