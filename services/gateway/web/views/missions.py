"""Political leadership (issue 22): the council's missions, task committees with a
mandate, the council's answer, "what became of it", and politicians' pages.

What the caller may do comes from the proposals service (``allowed`` on missions and
committees); the pages keep no copy of the rules.  A committee's draw and meetings go
through the same steps as the API (``gateway.council``)."""
from pydantic import ValidationError

from samskab.errors import Conflict, Forbidden, Invalid, NotFound

from .. import forms
from ... import council as council_steps
from ..app import optional, page_route, parts

DECISIONS = ("adopted", "adopted_in_part", "rejected", "sent_on")
OPEN_STATUSES = ["submitted", "published", "forming", "active", "concluded"]


def _council(page):
    return council_steps.council(page.ctx)


def _plain(model):
    if isinstance(model, list):
        return [_plain(m) for m in model]
    return model.model_dump(mode="json") if model is not None else None


def _errors(page, exc, known=()):
    if isinstance(exc, ValidationError):
        return forms.from_validation(page, exc, known=known)
    if isinstance(exc, Invalid):
        return forms.from_invalid(page, exc, known=known)
    return forms.from_invalid(page, Invalid(exc.detail))


def _politician(page):
    account = page.account
    return account is not None and account.role == "politician"


# -- missions ------------------------------------------------------------------------------------


@page_route("/municipalities/<m>/missions", methods=("GET", "POST"))
def missions(page, m, errors=None, values=None, status=200):
    municipality = page.in_municipality(m)
    if page.request.method == "POST" and errors is None:
        return publish(page, m)
    rpc = _council(page)
    found = parts(missions=(lambda: _plain(rpc.missions(municipality.id, page.actor)), []),
                       committees=(lambda: _plain(rpc.committees(municipality.id, page.actor)), []))
    return page.render("missions/list.html", status=status, title=page._("missions.title"),
                       missions=found["missions"], committees=found["committees"],
                       lead=page.is_staff(municipality.id), errors=errors or {}, values=values or {})


def publish(page, m):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    values = {name: page.field(name) for name in ("title", "challenge", "goal", "horizon", "owner_committee")}
    errors = forms.required(page, values, tuple(values))
    if values["horizon"] and not values["horizon"].isdigit():
        errors["horizon"] = page._("form.number")
    if not errors:
        try:
            mission = _council(page).publish_mission(municipality.id, page.actor, {
                **values, "horizon": int(values["horizon"]), "language": page.lang})
        except (Invalid, ValidationError) as exc:
            errors = _errors(page, exc, known=tuple(values))
        else:
            return page.redirect(f"/municipalities/{m}/missions/{mission.id}", "mission_published")
    return missions(page, m, errors=errors, values=values, status=422)


@page_route("/municipalities/<m>/missions/<uuid:mission_id>")
def mission(page, m, mission_id, errors=None, status=200):
    municipality = page.in_municipality(m)
    found = _plain(_council(page).get_mission(municipality.id, page.actor, str(mission_id)))
    options = []
    if page.account is not None:
        query = {"status": OPEN_STATUSES, "limit": 100}
        if not page.is_staff(municipality.id):
            query["mine"] = True
        listed = optional(lambda: _plain(page.ctx.proposals.list_page(municipality.id, page.actor, query)),
                               {"items": []})
        attached = {p["id"] for p in found.get("proposals") or []}
        options = [(p["id"], p.get("title") or p["id"]) for p in (listed or {}).get("items", [])
                   if p["id"] not in attached and p.get("status") != "draft"]
    return page.render("missions/detail.html", status=status, title=found["title"], mission=found,
                       options=options, errors=errors or {})


