"""The council's answer (issue 22) reaches the proposal's people, the committee's
members and the mission's followers, in their language, naming what was decided."""
import uuid

from notifications import messages, rules

P = str(uuid.uuid4())
INITIATOR, FOLLOWER, SUPPORTER, MEMBER, MISSION_FOLLOWER, POLITICIAN = (str(uuid.uuid4()) for _ in range(6))
MEMBERS = {f"proposals/{P}": [(INITIATOR, "initiator"), (FOLLOWER, "follower"), (SUPPORTER, "supporter")]}


def told(data):
    seen, result = set(), []
    for rule in rules.rules_for("samskab.decision.made", data):
        members = {s: MEMBERS.get(s, []) for s, _ in rule.audiences(data)}
        found = [p for p in rules.resolve_recipients(rule, data, members, ()) if p not in seen]
        seen.update(found)
        result.append((rule.template, found))
    return result


def test_a_decision_on_a_proposal_tells_its_people_and_the_missions_followers_not_the_decider():
    data = {"case_id": str(uuid.uuid4()), "kind": "proposal", "proposal_id": P, "title": "Spisevenner",
            "decision": "adopted_in_part", "reason": "To af tre centre", "told_ids": [MISSION_FOLLOWER, POLITICIAN],
            "actor_id": POLITICIAN}
    [(template, people)] = told(data)
    assert template == "decision_adopted_in_part"
    assert set(people) == {INITIATOR, FOLLOWER, SUPPORTER, MISSION_FOLLOWER}


def test_a_decision_on_a_recommendation_tells_the_committees_members():
    data = {"case_id": str(uuid.uuid4()), "kind": "recommendation", "committee_id": str(uuid.uuid4()),
            "title": "Opgaveudvalg om fællesskaber", "decision": "rejected", "reason": "Ingen penge",
            "told_ids": [MEMBER], "actor_id": POLITICIAN}
    assert told(data) == [("decision_rejected", [MEMBER])]


def test_the_notice_names_the_case_and_the_reasons_in_danish_and_nynorsk():
    params = {"title": "Spisevenner", "reason": "To af tre centre"}
    subject, lines = messages.render("decision_adopted", "da", params)
    assert subject == "Byrådet har vedtaget „Spisevenner“" and "Begrundelse: To af tre centre" in lines
    subject, lines = messages.render("decision_sent_on", "nn", params)
    assert subject == "Kommunestyret har sendt «Spisevenner» vidare" and lines[-1].startswith("Grunngjeving:")
    for d in ("adopted", "adopted_in_part", "rejected", "sent_on"):
        assert set(messages.TEXTS[f"decision_{d}"]) == {"da", "nb", "nn", "en"}
