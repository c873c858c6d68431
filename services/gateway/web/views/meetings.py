"""Meetings: the calendar, one meeting (register, waitlist, cancel, .ics,
agenda questions, outcomes) and, for staff, scheduling with a suggested format."""
import calendar
import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from samskab.contracts.meetings import NewMeeting
from samskab.contracts.rpc import plain as _plain
from samskab.errors import Conflict, Invalid

from .. import forms, i18n
from ..app import env, optional, page_route, parts  # parts of a page fetched at once; a missing one shows its default
from . import maps
from .accounts import refuse_unverified_panel
from .attachments import parts_for as attachment_parts  # pictures and files (issue 21)

LEVELS = ("inform", "consult", "involve", "collaborate", "empower")
KINDS = ("service", "development", "policy")
OUTCOME_KINDS = ("decision", "action", "experiment")


MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_LIMIT = 400  # meetings a month page shows at most (the meetings service gives up to 500 a call)


def parse_month(text, today):
    """``YYYY-MM`` from the query (years 2000–2100), else this month; ``None`` if malformed."""
    if not text:
        return today.year, today.month
    found = MONTH.match(text)
    if not found or not 2000 <= int(found.group(1)) <= 2100 or not 1 <= int(found.group(2)) <= 12:
        return None
    return int(found.group(1)), int(found.group(2))


def shift_month(year, month, by):
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def month_weeks(year, month, meetings, time_zone):
    """The month as weeks (Monday first), each a list of seven days: ``{"date", "in_month",
    "meetings"}``; a meeting sits on the day it starts in the municipality's time zone."""
    by_day = {}
    for meeting in meetings:
        start = i18n.local(meeting["starts_at"], time_zone)
        by_day.setdefault(start.date(), []).append(meeting)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([{"date": d, "in_month": d.month == month,
                       "meetings": sorted(by_day.get(d, []), key=lambda x: x["starts_at"]) if d.month == month else []}
                      for d in week])
    return weeks


def _month_meetings(page, municipality, year, month):
    """The meetings that start in the month (in the municipality's time zone), at most
    ``MONTH_LIMIT``, and whether there were more than that."""
    zone = ZoneInfo(page.time_zone)
    first = dt.datetime(year, month, 1, tzinfo=zone)
    after = dt.datetime(*shift_month(year, month, 1), 1, tzinfo=zone)
    found = _plain(page.ctx.meetings.list(municipality.id, page.actor, upcoming=False, limit=MONTH_LIMIT + 1,
                                          starts_from=first.isoformat(), starts_before=after.isoformat()))
    return found[:MONTH_LIMIT], len(found) > MONTH_LIMIT


def ended(ends_at):
    """Whether a meeting is over (held, or let pass): no free seats are offered for it."""
    moment = i18n.parse_instant(ends_at)
    return isinstance(moment, dt.datetime) and moment <= dt.datetime.now(dt.timezone.utc)


env.globals["ended"] = ended


def _month_name(lang, year, month, start=False):
    """"december 2026" mid-sentence in Danish and Norwegian; capitalised only to begin a heading."""
    text = f"{i18n.MONTHS[lang][month - 1]} {year}"
    return text[:1].upper() + text[1:] if start else text


@page_route("/municipalities/<m>/meetings")
def calendar_page(page, m):
    municipality = page.in_municipality(m)
    view = page.request.args.get("view")
    if view == "list":
        return _list_view(page, municipality)
    today = dt.datetime.now(ZoneInfo(page.time_zone)).date()
    chosen = parse_month(page.request.args.get("month"), today)
    if chosen is None:
        raise Invalid("the month must be written YYYY-MM", [{"field": "month", "message": "a month as YYYY-MM, e.g. 2027-03"}])
    year, month = chosen
    meetings, more = _month_meetings(page, municipality, year, month)
    base = f"/municipalities/{municipality.id}/meetings"
    links = {}
    for name, by in (("previous", -1), ("next", 1)):
        y, mo = shift_month(year, month, by)
        if 2000 <= y <= 2100:
            links[name] = {"url": page.url(base, month=f"{y:04d}-{mo:02d}"), "label": _month_name(page.lang, y, mo)}
    return page.render(
        "meetings/month.html", title=f"{page._('meetings.title')}: {_month_name(page.lang, year, month)}",
        weeks=month_weeks(year, month, meetings, page.time_zone), meetings=meetings, more=more,
        month_limit=MONTH_LIMIT,
        month_label=_month_name(page.lang, year, month, start=True),
        month_name=_month_name(page.lang, year, month), month_id=f"{year:04d}-{month:02d}", today=today,
        links=links, this_month=page.url(base) if (year, month) != (today.year, today.month) else None,
        weekdays=i18n.WEEKDAYS[page.lang],
    )