@page_route("/municipalities/<m>/missions/<uuid:mission_id>/proposals", methods=("POST",))
def attach(page, m, mission_id):
    municipality = page.in_municipality(m)
    page.require_account()
    proposal_id = page.field("proposal_id")
    if not proposal_id:
        return mission(page, m, mission_id, errors={"proposal_id": page._("form.required")}, status=422)
    try:
        _council(page).attach_to_mission(municipality.id, page.actor, str(mission_id), {"proposal_id": proposal_id})
    except (Invalid, Conflict, ValidationError) as exc:
        return mission(page, m, mission_id, errors=_errors(page, exc, known=("proposal_id",)), status=422)
    return page.redirect(f"/municipalities/{m}/missions/{mission_id}", "attached")


@page_route("/municipalities/<m>/missions/<uuid:mission_id>/follow", methods=("POST",))
def follow(page, m, mission_id):
    municipality = page.in_municipality(m)
    page.require_account()
    following = not page.field("stop")
    _council(page).follow_mission(municipality.id, page.actor, str(mission_id), following)
    return page.redirect(f"/municipalities/{m}/missions/{mission_id}", "mission_followed" if following else "mission_unfollowed")


# -- task committees -------------------------------------------------------------------------------


@page_route("/municipalities/<m>/committees/new", methods=("GET", "POST"))
def new_committee(page, m):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    names = ("title", "mission_id", "task", "questions", "frame", "deadline", "residents", "politicians",
             "recruitment")
    values = {"residents": "10", "politicians": "5", "recruitment": "panel",
              "mission_id": page.request.args.get("mission_id", "")}
    errors, status = {}, 200
    if page.request.method == "POST":
        values = {name: page.field(name) for name in names}
        errors = forms.required(page, values, ("title", "task", "questions", "frame", "deadline"))
        for name in ("residents", "politicians"):
            if not (values[name] or "0").isdigit():
                errors[name] = page._("form.number")
        if not errors:
            payload = {"title": values["title"], "language": page.lang, "recruitment": values["recruitment"] or "panel",
                       "seats": {"resident": int(values["residents"] or 0),
                                 "politician": int(values["politicians"] or 0)},
                       "mandate": {"task": values["task"], "questions": page.lines("questions", limit=20),
                                   "frame": values["frame"], "deadline": values["deadline"]}}
            if values["mission_id"]:
                payload["mission_id"] = values["mission_id"]
            try:
                committee = _council(page).form_committee(municipality.id, page.actor, payload)
            except (Invalid, ValidationError) as exc:
                errors = _errors(page, exc, known=names)
            else:
                return page.redirect(f"/municipalities/{m}/committees/{committee.id}", "committee_formed")
        status = 422
    mission_options = [("", page._("committee.no_mission"))] + [
        (x["id"], x["title"])
        for x in optional(lambda: _plain(_council(page).missions(municipality.id, page.actor)), [])]
    return page.render("missions/committee_new.html", status=status, title=page._("committee.new"), values=values,
                       errors=errors, mission_options=mission_options,
                       recruitment_options=[("panel", page._("committee.recruitment.panel")),
                                            ("application", page._("committee.recruitment.application"))])


@page_route("/municipalities/<m>/committees/<uuid:committee_id>")
def committee(page, m, committee_id, errors=None, values=None, status=200):
    municipality = page.in_municipality(m)
    found = _plain(_council(page).get_committee(municipality.id, page.actor, str(committee_id)))
    meetings = parts(**{x["meeting_id"]: (
        lambda mid=x["meeting_id"]: _plain(page.ctx.meetings.get(municipality.id, page.actor, mid)), None)
        for x in found["meetings"]}) if found["meetings"] else {}
    for x in found["meetings"]:
        held = meetings.get(x["meeting_id"])
        x["status"] = held.get("status") if isinstance(held, dict) else None
    return page.render("missions/committee.html", status=status, title=found["title"], committee=found,
                       errors=errors or {}, values=values or {}, decisions=DECISIONS)


