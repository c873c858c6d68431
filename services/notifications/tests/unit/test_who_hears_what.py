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
    assert target.types == ("samskab.proposal.question_asked", "samskab.proposal.question_answered")
    assert target.key == "question_id"
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


def test_a_meeting_about_no_proposal_reaches_staff_and_its_registrants_hear_when_it_was_held():
    meeting = str(uuid.uuid4())
    scheduled = {"id": meeting, "proposal_id": None, "organiser_id": INITIATOR, "title": "Borgermøde"}
    assert told("samskab.meeting.scheduled", scheduled, staff=[STAFF, INITIATOR]) == [
        ("meeting_scheduled", []), ("meeting_scheduled_staff", [STAFF])]
    # a meeting of a proposal is its people's news, not the staff's
    assert told("samskab.meeting.scheduled", {**scheduled, "proposal_id": P}, staff=[STAFF])[1:] == []
    MEMBERS[f"meetings/{meeting}"] = [(AUTHOR, "registrant"), (SUPPORTER, "waitlisted")]
    concluded = {"id": meeting, "organiser_id": STAFF, "title": "Borgermøde"}
    assert told("samskab.meeting.concluded", concluded) == [("meeting_concluded", [AUTHOR])]
    [rule] = rules.rules_for("samskab.meeting.concluded", concluded)
    assert rule.anchor == "#outcomes" and rule.subject_of(concluded) == f"meetings/{meeting}"


def test_a_case_on_an_agenda_reaches_the_proposal_and_the_committee_and_new_members_hear_of_their_seat():
    member = str(uuid.uuid4())
    placed = {"proposal_id": P, "told_ids": [member], "actor_id": STAFF, "title": "Bænke",
              "meeting_date": "2027-01-14"}
    assert told("samskab.case.placed", placed) == [("case_placed", [member, INITIATOR, FOLLOWER, SUPPORTER, PARTNER])]
    subject, lines = messages.render("case_placed", "da", messages.params_from_event({"data": placed}))
    assert subject == "„Bænke“ er sat på dagsordenen" and lines == [
        "Sagen „Bænke“ er sat på dagsordenen til mødet 14. januar 2027."]
    committee = str(uuid.uuid4())
    seated = {"committee_id": committee, "new_member_ids": [member, AUTHOR], "actor_id": STAFF, "title": "Trafik"}
    assert told("samskab.committee.members_seated", seated) == [("members_seated", [member, AUTHOR])]
    [rule] = rules.rules_for("samskab.committee.members_seated", seated)
    assert rule.subject_of(seated) == f"committees/{committee}"


def test_a_closed_mission_reaches_its_followers_and_a_closed_or_changed_committee_its_members_and_applicants():
    mission, committee = str(uuid.uuid4()), str(uuid.uuid4())
    follower, member, applicant = (str(uuid.uuid4()) for _ in range(3))
    closed = {"mission_id": mission, "title": "Færre ensomme", "closed_as": "achieved", "note": "Målet er nået.",
              "follower_ids": [follower, STAFF], "actor_id": STAFF}
    assert told("samskab.mission.closed", closed) == [("mission_closed_achieved", [follower])]
    assert told("samskab.mission.closed", {**closed, "closed_as": "ended"}) == [("mission_closed_ended", [follower])]
    [rule] = rules.rules_for("samskab.mission.closed", closed)
    assert rule.subject_of(closed) == f"missions/{mission}"
    subject, lines = messages.render("mission_closed_ended", "nn", messages.params_from_event({"data": closed}))
    assert subject == "Oppdraget «Færre ensomme» er avslutta" and lines[-1] == "Merknaden frå kommunestyret: Målet er nået."
    done = {"committee_id": committee, "title": "Trafik", "note": "", "member_ids": [member], "actor_id": STAFF}
    assert told("samskab.committee.closed", done) == [("committee_closed", [member])]
    changed = {"committee_id": committee, "title": "Trafik", "applicant_ids": [applicant], "actor_id": STAFF}
    assert told("samskab.committee.updated", changed) == [("mandate_changed", [applicant])]
    subject, _ = messages.render("mandate_changed", "nb", messages.params_from_event({"data": changed}))
    assert subject == "Mandatet for «Trafik» er endret"


def test_hiding_a_question_blanks_the_answers_to_it_too():
    question = str(uuid.uuid4())
    target = redaction.target_of({"target_type": "question", "target_id": question, "proposal_id": P})
    answer = {"id": "e2", "type": "samskab.proposal.question_answered",
              "data": {"question_id": question, "answer_id": "a1", "body": "ja, ring 20304050", "proposal_id": P}}
    assert answer["type"] in target.types
    assert redaction.redact(answer, target, "h1")["data"]["body"] == ""


def test_the_status_in_a_mail_is_named_as_on_the_pages():
    from gateway.web import i18n as pages
    for lang in messages.LANGUAGES:
        for status in messages.STATUSES:
            _, lines = messages.render("proposal_status_changed", lang, {"title": "T", "status": status})
            assert pages.translate(lang, f"status.{status}") in lines[0], (lang, status)
    _, lines = messages.render("proposal_status_changed", "da", {"title": "T", "status": "forming"})
    assert "Gruppe dannes" in lines[0]
