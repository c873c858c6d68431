"""For the municipality's employees and politicians: triage of new proposals
and unanswered questions, and drawing a citizen panel by lot."""
import csv
import io
import secrets

from pydantic import ValidationError

from samskab.contracts.matching import PanelRequest
from samskab.errors import Invalid

from .. import forms
from ..app import page_route
from .proposals import parts

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


def _parse_pool(text):
    """Volunteers from CSV: a header row naming ``id``, optionally ``household``,
    and one column per feature (age band, gender, area …)."""
    rows = list(csv.DictReader(io.StringIO(text.strip())))
    volunteers = []
    for row in rows:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        vid = row.pop("id", "")
        household = row.pop("household", "") or None
        volunteers.append({"id": vid, "features": {k: v for k, v in row.items() if k}, "household": household})
    return volunteers


def _parse_quotas(text):
    """One quota per line: ``feature,value,min,max``."""
    quotas, bad = {}, []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
            bad.append(number)
            continue
        quotas.setdefault(parts[0], {})[parts[1]] = {"min": int(parts[2]), "max": int(parts[3])}
    return quotas, bad


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
        quotas, bad = _parse_quotas(values["quotas"])
        if bad:
            errors["quotas"] = page._("panel.quotas.bad", lines=", ".join(map(str, bad)))
        if not errors:
            payload = {"purpose": values["purpose"], "size": int(values["size"]),
                       "volunteers": _parse_pool(values["pool"]), "quotas": quotas,
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