def _list_view(page, municipality):
    past = page.request.args.get("past") == "1"
    meetings = _plain(page.ctx.meetings.list(municipality.id, page.actor, upcoming=not past, limit=200))
    if past:
        meetings = sorted(meetings, key=lambda x: x["starts_at"], reverse=True)
    months = []
    for key, group in itertools.groupby(meetings, key=lambda x: i18n.local(x["starts_at"], page.time_zone)
                                        .strftime("%Y-%m")):
        group = list(group)
        moment = i18n.local(group[0]["starts_at"], page.time_zone)
        months.append({"id": key, "label": _month_name(page.lang, moment.year, moment.month, start=True), "meetings": group})
    return page.render("meetings/calendar.html", title=page._("meetings.title"), months=months, past=past)


def _format_name(page, fmt):
    key = f"format.{fmt.get('id')}.name"
    return page._(key) if key in i18n.MESSAGES else (fmt.get("name") or fmt.get("id"))


def _format_text(page, fmt):
    """A format's description, length and notes in the page's language (the meetings
    service's catalogue is English); ``None`` for a format the catalogue lacks."""
    fid = fmt.get("id")
    if f"format.{fid}.description" not in i18n.MESSAGES:
        return None
    return {"description": page._(f"format.{fid}.description"), "duration": page._(f"format.{fid}.duration"),
            "notes": [page._(f"format.{fid}.note.{i}") for i in range(len(fmt.get("notes") or []))]}


def _why(page, fmt, level, expected, kind):
    """Why a format is suggested, from the facts of the format (levels, size, kinds,
    recruitment), in the page's language."""
    _ = page._
    lines = []
    if level:
        name = _("level." + level)
        if level in fmt.get("core_levels", []):
            lines.append(_("format.why.core", level=name))
        elif level in fmt.get("levels", []):
            lines.append(_("format.why.also", level=name))
        else:
            lines.append(_("format.why.not", level=name,
                           levels=", ".join(_("level." + lvl) for lvl in fmt.get("levels", []))))
    size = fmt.get("size") or {}
    if expected and size:
        n, low, high = int(expected), size["min"], size["max"]
        key = "format.why.size" if low <= n <= high else ("format.why.small" if n < low else "format.why.large")
        lines.append(_(key, count=n, low=low, high=high))
    if kind:
        key = "format.why.kind" if kind in fmt.get("kinds", []) else "format.why.kind_rare"
        lines.append(_(key, kind=_("kind." + kind)))
    text = _format_text(page, fmt)
    lines.append(_("format.why.recruitment", who=_("format.recruitment." + fmt.get("recruitment", "open")),
                   duration=text["duration"] if text else fmt.get("duration", "")))
    return lines + (text["notes"] if text else [])


@page_route("/municipalities/<m>/meetings/<uuid:meeting_id>")
def detail(page, m, meeting_id, errors=None, values=None, status=200):
    municipality = page.in_municipality(m)
    meetings = page.ctx.meetings
    meeting = _plain(meetings.get(municipality.id, page.actor, meeting_id))
    staff = page.is_staff(municipality.id)
    found = parts(
        formats=(lambda: _plain(meetings.formats()), []),
        proposal=(lambda: page.ctx.proposals.get(municipality.id, page.actor, meeting["proposal_id"])
                  if meeting.get("proposal_id") else None, None),
        registrations=(lambda: _plain(meetings.registrations(municipality.id, page.actor, meeting_id))
                       if staff else None, []),
        **attachment_parts(page, municipality.id, str(meeting_id), "meetings"),
    )
    formats = {f["id"]: f for f in found["formats"] or []}
    fmt = formats.get(meeting["format"])
    proposal = found["proposal"] if meeting.get("proposal_id") else None
    registrations = found["registrations"] if staff else None
    started = i18n.parse_instant(meeting["starts_at"]) <= dt.datetime.now(dt.timezone.utc)
    return page.render(
        "meetings/detail.html", status=status, title=meeting["title"], meeting=meeting, staff=staff, started=started,
        format_name=_format_name(page, fmt) if fmt else meeting["format"], proposal=proposal,
        registrations=registrations, errors=errors or {}, values=values or {},
        outcome_kinds_options=[(k, page._("outcome_kind." + k)) for k in OUTCOME_KINDS],
        ics_url=f"/api/v1/municipalities/{municipality.id}/meetings/{meeting['id']}.ics",
        attachments=_plain(found["attachments"]), may_attach=found["may_attach"],
    )


def _back(page, m, meeting_id, done):
    return page.redirect(f"/municipalities/{m}/meetings/{meeting_id}", done)


