"""Meetings through the gateway: what a resident, staff member and calendar client see."""
import datetime as dt
import uuid

import icalendar
import pytest
import requests
import sqlalchemy as sa

from samskab.testing import Subscriber, http_port, unit_of_work

from gateway.service import Service as Gateway
from meetings.service import Service as Meetings
from meetings.storage import meetings, places, registrations

from .conftest import meeting_payload

pytestmark = pytest.mark.integration

UTC = dt.timezone.utc


@pytest.fixture
def platform(runner_factory, make_config, broker_uri):
    gateway_config = make_config("gateway")
    meetings_config = make_config("meetings")
    runner = runner_factory(gateway_config, Gateway)
    backend = runner_factory(meetings_config, Meetings)
    runner.start()
    backend.start()
    base = f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}/api/v1"
    return {"base": base, "gateway_db": gateway_config["DATABASE_URL"], "db": meetings_config["DATABASE_URL"],
            "amqp": broker_uri}


def account(platform, role="resident", municipality="aalborg"):
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    r = requests.post(f"{platform['base']}/auth/register", json={
        "email": email, "password": "correct horse battery", "display_name": "Test Person",
        "municipality": municipality})
    assert r.status_code == 201, r.text
    if role != "resident":
        with unit_of_work(platform["gateway_db"]) as uow:
            uow.execute(sa.text("UPDATE accounts SET role = :r WHERE email = :e"), {"r": role, "e": email})
    t = requests.post(f"{platform['base']}/auth/token", json={"email": email, "password": "correct horse battery"})
    return {"Authorization": f"Bearer {t.json()['access_token']}"}, r.json()["id"]


def count(url, table):
    with unit_of_work(url) as uow:
        return uow.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def is_problem(r, status):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    return r.json()


LIBRARY = {"name": "Hovedbiblioteket", "kind": "library", "address": "Rendsburggade 2, 9000 Aalborg",
           "capacity": 80, "step_free": True, "hearing_loop": True}


