"""The proposal's rules, without I/O: every (state, transition, caller) combination,
and who may support, ask, answer, agree, experiment and moderate."""
import itertools

import pytest

from samskab.errors import Conflict, Forbidden, Invalid, NotFound

from proposals import domain
from proposals.domain import Actor, Proposal

INITIATOR_ID = "11111111-1111-1111-1111-111111111111"

CALLERS = {
    "initiator": Actor(INITIATOR_ID, "resident", "aalborg"),
    "staff": Actor("22222222-2222-2222-2222-222222222222", "employee", "aalborg", staff=True),
    "participant": Actor("33333333-3333-3333-3333-333333333333", "resident", "aalborg"),
    "other_staff": Actor("44444444-4444-4444-4444-444444444444", "employee", "hjorring", staff=True),
    "anonymous": Actor(None),
}

# Written out by hand (not derived from domain.TRANSITIONS), so the test checks the rules.
ALLOWED = {
    ("draft", "submitted"): {"initiator"},
    ("submitted", "published"): {"staff"},
    ("published", "forming"): {"initiator", "staff"},
    ("published", "active"): {"initiator", "staff"},
    ("forming", "active"): {"initiator", "staff"},
    ("active", "concluded"): {"initiator", "staff"},
    **{(s, "withdrawn"): {"initiator"} for s in ("draft", "submitted", "published", "forming", "active")},
    **{(s, "rejected"): {"staff"} for s in ("submitted", "published", "forming", "active")},
}
# Who may ever make a transition to each status (anyone else: 403 whatever the state).
EVER = {
    "submitted": {"initiator"}, "published": {"staff"}, "forming": {"initiator", "staff"},
    "active": {"initiator", "staff"}, "concluded": {"initiator", "staff"}, "withdrawn": {"initiator"},
    "rejected": {"staff"}, "draft": set(),
}


def expected(state, to, caller):
    if state == "draft" and caller != "initiator":
        return "404"  # drafts are visible to their initiator only
    if to == "draft":
        return "409"
    if caller not in EVER[to]:
        return "403"
    if caller in ALLOWED.get((state, to), set()):
        return "ok"
    return "409"


def proposal(status="submitted", **kw):
    return Proposal("p1", "aalborg", INITIATOR_ID, status=status, **kw)


def extras(to):
    return {
        "reason": "duplicate of another proposal" if to in ("rejected", "concluded") else None,
        "outcome": "implemented" if to == "concluded" else None,
    }


@pytest.mark.parametrize("state, to, caller", list(itertools.product(domain.STATUSES, domain.STATUSES, CALLERS)))
def test_every_transition_by_every_caller(state, to, caller):
    p = proposal(state)
    outcome = expected(state, to, caller)
    errors = {"403": Forbidden, "409": Conflict, "404": NotFound}
    if outcome == "ok":
        change = p.transition(to, CALLERS[caller], **extras(to))
        assert p.status == to
        assert p.history == [change]
        assert (change.from_status, change.to_status, change.actor_id) == (state, to, CALLERS[caller].id)
        assert change.capacity == caller
        assert change.at.tzinfo is not None
    else:
        with pytest.raises(errors[outcome]):
            p.transition(to, CALLERS[caller], **extras(to))
        assert p.status == state
        assert p.history == []


def test_the_table_has_every_combination():
    assert len(domain.STATUSES) ** 2 * len(CALLERS) == 320


def test_a_whole_life_records_who_when_and_why():
    p = proposal("draft")
    p.transition("submitted", CALLERS["initiator"])
    p.transition("published", CALLERS["staff"])
    p.transition("forming", CALLERS["initiator"])
    p.transition("active", CALLERS["staff"])
    p.transition("concluded", CALLERS["staff"], reason="the bike lane is built", outcome="implemented")
    assert [(c.from_status, c.to_status, c.capacity) for c in p.history] == [
        ("draft", "submitted", "initiator"), ("submitted", "published", "staff"),
        ("published", "forming", "initiator"), ("forming", "active", "staff"),
        ("active", "concluded", "staff"),
    ]
    assert p.history[-1].reason == "the bike lane is built" and p.history[-1].outcome == "implemented"
    assert all(a.at <= b.at for a, b in zip(p.history, p.history[1:]))