def _committee_action(page, m, committee_id, act, done, known=()):
    municipality = page.in_municipality(m)
    page.require_account()
    try:
        act(municipality.id)
    except (Invalid, Conflict, ValidationError) as exc:
        return committee(page, m, committee_id, errors=_errors(page, exc, known=known),
                         values=dict(page.form.items()), status=409 if isinstance(exc, Conflict) else 422)
    return page.redirect(f"/municipalities/{m}/committees/{committee_id}", done)


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/apply", methods=("POST",))
def apply(page, m, committee_id):
    features = {}
    for name in ("age", "area"):
        if page.field(name):
            features[name] = page.field(name)
    return _committee_action(page, m, committee_id, lambda mid: _council(page).apply_to_committee(
        mid, page.actor, str(committee_id), {"group": "politician" if _politician(page) else "resident",
                                             "features": features, "motivation": page.field("motivation")}),
        "applied", known=("motivation",))


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/draw", methods=("POST",))
def draw(page, m, committee_id):
    seed = page.field("seed")
    return _committee_action(page, m, committee_id, lambda mid: council_steps.draw_members(
        page.ctx, mid, str(committee_id), int(seed) if seed.isdigit() else None), "drawn", known=("seed",))


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/members", methods=("POST",))
def accept(page, m, committee_id):
    chosen = page.form.getlist("application")
    return _committee_action(page, m, committee_id, lambda mid: _council(page).seat_members(
        mid, page.actor, str(committee_id), {"accepted": chosen}), "seated")


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/meetings", methods=("POST",))
def plan(page, m, committee_id):
    when = {"starts_at": page.field("starts_at"), "ends_at": page.field("ends_at")}
    if page.field("online_url"):
        when["online_url"] = page.field("online_url")
    missing = forms.required(page, when, ("starts_at", "ends_at"))
    if missing:
        return committee(page, m, committee_id, errors=missing, values=when, status=422)
    return _committee_action(page, m, committee_id, lambda mid: council_steps.plan_meeting(page.ctx, mid, str(committee_id),
                                                                                 when),
                             "meeting_planned", known=("starts_at", "ends_at", "online_url"))


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/documents", methods=("POST",))
def document(page, m, committee_id):
    payload = {"kind": page.field("kind") or "working", "title": page.field("doc_title"), "body": page.field("body")}
    missing = forms.required(page, {"doc_title": payload["title"], "body": payload["body"]}, ("doc_title", "body"))
    if missing:
        return committee(page, m, committee_id, errors=missing, values=dict(page.form.items()), status=422)
    return _committee_action(page, m, committee_id, lambda mid: _council(page).add_document(
        mid, page.actor, str(committee_id), payload), "document_added")


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/recommendation", methods=("POST",))
def recommend(page, m, committee_id):
    text = page.field("recommendation")
    if not text:
        return committee(page, m, committee_id, errors={"recommendation": page._("form.required")}, status=422)
    return _committee_action(page, m, committee_id, lambda mid: _council(page).deliver_recommendation(
        mid, page.actor, str(committee_id), {"recommendation": text}), "delivered", known=("recommendation",))


# -- the council's answer ------------------------------------------------------------------------------


@page_route("/municipalities/<m>/council")
def council(page, m, errors=None, status=200):
    municipality = page.in_municipality(m)
    agenda = _plain(_council(page).agenda(municipality.id, page.actor))
    return page.render("missions/council.html", status=status, title=page._("council.title"), agenda=agenda,
                       lead=page.is_staff(municipality.id), errors=errors or {}, decisions=DECISIONS)


def _case_action(page, m, case_id, act, done):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    back = page.field("back")
    try:
        act(municipality.id)
    except (Invalid, Conflict, ValidationError) as exc:
        return council(page, m, errors=_errors(page, exc), status=409 if isinstance(exc, Conflict) else 422)
    target = back if back.startswith(f"/municipalities/{m}/") and "//" not in back else f"/municipalities/{m}/council"
    return page.redirect(target, done)


@page_route("/municipalities/<m>/cases/<uuid:case_id>/placement", methods=("POST",))
def place(page, m, case_id):
    payload = {"body": page.field("body"), "meeting_date": page.field("meeting_date")}
    return _case_action(page, m, case_id, lambda mid: _council(page).place_case(
        mid, page.actor, str(case_id), payload), "placed")


