"""The matching service against the real broker and database: events in,
matches, similar proposals and panels stored, public events out."""
import datetime as dt
import json
import time
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.testing import Subscriber, unit_of_work, wait_for

from matching.service import Service
from matching.storage import matches, profiles, proposals

pytestmark = pytest.mark.integration

STAFF = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "aalborg", "staff": True,
         "operator": False, "confirmed": True}


@pytest.fixture
def matching(container_factory, make_config, broker_uri):
    config = make_config("matching")
    container = container_factory(Service, config)
    container.start()
    return container, config, broker_uri


def publish(uri, type_name, data, municipality="aalborg", subject="x"):
    envelope = events.make(type_name, municipality=municipality, service="test", subject=subject, data=data)
    publisher = ConfirmingPublisher(uri)
    try:
        publisher.publish_batch([(events.EVENTS_EXCHANGE, events.routing_key(municipality, type_name), envelope)])
    finally:
        publisher.close()
    return envelope



def register(uri, config, role="resident", municipality="aalborg"):
    pid = str(uuid.uuid4())
    publish(uri, "samskab.participant.registered", {
        "id": pid, "municipality": municipality, "role": role, "language": "da",
        "email": f"{pid}@example.org", "display_name": "Someone"}, municipality=municipality)
    wait_for(lambda: row(config, profiles, profiles.c.participant_id == uuid.UUID(pid)))
    return {"id": pid, "role": role, "municipality": municipality, "staff": role in ("politician", "employee"),
            "operator": False, "confirmed": True}


def row(config, table, *where):
    uow = unit_of_work(config["DATABASE_URL"])
    with uow:
        return uow.execute(sa.select(table).where(*where)).first()


def snapshot(**overrides):
    data = {
        "id": str(uuid.uuid4()), "municipality": "aalborg", "kind": "development",
        "title": "Cykelværksted i Vejgaard", "problem": "Mange cykler står ødelagte i kældrene.",
        "goal": "Et fælles værksted hvor frivillige reparerer cykler.", "description": "",
        "area": "Vejgaard", "topics": ["mobilitet"], "needs": ["cykelmekaniker", "lokale"], "language": "da",
        "status": "published", "initiator_id": str(uuid.uuid4()), "initiator_role": "resident",
        "iap2_level": None, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
    }
    data.update(overrides)
    return data


def test_a_published_proposal_gets_matches_stored_and_counted_publicly(matching):
    container, config, uri = matching
    public = Subscriber(uri, "aalborg.proposal.matches_suggested")
    mechanic = register(uri, config)
    association = register(uri, config, role="association")
    shy = register(uri, config)
    with entrypoint_hook(container, "put_profile") as put:
        put(mechanic, {"skills": ["cykelmekaniker"], "areas": ["Vejgaard"], "suggest_me": True})
        put(association, {"resources": ["lokale"], "interests": ["mobilitet"], "suggest_me": True})
        put(shy, {"skills": ["cykelmekaniker"], "resources": ["lokale"], "areas": ["Vejgaard"], "suggest_me": False})

    proposal = snapshot()
    publish(uri, "samskab.proposal.published", proposal, subject=f"proposals/{proposal['id']}")

    [(method, props, body)] = public.drain(expect=1)
    event = json.loads(body)
    assert method.routing_key == "aalborg.proposal.matches_suggested"
    assert event["data"] == {
        "proposal_id": proposal["id"], "municipality": "aalborg", "total": 2,
        "by_kind": [{"kind": "association", "count": 1}, {"kind": "resident", "count": 1}],
        "needs_met": 2, "needs_total": 2,
    }
    for person in (mechanic, association, shy):
        assert person["id"].encode() not in body, "the public stream names no participant"

    with entrypoint_hook(container, "matches") as get_matches:
        found = get_matches("aalborg", None, proposal["id"])
    assert [m["participant_id"] for m in found["matches"]] == [mechanic["id"], association["id"]]
    assert {"type": "area", "value": "Vejgaard"} in found["matches"][0]["reasons"]

    # the person can see what matching holds about them (GET /me/export)
    with entrypoint_hook(container, "export_participant") as export:
        held = export(mechanic["id"])
    assert held["profile"]["skills"] == ["cykelmekaniker"]
    assert [(m["proposal_id"], m["proposal_title"]) for m in held["matches"]] == [(proposal["id"], proposal["title"])]

    # erased: gone from the stored list and from every later result
    publish(uri, "samskab.participant.erased", {"id": mechanic["id"], "municipality": "aalborg"})
    wait_for(lambda: row(config, profiles, profiles.c.participant_id == uuid.UUID(mechanic["id"])) is None)
    assert row(config, matches, matches.c.participant_id == uuid.UUID(mechanic["id"])) is None
    with entrypoint_hook(container, "export_participant") as export:
        assert export(mechanic["id"]) == {"profile": None, "matches": []}
    # opting out: gone too
    with entrypoint_hook(container, "put_profile") as put:
        put(association, {"resources": ["lokale"], "suggest_me": False})
    with entrypoint_hook(container, "matches") as get_matches:
        assert get_matches("aalborg", None, proposal["id"])["matches"] == []

    # the proposal changes: recomputed without the erased and the opted out
    publish(uri, "samskab.proposal.updated", {**proposal, "title": "Cykelværksted og lokale i Vejgaard"})
    [(_, _, body)] = public.drain(expect=1)
    assert json.loads(body)["data"]["total"] == 0
    public.close()


