"""Every kind of report tells the municipality's staff (issues 15 and 21): a proposal or a
piece of it, a picture or file, a comment under a proposal or under a meeting; nobody
else; the link opens the reported thing (a comment with its #c-<id>), in da/nb/nn/en."""
import uuid

from notifications import messages, rules

from .test_who_hears_what import FOLLOWER, P, STAFF, told

MEETING, COMMENT = str(uuid.uuid4()), str(uuid.uuid4())


def test_every_kind_of_report_tells_staff_only():
    reports = {
        "samskab.proposal.reported": ({"proposal_id": P, "target_type": "question"}, "content_reported"),
        "samskab.proposal.attachment_reported": ({"proposal_id": P, "attachment_id": COMMENT}, "attachment_reported"),
        "samskab.comment.reported": ({"proposal_id": P, "comment_id": COMMENT}, "comment_reported"),
        "samskab.meeting.comment_reported": ({"meeting_id": MEETING, "comment_id": COMMENT},
                                             "meeting_comment_reported"),
        "samskab.meeting.attachment_reported": ({"meeting_id": MEETING, "attachment_id": COMMENT},
                                                "meeting_attachment_reported"),
    }
    for type_name, (data, template) in reports.items():
        assert told(type_name, {**data, "report_id": str(uuid.uuid4())}, staff=[STAFF]) == [(template, [STAFF])]
        # the proposal's followers are not told: a report waits for staff, it is not news
        assert FOLLOWER not in told(type_name, data, staff=[STAFF])[0][1]


def test_a_comment_report_links_to_the_comment_itself():
    [rule] = rules.rules_for("samskab.meeting.comment_reported", {"meeting_id": MEETING, "comment_id": COMMENT})
    assert rule.subject_of({"meeting_id": MEETING}) + rule.anchor == f"meetings/{MEETING}/comments#c-{COMMENT}"
    [rule] = rules.rules_for("samskab.comment.reported", {"proposal_id": P, "comment_id": COMMENT})
    assert rule.subject_of({"proposal_id": P}) + rule.anchor == f"proposals/{P}/comments#c-{COMMENT}"
    # only an id goes into a link: anything else leaves the thread's page without a fragment
    [rule] = rules.rules_for("samskab.comment.reported", {"proposal_id": P, "comment_id": "x\"><script>"})
    assert rule.anchor == "/comments"
    # the table itself keeps its placeholder for the next event
    assert rules.NOTIFY["samskab.comment.reported"].anchor == "/comments#c-{comment_id}"


def test_report_notices_name_the_meeting_or_proposal_in_each_language():
    assert messages.render("meeting_comment_reported", "da", {"title": "Cykelaften"})[0] == \
        "Kommentar anmeldt ved mødet „Cykelaften“"
    assert messages.render("meeting_comment_reported", "nb", {"title": "Sykkelkveld"})[0] == \
        "Kommentar meldt ved møtet «Sykkelkveld»"
    assert "ventar" in messages.render("comment_reported", "nn", {"title": "Benkar"})[1][0]
    assert messages.render("attachment_reported", "en", {"title": "Benches"})[0] == \
        "Picture or file reported in “Benches”"
    assert messages.render("meeting_attachment_reported", "nn", {"title": "Folkemøte"})[0] == \
        "Bilete eller fil meldt ved møtet «Folkemøte»"
