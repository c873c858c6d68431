"""Matches kept fresh: someone who joins after a proposal was published, or fills in
skills later, is put on its list at once and named as newly matched (so notifications
tells them, and only them); the people already on the list are not named again."""
import json

import pytest
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.testing import Subscriber

from .test_matching_service import matching, publish, register, snapshot  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration


def internal(body):
    return json.loads(body)["data"]


def test_a_business_that_joins_after_publication_is_matched_and_named_as_new(matching):  # noqa: F811
    container, config, uri = matching
    told = Subscriber(uri, "aalborg.proposal.matches_suggested", exchange=events.EVENTS_EXCHANGE)
    mechanic = register(uri, config)
    with entrypoint_hook(container, "put_profile") as put:
        put(mechanic, {"skills": ["cykelmekaniker"], "areas": ["Vejgaard"], "suggest_me": True})
    proposal = snapshot(needs=["cykelmekaniker", "lokale"])
    publish(uri, "samskab.proposal.published", proposal, subject=f"proposals/{proposal['id']}")
    [(_, _, body)] = told.drain(expect=1)
    assert internal(body)["newly_matched"] == [mechanic["id"]]

    # a business with exactly the missing resource joins afterwards and fills in its profile
    business = register(uri, config, role="business")
    assert told.drain(timeout=2) == [], "an empty profile fits nothing yet"
    with entrypoint_hook(container, "put_profile") as put:
        put(business, {"resources": ["lokale"], "areas": ["Vejgaard"], "suggest_me": True})
    [(_, _, body)] = told.drain(expect=1)
    data = internal(body)
    assert data["proposal_id"] == proposal["id"]
    assert {p["participant_id"] for p in data["participants"]} == {mechanic["id"], business["id"]}
    assert data["newly_matched"] == [business["id"]], "only the newcomer is told"
    with entrypoint_hook(container, "matches") as get_matches:
        listed = [m["participant_id"] for m in get_matches("aalborg", None, proposal["id"])["matches"]]
    assert business["id"] in listed

    # the same profile saved again: already on the list, nobody is told again
    with entrypoint_hook(container, "put_profile") as put:
        put(business, {"resources": ["lokale"], "areas": ["Vejgaard"], "suggest_me": True})
    assert told.drain(timeout=2) == []
    # someone whose skills fit nothing is not put anywhere
    other = register(uri, config)
    with entrypoint_hook(container, "put_profile") as put:
        put(other, {"skills": ["kagebagning"], "suggest_me": True})
    assert told.drain(timeout=2) == []
    told.close()