@pytest.mark.parametrize("to, reason, outcome, field", [
    ("concluded", None, "implemented", "reason"),
    ("concluded", "done", None, "outcome"),
    ("concluded", "done", "finished", "outcome"),
    ("rejected", "  ", None, "reason"),
    ("forming", None, "adopted", "outcome"),
])
def test_a_transition_lacking_its_reason_or_outcome_is_invalid(to, reason, outcome, field):
    p = proposal("active" if to == "concluded" else "published")
    before = p.status
    with pytest.raises(Invalid) as exc:
        p.transition(to, CALLERS["staff"], reason=reason, outcome=outcome)
    assert field in [e["field"] for e in exc.value.errors]
    assert p.status == before and p.history == []


def test_an_unknown_status_is_invalid_not_a_conflict():
    with pytest.raises(Invalid):
        proposal().transition("archived", CALLERS["staff"])


def test_an_initiator_who_is_staff_of_the_municipality_acts_as_staff():
    employee = CALLERS["staff"]
    p = Proposal("p2", "aalborg", employee.id, status="submitted")
    assert p.transition("published", employee).capacity == "staff"


def test_staff_of_another_municipality_are_plain_participants():
    p = proposal("published")
    assert p.capacities(CALLERS["other_staff"]) == {"participant"}
    with pytest.raises(Forbidden):
        p.check_moderate(CALLERS["other_staff"])
    with pytest.raises(Forbidden):
        p.check_answer(CALLERS["other_staff"], question_hidden=False)


def test_a_hidden_proposal_cannot_move_on_and_shows_content_only_to_initiator_and_staff():
    p = proposal("published", hidden=True)
    with pytest.raises(Conflict):
        p.transition("forming", CALLERS["staff"])
    assert p.shows_content_to(CALLERS["initiator"]) and p.shows_content_to(CALLERS["staff"])
    assert not p.shows_content_to(CALLERS["participant"]) and not p.shows_content_to(CALLERS["anonymous"])


# -- editing --------------------------------------------------------------------------


@pytest.mark.parametrize("caller, fields, status, error", [
    ("initiator", {"title"}, "submitted", None),
    ("initiator", {"iap2_level"}, "active", None),
    ("staff", {"iap2_level"}, "published", None),
    ("staff", {"title"}, "published", Forbidden),
    ("participant", {"iap2_level"}, "published", Forbidden),
    ("other_staff", {"iap2_level"}, "published", Forbidden),
    ("initiator", {"goal"}, "concluded", Conflict),
    ("staff", {"problem"}, "draft", NotFound),
])
def test_who_may_edit_what(caller, fields, status, error):
    p = proposal(status)
    if error is None:
        p.check_edit(CALLERS[caller], fields)
    else:
        with pytest.raises(error):
            p.check_edit(CALLERS[caller], fields)


# -- supports, questions, agreement, experiments --------------------------------------------


@pytest.mark.parametrize("status, allowed", [(s, s in ("published", "forming", "active")) for s in domain.STATUSES if s != "draft"])
def test_supports_only_while_published_forming_or_active(status, allowed):
    p = proposal(status)
    if allowed:
        p.check_support(CALLERS["participant"], already=False)
    else:
        with pytest.raises(Conflict):
            p.check_support(CALLERS["participant"], already=False)


def test_one_support_per_participant_and_none_anonymously():
    p = proposal("published")
    with pytest.raises(Conflict):
        p.check_support(CALLERS["participant"], already=True)
    with pytest.raises(Forbidden):
        p.check_support(CALLERS["anonymous"], already=False)
    with pytest.raises(Conflict):
        p.check_unsupport(CALLERS["participant"], already=False)