def test_a_submitted_proposal_finds_the_same_idea_in_its_municipality_only(matching):
    container, config, uri = matching
    public = Subscriber(uri, "*.proposal.similar_found")
    existing = snapshot(title="Lys langs søstien", problem="Om aftenen er søstien kulsort, og løbere undgår den.",
                        goal="Lamper hele vejen rundt om søen.", status="published")
    unrelated = snapshot(title="Legeplads i byparken", problem="Børnefamilier mangler en legeplads i parken.",
                         goal="Gynger og klatrestativ.", status="published")
    elsewhere = snapshot(municipality="hjorring", title="Belysning på stien ved søen",
                         problem="Stien rundt om søen er helt mørk om vinteren.", goal="Gadelys langs stien.")
    for p in (existing, unrelated):
        publish(uri, "samskab.proposal.submitted", p)
    publish(uri, "samskab.proposal.submitted", elsewhere, municipality="hjorring")
    for p in (existing, unrelated, elsewhere):
        wait_for(lambda p=p: row(config, proposals, proposals.c.id == uuid.UUID(p["id"])))
    assert public.drain(timeout=0.5) == [], "nothing similar is no news"

    new = snapshot(title="Gadelys langs søstien", status="submitted",
                   problem="Søstien er mørk om aftenen, så løbere og gående undgår den.",
                   goal="Lys hele vejen rundt om søen.")
    publish(uri, "samskab.proposal.submitted", new)
    [(method, _, body)] = public.drain(expect=1)
    data = json.loads(body)["data"]
    assert method.routing_key == "aalborg.proposal.similar_found"
    assert [s["id"] for s in data["similar"]] == [existing["id"]]
    with entrypoint_hook(container, "similar") as get_similar:
        result = get_similar("aalborg", None, new["id"])
    assert [s["id"] for s in result["similar"]] == [existing["id"]]
    assert result["similar"][0]["title"] == "Lys langs søstien"

    # before anyone submits: the new-proposal flow asks about a draft
    with entrypoint_hook(container, "similar_to_draft") as draft_like:
        found = draft_like("aalborg", {"title": "Lys på søstien", "language": "da",
                                       "problem": "Søstien rundt om søen er mørk om vinteren."})
        assert {f["id"] for f in found} == {existing["id"], new["id"]}, "both lamp proposals, not the unrelated one"
        assert {f["title"] for f in found} == {"Lys langs søstien", "Gadelys langs søstien"}
        assert draft_like("hamar", {"title": "Lamper ved søen", "problem": "mørkt"}) == []
    public.close()


