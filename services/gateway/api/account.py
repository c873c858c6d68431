"""The account's own life cycle: confirming the e-mail address, resetting the
password, exporting one's data and being forgotten (``gateway.accounts`` does the work)."""
from werkzeug.wrappers import Response

from ..accounts import confirmation, erasure, export as exporting, identities, oidc, reset, verification
from ..accounts.models import (Accepted, AccountOut, LinkedIdentitiesOut, NewPassword, ResetRequest, TokenBody,
                               VerificationOut, VerificationRules, account_out)
from .context import SESSION_COOKIE
from .router import route


@route("POST", "/auth/confirm", body=TokenBody, response=AccountOut,
       summary="Confirm the e-mail address with the token from the e-mail", tags=["accounts"])
def confirm(ctx, body):
    return account_out(confirmation.confirm(ctx, body.token))


@route("POST", "/auth/confirm/resend", status=202, response=Accepted, auth=True, limited=True,
       summary="Send the confirmation e-mail again (a few an hour)", tags=["accounts"])
def resend_confirmation(ctx):
    sent = confirmation.resend(ctx, ctx.require_account())
    return {"status": "sent" if sent else "already confirmed"}


@route("POST", "/auth/password-reset", body=ResetRequest, status=202, response=Accepted, limited=True,
       summary="E-mail a link to choose a new password (a few an hour per address and per IP)", tags=["accounts"])
def request_reset(ctx, body):
    reset.request(ctx, body.email)
    # The same answer whether or not the address has an account: no account discovery.
    return {"status": "if the address has an account, a link is on its way"}


@route("POST", "/auth/password-reset/confirm", body=NewPassword, response=AccountOut,
       summary="Choose a new password with the token from the e-mail", tags=["accounts"])
def confirm_reset(ctx, body):
    return account_out(reset.choose_password(ctx, body.token, body.password))


@route("GET", "/me/export", auth=True, summary="Everything Samskab holds about me (GDPR art. 15 and 20)",
       tags=["accounts"])
def export(ctx):
    return exporting.export(ctx, ctx.require_account())


@route("DELETE", "/me", status=204, auth=True, summary="Erase my account and my personal data everywhere",
       tags=["accounts"])
def erase(ctx):
    erasure.erase(ctx, ctx.require_account())
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- verified accounts (OpenID Connect; the sign-in itself is a browser flow at /auth/oidc/<provider>/…) ----

def _verification(ctx, municipality_id):
    from urllib.parse import urlencode

    base = ctx.config.get("PUBLIC_URL", "http://localhost:8000").rstrip("/")
    providers = [{"name": p.name, "label": p.label,
                  "sign_in_url": f"{base}/auth/oidc/{p.name}/start?{urlencode({'m': municipality_id})}"}
                 for p in oidc.offered(ctx.config, municipality_id)]
    return {**verification.rules(ctx.db, municipality_id), "providers": providers}


@route("GET", "/municipalities/<m>/verification", response=VerificationOut,
       summary="Whether supports and panel volunteering need a verified account here, and the identity "
               "providers to verify with", tags=["accounts"])
def get_verification(ctx, m):
    return _verification(ctx, ctx.municipality(m).id)


@route("PUT", "/municipalities/<m>/verification", body=VerificationRules, response=VerificationOut, auth=True,
       summary="Ask for a verified account before a support or a panel volunteering (the municipality's staff)",
       tags=["accounts"])
def put_verification(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    verification.set_rules(ctx.db, municipality.id, body.supports, body.panels)
    return _verification(ctx, municipality.id)


@route("GET", "/me/identities", response=LinkedIdentitiesOut, auth=True,
       summary="The verified identities linked to my account (one per identity provider)", tags=["accounts"])
def get_identities(ctx):
    found = identities.linked(ctx, ctx.require_account())
    return {**found, "identities": [{**i, "linked_at": i["linked_at"].isoformat()} for i in found["identities"]]}


@route("DELETE", "/me/identities/<provider>", response=AccountOut, auth=True,
       summary="Unlink my identity at this provider: its record is deleted (it can be linked again, here or to "
               "another account) and the account is no longer verified, nor has a municipality of residence, "
               "unless another identity is linked. 409 if it is the account's only way to sign in: set a "
               "password first (POST /auth/password-reset)", tags=["accounts"])
def unlink_identity(ctx, provider):
    return account_out(identities.unlink(ctx, ctx.require_account(), provider))
