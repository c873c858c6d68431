"""A municipality's life as its events (full internal data, as the services emit them),
for the open-data tests: several events about each entity, hidden content, every dataset.

``scenario()`` gives the stages (lists of ``(type, subject, data)``; a stage is about
entities the earlier stages made) and what the datasets must then hold."""
import datetime as dt
import uuid

M = "aalborg"
SECRET_QUESTION = "Hvem betaler for Jens Hansens cykel?"
SECRET_COMMENT = "Naboen i nr. 7 er en idiot"
HIDDEN_TITLE = "Forslag der blev skjult"
OFFICE = {"role": "politician", "name": "Anna Politiker", "party": "Socialdemokratiet"}


def _at(minutes):
    return (dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=minutes)).isoformat()


def proposal(pid, status, title="Grønnere pendling", **extra):
    return {"id": pid, "municipality": M, "kind": "development", "title": title,
            "problem": "Most commuters drive alone.", "goal": "Half use bike, bus or car pooling by 2028.",
            "language": "da", "status": status, "initiator_id": str(uuid.uuid4()), "initiator_role": "resident",
            "created_at": _at(0), "topics": ["trafik"], "latitude": 57.05, "longitude": 9.92, **extra}


def meeting(mid, pid, status="scheduled", confirmed=0, title="Borgermøde om grøn pendling"):
    starts = dt.datetime(2026, 12, 3, 17, tzinfo=dt.timezone.utc)
    return {"id": mid, "municipality": M, "proposal_id": pid, "format": "working_citizens_meeting", "title": title,
            "purpose": "Hvordan kommer flere på cykel?", "promise": "Forslagene går til byrådet.",
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "time_zone": "Europe/Copenhagen", "online": False, "capacity": 40, "status": status, "sequence": 1,
            "confirmed_count": confirmed, "waitlist_count": 0, "seats_left": 40 - confirmed}