def test_a_panel_is_drawn_reproducibly_and_published_as_counts(matching):
    container, config, uri = matching
    public = Subscriber(uri, "aalborg.panel.selected")
    pool = [{"id": f"r{i:03d}", "features": {"age": ["18-39", "40-64", "65+"][i % 3], "gender": "fm"[i % 2]}}
            for i in range(60)]
    request = {"size": 6, "volunteers": pool, "seed": 12345, "alternates": 2,
               "quotas": {"age": {"18-39": {"min": 2, "max": 2}, "40-64": {"min": 2, "max": 2},
                                  "65+": {"min": 2, "max": 2}},
                          "gender": {"f": {"min": 3, "max": 3}, "m": {"min": 3, "max": 3}}}}
    with entrypoint_hook(container, "select_panel") as select:
        first = select("aalborg", STAFF, request)
        again = select("aalborg", STAFF, request)
    assert first["members"] == again["members"] and len(first["members"]) == 6
    assert first["counts"] == {"age": {"18-39": 2, "40-64": 2, "65+": 2}, "gender": {"f": 3, "m": 3}}
    assert first["lowest_probability"] == pytest.approx(0.1)  # 6 of 60, evenly: every type is 2 of 20 or 1 of 10
    received = public.drain(expect=2)
    data = json.loads(received[0][2])["data"]
    assert data["seed"] == 12345 and data["size"] == 6 and data["pool_size"] == 60
    assert {"feature": "gender", "value": "f", "count": 3} in data["counts"]
    assert b"r0" not in received[0][2], "no volunteer id on the public stream"

    impossible = {**request, "quotas": {"age": {"65+": {"min": 7, "max": 8}}}}
    with entrypoint_hook(container, "select_panel") as select:
        from samskab.errors import Invalid

        with pytest.raises(Invalid) as info:
            select("aalborg", STAFF, impossible)
    assert "quotas.age.65+.min" in [e["field"] for e in info.value.errors]
    public.close()


def test_a_publication_that_overtakes_its_submission_makes_the_lists_once(matching):
    """Submission and publication come by two queues, and the publication can be handled
    first: it keeps the new text and makes the similar lists; the submission that follows
    finds the same text, makes nothing again and announces the list as it stands."""
    container, config, uri = matching
    public = Subscriber(uri, "*.proposal.similar_found")
    existing = snapshot(title="Lys langs søstien", problem="Om aftenen er søstien kulsort, og løbere undgår den.",
                        goal="Lamper hele vejen rundt om søen.", status="published")
    publish(uri, "samskab.proposal.submitted", existing)
    wait_for(lambda: row(config, proposals, proposals.c.id == uuid.UUID(existing["id"])))
    assert public.drain(timeout=0.5) == []

    new = snapshot(title="Gadelys langs søstien", status="published",
                   problem="Søstien er mørk om aftenen, så løbere og gående undgår den.",
                   goal="Lys hele vejen rundt om søen.")
    publish(uri, "samskab.proposal.published", new, subject=f"proposals/{new['id']}")
    wait_for(lambda: row(config, proposals, proposals.c.id == uuid.UUID(new["id"])))
    with entrypoint_hook(container, "similar") as get_similar:
        assert [s["id"] for s in get_similar("aalborg", None, new["id"])["similar"]] == [existing["id"]]
        assert [s["id"] for s in get_similar("aalborg", None, existing["id"])["similar"]] == [new["id"]]
    assert public.drain(timeout=0.5) == [], "a publication announces matches, not similar proposals"

    publish(uri, "samskab.proposal.submitted", {**new, "status": "submitted"}, subject=f"proposals/{new['id']}")
    [(method, _, body)] = public.drain(expect=1)
    assert method.routing_key == "aalborg.proposal.similar_found"
    assert [s["id"] for s in json.loads(body)["data"]["similar"]] == [existing["id"]]
    public.close()
