"""A reply hangs under a visible comment of the same proposal or meeting (samskab.comments)."""
import types

import pytest

from samskab import comments
from samskab.errors import Conflict, Invalid, NotFound


class Thread:
    def __init__(self, rows):
        self.rows = rows

    def get(self, subject_id, comment_id):
        row = self.rows.get((subject_id, comment_id))
        if row is None:
            raise NotFound("no such comment")
        return row


def test_a_reply_to_a_comment_of_another_meeting_names_the_field():
    thread = Thread({("m1", "c1"): types.SimpleNamespace(hidden_at=None)})
    with pytest.raises(Invalid) as refused:
        comments.replied_to(thread, "m2", "c1", "meeting")
    assert refused.value.errors == [{"field": "parent_id", "message": "no such comment under this meeting"}]


def test_a_hidden_comment_takes_no_replies_and_a_visible_one_does():
    hidden, shown = types.SimpleNamespace(hidden_at="yesterday"), types.SimpleNamespace(hidden_at=None)
    thread = Thread({("p", "h"): hidden, ("p", "s"): shown})
    with pytest.raises(Conflict):
        comments.replied_to(thread, "p", "h", "proposal")
    assert comments.replied_to(thread, "p", "s", "proposal") is shown
    assert comments.replied_to(thread, "p", None, "proposal") is None
