"""For operators: third parties' API keys and webhook subscriptions, per municipality."""

from samskab.errors import Conflict, Forbidden, Invalid, NotFound

from ...accounts import directory, roles

from .. import forms
from ..app import page_route


GRANTABLE = ("employee", "politician", "operator", "resident", "business", "association")


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
                    issued = page.ctx.notifications.issue_api_key(municipality.id, page.actor, values)
                    values = {}
                except Invalid as exc:
                    errors = forms.from_invalid(page, exc, known=("name", "contact_email"))
        elif action == "grant":
            values = {"grant_email": page.field("grant_email").lower(), "grant_role": page.field("grant_role")}
            errors = forms.required(page, values, ("grant_email", "grant_role"))
            if values["grant_role"] and values["grant_role"] not in GRANTABLE:
                errors["grant_role"] = page._("form.choose")
            if not errors:
                found = directory.account_id_by_email(page.ctx.db, values["grant_email"])
                if found is None:
                    errors["grant_email"] = page._("operator.no_account")
                else:
                    try:
                        roles.grant(page.ctx, page.require_operator(), found, values["grant_role"], municipality.id)
                    except Conflict:
                        errors["grant_role"] = page._("operator.own_role")
                    else:
                        return page.redirect(f"/operator?m={municipality.id}", "role_granted")
        elif action == "revoke":
            key_id = page.field("key_id")
            try:
                page.ctx.notifications.revoke_api_key(municipality.id, page.actor, key_id)
            except (NotFound, Invalid):
                errors = {"key_id": page._("operator.no_key")}
            else:
                return page.redirect(f"/operator?m={municipality.id}", "revoked")
        if errors:
            status = 422
    try:
        webhooks = page.ctx.notifications.list_webhooks(municipality.id, page.actor)
    except Forbidden:
        webhooks = []
    return page.render("operator.html", status=status, title=page._("operator.title"), chosen=municipality,
                       webhooks=webhooks, values=values, errors=errors, issued=issued,
                       role_options=[(r, page._("role." + r)) for r in GRANTABLE])
