"""Meetings: places, formats, meetings, registration, agenda, outcomes and calendars.

Meeting ids are matched with werkzeug's ``uuid`` converter, so
``/meetings/<id>.ics`` and ``/meetings/<id>`` never take each other's requests.
"""
import hashlib
import json
from pydantic import BaseModel
from werkzeug.wrappers import Response

from samskab.contracts.meetings import (
    AgendaQuestionOut, Cancellation, FormatOut, FormatSuggestion, MeetingChanges, MeetingDetailOut, MeetingOut,
    Minutes, NewAgendaQuestion, NewMeeting, NewOutcome, NewPlace, OutcomeOut, PlaceOut,
    RegistrationOut, StaffRegistrationOut,
)
from samskab.contracts.rpc import plain as _json
from samskab.errors import Invalid

from ..accounts import verification
from .router import API_PREFIX, route

ICS_TYPE = "text/calendar; charset=utf-8"
MEETING = "/municipalities/<m>/meetings/<uuid:meeting_id>"


class CalendarFeedOut(BaseModel):
    url: str


def _ics(ctx, text, filename):
    """The calendar, or 304 when the client's copy is current (clients poll feeds often)."""
    etag = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Content-Disposition": f'inline; filename="{filename}"'}
    if etag in ctx.request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    return Response(text, content_type=ICS_TYPE, headers=headers)


# -- meeting places ------------------------------------------------------------------


@route("GET", "/municipalities/<m>/meeting-places", response=[PlaceOut],
       summary="The existing places where people meet (library, community house, school …)", tags=["meetings"])
def list_places(ctx, m):
    return _json(ctx.meetings.list_places(ctx.municipality(m).id))


@route("POST", "/municipalities/<m>/meeting-places", body=NewPlace, status=201, response=PlaceOut, auth=True,
       summary="Add a meeting place (staff)", tags=["meetings"])
def create_place(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.create_place(municipality.id, ctx.actor, body.model_dump(mode="json")))


# -- formats -----------------------------------------------------------------------------


@route("GET", "/municipalities/<m>/meeting-formats", response=[FormatOut],
       summary="The catalogue of meeting formats", tags=["meetings"])
def list_formats(ctx, m):
    ctx.municipality(m)
    return _json(ctx.meetings.formats())


def _int_arg(args, name):
    value = args.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid(f"{name} must be a whole number", [{"field": name, "message": "must be a whole number"}])


@route("GET", "/municipalities/<m>/meeting-formats/suggest", response=[FormatSuggestion],
       summary="Formats ranked for a purpose (IAP2 level), an expected number and a proposal kind, with reasons",
       tags=["meetings"], query={
           "level": ({"type": "string", "enum": ["inform", "consult", "involve", "collaborate", "empower"]},
                     "the IAP2 level promised to participants"),
           "expected": ({"type": "integer", "minimum": 1}, "how many people are expected"),
           "kind": ({"type": "string", "enum": ["service", "development", "policy"]}, "the proposal kind"),
           "limit": ({"type": "integer", "minimum": 1}, "at most this many"),
       })
def suggest_formats(ctx, m):
    ctx.municipality(m)
    args = ctx.request.args
    return _json(ctx.meetings.suggest_formats(args.get("level") or None, _int_arg(args, "expected"),
                                              args.get("kind") or None, _int_arg(args, "limit")))


# -- meetings ---------------------------------------------------------------------------


@route("GET", "/municipalities/<m>/meetings", response=[MeetingOut], tags=["meetings"],
       summary="Upcoming meetings, or those that start in a date range, in order of their start",
       query={"proposal_id": ({"type": "string", "format": "uuid"}, "only meetings of this proposal"),
              "past": ({"type": "boolean"}, "include meetings that have ended"),
              "starts_from": ({"type": "string", "format": "date-time"},
                              "only meetings that start at or after this instant: ISO 8601 with an offset, e.g. "
                              "2027-03-01T00:00:00+01:00 (in a URL, + is written %2B); with it, meetings that "
                              "have ended are included"),
              "starts_before": ({"type": "string", "format": "date-time"},
                                "only meetings that start before this instant (ISO 8601 with an offset)"),
              "limit": ({"type": "integer", "minimum": 1, "maximum": 500}, "at most this many")})
def list_meetings(ctx, m):
    municipality = ctx.municipality(m)
    args = ctx.request.args
    starts_from = args.get("starts_from") or None
    upcoming = args.get("past") not in ("1", "true", "yes") and starts_from is None
    return _json(ctx.meetings.list(municipality.id, ctx.actor, proposal_id=args.get("proposal_id") or None,
                                   upcoming=upcoming, limit=_int_arg(args, "limit") or 50, starts_from=starts_from,
                                   starts_before=args.get("starts_before") or None))


@route("POST", "/municipalities/<m>/meetings", body=NewMeeting, status=201, response=MeetingDetailOut, auth=True,
       summary="Schedule a meeting (staff)", tags=["meetings"])
def schedule_meeting(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.schedule(municipality.id, ctx.actor, body.model_dump(mode="json")))


@route("GET", MEETING, response=MeetingDetailOut, summary="One meeting, with its agenda and outcomes",
       tags=["meetings"])
def get_meeting(ctx, m, meeting_id):
    return _json(ctx.meetings.get(ctx.municipality(m).id, ctx.actor, meeting_id))


@route("PATCH", MEETING, body=MeetingChanges, response=MeetingDetailOut, auth=True,
       summary="Change a meeting (staff); raises its calendar SEQUENCE", tags=["meetings"])