@pytest.mark.parametrize("before, after, threshold, reached, crossed", [
    (24, 25, 25, False, True),
    (25, 26, 25, False, False),
    (23, 24, 25, False, False),
    (24, 25, 25, True, False),  # once per proposal, even after supports were withdrawn
    (0, 1, 0, False, False),  # threshold 0 disables it
])
def test_the_threshold_event_fires_once_when_the_count_reaches_it(before, after, threshold, reached, crossed):
    assert domain.threshold_crossed(before, after, threshold, reached) is crossed


def test_thresholds_per_municipality():
    of = domain.parse_thresholds("25", "aalborg=50, hamar=3")
    assert (of("aalborg"), of("hamar"), of("volda")) == (50, 3, 25)


@pytest.mark.parametrize("caller, error", [
    ("initiator", None), ("staff", None), ("participant", Forbidden), ("other_staff", Forbidden),
])
def test_initiator_or_staff_answer_questions(caller, error):
    p = proposal("published")
    p.check_ask(CALLERS["participant"])
    if error:
        with pytest.raises(error):
            p.check_answer(CALLERS[caller], question_hidden=False)
    else:
        assert p.check_answer(CALLERS[caller], question_hidden=False) == caller


def test_questions_are_open_from_submission_but_not_after_closing():
    proposal("submitted").check_ask(CALLERS["participant"])
    for status in ("concluded", "withdrawn", "rejected"):
        with pytest.raises(Conflict):
            proposal(status).check_ask(CALLERS["participant"])
    with pytest.raises(Conflict):
        proposal("published").check_answer(CALLERS["initiator"], question_hidden=True)


def test_an_agreement_binds_initiator_and_municipality_and_needs_both_to_accept():
    partner = CALLERS["participant"]
    parties = domain.with_required_parties([{"role": "partner", "participant_id": partner.id, "responsibilities": "bikes"}])
    assert [domain.party_key(p) for p in parties] == ["initiator", "municipality", f"partner:{partner.id}"]
    p = proposal("forming")
    assert domain.check_acceptance(CALLERS["initiator"], p, 2, 2, parties) == {"initiator"}
    assert domain.check_acceptance(CALLERS["staff"], p, 2, 2, parties) == {"municipality"}
    assert domain.check_acceptance(partner, p, 2, 2, parties) == {f"partner:{partner.id}"}
    with pytest.raises(Forbidden):
        domain.check_acceptance(CALLERS["other_staff"], p, 2, 2, parties)
    with pytest.raises(Conflict):
        domain.check_acceptance(CALLERS["initiator"], p, 2, 1, parties)
    with pytest.raises(NotFound):
        domain.check_acceptance(CALLERS["initiator"], p, None, 1, parties)
    assert not domain.agreement_accepted(parties, {"initiator", "municipality"})
    assert domain.agreement_accepted(parties, {"initiator", "municipality", f"partner:{partner.id}"})


def test_a_party_named_twice_is_invalid():
    with pytest.raises(Invalid):
        domain.with_required_parties([{"role": "initiator", "participant_id": None}, {"role": "initiator", "participant_id": None}])


@pytest.mark.parametrize("status, caller, error", [
    ("forming", "initiator", None), ("active", "staff", None), ("published", "staff", None),
    ("active", "participant", Forbidden), ("submitted", "initiator", Conflict), ("concluded", "staff", Conflict),
])
def test_experiments_are_recorded_by_initiator_or_staff_while_collaborating(status, caller, error):
    p = proposal(status)
    if error:
        with pytest.raises(error):
            p.check_experiment(CALLERS[caller])
    else:
        p.check_experiment(CALLERS[caller])


def test_only_the_municipalitys_staff_moderate_and_anyone_signed_in_reports():
    p = proposal("published")
    p.check_moderate(CALLERS["staff"])
    for caller in ("initiator", "participant", "other_staff", "anonymous"):
        with pytest.raises(Forbidden):
            p.check_moderate(CALLERS[caller])
    p.check_report(CALLERS["participant"])
    with pytest.raises(Forbidden):
        p.check_report(CALLERS["anonymous"])
