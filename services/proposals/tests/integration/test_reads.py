"""Several public reads in one call (``reads``, asked by the gateway's read model when a
proposal's page misses them) and what is the caller's own (``mine``), against PostgreSQL."""
import uuid

import pytest
from nameko.testing.services import entrypoint_hook

from samskab.contracts.proposals import BATCHED_READS
from samskab.errors import Forbidden

from proposals.service import Service

pytestmark = pytest.mark.integration

RESIDENT = {"id": str(uuid.uuid4()), "role": "resident", "municipality": "aalborg", "staff": False}
OTHER = {"id": str(uuid.uuid4()), "role": "resident", "municipality": "aalborg", "staff": False}
EMPLOYEE = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "aalborg", "staff": True}
PROPOSAL = {"kind": "policy", "title": "Ny kommuneplan", "problem": "Planen er forældet", "goal": "En ny plan",
            "language": "da"}


@pytest.fixture
def call(container_factory, make_config):
    container = container_factory(Service, make_config("proposals"))
    container.start()

    def call(method, *args):
        with entrypoint_hook(container, method) as hook:
            return hook(*args)

    return call


def published(call, **changes):
    proposal = call("submit", "aalborg", RESIDENT, {**PROPOSAL, **changes})
    call("transition", "aalborg", EMPLOYEE, proposal["id"], {"to": "published"})
    return proposal["id"]


def test_each_read_is_answered_as_its_own_call_answers_it(call):
    pid = published(call)
    call("ask", "aalborg", OTHER, pid, {"body": "Hvornår?"})
    calls = [["get", [pid], {}], ["history", [pid], {}], ["questions", [pid, False], {}],
             ["agreement", [pid], {}], ["experiments", [pid], {}], ["updates", [pid], {}],
             ["attachments", [pid], {}], ["missions_of_proposal", [pid], {}], ["case_of_proposal", [pid], {}],
             ["get", [str(uuid.uuid4())], {}]]
    assert {c[0] for c in calls} == set(BATCHED_READS)
    answers = call("reads", "aalborg", None, calls)
    assert len(answers) == len(calls)
    for (method, args, _), answer in zip(calls[:-1], answers):
        if method == "agreement":
            assert answer == {"missing": "this proposal has no agreement yet"}
            continue
        assert answer == {"result": call(method, "aalborg", None, *args)}, method
    assert answers[0]["result"]["title"] == "Ny kommuneplan" and answers[0]["result"]["participant_allowed"]
    assert answers[2]["result"][0]["body"] == "Hvornår?"
    assert answers[-1] == {"missing": "no such proposal"}


def test_only_public_reads_and_only_as_nobody(call):
    pid = published(call)
    answers = call("reads", "aalborg", None, [["support", [pid], {}], ["get", [pid], {}], "get"])
    assert "error" in answers[0] and "error" in answers[2] and answers[1]["result"]["support_count"] == 0
    assert call("get", "aalborg", None, pid)["support_count"] == 0  # nothing was supported
    with pytest.raises(Forbidden):
        call("reads", "aalborg", RESIDENT, [["get", [pid], {}]])


def test_mine_names_what_the_caller_started_supports_and_follows_in_that_municipality(call):
    started, supported = published(call), published(call, title="Bedre busser")
    call("support", "aalborg", OTHER, supported)
    call("follow", "aalborg", OTHER, started, True)
    mine = call("mine", "aalborg", OTHER)
    assert mine["capacities"] == ["participant"] and mine["initiated"] == []
    assert mine["supported"] == [supported] and started in mine["followed"]
    assert call("mine", "aalborg", RESIDENT)["initiated"] == sorted([started, supported])
    assert call("mine", "aalborg", EMPLOYEE)["capacities"] == ["staff", "participant"]
