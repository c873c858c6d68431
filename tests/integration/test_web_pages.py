"""The web pages against the whole real platform, driven as a browser without
JavaScript would drive them: every text field filled with markup comes back
escaped on every page that shows it; the guided proposal flow; staff triage,
agreement and scheduling; registration, waitlist and promotion."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from gateway.tests.support import Visitor, make_account, start_platform, wait_for

pytestmark = pytest.mark.integration

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
SHORT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
M = "/municipalities/aalborg"


def assert_escaped(response, where, shown=True):
    html = response.text
    assert response.status_code < 500, (where, response.status_code)
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where
    if shown:
        assert ESCAPED in html, f"the payload is not shown on {where}"


def errors_of(response):
    found = re.search(r'<div class="error-summary".*?</div>', response.text, re.S)
    return (response.status_code, response.url, found.group(0) if found else response.text[:1500])


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config)


def new_proposal(visitor, fields):
    """The guided flow, step by step, as a browser without JavaScript posts it."""
    page = f"{M}/proposals/new"
    values = {"title": "", "kind": "", "problem": "", "goal": "", "affected": "", "area": "", "topics": "",
              "needs": "", "iap2_level": "", "expectations": "", "language": "da", **fields}
    steps = ["mission", "affected", "needs", "expectations", "review"]
    r = None
    for step in steps[:-1]:
        r = visitor.post(page, {**values, "step": step, "go": "next"}, token_from=page)
        assert r.status_code == 200, (step, r.status_code)
    review = r
    r = visitor.post(page, {**values, "step": "review", "go": "submit"}, token_from=page)
    assert r.status_code == 200 and re.search(r"/proposals/[0-9a-f-]{36}\?done=submitted$", r.url), r.url
    return r.url.split("?")[0].rsplit("/", 1)[1], review


def test_markup_in_every_text_field_is_shown_escaped_on_every_page(platform):
    base, config = platform
    make_account(config, "medarbejder@example.org", "employee")
    eve = Visitor(base)
    eve.register("eve@example.org", name="Eve " + XSS)
    assert_escaped(eve.get("/me"), "/me (name)")

    r = eve.post("/me/profile", {"skills": XSS, "interests": "mobilitet", "areas": "Aalborg Øst",
                                 "resources": XSS, "suggest_me": "1", "languages": "da"}, token_from="/me/profile")
    assert r.status_code == 200 and r.url.endswith("/me?done=profile_saved")
    assert_escaped(eve.get("/me/profile"), "/me/profile")

    proposal_id, review = new_proposal(eve, {
        "title": "Cykler " + XSS, "kind": "development", "problem": "Problem " + XSS, "goal": "Mål " + XSS,
        "affected": XSS, "area": SHORT, "topics": SHORT, "needs": XSS, "iap2_level": "collaborate",
        "expectations": XSS})
    assert_escaped(review, "the review step")
    detail = f"{M}/proposals/{proposal_id}"
    assert_escaped(eve.get(detail), "proposal detail")

    staff = Visitor(base)
    staff.login("medarbejder@example.org")
    assert_escaped(staff.get(f"{M}/staff"), "staff triage (new proposal)")
    r = staff.post(f"{M}/proposals/{proposal_id}/transitions",
                   {"to": "published", "reason": "Offentlig " + XSS, "back": f"{M}/staff"}, token_from=f"{M}/staff")
    assert r.status_code == 200 and r.url.endswith("/staff?done=moved"), r.url

    r = eve.post(f"{detail}/questions", {"question": "Spørgsmål " + XSS}, token_from=detail)
    assert r.status_code == 200 and "done=asked" in r.url
    assert_escaped(staff.get(f"{M}/staff"), "staff triage (unanswered question)")
    question_id = re.search(r'/questions/([0-9a-f-]{36})/answers', staff.get(detail).text).group(1)
    r = staff.post(f"{detail}/questions/{question_id}/answers", {"answer": "Svar " + XSS}, token_from=detail)
    assert r.status_code == 200 and "done=answered" in r.url

    agreement = f"{detail}/agreement"
    r = staff.post(agreement, {
        "municipality_commitment": XSS, "iap2_level": "collaborate", "decision_maker": SHORT,
        "initiator_responsibilities": XSS, "municipality_responsibilities": XSS, "resources": XSS,
        "timeline": "2027-03-01 " + XSS}, token_from=agreement)
    assert r.status_code == 200 and "done=agreement_saved" in r.url, r.text[:500]
    assert_escaped(staff.get(agreement), "agreement form")

    r = staff.post(f"{detail}/experiments", {"hypothesis": XSS, "intervention": XSS, "starts_on": "2027-01-01"},
                   token_from=detail)
    assert r.status_code == 200 and "done=experiment_saved" in r.url, errors_of(r)
    experiment_id = re.search(r'/experiments/([0-9a-f-]{36})"', r.text).group(1)
    r = eve.post(f"{detail}/experiments/{experiment_id}", {"outcome": XSS, "learnings": XSS, "ends_on": "2027-02-01"},
                 token_from=detail)
    assert r.status_code == 200 and "done=experiment_saved" in r.url, errors_of(r)
    r = eve.post(f"{detail}/updates", {"update": "Nyt " + XSS}, token_from=detail)
    assert r.status_code == 200 and "done=update_posted" in r.url, errors_of(r)
    assert r.text.count("alert(2)") >= 8

    schedule = f"{M}/meetings/new?proposal_id={proposal_id}"
    # It starts in a few seconds, so that its outcomes can be recorded in this test.
    starts = dt.datetime.now(ZoneInfo("Europe/Copenhagen")) + dt.timedelta(seconds=4)
    r = staff.post("/municipalities/aalborg/meetings/new", {
        "title": "Møde " + XSS, "format": "working_citizens_meeting", "purpose": XSS, "promise": XSS,
        "iap2_level": "involve", "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%S"),
        "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"), "place_id": "",
        "online_url": "https://meet.example.org/skolevej", "capacity": "20", "proposal_id": proposal_id, "language": "da"}, token_from=schedule)
    assert r.status_code == 200 and re.search(r"/meetings/[0-9a-f-]{36}\?done=scheduled$", r.url), errors_of(r)
    meeting = r.url.split("?")[0][len(base):]
    r = staff.post(f"{meeting}/agenda", {"question": "Hvordan " + SHORT + "?", "minutes": "30"}, token_from=meeting)
    assert r.status_code == 200 and "done=saved" in r.url, errors_of(r)
    wait_for(lambda: "/outcomes" in staff.get(meeting).text, timeout=10, what="the meeting to start")
    r = staff.post(f"{meeting}/outcomes", {"outcome_kind": "decision", "outcome_text": XSS, "due": ""},
                   token_from=meeting)
    assert r.status_code == 200 and "done=saved" in r.url, errors_of(r)

    r = staff.post(f"{meeting}/minutes", {"minutes_text": "Referat " + XSS}, token_from=meeting)
    assert r.status_code == 200 and "done=saved" in r.url, errors_of(r)

    # Reported content: the reason reaches staff, the decision's reason everyone.
    r = eve.post(f"{detail}/reports", {"target": f"question:{question_id}", "report_reason": "Anmeldt " + XSS},
                 token_from=detail)
    assert r.status_code == 200 and "done=reported" in r.url, errors_of(r)
    triage = staff.get(f"{M}/staff")
    assert_escaped(triage, "staff triage (reports)")
    decision = re.search(r'/staff/reports/question/[0-9a-f-]{36}/[0-9a-f-]{36}', triage.text).group(0)
    r = staff.post(f"{M}{decision}", {"action": "hide", "reason": "Skjult " + XSS}, token_from=f"{M}/staff")
    assert "done=decided" in r.url
    assert "Skjult &lt;script&gt;" in Visitor(base).get(detail).text

    panel = f"{M}/panels"
    pool = "id,age,household\n" + "\n".join(f"v{i}{SHORT if i == 0 else ''},{'young' if i % 2 else 'old'},h{i}"
                                            for i in range(12))
    r = staff.post(panel, {"purpose": XSS, "size": "4", "alternates": "1", "seed": "42", "pool": pool,
                           "quotas": "age,young,2,2\nage,old,2,2"}, token_from=panel)
    assert r.status_code == 200, r.text[:2000]
    assert 'class="seed">42<' in r.text
    assert_escaped(r, "panel result and form")

    # Everywhere the texts are shown, to the public, the initiator and staff.
    anonymous = Visitor(base)
    for who, path in [(anonymous, detail), (eve, detail), (staff, detail), (anonymous, M),
                      (anonymous, f"{M}/proposals"), (anonymous, meeting), (staff, meeting),
                      (anonymous, f"{M}/meetings"), (eve, "/me"),
                      (anonymous, f"{M}/proposals?q={SHORT}&topic={SHORT}&area={SHORT}")]:
        assert_escaped(who.get(path), path)
    assert "Offentlig &lt;script&gt;" in anonymous.get(detail).text, "the reason shows in the timeline"
    # Markup sent where the page only echoes a form back (a failed sign-in, a bad registration).
    r = anonymous.post("/login", {"email": XSS, "password": "x"}, token_from="/login")
    assert_escaped(r, "login form echo")
    r = anonymous.post("/register", {"display_name": XSS, "email": XSS, "password": "short",
                                     "municipality": "aalborg", "role": "resident"}, token_from="/register")
    assert r.status_code == 422
    assert_escaped(r, "registration form echo")

    # The inbox: Eve follows her proposal, so the answer and publication reach her.
    wait_for(lambda: "unread" in eve.get("/me/inbox").text or eve.last.text.count("<li") > 6, timeout=10,
             what="an inbox page")
    assert_escaped(eve.get("/me/inbox"), "/me/inbox", shown=False)


def test_the_guided_flow_checks_each_step_and_shows_similar_proposals_before_submitting(platform):
    base, config = platform
    make_account(config, "staff@example.org", "employee")
    first = Visitor(base)
    first.register("first@example.org")
    existing, _ = new_proposal(first, {"title": "Sikker skolevej langs Hobrovej", "kind": "service",
                                       "problem": "Børn cykler langs Hobrovej uden cykelsti om morgenen.",
                                       "goal": "En sikker skolevej for alle børn inden sommerferien.",
                                       "iap2_level": "involve"})
    staff = Visitor(base)
    staff.login("staff@example.org")
    r = staff.post(f"{M}/proposals/{existing}/transitions", {"to": "published", "reason": "Godt forslag"},
                   token_from=f"{M}/proposals/{existing}")
    assert "done=moved" in r.url

    second = Visitor(base)
    second.register("second@example.org")
    page = f"{M}/proposals/new"
    # Step 1 without the mission: refused with the fields named, in Danish, and the values kept.
    r = second.post(page, {"step": "mission", "go": "next", "title": "Skolevej", "problem": "", "goal": ""},
                    token_from=page)
    assert r.status_code == 422
    assert "Der er noget, der skal rettes" in r.text
    assert 'href="#f-problem"' in r.text and 'href="#f-goal"' in r.text and 'href="#f-kind"' in r.text
    assert 'value="Skolevej"' in r.text and 'aria-invalid="true"' in r.text
    values = {"title": "Tryg skolevej ved Hobrovej", "kind": "service",
              "problem": "Skolebørn krydser Hobrovej uden lys og cykelsti.", "goal": "Sikker skolevej for børn.",
              "affected": "Forældre og skolebørn", "area": "Hobrovej", "topics": "trafik, skole",
              "needs": "trafikplanlægger\nforældre", "iap2_level": "", "expectations": "", "language": "da"}
    for step in ("mission", "affected", "needs"):
        r = second.post(page, {**values, "step": step, "go": "next"}, token_from=page)
        assert r.status_code == 200
    # The expectations step needs the level of participation.
    r = second.post(page, {**values, "step": "expectations", "go": "next"}, token_from=page)
    assert r.status_code == 422 and 'id="e-iap2_level"' in r.text
    values["iap2_level"] = "involve"
    r = second.post(page, {**values, "step": "expectations", "go": "next"}, token_from=page)
    assert r.status_code == 200 and 'aria-current="step">Gennemse og send' in r.text
    # Before submitting: the existing proposal about the same road is shown.
    assert f"/proposals/{existing}" in r.text and "Sikker skolevej langs Hobrovej" in r.text
    # Going back keeps everything entered.
    r = second.post(page, {**values, "step": "review", "go": "back"}, token_from=page)
    assert 'value="involve" aria-describedby="h-level-involve" checked' in r.text
    attempt = re.search(r'name="attempt" value="([0-9a-f]{32})"', r.text).group(1)
    r = second.post(page, {**values, "attempt": attempt, "step": "review", "go": "draft"}, token_from=page)
    assert r.status_code == 200 and "done=drafted" in r.url
    draft = r.url.split("?")[0]
    # The same form sent again (a double click, a resend): the same draft, not a second one.
    again = second.post(page, {**values, "attempt": attempt, "step": "review", "go": "draft"}, token_from=page)
    assert again.url.split("?")[0] == draft
    assert "Udkast" in r.text and "Hvem er berørt:" in r.text and "trafikplanlægger" in r.text
    # A draft is the initiator's alone.
    assert Visitor(base).get(draft[len(base):]).status_code == 404
    assert "Tryg skolevej ved Hobrovej" in second.get("/me").text


def test_the_last_seat_the_waitlist_and_the_promotion_after_a_cancellation(platform):
    base, config = platform
    make_account(config, "planner@example.org", "employee")
    staff = Visitor(base)
    staff.login("planner@example.org")
    r = staff.post(f"{M}/meetings/new", {
        "title": "Borgermøde om skolevejen", "format": "working_citizens_meeting", "purpose": "Hvordan?",
        "promise": "Vi svarer alle inden en måned.", "starts_at": "2027-02-10T17:00", "ends_at": "2027-02-10T19:00",
        "capacity": "1", "language": "da", "online_url": "https://meet.example.org/b"}, token_from=f"{M}/meetings/new")
    assert "done=scheduled" in r.url
    meeting = r.url.split("?")[0][len(base):]
    # The local time, in Danish, in Copenhagen's time zone.
    assert "onsdag 10. februar 2027 kl. 17.00" in r.text

    anna, bo = Visitor(base), Visitor(base)
    anna.register("anna@example.org")
    bo.register("bo@example.org")
    r = anna.post(f"{meeting}/registration", {}, token_from=meeting)
    assert "done=registered_meeting" in r.url and "Du har en plads." in r.text
    r = bo.get(meeting)
    assert "Fuldt – venteliste" in r.text and "Skriv mig på ventelisten" in r.text
    r = bo.post(f"{meeting}/registration", {}, token_from=meeting)
    assert "done=waitlisted" in r.url and "Du står på ventelisten som nr. 1." in r.text
    r = anna.post(f"{meeting}/registration", {"cancel": "1"}, token_from=meeting)
    assert "done=registration_cancelled" in r.url and "Tilmeld mig" not in r.text
    assert "Du har en plads." in bo.get(meeting).text
    # The calendar link is the API's .ics.
    ics = anna.get(f"/api/v1{meeting}.ics")
    assert ics.status_code == 200 and "BEGIN:VCALENDAR" in ics.text


def test_my_data_downloads_as_a_file_and_deleting_the_account_needs_a_tick_and_signs_out(platform):
    base, _ = platform
    me = Visitor(base)
    me.register("leaving@example.org", name="Lene Leaving")
    r = me.get("/me/data/export")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="samskab-my-data.json"'
    data = r.json()
    assert data["account"]["email"] == "leaving@example.org" and data["account"]["display_name"] == "Lene Leaving"

    r = me.post("/me/data/delete", {}, token_from="/me/data")
    assert r.status_code == 422 and "Sæt flueben for at bekræfte" in r.text
    assert me.get("/me").url.endswith("/me"), "still there"
    r = me.post("/me/data/delete", {"confirm": "1"}, token_from="/me/data")
    assert r.url == base + "/?done=erased"
    assert "Din konto og dine personoplysninger er slettet." in r.text
    assert "/login" in me.get("/me").url
    assert me.login("leaving@example.org").status_code == 401