def scenario():
    ids = {name: str(uuid.uuid4()) for name in (
        "proposal", "moderated", "hidden", "meeting", "outcome", "experiment", "mission", "committee", "case",
        "question", "comment", "resident", "partner")}
    p, q, h = ids["proposal"], ids["moderated"], ids["hidden"]
    sp, sq, sh = f"proposals/{p}", f"proposals/{q}", f"proposals/{h}"
    experiment = {"proposal_id": p, "municipality": M, "experiment_id": ids["experiment"],
                  "hypothesis": "Delecykler får flere til at cykle", "intervention": "20 delecykler ved stationen",
                  "starts_on": "2026-12-01", "recorded_by": str(uuid.uuid4())}
    agreement = {"proposal_id": p, "municipality": M, "version": 1, "municipality_commitment": "Vi stiller cykler",
                 "iap2_level": "collaborate", "decision_maker": "Teknik- og miljøudvalget",
                 "parties": [{"role": "initiator", "participant_id": ids["resident"], "responsibilities": "Tovholder"},
                             {"role": "partner", "participant_id": ids["partner"], "responsibilities": "Cykler"}],
                 "change": "drafted"}
    stages = [
        [("samskab.proposal.submitted", sp, proposal(p, "submitted")),
         ("samskab.proposal.published", sq, proposal(q, "published", title="Flere bænke")),
         ("samskab.proposal.published", sh, proposal(h, "published", title=HIDDEN_TITLE)),
         ("samskab.mission.published", f"missions/{ids['mission']}", {
             "id": ids["mission"], "municipality": M, "title": "Færre ensomme ældre", "challenge": "Ensomhed",
             "goal": "Halvér ensomheden", "horizon": 2030, "owner_committee": "Ældreudvalget", "language": "da",
             "published_by": OFFICE, "actor_id": str(uuid.uuid4())})],
        [("samskab.proposal.published", sp, proposal(p, "published")),
         ("samskab.proposal.question_asked", f"{sq}/questions/{ids['question']}", {
             "proposal_id": q, "municipality": M, "question_id": ids["question"], "body": SECRET_QUESTION,
             "asked_at": _at(5), "author_id": ids["resident"], "initiator_id": str(uuid.uuid4())}),
         ("samskab.comment.posted", f"{sq}/comments/{ids['comment']}", {
             "comment_id": ids["comment"], "proposal_id": q, "municipality": M, "body": SECRET_COMMENT,
             "posted_at": _at(5), "author_id": ids["resident"], "initiator_id": str(uuid.uuid4())}),
         ("samskab.meeting.scheduled", f"meetings/{ids['meeting']}", meeting(ids["meeting"], p)),
         ("samskab.committee.formed", f"committees/{ids['committee']}", {
             "id": ids["committee"], "municipality": M, "title": "Opgaveudvalg om fællesskaber",
             "mission_id": ids["mission"], "seats": {"resident": 2, "politician": 1}, "recruitment": "panel",
             "mandate": {"task": "Foreslå fællesskaber", "questions": ["Hvem mangler vi?"], "frame": "2 mio. kr.",
                         "deadline": "2027-09-30"}, "formed_by": OFFICE, "actor_id": str(uuid.uuid4())})],
        [("samskab.proposal.updated", sp, proposal(p, "published", title="Grønnere pendling i Øst")),
         ("samskab.proposal.supported", sp, {"proposal_id": p, "municipality": M, "participant_id": ids["resident"],
                                              "support_count": 1}),
         ("samskab.proposal.hidden", sq, {
             "proposal_id": q, "municipality": M, "target_type": "question", "target_id": ids["question"],
             "reason": "Personangreb", "author_id": ids["resident"], "hidden_by": str(uuid.uuid4())}),
         ("samskab.comment.hidden", f"{sq}/comments/{ids['comment']}", {
             "comment_id": ids["comment"], "proposal_id": q, "municipality": M, "reason": "Personangreb",
             "author_id": ids["resident"], "hidden_by": str(uuid.uuid4())}),
         ("samskab.proposal.hidden", sh, {
             "proposal_id": h, "municipality": M, "target_type": "proposal", "target_id": h,
             "reason": "Krænkende", "author_id": ids["resident"], "hidden_by": str(uuid.uuid4())}),
         ("samskab.registration.confirmed", f"meetings/{ids['meeting']}", {
             "registration_id": str(uuid.uuid4()), "meeting_id": ids["meeting"], "municipality": M,
             "participant_id": ids["resident"], "group": "resident", "status": "confirmed",
             "confirmed_count": 1, "waitlist_count": 0, "seats_left": 39}),
         ("samskab.proposal.experiment_recorded", f"{sp}/experiments/{ids['experiment']}", experiment),
         ("samskab.proposal.agreement_updated", f"{sp}/agreement", agreement),
         ("samskab.mission.proposal_attached", f"missions/{ids['mission']}", {
             "mission_id": ids["mission"], "municipality": M, "proposal_id": p, "attached_by": "initiator",
             "title": "Grønnere pendling", "actor_id": ids["resident"]}),
         ("samskab.committee.members_seated", f"committees/{ids['committee']}", {
             "committee_id": ids["committee"], "municipality": M, "title": "Opgaveudvalg om fællesskaber",
             "members_by_group": {"resident": 2}, "politicians": [OFFICE], "panel_id": str(uuid.uuid4()),
             "seed": 2027, "new_member_ids": [ids["resident"]], "actor_id": str(uuid.uuid4())})],
        [("samskab.proposal.status_changed", sp, proposal(
            p, "active", title="Grønnere pendling i Øst", from_status="published", reason="Aftalen er på plads",
            changed_by="staff", actor_id=str(uuid.uuid4()), support_count=1)),
         ("samskab.meeting.concluded", f"meetings/{ids['meeting']}", meeting(ids["meeting"], p, "concluded", 1)),
         ("samskab.meeting.outcome_recorded", sp, {
             "id": ids["outcome"], "meeting_id": ids["meeting"], "municipality": M, "proposal_id": p,
             "kind": "action", "text": "Kommunen opstiller 20 cykler", "owner": "Teknik", "due": "2027-03-01"}),
         ("samskab.proposal.experiment_recorded", f"{sp}/experiments/{ids['experiment']}",
          {**experiment, "ends_on": "2027-02-01", "outcome": "30 % flere cykler", "learnings": "Placering betyder alt"}),
         ("samskab.proposal.agreement_updated", f"{sp}/agreement",
          {**agreement, "version": 2, "accepted": True, "accepted_by": ["initiator", "partner", "municipality"],
           "change": "accepted"}),
         ("samskab.case.opened", f"committees/{ids['committee']}", {
             "case_id": ids["case"], "municipality": M, "kind": "recommendation", "committee_id": ids["committee"],
             "title": "Opgaveudvalg om fællesskaber", "opened_at": _at(30)})],
        [("samskab.decision.made", f"committees/{ids['committee']}", {
            "case_id": ids["case"], "municipality": M, "kind": "recommendation", "committee_id": ids["committee"],
            "title": "Opgaveudvalg om fællesskaber", "opened_at": _at(30), "decision": "adopted_in_part",
            "reason": "To af tre centre åbner i 2028.", "decided_at": _at(60), "decided_by": OFFICE,
            "actor_id": str(uuid.uuid4())}),
         ("samskab.mission.updated", f"missions/{ids['mission']}", {
             "mission_id": ids["mission"], "municipality": M, "title": "Færre ensomme ældre i 2032",
             "challenge": "Ensomhed", "goal": "Halvér ensomheden", "horizon": 2032, "owner_committee": "Ældreudvalget",
             "changed": ["title", "horizon"], "updated_at": _at(61), "updated_by": OFFICE,
             "actor_id": str(uuid.uuid4())})],
        [("samskab.mission.closed", f"missions/{ids['mission']}", {
            "mission_id": ids["mission"], "municipality": M, "title": "Færre ensomme ældre i 2032",
            "closed_as": "achieved", "note": "Målet blev nået to år før tid.", "closed_at": _at(90),
            "closed_by": OFFICE, "follower_ids": [ids["resident"]], "actor_id": str(uuid.uuid4())}),
         ("samskab.committee.closed", f"committees/{ids['committee']}", {
             "committee_id": ids["committee"], "municipality": M, "title": "Opgaveudvalg om fællesskaber",
             "note": "Tak for arbejdet.", "closed_at": _at(91), "closed_by": OFFICE,
             "member_ids": [ids["resident"]], "actor_id": str(uuid.uuid4())})],
    ]
    expected = {  # dataset → {id: (title, status)}
        "proposals": {p: ("Grønnere pendling i Øst", "active"), q: ("Flere bænke", "published"), h: ("", "hidden")},
        "meetings": {ids["meeting"]: ("Borgermøde om grøn pendling", "concluded")},
        "outcomes": {ids["outcome"]: ("Kommunen opstiller 20 cykler", "concluded")},
        "experiments": {ids["experiment"]: ("Delecykler får flere til at cykle", "concluded")},
        "agreements": {p: ("Grønnere pendling i Øst", "accepted")},
        "missions": {ids["mission"]: ("Færre ensomme ældre i 2032", "achieved")},
        "committees": {ids["committee"]: ("Opgaveudvalg om fællesskaber", "closed")},
        "decisions": {ids["case"]: ("Opgaveudvalg om fællesskaber", "decided")},
    }
    return ids, stages, expected