def test_staff_schedule_residents_register_and_calendars_follow_every_change(platform):
    base = platform["base"]
    staff, _ = account(platform, "employee")
    resident, resident_id = account(platform)
    subscriber = Subscriber(platform["amqp"], "aalborg.meeting.*")

    assert requests.post(f"{base}/municipalities/aalborg/meeting-places", json=LIBRARY,
                         headers=resident).status_code == 403
    place = requests.post(f"{base}/municipalities/aalborg/meeting-places", json=LIBRARY, headers=staff).json()
    assert [p["name"] for p in requests.get(f"{base}/municipalities/aalborg/meeting-places").json()] == ["Hovedbiblioteket"]

    # across the spring DST change, given as wall-clock time in Aalborg
    body = meeting_payload(starts_at="2027-03-27T20:00:00", ends_at="2027-03-28T04:00:00", place_id=place["id"],
                           capacity=40, online_url=None, title="Natligt temaværksted", format="theme_workshop")
    assert requests.post(f"{base}/municipalities/aalborg/meetings", json=body, headers=resident).status_code == 403
    r = requests.post(f"{base}/municipalities/aalborg/meetings", json=body, headers=staff)
    assert r.status_code == 201, r.text
    meeting = r.json()
    assert meeting["starts_at"] == "2027-03-27T19:00:00+00:00" and meeting["local_ends_at"].endswith("+02:00")
    assert meeting["place"]["hearing_loop"] is True and meeting["sequence"] == 0

    url = f"{base}/municipalities/aalborg/meetings/{meeting['id']}"
    r = requests.get(url + ".ics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == f"{meeting['id']}@samskab" and event.decoded("sequence") == 0
    assert event.decoded("dtend").astimezone(UTC) - event.decoded("dtstart").astimezone(UTC) == dt.timedelta(hours=7)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    assert "Hovedbiblioteket" in str(event["location"])
    assert str(event["location"]).endswith("(trinfri adgang, teleslynge)")  # Aalborg: in Danish
    # a calendar client polling with the ETag it has gets 304 until something changes
    assert requests.get(url + ".ics", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    etag_before = r.headers["ETag"]
    # the plain route still answers JSON for the same id
    assert requests.get(url).json()["id"] == meeting["id"]

    r = requests.post(url + "/registrations", headers=resident)
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    assert "Idempotent-Replayed" not in r.headers
    # registering again (a retry after a 503, a double click) answers with the same registration
    again = requests.post(url + "/registrations", headers=resident)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == r.json()
    feed_url = requests.post(f"{base}/me/calendar-feed", headers=resident).json()["url"]
    token_path = feed_url.split("/api/v1", 1)[1]
    private = icalendar.Calendar.from_ical(requests.get(base + token_path).content)
    assert [str(e["uid"]) for e in private.walk("VEVENT")] == [f"{meeting['id']}@samskab"]
    assert requests.get(f"{base}/calendar/{'x' * 43}.ics").status_code == 404

    # rescheduled a week later: same UID, SEQUENCE raised, everywhere
    r = requests.patch(url, json={"starts_at": "2027-04-03T20:00:00", "ends_at": "2027-04-04T03:00:00"}, headers=staff)
    assert r.status_code == 200, r.text
    assert r.json()["sequence"] == 1
    assert requests.get(url + ".ics", headers={"If-None-Match": etag_before}).status_code == 200
    for ics in (requests.get(url + ".ics").content, requests.get(base + token_path).content,
                requests.get(f"{base}/municipalities/aalborg/calendar.ics").content):
        [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert str(event["uid"]) == f"{meeting['id']}@samskab"
        assert event.decoded("sequence") == 1
        assert event.decoded("dtstart").astimezone(UTC) == dt.datetime(2027, 4, 3, 18, 0, tzinfo=UTC)

    # cancelled: sent as a cancellation, SEQUENCE raised again
    r = requests.post(url + "/cancel", json={"reason": "Biblioteket er lukket"}, headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    cal = icalendar.Calendar.from_ical(requests.get(url + ".ics").content)
    [event] = cal.walk("VEVENT")
    assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED" and event.decoded("sequence") == 2
    [event] = icalendar.Calendar.from_ical(requests.get(base + token_path).content).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert is_problem(requests.patch(url, json={"title": "Nyt navn"}, headers=staff), 409)
    # a new feed URL replaces the old one, which stops working
    new_path = requests.post(f"{base}/me/calendar-feed", headers=resident).json()["url"].split("/api/v1", 1)[1]
    assert requests.get(base + new_path).status_code == 200
    is_problem(requests.get(base + token_path), 404)

    received = subscriber.drain(expect=3, timeout=30)
    assert [m.routing_key for m, _, _ in received] == [
        "aalborg.meeting.scheduled", "aalborg.meeting.updated", "aalborg.meeting.cancelled"]
    for _, _, body in received:
        assert resident_id.encode() not in body and b"participant_ids" not in body
    subscriber.close()


def test_bad_input_gets_a_problem_and_stores_nothing(platform):
    base = platform["base"]
    staff, _ = account(platform, "employee")
    small = requests.post(f"{base}/municipalities/aalborg/meeting-places", json={**LIBRARY, "capacity": 20},
                          headers=staff).json()
    cases = [
        (meeting_payload(ends_at=(dt.datetime.now(UTC) + dt.timedelta(days=6)).isoformat()), 422, "ends_at"),
        (meeting_payload(capacity=0), 422, "capacity"),
        (meeting_payload(place_id=str(uuid.uuid4())), 422, "place_id"),
        (meeting_payload(place_id=small["id"], capacity=50), 422, "capacity"),
        (meeting_payload(reserved={"resident": 8, "politician": 5}), 422, "reserved"),
        (meeting_payload(format="town_hall_rant"), 422, "format"),
        (meeting_payload(starts_at="2027-03-28T02:30:00", ends_at="2027-03-28T05:00:00"), 422, "starts_at"),
    ]
    for body, status, field in cases:
        problem = is_problem(requests.post(f"{base}/municipalities/aalborg/meetings", json=body, headers=staff), status)
        assert field in [e["field"] for e in problem.get("errors", [])], (field, problem)
    assert count(platform["db"], meetings) == 0

    # registration after the window closed: a problem, and no registration stored
    opened = requests.post(f"{base}/municipalities/aalborg/meetings", json=meeting_payload(), headers=staff).json()
    with unit_of_work(platform["db"]) as uow:
        uow.execute(meetings.update().values(registration_closes_at=dt.datetime.now(UTC) - dt.timedelta(minutes=1)))
    resident, _ = account(platform)
    problem = is_problem(requests.post(f"{base}/municipalities/aalborg/meetings/{opened['id']}/registrations",
                                       headers=resident), 409)
    assert "closed" in problem["detail"]
    assert count(platform["db"], registrations) == 0

    is_problem(requests.post(f"{base}/municipalities/aalborg/meeting-places", json={**LIBRARY, "capacity": 0},
                             headers=staff), 422)
    assert count(platform["db"], places) == 1
    is_problem(requests.get(f"{base}/municipalities/aalborg/meetings/{uuid.uuid4()}"), 404)
    is_problem(requests.get(f"{base}/municipalities/aalborg/meetings/{opened['id']}/registrations",
                            headers=resident), 403)
    # another municipality's staff cannot touch Aalborg's meeting
    hjorring_staff, _ = account(platform, "employee", municipality="hjorring")
    is_problem(requests.patch(f"{base}/municipalities/aalborg/meetings/{opened['id']}", json={"title": "x"},
                              headers=hjorring_staff), 403)


def test_format_suggestions_over_http(platform):
    base = platform["base"]
    r = requests.get(f"{base}/municipalities/aalborg/meeting-formats/suggest",
                     params={"level": "empower", "expected": 15, "kind": "policy"})
    assert r.status_code == 200
    best = r.json()[0]
    assert best["format"] == "task_committee" and best["details"]["sessions"] == {"min": 5, "max": 7}
    assert any("empower" in reason for reason in best["reasons"])
    problem = is_problem(requests.get(f"{base}/municipalities/aalborg/meeting-formats/suggest",
                                      params={"level": "shout"}), 422)
    assert problem["errors"][0]["field"] == "level"
    is_problem(requests.get(f"{base}/municipalities/aalborg/meeting-formats/suggest", params={"expected": "many"}), 422)
    assert len(requests.get(f"{base}/municipalities/aalborg/meeting-formats").json()) == 7


def test_agenda_minutes_and_outcomes_reach_the_proposals_history(platform):
    base = platform["base"]
    staff, _ = account(platform, "employee")
    proposal_id = str(uuid.uuid4())
    meeting = requests.post(f"{base}/municipalities/aalborg/meetings",
                            json=meeting_payload(proposal_id=proposal_id), headers=staff).json()
    url = f"{base}/municipalities/aalborg/meetings/{meeting['id']}"
    for q in ("Hvad holder jer fra at cykle?", "Hvad ville få jer til at prøve samkørsel?"):
        assert requests.post(url + "/agenda", json={"question": q, "minutes": 30}, headers=staff).status_code == 201
    assert [q["position"] for q in requests.get(url).json()["agenda"]] == [1, 2]
    problem = is_problem(requests.post(url + "/agenda", json={"question": "Oplæg om cykelstier"}, headers=staff), 422)
    assert problem["errors"][0]["field"] == "question"  # guideline 5: ask questions rather than give answers

    # not before the meeting has started
    is_problem(requests.post(url + "/outcomes", json={"kind": "decision", "text": "x"}, headers=staff), 409)
    with unit_of_work(platform["db"]) as uow:
        uow.execute(meetings.update().values(starts_at=dt.datetime.now(UTC) - dt.timedelta(hours=1)))
    subscriber = Subscriber(platform["amqp"], "aalborg.meeting.outcome_recorded")
    assert requests.put(url + "/minutes", json={"text": "42 deltog."}, headers=staff).status_code == 200
    is_problem(requests.post(url + "/outcomes", json={"kind": "action", "text": "Cykelværksted"}, headers=staff), 422)
    r = requests.post(url + "/outcomes", json={"kind": "action", "text": "Åbn et cykelværksted på Øst",
                                               "owner": "Mette Hansen", "due": "2027-05-01"}, headers=staff)
    assert r.status_code == 201, r.text
    [(method, _, body)] = subscriber.drain(expect=1, timeout=30)
    event = __import__("json").loads(body)
    assert event["subject"] == f"proposals/{proposal_id}"
    assert event["data"]["proposal_id"] == proposal_id and event["data"]["kind"] == "action"
    assert "owner" not in event["data"] and b"Mette" not in body, "who carries an action stays internal"
    shown = requests.get(url).json()
    assert shown["minutes"] == "42 deltog." and [o["kind"] for o in shown["outcomes"]] == ["action"]
    assert requests.post(url + "/conclude", headers=staff).json()["status"] == "concluded"
    subscriber.close()


def test_twenty_concurrent_http_registrations_for_three_seats(platform):
    import eventlet

    base = platform["base"]
    staff, _ = account(platform, "employee")
    meeting = requests.post(f"{base}/municipalities/aalborg/meetings", json=meeting_payload(capacity=3),
                            headers=staff).json()
    url = f"{base}/municipalities/aalborg/meetings/{meeting['id']}"
    people = [account(platform) for _ in range(20)]

    pool = eventlet.GreenPool(20)
    responses = list(pool.imap(lambda p: requests.post(url + "/registrations", headers=p[0]), people))
    assert [r.status_code for r in responses] == [201] * 20
    results = [r.json() for r in responses]
    assert sum(r["status"] == "confirmed" for r in results) == 3
    assert sorted(r["waitlist_position"] for r in results if r["status"] == "waitlisted") == list(range(1, 18))
    listing = requests.get(url + "/registrations", headers=staff).json()
    by_account = {p[1]: r for p, r in zip(people, results)}
    assert [by_account[r["participant_id"]]["waitlist_position"] for r in listing if r["status"] == "waitlisted"] \
        == list(range(1, 18))

    leaving = next(p for p, r in zip(people, results) if r["status"] == "confirmed")
    first_waiting = next(p for p, r in zip(people, results) if r["waitlist_position"] == 1)
    second_waiting = next(p for p, r in zip(people, results) if r["waitlist_position"] == 2)
    assert requests.delete(url + "/registrations", headers=leaving[0]).json()["status"] == "cancelled"
    assert requests.get(url, headers=first_waiting[0]).json()["my_registration"]["status"] == "confirmed"
    assert requests.get(url, headers=second_waiting[0]).json()["my_registration"]["waitlist_position"] == 1
    is_problem(requests.delete(url + "/registrations", headers=leaving[0]), 404)
    shown = requests.get(url).json()
    assert (shown["confirmed_count"], shown["waitlist_count"], shown["seats_left"]) == (3, 16, 0)


def test_registering_twice_at_once_or_again_later_gives_one_registration_and_names_it(platform):
    """A retry after a 503 or a double click is not an error: the person is told the
    registration they hold, a waitlisted one with their place in line."""
    import eventlet

    base = platform["base"]
    staff, _ = account(platform, "employee")
    meeting = requests.post(f"{base}/municipalities/aalborg/meetings", json=meeting_payload(capacity=1),
                            headers=staff).json()
    url = f"{base}/municipalities/aalborg/meetings/{meeting['id']}"
    (seated, _), (waiting, _) = account(platform), account(platform)
    for person in (seated, waiting):
        pool = eventlet.GreenPool(4)
        at_once = list(pool.imap(lambda _: requests.post(url + "/registrations", headers=person), range(4)))
        later = requests.post(url + "/registrations", headers=person)
        answers = at_once + [later]
        assert sorted(r.status_code for r in answers) == [200, 200, 200, 200, 201]
        assert all(r.headers.get("Idempotent-Replayed") == "true" for r in answers if r.status_code == 200)
        assert len({r.json()["id"] for r in answers}) == 1
    assert later.json()["status"] == "waitlisted" and later.json()["waitlist_position"] == 1
    listing = requests.get(url + "/registrations", headers=staff).json()
    assert [r["status"] for r in listing] == ["confirmed", "waitlisted"]
    shown = requests.get(url).json()
    assert (shown["confirmed_count"], shown["waitlist_count"]) == (1, 1)

    # Cancelling and registering again is a new arrival: a new registration, 201, at the back of the line.
    third, _ = account(platform)
    requests.post(url + "/registrations", headers=third)
    first = requests.post(url + "/registrations", headers=seated).json()
    assert requests.delete(url + "/registrations", headers=seated).json()["status"] == "cancelled"
    back = requests.post(url + "/registrations", headers=seated)
    assert back.status_code == 201 and "Idempotent-Replayed" not in back.headers
    assert back.json()["id"] != first["id"]
    assert (back.json()["status"], back.json()["waitlist_position"]) == ("waitlisted", 2)
    assert requests.get(url, headers=waiting).json()["my_registration"]["status"] == "confirmed"


def test_meetings_in_a_date_range_and_bad_dates_refused(platform):
    base = platform["base"]
    staff, _ = account(platform, "employee")
    soon = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=30)
    ids = []
    for days in (0, 1, 2):
        starts = soon + dt.timedelta(days=days)
        r = requests.post(f"{base}/municipalities/aalborg/meetings", headers=staff, json=meeting_payload(
            starts_at=starts.isoformat(), ends_at=(starts + dt.timedelta(hours=2)).isoformat()))
        ids.append(r.json()["id"])
    listing = f"{base}/municipalities/aalborg/meetings"
    # a start at the lower bound is in, a start at the upper bound is out; the offset is honoured
    found = requests.get(listing, params={"starts_from": soon.isoformat(),
                                          "starts_before": (soon + dt.timedelta(days=2)).isoformat()})
    assert found.status_code == 200 and [m["id"] for m in found.json()] == ids[:2]
    oslo_time = (soon + dt.timedelta(days=1)).astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
    assert [m["id"] for m in requests.get(listing, params={"starts_from": oslo_time}).json()] == ids[1:]
    assert [m["id"] for m in requests.get(listing, params={"starts_before": oslo_time}).json()] == ids[:1]

    for params, field in [({"starts_from": "next tuesday"}, "starts_from"),
                          ({"starts_from": "2027-03-01T00:00:00"}, "starts_from"),  # no offset
                          ({"starts_before": "2027-02-30T00:00:00+01:00"}, "starts_before"),
                          ({"starts_from": "2027-03-02T00:00:00+01:00", "starts_before": "2027-03-01T00:00:00+01:00"},
                           "starts_before")]:
        problem = is_problem(requests.get(listing, params=params), 422)
        assert [e["field"] for e in problem["errors"]] == [field], (params, problem)
    # an unencoded "+" arrives as a space: the message says how to write it
    problem = is_problem(requests.get(listing + "?starts_from=2027-03-01T00:00:00+01:00"), 422)
    assert "%2B" in problem["errors"][0]["message"]