@page_route("/municipalities/<m>/cases/<uuid:case_id>/decision", methods=("POST",))
def decide(page, m, case_id):
    payload = {"decision": page.field("decision"), "reasons": page.field("reasons")}
    if page.field("sent_to"):
        payload["sent_to"] = page.field("sent_to")
    return _case_action(page, m, case_id, lambda mid: _council(page).decide(
        mid, page.actor, str(case_id), payload), "council_decided")


@page_route("/municipalities/<m>/what-became-of-it")
def outcomes(page, m):
    municipality = page.in_municipality(m)
    rpc = _council(page)
    figures = _plain(rpc.figures(municipality.id, page.actor))
    agenda = _plain(rpc.agenda(municipality.id, page.actor))
    return page.render("missions/outcomes.html", title=page._("outcomes.title"), figures=figures, agenda=agenda,
                       decisions=DECISIONS)


# -- politicians as themselves ---------------------------------------------------------------------------


@page_route("/municipalities/<m>/politicians/me", methods=("GET", "POST"))
def my_office(page, m):
    municipality = page.in_municipality(m)
    page.require_account()
    if not (_politician(page) and page.account.municipality == municipality.id):
        raise Forbidden("only the municipality's politicians hold a public office here")
    values = {"name": page.account.display_name or "", "party": "", "office_title": ""}
    try:
        held = _council(page).politician(municipality.id, page.actor, str(page.account.id)).office
        values = {"name": held.name, "party": held.party, "office_title": held.title}
    except NotFound:
        pass
    errors, status = {}, 200
    if page.request.method == "POST":
        values = {name: page.field(name) for name in ("name", "party", "office_title")}
        errors = forms.required(page, values, ("name", "party"))
        if not errors:
            try:
                _council(page).register_office(municipality.id, page.actor, {
                    "name": values["name"], "party": values["party"], "title": values["office_title"]})
            except (Invalid, ValidationError) as exc:
                errors = _errors(page, exc, known=("name", "party"))
            else:
                return page.redirect(f"/municipalities/{m}/politicians/{page.account.id}", "office_saved")
        status = 422
    return page.render("missions/office.html", status=status, title=page._("office.title"), values=values,
                       errors=errors)


@page_route("/municipalities/<m>/politicians/<uuid:participant_id>")
def politician(page, m, participant_id):
    municipality = page.in_municipality(m)
    found = _plain(_council(page).politician(municipality.id, page.actor, str(participant_id)))
    return page.render("missions/politician.html", title=found["office"]["name"], politician=found,
                       decisions=DECISIONS)


# -- the council changes and closes its missions and committees --------------------------------------


MISSION_TEXTS = ("title", "challenge", "goal", "horizon", "owner_committee")


@page_route("/municipalities/<m>/missions/<uuid:mission_id>/edit", methods=("GET", "POST"))
def edit_mission(page, m, mission_id, errors=None, status=200):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    found = _plain(_council(page).get_mission(municipality.id, page.actor, str(mission_id)))
    values = {name: str(found[name]) for name in MISSION_TEXTS}
    if page.request.method == "POST" and errors is None:
        values = {name: page.field(name) for name in MISSION_TEXTS}
        errors = forms.required(page, values, MISSION_TEXTS)
        if values["horizon"] and not values["horizon"].isdigit():
            errors["horizon"] = page._("form.number")
        if not errors:
            change = {k: (int(v) if k == "horizon" else v) for k, v in values.items() if str(found[k]) != v}
            if not change:
                return page.redirect(f"/municipalities/{m}/missions/{mission_id}", "mission_updated")
            try:
                _council(page).update_mission(municipality.id, page.actor, str(mission_id), change)
            except (Invalid, Conflict, ValidationError) as exc:
                errors, status = _errors(page, exc, known=MISSION_TEXTS), 409 if isinstance(exc, Conflict) else 422
            else:
                return page.redirect(f"/municipalities/{m}/missions/{mission_id}", "mission_updated")
        status = status if status != 200 else 422
    return page.render("missions/mission_edit.html", status=status, title=page._("mission.edit"), mission=found,
                       values={**values, **({k: page.field(k) for k in ("closed_as", "note")}
                                          if page.request.method == "POST" else {})},
                       errors=errors or {},
                       ends=[("achieved", page._("mission.status.achieved")),
                             ("ended", page._("mission.status.ended"))])


