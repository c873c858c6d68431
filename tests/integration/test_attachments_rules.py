"""Who may attach, see and hide pictures and files (issue 21), the proposals service on
its own against real PostgreSQL (the gateway's part is in test_attachments.py): a
partner may attach once they accepted the agreement, not before; another
municipality's staff may neither attach nor hide; attachments hang under an update or
an experiment of the same proposal only; a draft's attachment is not announced; the
export lists a person's files; erasing an initiator removes what hung under their
draft, and its files."""
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.contracts.proposals.attachments import object_key
from samskab.db import outbox
from samskab.errors import Conflict, Forbidden, Invalid, NotFound
from samskab.objectstore import LocalFolderStore
from samskab.testing import unit_of_work

from notifications import redaction, rules
from proposals.service import Service
from proposals.usecases.attachments import erase_uploader

pytestmark = pytest.mark.integration


def person(role="resident", staff=False, municipality="aalborg"):
    return {"id": str(uuid.uuid4()), "role": role, "municipality": municipality, "staff": staff}


ANNA, PARTNER, STRANGER = person(), person(), person()
EMPLOYEE, OTHER_STAFF = person("employee", True), person("employee", True, "hjorring")
PROPOSAL = {"kind": "development", "title": "Legeplads i landsbyen", "problem": "Ingen steder at lege",
            "goal": "En legeplads", "language": "da"}


@pytest.fixture
def service(container_factory, make_config, tmp_path):
    config = make_config("proposals", UPLOADS_DIR=str(tmp_path))
    container = container_factory(Service, config)
    container.start()

    def call(method, *args):
        with entrypoint_hook(container, method) as hook:
            return hook(*args)

    return call, config["DATABASE_URL"], LocalFolderStore(tmp_path)


def record(store, municipality="aalborg", kind="document", **extra):
    """What the gateway sends once it stored the bytes (here: one object per variant)."""
    aid = uuid.uuid4()
    variants = ("original",) if kind == "document" else ("original", "page", "thumbnail")
    keys = {v: object_key(municipality, aid, v) for v in variants}
    for key in keys.values():
        store.put(key, b"bytes", "application/pdf")
    return {"id": str(aid), "kind": kind, "content_type": "application/pdf", "size": 5, "keys": keys,
            "alt": "Tegning" if kind == "image" else "", **extra}


def announced(url):
    with unit_of_work(url) as uow:
        return [r.envelope["data"]["attachment_id"] for r in uow.execute(
            sa.select(outbox).where(outbox.c.type == "samskab.proposal.attachment_added")).all()]


