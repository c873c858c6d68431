"""For the municipality's employees and politicians: triage of new proposals,
unanswered questions and everything reported, and drawing a citizen panel by lot."""
import secrets

from pydantic import ValidationError

from samskab.contracts.matching import PanelRequest
from samskab.contracts.meetings.attachments import MeetingAttachmentsRpc
from samskab.contracts.moderation import KINDS as REPORTED_KINDS
from samskab.contracts.proposals.attachments import AttachmentsRpc
from samskab.contracts.proposals.comments import CommentsRpc
from samskab.errors import Invalid

from ... import pools
from .. import forms
from ..app import page_route, parts

OPEN = ["published", "forming", "active"]


@page_route("/municipalities/<m>/staff")
def triage(page, m):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    rpc, mid, actor = page.ctx.proposals, municipality.id, page.actor
    found = parts(
        submitted=(lambda: rpc.list_page(mid, actor, {"status": ["submitted"], "limit": 50, "sort": "newest"}).items,
                   []),
        open=(lambda: rpc.list_page(mid, actor, {"status": OPEN, "limit": 30, "sort": "active"}).items, []),
        reported=(lambda: rpc.reported(mid, actor), None),
        meeting_reports=(lambda: page.ctx.meetings.reported(mid, actor), None),
    )
    open_items = found["open"] + found["submitted"]
    questions = parts(**{
        p.id: ((lambda pid=p.id: rpc.questions(mid, actor, pid, True)), []) for p in open_items
    }) if open_items else {}
    unanswered = [(p, q) for p in open_items for q in questions.get(p.id) or [] if not q.hidden]
    reports, partial = reported(found["reported"], found["meeting_reports"])
    return page.render("staff/triage.html", title=page._("staff.title"), submitted=found["submitted"],
                       unanswered=unanswered, reports=reports, reports_partial=partial)


def reported(*lists):
    """One list of open reports from the services' lists, the longest waiting first, and
    whether a service did not answer (its reports are then missing: the page says so)."""
    items = [item for found in lists if found for item in found]
    return sorted(items, key=lambda i: (i.first_reported_at, i.id)), any(found is None for found in lists)


@page_route("/municipalities/<m>/staff/reports/<kind>/<uuid:under_id>/<uuid:item_id>", methods=("POST",))
def decide(page, m, kind, under_id, item_id):
    """Hide the reported thing (each kind's own hide) or dismiss its reports (its owner's)."""
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    action, reason, until = page.field("action"), page.field("reason"), page.field("until")
    if kind not in REPORTED_KINDS or action not in ("hide", "dismiss") or (action == "hide" and not reason):
        return page.redirect(f"/municipalities/{m}/staff", "decision_incomplete")
    mid, actor, under, item = municipality.id, page.actor, str(under_id), str(item_id)
    if action == "dismiss":
        dismissal = {"kind": kind, "id": item, **({"reason": reason} if reason else {}),
                     **({"until": until} if until else {})}
        owner = page.ctx.meetings if kind.startswith("meeting_") else page.ctx.proposals
        owner.dismiss_reports(mid, actor, under, dismissal)
    elif kind == "meeting_comment":
        page.ctx.meetings.hide_comment(mid, actor, under, item, {"reason": reason})
    elif kind == "meeting_attachment":
        MeetingAttachmentsRpc(page.ctx.call).hide_attachment(mid, actor, under, item, {"reason": reason})
    elif kind == "comment":
        CommentsRpc(page.ctx.call).hide_comment(mid, actor, under, item, {"reason": reason})
    elif kind == "attachment":
        AttachmentsRpc(page.ctx.call).hide_attachment(mid, actor, under, item, {"reason": reason})
    else:
        page.ctx.proposals.hide(mid, actor, under, {"target_type": kind, "target_id": item, "reason": reason})
    return page.redirect(f"/municipalities/{m}/staff", "decided")


@page_route("/municipalities/<m>/panels", methods=("GET", "POST"))
def panels(page, m):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    values = {"size": "", "alternates": "0", "seed": str(secrets.randbits(31)), "pool": "", "quotas": "",
              "purpose": "", "proposal_id": page.request.args.get("proposal_id", "")}
    errors, result, quota_table, status = {}, None, [], 200
    if page.request.method == "POST":
        values = {name: page.form.get(name, "").strip() for name in values}
        values["one_per_household"] = page.form.get("one_per_household") == "1"
        errors = forms.required(page, values, ("size", "pool", "quotas", "seed"))
        for name in ("size", "alternates", "seed"):
            if values.get(name) and not values[name].isdigit():
                errors[name] = page._("form.number")
        pool_text = values["pool"]
        upload = page.request.files.get("pool_file")
        if upload and upload.filename:  # not echoed back into the form: it may be megabytes
            # A CSV file from the recruitment list (spreadsheets may save it in Windows-1252).
            raw = upload.read(pools.POOL_MAX_BODY + 1)
            try:
                pool_text = raw.decode("utf-8")
            except UnicodeDecodeError:
                pool_text = raw.decode("cp1252", errors="replace")
            errors.pop("pool", None)
            if len(raw) > pools.POOL_MAX_BODY:
                errors["pool"] = page._("panel.pool.too_big")
        quotas, bad = pools.parse_quotas(values["quotas"])
        if bad:
            errors["quotas"] = page._("panel.quotas.bad", lines=", ".join(map(str, bad)))
        volunteers = []
        if not errors:
            try:
                volunteers = pools.parse_pool(pool_text)
            except pools.PoolInvalid as exc:
                errors["pool"] = page._(f"panel.pool.{exc.code}", rows=", ".join(map(str, exc.rows)),
                                        n=pools.POOL_MAX_VOLUNTEERS)
        if not errors:
            payload = {"purpose": values["purpose"], "size": int(values["size"]),
                       "volunteers": volunteers, "quotas": quotas,
                       "one_per_household": values["one_per_household"],
                       "alternates": int(values["alternates"] or 0), "seed": int(values["seed"])}
            if values["proposal_id"]:
                payload["proposal_id"] = values["proposal_id"]
            try:
                PanelRequest.model_validate(payload)
                result = page.ctx.matching.select_panel(municipality.id, page.actor, payload).model_dump(
                    mode="json", exclude_unset=True)
            except ValidationError as exc:
                errors = forms.from_validation(page, exc, known=("size", "alternates", "seed", "quotas", "pool"))
            except Invalid as exc:
                errors = forms.from_invalid(page, exc, known=("size", "alternates", "seed", "quotas", "pool"))
        if errors:
            status = 422
        if result:
            for feature, by_value in quotas.items():
                for value, bounds in by_value.items():
                    quota_table.append({"feature": feature, "value": value, "min": bounds["min"],
                                        "max": bounds["max"],
                                        "selected": result.get("counts", {}).get(feature, {}).get(value, 0)})
    return page.render("staff/panels.html", status=status, title=page._("panel.title"), values=values,
                       errors=errors, result=result, quota_table=quota_table)
