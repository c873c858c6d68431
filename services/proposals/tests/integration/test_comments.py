"""Comment threads under a proposal (issue 21), the proposals service on its own
against real PostgreSQL: replies hang under their top-level comment, the event of a
reply names whom to tell, the author edits only within the window, staff hide a
comment (its text leaves the thread and the public projection has no names), and
an erased author's comments stay without them."""
import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.db import outbox
from samskab.errors import Conflict, Forbidden, Invalid, NotFound
from samskab.testing import unit_of_work

from proposals import storage
from proposals.service import Service
from proposals.usecases.comments import erase_author

pytestmark = pytest.mark.integration


def person(role="resident", staff=False):
    return {"id": str(uuid.uuid4()), "role": role, "municipality": "aalborg", "staff": staff}


ANNA, BO, CARL, EMPLOYEE = person(), person(), person(), person("employee", True)
PROPOSAL = {"kind": "policy", "title": "Bænke ved havnen", "problem": "Ingen steder at sidde",
            "goal": "Fem bænke", "language": "da"}


@pytest.fixture
def service(container_factory, make_config):
    config = make_config("proposals")
    container = container_factory(Service, config)
    container.start()

    def call(method, *args):
        with entrypoint_hook(container, method) as hook:
            return hook(*args)

    return call, config["DATABASE_URL"]


def emitted(url, event_type):
    with unit_of_work(url) as uow:
        rows = uow.execute(sa.select(outbox).where(outbox.c.type == event_type)).all()
    return [r.envelope["data"] for r in rows]


def test_a_thread_with_replies_alignment_and_the_reply_event(service):
    call, url = service
    pid = call("submit", "aalborg", ANNA, PROPOSAL)["id"]

    with pytest.raises(Forbidden):
        call("post_comment", "aalborg", None, pid, {"body": "Anonym"})
    with pytest.raises(Invalid):
        call("post_comment", "aalborg", BO, pid, {"body": "x", "alignment": "maybe"})

    first = call("post_comment", "aalborg", BO, pid, {"body": "Godt forslag", "alignment": "for"})
    reply = call("post_comment", "aalborg", CARL, pid, {"body": "Enig, men hvor?", "parent_id": first["id"]})
    deeper = call("post_comment", "aalborg", ANNA, pid, {"body": "Ved kajen", "parent_id": reply["id"]})
    assert reply["parent_id"] == first["id"] and deeper["parent_id"] == first["id"]

    thread = call("comments", "aalborg", None, pid)
    assert [c["body"] for c in thread] == ["Godt forslag"]
    assert thread[0]["alignment"] == "for"
    assert [r["body"] for r in thread[0]["replies"]] == ["Enig, men hvor?", "Ved kajen"]
    assert not thread[0]["mine"] and thread[0]["editable_until"] is None
    assert call("comments", "aalborg", BO, pid)[0]["mine"]

    posted = emitted(url, "samskab.comment.posted")
    by_body = {d["body"]: d for d in posted}
    assert by_body["Enig, men hvor?"]["parent_author_id"] == BO["id"]
    assert by_body["Ved kajen"]["parent_author_id"] == CARL["id"]
    assert by_body["Godt forslag"]["parent_author_id"] is None

    # The public stream carries the text, never who wrote it or whom to tell.
    public = events.get_type("samskab.comment.posted").public.model_validate(by_body["Enig, men hvor?"]).model_dump()
    assert "author_id" not in public and "parent_author_id" not in public and "initiator_id" not in public

    with pytest.raises(Invalid):
        call("post_comment", "aalborg", BO, pid, {"body": "Svar", "parent_id": str(uuid.uuid4())})
    with pytest.raises(NotFound):
        call("comments", "hjorring", None, pid)


def test_only_the_author_edits_and_only_within_the_window(service):
    call, url = service
    pid = call("submit", "aalborg", ANNA, PROPOSAL)["id"]
    mine = call("post_comment", "aalborg", BO, pid, {"body": "Bænke af tæk"})
    assert mine["editable_until"] is not None

    edited = call("edit_comment", "aalborg", BO, pid, mine["id"], {"body": "Bænke af træ"})
    assert edited["body"] == "Bænke af træ" and edited["edited_at"] is not None
    with pytest.raises(Forbidden):
        call("edit_comment", "aalborg", CARL, pid, mine["id"], {"body": "Mine nu"})

    with unit_of_work(url) as uow:  # twenty minutes later
        uow.execute(storage.comments.update().where(storage.comments.c.id == uuid.UUID(mine["id"]))
                    .values(posted_at=sa.func.now() - dt.timedelta(minutes=20)))
    with pytest.raises(Conflict, match="first 15 minutes"):
        call("edit_comment", "aalborg", BO, pid, mine["id"], {"body": "For sent"})
    assert call("comments", "aalborg", None, pid)[0]["body"] == "Bænke af træ"


def test_report_then_staff_hide_and_erasure(service):
    call, url = service
    pid = call("submit", "aalborg", ANNA, PROPOSAL)["id"]
    bad = call("post_comment", "aalborg", BO, pid, {"body": "Noget grimt"})
    call("post_comment", "aalborg", CARL, pid, {"body": "Svar på det", "parent_id": bad["id"]})

    with pytest.raises(Forbidden):
        call("report_comment", "aalborg", None, pid, bad["id"], {"reason": "grimt"})
    assert call("report_comment", "aalborg", CARL, pid, bad["id"], {"reason": "grimt"})["status"] == "open"
    with pytest.raises(Forbidden):
        call("hide_comment", "aalborg", CARL, pid, bad["id"], {"reason": "grimt"})

    hidden = call("hide_comment", "aalborg", EMPLOYEE, pid, bad["id"], {"reason": "Krænkende"})
    assert hidden["hidden"] and hidden["body"] is None
    thread = call("comments", "aalborg", None, pid)
    assert thread[0]["hidden"] and thread[0]["body"] is None and thread[0]["hidden_reason"] == "Krænkende"
    assert thread[0]["replies"][0]["body"] == "Svar på det"
    with pytest.raises(Conflict):
        call("post_comment", "aalborg", ANNA, pid, {"body": "Nej", "parent_id": bad["id"]})
    assert len(emitted(url, "samskab.comment.hidden")) == 1

    # A person's erasure (the consumer's use case, in a unit of work of its own here).
    with unit_of_work(url) as uow:
        erase_author(uow, CARL["id"])
        authors = set(uow.execute(sa.select(storage.comments.c.author_id)).scalars())
    assert uuid.UUID(CARL["id"]) not in authors and storage.ERASED in authors
    assert call("comments", "aalborg", None, pid)[0]["replies"][0]["body"] == "Svar på det"