def test_partners_attach_once_they_accepted_and_other_municipalities_staff_do_nothing(service):
    call, url, store = service
    pid = call("submit", "aalborg", ANNA, PROPOSAL)["id"]
    call("transition", "aalborg", EMPLOYEE, pid, {"to": "published"})
    version = call("draft_agreement", "aalborg", ANNA, pid, {
        "parties": [{"role": "partner", "participant_id": PARTNER["id"], "responsibilities": "Bygger"}],
        "municipality_commitment": "Grund", "iap2_level": "collaborate", "decision_maker": "Udvalget"})["version"]

    assert call("may_attach", "aalborg", ANNA, pid) and call("may_attach", "aalborg", EMPLOYEE, pid)
    assert not call("may_attach", "aalborg", PARTNER, pid)  # named, not yet accepted
    with pytest.raises(Forbidden):
        call("add_attachment", "aalborg", PARTNER, pid, record(store))
    call("accept_agreement", "aalborg", PARTNER, pid, {"version": version})
    assert call("may_attach", "aalborg", PARTNER, pid)
    drawing = call("add_attachment", "aalborg", PARTNER, pid, record(store, kind="image"))
    assert drawing["variants"] == ["original", "page", "thumbnail"]

    for who in (STRANGER, OTHER_STAFF, None):
        assert not call("may_attach", "aalborg", who, pid)
    with pytest.raises(Forbidden):
        call("add_attachment", "aalborg", OTHER_STAFF, pid, record(store))
    with pytest.raises(Forbidden):
        call("hide_attachment", "aalborg", OTHER_STAFF, pid, drawing["id"], {"reason": "x"})
    with pytest.raises(Invalid):  # a picture needs its text alternative
        call("add_attachment", "aalborg", ANNA, pid, {**record(store, kind="image"), "alt": " "})
    with pytest.raises(Invalid):  # keys must be this attachment's own
        call("add_attachment", "aalborg", ANNA, pid, {**record(store), "keys": {"original": "aalborg/x/y"}})

    # Under an update or an experiment of this proposal only.
    update = call("post_update", "aalborg", ANNA, pid, {"body": "Grunden er fundet"})
    on_update = call("add_attachment", "aalborg", ANNA, pid,
                     record(store, attached_to="update", target_id=update["id"]))
    assert on_update["attached_to"] == "update" and on_update["target_id"] == update["id"]
    with pytest.raises(Invalid):
        call("add_attachment", "aalborg", ANNA, pid, record(store, attached_to="experiment", target_id=update["id"]))
    with pytest.raises(Invalid):
        call("add_attachment", "aalborg", ANNA, pid, record(store, attached_to="update"))

    # Hidden: gone for everyone but the municipality's staff.
    call("report_attachment", "aalborg", STRANGER, pid, drawing["id"], {"reason": "Ophavsret"})
    call("hide_attachment", "aalborg", EMPLOYEE, pid, drawing["id"], {"reason": "Ophavsret"})
    assert drawing["id"] not in [a["id"] for a in call("attachments", "aalborg", None, pid)]
    assert drawing["id"] in [a["id"] for a in call("attachments", "aalborg", EMPLOYEE, pid)]
    with pytest.raises(NotFound):
        call("attachment", "aalborg", PARTNER, pid, drawing["id"])
    with pytest.raises(Conflict):
        call("report_attachment", "aalborg", STRANGER, pid, drawing["id"], {"reason": "igen"})
    assert call("attachment", "aalborg", EMPLOYEE, pid, drawing["id"])["keys"]["page"].endswith("/page")

    exported = call("export_participant", PARTNER["id"])["attachments"]
    assert [a["id"] for a in exported] == [drawing["id"]]
    assert len(announced(url)) == 2


def test_a_drafts_attachment_is_not_announced_and_goes_with_the_erased_initiator(service):
    call, url, store = service
    draft = call("submit", "aalborg", ANNA, {**PROPOSAL, "submit": False})
    assert draft["status"] == "draft"
    sent = record(store, kind="image")
    call("add_attachment", "aalborg", ANNA, draft["id"], sent)
    assert announced(url) == []
    with pytest.raises(NotFound):  # a draft is its initiator's alone
        call("may_attach", "aalborg", EMPLOYEE, draft["id"])
    assert store.get(sent["keys"]["thumbnail"]) == b"bytes"

    with unit_of_work(url) as uow:
        erase_uploader(uow, store, ANNA["id"])
    assert store.get(sent["keys"]["thumbnail"]) is None and store.get(sent["keys"]["original"]) is None
    assert call("export_participant", ANNA["id"])["attachments"] == []


def test_a_hidden_attachment_is_blanked_in_the_public_log():
    """The notifications service's public log (catch-up log, Atom, open data) blanks the
    description and caption of the attachment_added event that staff hid."""
    aid = str(uuid.uuid4())
    target = redaction.target_of({"attachment_id": aid, "proposal_id": str(uuid.uuid4()), "reason": "x"})
    assert target.types == ("samskab.proposal.attachment_added",) and target.value == aid
    added = {"id": "e1", "data": {"attachment_id": aid, "alt": "Anna foran sit hus", "caption": "Vejnavn 3"}}
    blanked = redaction.redact(added, target, "e2")
    assert blanked["data"]["alt"] == "" and blanked["data"]["caption"] == "" and blanked["redactedby"] == "e2"
    assert "samskab.proposal.attachment_hidden" in redaction.HIDDEN


def test_a_reported_attachment_is_for_the_municipalitys_staff_to_look_at():
    told = rules.rules_for("samskab.proposal.attachment_reported", {"proposal_id": str(uuid.uuid4())})
    assert [(r.template, r.staff, r.anchor) for r in told] == [("attachment_reported", True, "#attachments")]
    assert "samskab.proposal.attachment_reported" in rules.consumed_types(events.registry())