def update_meeting(ctx, m, meeting_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.update(municipality.id, ctx.actor, meeting_id,
                                     body.model_dump(mode="json", exclude_unset=True)))


@route("POST", MEETING + "/cancel", body=Cancellation, response=MeetingDetailOut, auth=True,
       summary="Cancel a meeting (staff)", tags=["meetings"])
def cancel_meeting(ctx, m, meeting_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.cancel(municipality.id, ctx.actor, meeting_id, body.model_dump(mode="json")))


@route("POST", MEETING + "/conclude", response=MeetingDetailOut, auth=True,
       summary="Close a meeting that took place (staff)", tags=["meetings"])
def conclude_meeting(ctx, m, meeting_id):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.conclude(municipality.id, ctx.actor, meeting_id))


# -- registration ------------------------------------------------------------------------


@route("POST", MEETING + "/registrations", status=201, response=RegistrationOut, auth=True,
       idempotent_replay="You were registered already: your registration (header Idempotent-Replayed: true)",
       summary="Register yourself: a seat if one is free for your group, else the waitlist; if you are already "
               "registered, your registration (200, Idempotent-Replayed: true)", tags=["meetings"])
def register(ctx, m, meeting_id):
    """Safe to retry (after a 503, a timeout, a lost connection): someone already
    registered gets their registration back, confirmed or with their place on the
    waitlist, with status 200 and ``Idempotent-Replayed: true``; nothing changes."""
    municipality = ctx.municipality(m)
    verification.require_for_meeting(  # a citizen panel's meeting: verified volunteers where the municipality asks
        ctx, municipality.id, lambda: ctx.meetings.get(municipality.id, ctx.actor, meeting_id).format)
    result = _json(ctx.meetings.register(municipality.id, ctx.actor, meeting_id))
    replayed = result.pop("replayed", False)
    response = Response(json.dumps(result, ensure_ascii=False), status=200 if replayed else 201,
                        content_type="application/json")
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@route("DELETE", MEETING + "/registrations", response=RegistrationOut, auth=True,
       summary="Cancel your own registration (the first on the waitlist moves up)", tags=["meetings"])
def cancel_registration(ctx, m, meeting_id):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.meetings.cancel_registration(municipality.id, ctx.actor, meeting_id))


@route("GET", MEETING + "/registrations", response=[StaffRegistrationOut], auth=True,
       summary="Seats and waitlist in order (staff)", tags=["meetings"])
def list_registrations(ctx, m, meeting_id):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.registrations(municipality.id, ctx.actor, meeting_id))


# -- agenda, minutes, outcomes -----------------------------------------------------------


@route("POST", MEETING + "/agenda", body=NewAgendaQuestion, status=201, response=AgendaQuestionOut, auth=True,
       summary="Add a question to the agenda (staff)", tags=["meetings"])
def add_agenda_question(ctx, m, meeting_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.add_agenda_question(municipality.id, ctx.actor, meeting_id,
                                                  body.model_dump(mode="json")))


@route("PUT", MEETING + "/minutes", body=Minutes, auth=True, summary="Write the minutes (staff)", tags=["meetings"])
def set_minutes(ctx, m, meeting_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.set_minutes(municipality.id, ctx.actor, meeting_id, body.model_dump(mode="json")))


@route("POST", MEETING + "/outcomes", body=NewOutcome, status=201, auth=True,
       summary="Record a decision, action item or experiment (staff)", tags=["meetings"])
def record_outcome(ctx, m, meeting_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.record_outcome(municipality.id, ctx.actor, meeting_id, body.model_dump(mode="json")))


@route("GET", MEETING + "/outcomes", response=[OutcomeOut], summary="What came out of a meeting", tags=["meetings"])
def list_outcomes(ctx, m, meeting_id):
    return _json(ctx.meetings.get(ctx.municipality(m).id, None, meeting_id).outcomes)


# -- calendars ------------------------------------------------------------------------------


@route("GET", MEETING + ".ics", media_type="text/calendar", summary="One meeting as iCalendar", tags=["meetings"])
def meeting_ics(ctx, m, meeting_id):
    text = ctx.meetings.meeting_ics(ctx.municipality(m).id, meeting_id)
    return _ics(ctx, text, f"{meeting_id}.ics")


@route("GET", "/municipalities/<m>/calendar.ics", media_type="text/calendar",
       summary="The municipality's meetings as an iCalendar feed", tags=["meetings"])
def municipality_ics(ctx, m):
    municipality = ctx.municipality(m)
    return _ics(ctx, ctx.meetings.municipality_calendar(municipality.id), f"{municipality.id}.ics")


@route("POST", "/me/calendar-feed", status=201, response=CalendarFeedOut, auth=True,
       summary="A private feed of the meetings you have a seat at (a new secret URL; the old one stops)",
       tags=["meetings"], secret_answer=True)
def new_calendar_feed(ctx):
    account = ctx.require_account()
    token = ctx.meetings.new_calendar_token(account.municipality, ctx.actor).token
    base = ctx.config.get("PUBLIC_URL", "").rstrip("/")
    return {"url": f"{base}{API_PREFIX}/calendar/{token}.ics"}


@route("GET", "/calendar/<token>.ics", media_type="text/calendar",
       summary="A participant's private calendar feed (the secret URL is the key)", tags=["meetings"])
def participant_ics(ctx, token):
    return _ics(ctx, ctx.meetings.participant_calendar(token), "samskab.ics")
