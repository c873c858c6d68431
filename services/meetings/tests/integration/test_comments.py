"""Comment threads under a meeting (issue 21), in the meetings service on the real
database: one level of replies, the edit window, who may edit and hide, a cancelled
meeting takes none, and a person's erasure leaves no row naming them."""
import datetime as dt
import uuid
from unittest import mock

import pytest
from nameko.testing.services import entrypoint_hook

from samskab import comments as shared
from samskab.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from samskab.testing import mentions

from .conftest import meeting_payload, person, staff, wait_for
from .test_data_rights import erase, erasures

pytestmark = pytest.mark.integration


def call(container, name, *args):
    with entrypoint_hook(container, name) as hook:
        return hook(*args)


def test_threads_replies_edit_window_and_who_may(meetings_service):
    organiser, anna, bo = staff(), person(), person()
    meeting = call(meetings_service, "schedule", "aalborg", organiser, meeting_payload())["id"]
    first = call(meetings_service, "post_comment", "aalborg", anna, meeting, {"body": "Godt møde", "alignment": "for"})
    reply = call(meetings_service, "post_comment", "aalborg", bo, meeting, {"body": "Ja", "parent_id": first["id"]})
    deeper = call(meetings_service, "post_comment", "aalborg", anna, meeting, {"body": "Tak", "parent_id": reply["id"]})
    assert deeper["parent_id"] == first["id"]

    thread = call(meetings_service, "comments", "aalborg", None, meeting)
    assert [(c["body"], [r["body"] for r in c["replies"]]) for c in thread] == [("Godt møde", ["Ja", "Tak"])]
    assert not thread[0]["mine"] and thread[0]["editable_until"] is None
    assert call(meetings_service, "comments", "aalborg", anna, meeting)[0]["editable_until"]

    with pytest.raises(Unauthorized):
        call(meetings_service, "post_comment", "aalborg", None, meeting, {"body": "Anonym"})
    with pytest.raises(Invalid):
        call(meetings_service, "post_comment", "aalborg", anna, meeting, {"body": "x", "parent_id": str(uuid.uuid4())})
    with pytest.raises(Invalid):
        call(meetings_service, "post_comment", "aalborg", anna, meeting, {"body": "\u200b "})
    with pytest.raises(NotFound):  # the meeting is Aalborg's
        call(meetings_service, "comments", "hjorring", None, meeting)
    with pytest.raises(Forbidden):
        call(meetings_service, "edit_comment", "aalborg", bo, meeting, first["id"], {"body": "Mit nu"})
    with pytest.raises(Forbidden):  # staff of another municipality: nothing here
        call(meetings_service, "post_comment", "aalborg", staff("hjorring"), meeting, {"body": "Hej"})
    with pytest.raises(Forbidden):
        call(meetings_service, "hide_comment", "aalborg", staff("hjorring"), meeting, reply["id"], {"reason": "x"})
    with pytest.raises(Forbidden):
        call(meetings_service, "hide_comment", "aalborg", bo, meeting, reply["id"], {"reason": "x"})

    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=shared.EDIT_WINDOW_SECONDS + 60)
    with mock.patch("meetings.usecases.comments.now", return_value=later), pytest.raises(Conflict):
        call(meetings_service, "edit_comment", "aalborg", anna, meeting, first["id"], {"body": "For sent"})
    assert call(meetings_service, "edit_comment", "aalborg", anna, meeting, first["id"],
                {"body": "Godt møde!"})["edited_at"]

    hidden = call(meetings_service, "hide_comment", "aalborg", organiser, meeting, reply["id"], {"reason": "Grov"})
    assert hidden["hidden"] and hidden["body"] is None
    with pytest.raises(Conflict):
        call(meetings_service, "post_comment", "aalborg", anna, meeting, {"body": "Svar", "parent_id": reply["id"]})

    call(meetings_service, "cancel", "aalborg", organiser, meeting, {"reason": "Sygdom"})
    with pytest.raises(Conflict):
        call(meetings_service, "post_comment", "aalborg", anna, meeting, {"body": "Øv"})


def test_erasure_leaves_the_comments_without_their_author(meetings_service, meetings_config, broker_uri):
    url = meetings_config["DATABASE_URL"]
    organiser, anna, bo = staff(), person(), person()
    meeting = call(meetings_service, "schedule", "aalborg", organiser, meeting_payload())["id"]
    first = call(meetings_service, "post_comment", "aalborg", anna, meeting, {"body": "Godt møde"})
    reply = call(meetings_service, "post_comment", "aalborg", bo, meeting, {"body": "Ja", "parent_id": first["id"]})
    call(meetings_service, "report_comment", "aalborg", anna, meeting, reply["id"], {"reason": "Grov"})
    call(meetings_service, "hide_comment", "aalborg", organiser, meeting, reply["id"], {"reason": "Grov"})
    assert "comments.author_id" in mentions(url, anna["id"]) and "comments.hidden_by" in mentions(url, organiser["id"])
    [mine] = call(meetings_service, "export_participant", anna["id"])["comments"]
    assert (mine["id"], mine["body"], mine["meeting_id"]) == (first["id"], "Godt møde", meeting)

    before = erasures(url)
    erase(broker_uri, anna["id"])
    erase(broker_uri, organiser["id"])
    wait_for(lambda: erasures(url) >= before + 2, timeout=20, what="the erasures")
    assert {k: v for k, v in mentions(url, anna["id"]).items() if k.startswith("comment")} == {}
    assert {k: v for k, v in mentions(url, organiser["id"]).items() if k.startswith("comment")} == {}
    assert call(meetings_service, "comments", "aalborg", None, meeting)[0]["body"] == "Godt møde"
