"""For operators: third parties' API keys and webhook subscriptions, per municipality."""

from samskab.errors import Conflict, Forbidden, Invalid, NotFound
from samskab.vocabulary import OPERATOR, RESIDENT_ROLES, STAFF_ROLES

from ...accounts import directory, roles

from .. import forms
from ..app import page_route


GRANTABLE = STAFF_ROLES + (OPERATOR,) + RESIDENT_ROLES


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
    values, errors, issued, status, rotated = {}, {}, None, 200, None
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
        elif action in WEBHOOK_ACTIONS:
            done, rotated = _manage_webhook(page, municipality, action)
            if done is None:
                errors = {"webhook_id": page._("operator.no_webhook")}
            elif rotated is None:
                return page.redirect(f"/operator?m={municipality.id}", done)
        if errors:
            status = 422
    try:
        webhooks = page.ctx.notifications.list_webhooks(municipality.id, page.actor)
    except Forbidden:
        webhooks = []
    return page.render("operator.html", status=status, title=page._("operator.title"), chosen=municipality,
                       webhooks=webhooks, values=values, errors=errors, issued=issued, rotated=rotated,
                       role_options=[(r, page._("role." + r)) for r in GRANTABLE])


WEBHOOK_ACTIONS = ("webhook_delete", "webhook_enable", "webhook_rotate", "webhook_ping")


def _manage_webhook(page, municipality, action):
    """(the done message, a rotated webhook with its new secret or ``None``); ``(None, None)``
    when there is no such webhook or it cannot take the action (a revoked key, disabled)."""
    rpc, webhook_id = page.ctx.notifications, page.field("webhook_id")
    try:
        if action == "webhook_delete":
            rpc.delete_webhook(municipality.id, page.actor, webhook_id)
        elif action == "webhook_enable":
            rpc.enable_webhook(municipality.id, page.actor, webhook_id)
        elif action == "webhook_ping":
            rpc.ping_webhook(municipality.id, page.actor, webhook_id)
        else:
            # the new secret is shown on this answer only, like a new API key
            return "webhook_rotated", rpc.rotate_webhook_secret(municipality.id, page.actor, webhook_id, {})
    except (NotFound, Invalid, Conflict):
        return None, None
    return action, None