@page_route("/municipalities/<m>/meetings/<uuid:meeting_id>/registration", methods=("POST",))
def registration(page, m, meeting_id):
    municipality = page.in_municipality(m)
    page.require_account()
    if page.field("cancel"):
        page.ctx.meetings.cancel_registration(municipality.id, page.actor, meeting_id)
        return _back(page, m, meeting_id, "registration_cancelled")
    refused = refuse_unverified_panel(page, municipality.id, meeting_id)  # a citizen panel: verified volunteers
    if refused is not None:
        return refused
    result = page.ctx.meetings.register(municipality.id, page.actor, meeting_id)
    return _back(page, m, meeting_id, "waitlisted" if result.status == "waitlisted" else "registered_meeting")


@page_route("/municipalities/<m>/meetings/<uuid:meeting_id>/agenda", methods=("POST",))
def agenda(page, m, meeting_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    question = page.field("question")
    payload = {"question": question}
    minutes = page.field("minutes")
    if minutes:
        if not minutes.isdigit():
            return detail(page, m, meeting_id, errors={"minutes": page._("form.number")},
                          values={"question": question, "minutes": minutes}, status=422)
        payload["minutes"] = int(minutes)
    if not question:
        return detail(page, m, meeting_id, errors={"question": page._("form.required")}, status=422)
    try:
        page.ctx.meetings.add_agenda_question(municipality.id, page.actor, meeting_id, payload)
    except Invalid as exc:
        return detail(page, m, meeting_id, errors=forms.from_invalid(page, exc, known=("question", "minutes")),
                      values={"question": question, "minutes": minutes}, status=422)
    return _back(page, m, meeting_id, "saved")


@page_route("/municipalities/<m>/meetings/<uuid:meeting_id>/outcomes", methods=("POST",))
def outcome(page, m, meeting_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    values = {"outcome_kind": page.field("outcome_kind"), "outcome_text": page.field("outcome_text"),
              "due": page.field("due"), "owner": page.field("owner")}
    errors = forms.required(page, values, ("outcome_kind", "outcome_text"))
    if values["outcome_kind"] == "action" and not values["owner"]:
        errors["owner"] = page._("form.required")
    if not errors:
        payload = {"kind": values["outcome_kind"], "text": values["outcome_text"]}
        for name in ("due", "owner"):
            if values[name]:
                payload[name] = values[name]
        try:
            page.ctx.meetings.record_outcome(municipality.id, page.actor, meeting_id, payload)
        except Invalid as exc:
            errors = {"outcome_text": forms.from_invalid(page, exc).popitem()[1]}
        except Conflict as exc:
            errors = {"form": forms.from_invalid(page, Invalid(exc.detail)).popitem()[1]}
        else:
            return _back(page, m, meeting_id, "saved")
    return detail(page, m, meeting_id, errors=errors, values=values, status=422)


@page_route("/municipalities/<m>/meetings/<uuid:meeting_id>/cancel", methods=("POST",))
def cancel_meeting(page, m, meeting_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    page.ctx.meetings.cancel(municipality.id, page.actor, meeting_id, {"reason": page.field("reason")})
    return _back(page, m, meeting_id, "meeting_cancelled")


SCHEDULE_FIELDS = ("title", "format", "purpose", "promise", "iap2_level", "starts_at", "ends_at", "place_id",
                   "online_url", "capacity", "proposal_id", "language")


@page_route("/municipalities/<m>/meetings/new", methods=("GET", "POST"))
def schedule(page, m):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    args = page.request.args
    level = args.get("level") if args.get("level") in LEVELS else None
    kind = args.get("kind") if args.get("kind") in KINDS else None
    expected = args.get("expected") if (args.get("expected") or "").isdigit() else None
    values = {"proposal_id": args.get("proposal_id", ""), "iap2_level": level or "", "language": page.lang,
              "capacity": expected or ""}
    proposal = None
    if values["proposal_id"]:
        proposal = optional(lambda: page.ctx.proposals.get(municipality.id, page.actor, values["proposal_id"]))
        if proposal:
            kind = kind or proposal.kind
            level = level or proposal.iap2_level
            values["iap2_level"] = level or ""
    errors, status = {}, 200
    if page.request.method == "POST":
        values = {name: page.field(name) for name in SCHEDULE_FIELDS}
        errors = forms.required(page, values, ("title", "format", "purpose", "promise", "starts_at", "ends_at",
                                               "capacity"))
        if values["capacity"] and not values["capacity"].isdigit():
            errors["capacity"] = page._("form.number")
        if not errors:
            payload = {k: v for k, v in values.items() if v}
            payload["capacity"] = int(values["capacity"])
            try:
                NewMeeting.model_validate(payload)
                created = page.ctx.meetings.schedule(municipality.id, page.actor, payload)
            except ValidationError as exc:
                errors = forms.from_validation(page, exc, known=SCHEDULE_FIELDS)
            except (Invalid, Conflict) as exc:
                errors = forms.from_invalid(page, exc, known=SCHEDULE_FIELDS) if isinstance(exc, Invalid) \
                    else {"form": exc.detail}
            else:
                return page.redirect(f"/municipalities/{m}/meetings/{created.id}", "scheduled")
        status = 422
    meetings = page.ctx.meetings
    found = parts(
        suggestions=(lambda: _plain(meetings.suggest_formats(level, int(expected) if expected else None, kind, 3)),
                     []),
        formats=(lambda: _plain(meetings.formats()), []),
        places=(lambda: _plain(meetings.list_places(municipality.id)), []),
    )
    if not values.get("format") and found["suggestions"]:
        values["format"] = found["suggestions"][0]["format"]
    return page.render(
        "meetings/new.html", status=status, title=page._("meetings.schedule"), values=values, errors=errors,
        suggestions=found["suggestions"], proposal=proposal, level=level or "", kind=kind or "",
        expected=expected or "", levels=LEVELS, kinds=KINDS,
        format_options=[(f["id"], _format_name(page, f)) for f in found["formats"]],
        place_options=[("", page._("meetings.no_place"))] + [(p["id"], p["name"]) for p in found["places"]],
        level_options=[("", "–")] + [(lvl, page._("level." + lvl)) for lvl in LEVELS],
        format_name=lambda f: _format_name(page, f), format_text=lambda f: _format_text(page, f),
        why=lambda f: _why(page, f, level, expected, kind),
    )


PLACE_KINDS = ("library", "community_house", "school", "sports_hall", "town_hall", "other")


@page_route("/municipalities/<m>/meeting-places", methods=("GET", "POST"))
def places(page, m):
    """Existing places where people already meet; staff add them once and schedule there."""
    municipality = page.in_municipality(m)
    staff = page.is_staff(municipality.id)
    values, errors, status = {"kind": "library"}, {}, 200
    if page.request.method == "POST":
        page.require_staff(municipality.id)
        values = {name: page.field(name) for name in ("name", "kind", "address", "capacity", "accessibility_notes")}
        values["step_free"] = page.form.get("step_free") == "1"
        values["hearing_loop"] = page.form.get("hearing_loop") == "1"
        errors = forms.required(page, values, ("name", "address", "capacity"))
        if values["capacity"] and not values["capacity"].isdigit():
            errors["capacity"] = page._("form.number")
        if values["kind"] not in PLACE_KINDS:
            errors["kind"] = page._("form.choose")
        point = maps.point_fields(page, errors)  # the point picked on the map (issue 21)
        if not errors:
            try:
                page.ctx.meetings.create_place(municipality.id, page.actor,
                                               {**values, "capacity": int(values["capacity"]), **point})
            except Invalid as exc:
                errors = forms.from_invalid(page, exc, known=values.keys())
            else:
                return page.redirect(f"/municipalities/{m}/meeting-places", "saved")
        status = 422
    found = _plain(page.ctx.meetings.list_places(municipality.id))
    response = page.render("meetings/places.html", status=status, title=page._("places.title"), places=found,
                           staff=staff, values={**values, **{k: page.field(k) for k in ("latitude", "longitude")}},
                           errors=errors, kind_options=[(k, page._("place.kind." + k)) for k in PLACE_KINDS],
                           tiles=maps.tiles(page.config))
    response.csp = maps.policy(page.config)  # the picker's map tiles
    return response


@page_route("/municipalities/<m>/meetings/<uuid:meeting_id>/minutes", methods=("POST",))
def minutes(page, m, meeting_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    text = page.form.get("minutes_text", "").strip()
    try:
        page.ctx.meetings.set_minutes(municipality.id, page.actor, meeting_id, {"text": text})
    except (Invalid, Conflict) as exc:
        message = forms.from_invalid(page, exc if isinstance(exc, Invalid) else Invalid(exc.detail)).popitem()[1]
        return detail(page, m, meeting_id, errors={"minutes_text": message}, values={"minutes_text": text},
                      status=422)
    return _back(page, m, meeting_id, "saved")


@page_route("/municipalities/<m>/meetings/<uuid:meeting_id>/conclude", methods=("POST",))
def conclude(page, m, meeting_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    try:
        page.ctx.meetings.conclude(municipality.id, page.actor, meeting_id)
    except Conflict as exc:
        return detail(page, m, meeting_id, errors={"form": forms.from_invalid(page, Invalid(exc.detail))["form"]},
                      status=409)
    return _back(page, m, meeting_id, "concluded")
