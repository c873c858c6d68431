"""The gateway's typed client of a meeting's pictures and files (issue 21) and the meetings
service agree: every MeetingAttachmentsRpc method calls an entrypoint of the service of
that name with arguments it takes, in its order."""
import inspect
import uuid

import pytest

from samskab.contracts.meetings import MeetingAttachmentsRpc

from meetings.service import Service

ACTOR = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "aalborg", "staff": True}
MEETING, ATTACHMENT = uuid.uuid4(), uuid.uuid4()

CALLS = {
    "attachments": ("aalborg", ACTOR, MEETING),
    "attachment": ("aalborg", ACTOR, MEETING, ATTACHMENT),
    "may_attach": ("aalborg", ACTOR, MEETING),
    "add_attachment": ("aalborg", ACTOR, MEETING, {"id": str(ATTACHMENT)}),
    "report_attachment": ("aalborg", ACTOR, MEETING, ATTACHMENT, {"reason": "Grov"}),
    "hide_attachment": ("aalborg", ACTOR, MEETING, ATTACHMENT, {"reason": "Grov"}),
}


class Sent(Exception):
    pass


def test_every_client_method_is_exercised():
    mine = {name for name, _ in inspect.getmembers(MeetingAttachmentsRpc, inspect.isfunction)
            if not name.startswith("_")}
    assert mine == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_client_calls_the_entrypoint_of_that_name_with_arguments_it_takes(name):
    sent = []

    def call(service, method, *args, **kwargs):
        sent.append((service, method, args, kwargs))
        raise Sent

    with pytest.raises(Sent):
        getattr(MeetingAttachmentsRpc(call), name)(*CALLS[name])
    [(service, method, args, kwargs)] = sent
    assert service == "meetings" and method == name
    bound = inspect.signature(getattr(Service, method)).bind(None, *args, **kwargs)  # raises if they disagree
    assert bound.arguments["municipality"] == "aalborg" and bound.arguments["actor"] == ACTOR
    # the meeting is the subject of the entrypoints shared with proposals (samskab.subject_rpc)
    assert bound.arguments["subject_id"] == str(MEETING)  # ids go over the wire as text
    if "attachment_id" in bound.arguments:
        assert bound.arguments["attachment_id"] == str(ATTACHMENT)
