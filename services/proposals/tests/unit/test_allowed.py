"""What the caller may do next (``Proposal.allowed``), the answer the web pages offer:
exactly the transitions the status machine would accept from here, and the actions
whose checks pass, for every status and caller; nothing for a hidden proposal's
changes; nothing at all for a draft someone else cannot see."""
import itertools

import pytest

from samskab.errors import Conflict, Forbidden, NotFound

from proposals import domain
from proposals.domain import Proposal

from .test_domain import ALLOWED, CALLERS, INITIATOR_ID


def proposal(status, hidden=False):
    return Proposal("p1", "aalborg", INITIATOR_ID, status, hidden=hidden)


@pytest.mark.parametrize("status,caller", itertools.product(domain.STATUSES, CALLERS))
def test_the_transitions_offered_are_those_the_status_machine_accepts(status, caller):
    offered = proposal(status).allowed(CALLERS[caller])["transitions"]
    expected = [to for (source, to), who in ALLOWED.items() if source == status and caller in who]
    assert sorted(offered) == sorted(expected)


@pytest.mark.parametrize("caller", CALLERS)
def test_a_hidden_proposal_offers_no_transition_and_no_change_of_content(caller):
    allowed = proposal("published", hidden=True).allowed(CALLERS[caller])
    assert allowed["transitions"] == []
    assert not set(allowed["actions"]) & {"edit", "support", "ask", "answer", "draft_agreement",
                                          "record_experiment", "post_update"}


def test_a_draft_offers_nothing_to_anyone_but_its_initiator():
    for caller in ("staff", "participant", "other_staff", "anonymous"):
        assert proposal("draft").allowed(CALLERS[caller]) == {"capacities": [], "transitions": [], "actions": []}
    assert proposal("draft").allowed(CALLERS["initiator"])["transitions"] == ["submitted", "withdrawn"]


@pytest.mark.parametrize("status,caller", itertools.product(domain.STATUSES, CALLERS))
def test_every_action_offered_passes_its_check_and_every_other_fails(status, caller):
    p, who = proposal(status), CALLERS[caller]
    checks = {
        "edit": lambda: p.check_edit(who, {"title"}), "set_iap2_level": lambda: p.check_edit(who, {"iap2_level"}),
        "support": lambda: p.check_support(who, False), "follow": lambda: p.check_follow(who),
        "ask": lambda: p.check_ask(who), "answer": lambda: p.check_answer(who, False),
        "draft_agreement": lambda: p.check_agreement_draft(who), "record_experiment": lambda: p.check_experiment(who),
        "post_update": lambda: p.check_update(who), "report": lambda: p.check_report(who),
        "moderate": lambda: p.check_moderate(who),
    }
    offered = set(p.allowed(who)["actions"])
    for action, check in checks.items():
        if action in offered:
            check()
        else:
            with pytest.raises((Forbidden, Conflict, NotFound)):
                check()


def test_the_capacities_name_who_the_caller_is_towards_the_proposal():
    p = proposal("published")
    assert p.allowed(CALLERS["initiator"])["capacities"] == ["initiator", "participant"]
    assert p.allowed(CALLERS["staff"])["capacities"] == ["staff", "participant"]
    assert p.allowed(CALLERS["other_staff"])["capacities"] == ["participant"]
    assert p.allowed(CALLERS["anonymous"])["capacities"] == []
    assert "moderate" in p.allowed(CALLERS["staff"])["actions"]
    assert "moderate" not in p.allowed(CALLERS["other_staff"])["actions"]


@pytest.mark.parametrize("status,hidden", itertools.product(domain.STATUSES, (False, True)))
def test_what_participants_may_do_is_what_each_plain_participant_may_do(status, hidden):
    """The public answer's ``participant_allowed`` stands for every signed-in caller who
    neither started the proposal nor works for its municipality: the gateway gives it to
    them as their own ``allowed`` without asking (gateway/readmodel/own.py)."""
    said = proposal(status, hidden).allowed_to_participants()
    for caller in ("participant", "other_staff"):
        assert said == proposal(status, hidden).allowed(CALLERS[caller]), caller
    if status != "draft":
        assert said["capacities"] == ["participant"]
    if status == "published" and not hidden:
        assert "support" in said["actions"] and "edit" not in said["actions"]