@page_route("/municipalities/<m>/missions/<uuid:mission_id>/close", methods=("POST",))
def close_mission(page, m, mission_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    payload = {"closed_as": page.field("closed_as"), "note": page.field("note")}
    missing = forms.required(page, payload, ("closed_as", "note"))
    if missing:
        return edit_mission(page, m, mission_id, errors=missing, status=422)
    try:
        _council(page).close_mission(municipality.id, page.actor, str(mission_id), payload)
    except (Invalid, Conflict, ValidationError) as exc:
        return edit_mission(page, m, mission_id, errors=_errors(page, exc, known=("closed_as", "note")),
                            status=409 if isinstance(exc, Conflict) else 422)
    return page.redirect(f"/municipalities/{m}/missions/{mission_id}", "mission_closed")


MANDATE_FIELDS = ("title", "task", "questions", "frame", "deadline", "residents", "politicians")


def _mandate_values(c):
    return {"title": c["title"], "task": c["task"], "questions": "\n".join(c["questions"]), "frame": c["frame"],
            "deadline": c["deadline"], "residents": str(c["seats"].get("resident", 0)),
            "politicians": str(c["seats"].get("politician", 0))}


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/edit", methods=("GET", "POST"))
def edit_committee(page, m, committee_id, errors=None, status=200):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    found = _plain(_council(page).get_committee(municipality.id, page.actor, str(committee_id)))
    before = _mandate_values(found)
    values = dict(before)
    if page.request.method == "POST" and errors is None:
        values = {name: page.field(name) for name in MANDATE_FIELDS}
        errors = forms.required(page, values, ("title", "task", "questions", "frame", "deadline"))
        for name in ("residents", "politicians"):
            if not (values[name] or "0").isdigit():
                errors[name] = page._("form.number")
        if not errors:
            change = {k: values[k] for k in ("title", "task", "frame", "deadline") if values[k] != before[k]}
            questions = [q.strip() for q in values["questions"].splitlines() if q.strip()]
            if questions != found["questions"]:
                change["questions"] = questions
            if (values["residents"], values["politicians"]) != (before["residents"], before["politicians"]):
                change["seats"] = {"resident": int(values["residents"] or 0),
                                   "politician": int(values["politicians"] or 0)}
            if not change:
                return page.redirect(f"/municipalities/{m}/committees/{committee_id}", "committee_updated")
            try:
                _council(page).update_committee(municipality.id, page.actor, str(committee_id), change)
            except (Invalid, Conflict, ValidationError) as exc:
                errors = _errors(page, exc, known=MANDATE_FIELDS + ("seats",))
                if "seats" in errors:
                    errors["residents"] = errors.pop("seats")
                status = 409 if isinstance(exc, Conflict) else 422
            else:
                return page.redirect(f"/municipalities/{m}/committees/{committee_id}", "committee_updated")
        status = status if status != 200 else 422
    if page.request.method == "POST" and "note" in page.form:
        values["note"] = page.field("note")
    return page.render("missions/committee_edit.html", status=status, title=page._("committee.edit"),
                       committee=found, values=values, errors=errors or {})


@page_route("/municipalities/<m>/committees/<uuid:committee_id>/close", methods=("POST",))
def close_committee(page, m, committee_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    note = page.field("note")
    if not note:
        return edit_committee(page, m, committee_id, errors={"note": page._("form.required")}, status=422)
    try:
        _council(page).close_committee(municipality.id, page.actor, str(committee_id), {"note": note})
    except (Invalid, Conflict, ValidationError) as exc:
        return edit_committee(page, m, committee_id, errors=_errors(page, exc, known=("note",)),
                              status=409 if isinstance(exc, Conflict) else 422)
    return page.redirect(f"/municipalities/{m}/committees/{committee_id}", "committee_closed")
