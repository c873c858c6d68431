"""For operators: third parties' API keys and webhook subscriptions, per municipality."""
from samskab.errors import Forbidden, Invalid, NotFound

from .. import forms
from ..app import page_route


def _chosen(page):
    m = page.request.args.get("m")
    served = page.gateway.municipalities
    if m not in served:
        m = page.account.municipality if page.account.municipality in served else next(iter(served))
    return served[m]


@page_route("/operator", methods=("GET", "POST"))
def operator(page):
    page.require_operator()
    municipality = _chosen(page)
    values, errors, issued, status = {}, {}, None, 200
    if page.request.method == "POST":
        action = page.field("action")
        if action == "issue":
            values = {"name": page.field("name"), "contact_email": page.field("contact_email")}
            errors = forms.required(page, values, ("name", "contact_email"))
            if not errors:
                try:
                    issued = page.call("notifications", "issue_api_key", municipality.id, page.actor, values)
                    values = {}
                except Invalid as exc:
                    errors = forms.from_invalid(page, exc, known=("name", "contact_email"))
        elif action == "revoke":
            key_id = page.field("key_id")
            try:
                page.call("notifications", "revoke_api_key", municipality.id, page.actor, key_id)
            except (NotFound, Invalid):
                errors = {"key_id": page._("operator.no_key")}
            else:
                return page.redirect(f"/operator?m={municipality.id}", "revoked")
        if errors:
            status = 422
    try:
        webhooks = page.call("notifications", "list_webhooks", municipality.id, None, page.actor)
    except Forbidden:
        webhooks = []
    return page.render("operator.html", status=status, title=page._("operator.title"), chosen=municipality,
                       webhooks=webhooks, values=values, errors=errors, issued=issued)
