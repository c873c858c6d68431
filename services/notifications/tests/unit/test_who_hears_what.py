"""The rules of who hears what (rules.py) and moderation's blanking (redaction.py)."""
import uuid

from notifications import messages, redaction, rules

P = str(uuid.uuid4())
INITIATOR, FOLLOWER, SUPPORTER, PARTNER, AUTHOR, STAFF = (str(uuid.uuid4()) for _ in range(6))
MEMBERS = {f"proposals/{P}": [(INITIATOR, "initiator"), (FOLLOWER, "follower"), (SUPPORTER, "supporter"),
                              (PARTNER, "partner")]}


def told(type_name, data, staff=()):
    """``[(template, [participant ids])]`` per applying rule, each person once per event."""
    seen, result = set(), []
    for rule in rules.rules_for(type_name, data):
        members = {s: MEMBERS.get(s, []) for s, _ in rule.audiences(data)}
        found = [p for p in rules.resolve_recipients(rule, data, members, staff) if p not in seen]
        seen.update(found)
        result.append((rule.template, found))
    return result


def test_partners_are_asked_to_accept_a_draft_and_the_others_hear_of_it():
    data = {"proposal_id": P, "change": "drafted", "version": 2, "accepted": False}
    assert told("samskab.proposal.agreement_updated", data) == [
        ("agreement_to_accept", [PARTNER]), ("agreement_drafted", [INITIATOR, FOLLOWER, SUPPORTER])]
    accepted_by_one = {**data, "change": "accepted"}
    assert told("samskab.proposal.agreement_updated", accepted_by_one) == [("agreement_acceptance", [INITIATOR, PARTNER])]
    in_place = {**data, "change": "accepted", "accepted": True}
    assert told("samskab.proposal.agreement_updated", in_place) == [
        ("agreement_accepted", [INITIATOR, FOLLOWER, SUPPORTER, PARTNER])]
    link_rule = rules.rules_for("samskab.proposal.agreement_updated", data)[0]
    assert link_rule.anchor == "#agreement"


def test_the_agreement_names_the_partners_and_a_new_version_replaces_them():
    [m] = rules.AUDIENCE["samskab.proposal.agreement_updated"].memberships({"proposal_id": P, "parties": [
        {"role": "initiator", "participant_id": INITIATOR}, {"role": "municipality"},
        {"role": "partner", "participant_id": PARTNER}]})
    assert (m.op, m.subject, m.relation, m.participant_ids) == ("replace", f"proposals/{P}", "partner", (PARTNER,))


def test_updates_experiments_and_answers_reach_followers_not_their_author():
    update = {"proposal_id": P, "author_id": INITIATOR}
    assert told("samskab.proposal.progress_posted", update) == [("progress_posted", [FOLLOWER, SUPPORTER, PARTNER])]
    experiment = {"proposal_id": P, "recorded_by": INITIATOR, "hypothesis": "h"}
    assert told("samskab.proposal.experiment_recorded", experiment)[0][1] == [FOLLOWER, SUPPORTER, PARTNER]
    answer = {"proposal_id": P, "author_id": INITIATOR, "question_author_id": AUTHOR}
    assert told("samskab.proposal.question_answered", answer) == [
        ("question_answered", [AUTHOR]), ("answer_posted", [FOLLOWER, PARTNER])]


def test_staff_hear_of_submissions_and_reports():
    assert told("samskab.proposal.submitted", {"id": P}, staff=[STAFF]) == [("proposal_submitted", [STAFF])]
    assert told("samskab.proposal.reported", {"proposal_id": P}, staff=[STAFF]) == [("content_reported", [STAFF])]


def test_a_meeting_of_a_proposal_reaches_its_people_and_outcomes_reach_registrants_too():
    meeting = str(uuid.uuid4())
    MEMBERS[f"meetings/{meeting}"] = [(AUTHOR, "registrant"), (FOLLOWER, "registrant")]
    scheduled = {"id": meeting, "proposal_id": P, "organiser_id": STAFF}
    assert told("samskab.meeting.scheduled", scheduled) == [
        ("meeting_scheduled", [INITIATOR, FOLLOWER, SUPPORTER, PARTNER])]
    outcome = {"meeting_id": meeting, "proposal_id": P, "text": "t"}
    assert told("samskab.meeting.outcome_recorded", outcome) == [
        ("outcome_recorded", [AUTHOR, FOLLOWER]), ("outcome_recorded", [INITIATOR, SUPPORTER, PARTNER])]
    minutes = {"meeting_id": meeting, "proposal_id": P, "author_id": STAFF}
    assert [who for _, who in told("samskab.meeting.minutes_recorded", minutes)] == [
        [AUTHOR, FOLLOWER], [INITIATOR, SUPPORTER, PARTNER]]


def test_only_the_newly_matched_are_told_when_the_event_names_them():
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    listed = [{"participant_id": a}, {"participant_id": b}]
    assert told("samskab.proposal.matches_suggested", {"proposal_id": P, "participants": listed}) == [
        ("matches_suggested", [a, b])]
    assert told("samskab.proposal.matches_suggested",
                {"proposal_id": P, "participants": listed, "newly_matched": [b]}) == [("matches_suggested", [b])]


def test_every_template_a_rule_names_has_every_language():
    named = {r.template for found in rules.NOTIFY.values() for r in (found if isinstance(found, tuple) else (found,))}
    for template in named:
        assert set(messages.TEXTS[template]) == set(messages.LANGUAGES), template


def test_a_waitlist_promotion_names_the_meeting_its_time_and_place_in_nynorsk():
    params = messages.params_from_event({"data": {
        "title": "Værkstedsaften", "starts_at": "2027-01-14T16:30:00+00:00", "time_zone": "Europe/Copenhagen",
        "place": "Vejgaard Bibliotek, Hadsundvej 35"}}, "UTC")
    subject, lines = messages.render("registration_promoted", "nn", params)
    assert subject == "Du har fått plass på «Værkstedsaften»"
    assert "14. januar 2027 kl. 17" in lines[1]  # the meeting's own time zone
    assert lines[2] == "Stad: Vejgaard Bibliotek, Hadsundvej 35"


def test_hiding_a_question_blanks_its_body_and_marks_the_copy():
    question = str(uuid.uuid4())
    target = redaction.target_of({"target_type": "question", "target_id": question, "proposal_id": P})
    assert target.types == ("samskab.proposal.question_asked",) and target.key == "question_id"
    envelope = {"id": "e1", "type": "samskab.proposal.question_asked",
                "data": {"question_id": question, "body": "ring 20304050", "proposal_id": P}}
    blanked = redaction.redact(envelope, target, "h1")
    assert blanked["data"]["body"] == "" and blanked["redactedby"] == "h1"
    assert envelope["data"]["body"] == "ring 20304050", "the original is not changed"
    proposal = redaction.target_of({"target_type": "proposal", "target_id": P})
    blanked = redaction.redact({"data": {"id": P, "title": "t", "problem": "p", "goal": "g", "area": "a",
                                         "status": "published"}}, proposal, "h2")
    assert blanked["data"] == {"id": P, "title": "", "problem": "", "goal": "", "area": None, "status": "published"}
    assert redaction.target_of({"target_type": "comment", "target_id": P}) is None
