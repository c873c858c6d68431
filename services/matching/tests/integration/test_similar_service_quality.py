"""Similar proposals measured on the service's own path: every proposal of the
labelled set (``tests/data/similar_proposals.json``: da, nb, nn and en, each
language in its own municipality) arrives as a ``samskab.proposal.submitted``
event; when all are in, the ``similar`` RPC is asked for each one, within its
municipality and across municipalities, exactly as ``GET …/similar`` asks.

- within a municipality: hit@1 = the first proposal listed is the same idea
  (the other of its pair), over every proposal of a pair;
- across municipalities (so across languages): hit@3 = one of the first three
  is the same idea in another language, over the da, nb and nn proposals of a pair.

The trigram method of a widely used platform (``pg_trgm`` similarity of the
whole text) is run on the same set in the same test, in the same database.
"""
import json
import pathlib
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.db import driver_url
from samskab.testing import unit_of_work, wait_for

from matching.service import Service
from matching.storage import proposals

pytestmark = pytest.mark.integration

DATA = pathlib.Path(__file__).parent.parent / "data" / "similar_proposals.json"
NAMESPACE = uuid.UUID("5a3c0f1e-2b7d-4c1a-9e61-6d1f0b8a7c42")


def labelled():
    docs = json.loads(DATA.read_text())["documents"]
    for d in docs:
        d["uuid"] = str(uuid.uuid5(NAMESPACE, d["id"]))
    return docs


def snapshot(d):
    # title, then the problem and the goal: the body's sentences split between them
    sentences = d["body"].split(". ")
    problem = ". ".join(sentences[:-1]) or d["body"]
    return {"id": d["uuid"], "municipality": d["municipality"], "kind": "development", "title": d["title"],
            "problem": problem, "goal": sentences[-1], "description": "", "area": None, "topics": [], "needs": [],
            "language": d["language"], "status": "submitted", "initiator_id": str(uuid.uuid4()),
            "initiator_role": "resident", "iap2_level": None, "created_at": "2026-12-01T10:00:00+00:00"}


def publish_all(uri, docs):
    publisher = ConfirmingPublisher(uri)
    try:
        publisher.publish_batch([
            (events.EVENTS_EXCHANGE, events.routing_key(d["municipality"], "samskab.proposal.submitted"),
             events.make("samskab.proposal.submitted", municipality=d["municipality"], service="test",
                         subject=f"proposals/{d['uuid']}", data=snapshot(d)))
            for d in docs])
    finally:
        publisher.close()


TRIGRAM = """
SELECT d.id FROM docs d, docs q
WHERE q.id = :q AND d.id <> q.id AND (d.municipality = q.municipality) = :within
ORDER BY similarity(d.body, q.body) DESC, d.id LIMIT 3
"""


def trigram(url, docs):
    engine = sa.create_engine(driver_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(sa.text("CREATE TEMP TABLE docs (id text PRIMARY KEY, municipality text, body text)"))
            conn.execute(sa.text("INSERT INTO docs VALUES (:id, :m, :body)"),
                         [{"id": d["uuid"], "m": d["municipality"], "body": d["title"] + " " + d["body"]}
                          for d in docs])
            return {(d["uuid"], within): [r[0] for r in conn.execute(sa.text(TRIGRAM), {"q": d["uuid"], "within": within})]
                    for d in docs for within in (True, False)}
    finally:
        engine.dispose()


def rates(docs, listed):
    """(hit@1 within, hit@3 across, queries within, queries across, hit@1 across)
    from ``listed[(id, within)] -> [ids]``."""
    idea = {d["uuid"]: d["idea"] for d in docs}
    paired = [d for d in docs if d["id"].endswith(("-a", "-b"))]
    within = [bool(listed[(d["uuid"], True)][:1]) and idea[listed[(d["uuid"], True)][0]] == d["idea"]
              for d in paired]
    across = [any(idea[i] == d["idea"] for i in listed[(d["uuid"], False)][:3])
              for d in paired if d["language"] != "en"]
    first = [any(idea[i] == d["idea"] for i in listed[(d["uuid"], False)][:1])
             for d in paired if d["language"] != "en"]
    return sum(within) / len(within), sum(across) / len(across), len(within), len(across), sum(first) / len(first)


def test_similar_lists_on_the_service_path_find_the_same_idea_within_and_across_languages(
        container_factory, make_config, broker_uri):
    config = make_config("matching")
    container = container_factory(Service, config)
    container.start()
    docs = labelled()
    assert sum(1 for d in docs if d["id"].endswith("-a")) >= 20
    publish_all(broker_uri, docs)

    def all_in():
        with unit_of_work(config["DATABASE_URL"]) as uow:
            return uow.execute(sa.select(sa.func.count()).select_from(proposals)).scalar() == len(docs)

    wait_for(all_in, timeout=120)
    listed = {}
    with entrypoint_hook(container, "similar") as similar:
        for d in docs:
            for within in (True, False):
                found = similar(d["municipality"], None, d["uuid"], across=not within)
                listed[(d["uuid"], within)] = [s["id"] for s in found["similar"]]
                if not within:
                    assert all(s["municipality"] != d["municipality"] for s in found["similar"])
                    assert all(s["language"] and s["status"] for s in found["similar"])
    ours = rates(docs, listed)
    base = rates(docs, trigram(config["DATABASE_URL"], docs))
    print(f"\nservice path: within hit@1 {ours[0]:.3f} ({ours[2]} queries), across hit@3 {ours[1]:.3f} "
          f"hit@1 {ours[4]:.3f} ({ours[3]} queries) | pg_trgm: within hit@1 {base[0]:.3f}, "
          f"across hit@3 {base[1]:.3f} hit@1 {base[4]:.3f}")
    assert ours[0] >= 0.85
    assert ours[1] >= 0.80
    assert ours[0] > base[0] and ours[1] >= base[1] and ours[4] >= base[4]
    # symmetric: whoever lists a proposal in its municipality is listed by it
    for (pid, within), ids in listed.items():
        if within:
            for other in ids:
                assert pid in listed[(other, True)] or len(listed[(other, True)]) >= 5, (pid, other)
