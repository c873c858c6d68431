"""For the municipality's employees and politicians: triage of new proposals
and unanswered questions, and drawing a citizen panel by lot."""
import secrets

from pydantic import ValidationError

from samskab.contracts.matching import PanelRequest
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
        reports=(lambda: rpc.reports(mid, actor), []),
    )
    open_items = found["open"] + found["submitted"]
    questions = parts(**{
        p.id: ((lambda pid=p.id: rpc.questions(mid, actor, pid, True)), []) for p in open_items
    }) if open_items else {}
    unanswered = [(p, q) for p in open_items for q in questions.get(p.id) or [] if not q.hidden]
    return page.render("staff/triage.html", title=page._("staff.title"), submitted=found["submitted"],
                       unanswered=unanswered, reports=found["reports"])


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
