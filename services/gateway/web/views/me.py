"""Me: my profile for matching, my matches and recommendations, my inbox,
how often I hear about what, my data and leaving."""
import json
import re
from urllib.parse import urlsplit

from pydantic import ValidationError
from werkzeug.wrappers import Response

from samskab.contracts.matching import Profile
from samskab.contracts.rpc import plain
from samskab.errors import Invalid, NotFound

from ...accounts import confirmation, erasure, export as exporting, identities
from ...api.context import SESSION_COOKIE
from .. import forms
from ..app import optional, page_route, parts

AVAILABILITY = ("weekday_daytime", "weekday_evening", "weekend", "occasional")
LANGS = ("da", "nb", "nn", "en")
LIST_FIELDS = ("skills", "interests", "areas", "resources")
KINDS = ("meeting_change", "registration", "proposal_status", "proposal_activity", "proposal_triage", "matches")


def _my_municipality(page):
    account = page.account
    if account is not None and account.municipality in page.gateway.municipalities:
        page.municipality = page.gateway.municipalities[account.municipality]


@page_route("/me")
def me(page, errors=None, status=200):
    account = page.require_account()
    _my_municipality(page)
    found = parts(
        recommendations=(lambda: plain(page.ctx.matching.recommendations(page.actor)),
                         {"recommendations": []}),
        inbox=(lambda: plain(page.ctx.notifications.inbox(page.actor, 5, False)), {"unread": 0, "items": []}),
        mine=(lambda: page.ctx.proposals.list_page(account.municipality, page.actor,
                                                   {"mine": True, "limit": 20}).items, []),
    )
    return page.render("me/index.html", status=status, title=page._("me.title"),
                       recommendations=found["recommendations"], inbox=found["inbox"], mine=found["mine"],
                       linked=identities.linked(page.ctx, account), errors=errors or {})


@page_route("/me/identities/<name>/unlink", methods=("POST",))
def unlink_identity(page, name):
    """Unlink a verified identity (the accounts layer's, as the API's DELETE /me/identities/<provider>):
    a ticked box says the person knows the account is no longer verified."""
    account = page.require_account()
    if name not in [i["provider"] for i in identities.linked(page.ctx, account)["identities"]]:
        raise NotFound("no identity of this provider is linked to your account")
    if page.form.get("confirm") != "1":
        return me(page, errors={f"unlink-{name}": page._("me.identity.confirm_needed")}, status=422)
    try:
        identities.unlink(page.ctx, account, name)
    except identities.OnlyWayToSignIn as exc:
        return me(page, errors={f"unlink-{name}": page._("me.identity.only_way", provider=exc.label)}, status=409)
    return page.redirect("/me", "identity_unlinked")


@page_route("/me/profile", methods=("GET", "POST"))
def profile(page):
    page.require_account()
    _my_municipality(page)
    current = optional(lambda: plain(page.ctx.matching.get_profile(page.actor)), {}) or {}
    values = {name: "\n".join(current.get(name, [])) for name in LIST_FIELDS}
    values["availability"] = current.get("availability", [])
    values["languages"] = current.get("languages", [])
    values["suggest_me"] = current.get("suggest_me", False)
    errors, status = {}, 200
    if page.request.method == "POST":
        payload = {name: page.lines(name) for name in LIST_FIELDS}
        payload["availability"] = [a for a in page.form.getlist("availability") if a in AVAILABILITY]
        payload["languages"] = [lang for lang in page.form.getlist("languages") if lang in LANGS]
        payload["suggest_me"] = page.form.get("suggest_me") == "1"
        values = {**{name: page.form.get(name, "") for name in LIST_FIELDS},
                  "availability": payload["availability"], "languages": payload["languages"],
                  "suggest_me": payload["suggest_me"]}
        try:
            Profile.model_validate(payload)
            page.ctx.matching.put_profile(page.actor, payload)
        except ValidationError as exc:
            errors = forms.from_validation(page, exc, known=LIST_FIELDS)
        except Invalid as exc:
            errors = forms.from_invalid(page, exc, known=LIST_FIELDS)
        else:
            return page.redirect("/me", "profile_saved")
        status = 422
    return page.render("me/profile.html", status=status, title=page._("me.profile"), values=values, errors=errors,
                       availability=AVAILABILITY, langs=LANGS)


FRAGMENT = re.compile(r"[A-Za-z][\w-]{0,80}")  # a part of the page: #agreement, #c-<id>


def _local_link(link):
    """The page a notification is about: only its path (and a part of the page, such as
    ``#agreement``) is followed, never another host."""
    if not link:
        return None
    parts = urlsplit(link)
    if not (parts.path.startswith("/municipalities/") or parts.path.startswith("/me")):
        return None
    return parts.path + (f"#{parts.fragment}" if FRAGMENT.fullmatch(parts.fragment or "") else "")


@page_route("/me/inbox", methods=("GET", "POST"))
def inbox(page):
    page.require_account()
    _my_municipality(page)
    if page.request.method == "POST":
        ids = [i for i in page.form.getlist("id") if i][:500]
        page.ctx.notifications.mark_read(page.actor, ids, page.field("all") == "1")
        return page.redirect("/me/inbox", "marked_read")
    found = page.ctx.notifications.inbox(page.actor, 100, False)
    items = [{**item, "local_link": _local_link(item.get("link"))} for item in found["items"]]
    return page.render("me/inbox.html", title=page._("me.inbox"), unread=found["unread"], items=items)


@page_route("/me/preferences", methods=("GET", "POST"))
def preferences(page):
    page.require_account()
    _my_municipality(page)
    if page.request.method == "POST":
        update = {}
        for kind in KINDS:
            channels = {}
            for channel in ("inbox", "email"):
                value = page.field(f"{kind}.{channel}")
                if value:
                    channels[channel] = value
            if channels:
                update[kind] = channels
        page.ctx.notifications.set_preferences(page.actor, update)
        return page.redirect("/me/preferences", "preferences_saved")
    found = page.ctx.notifications.get_preferences(page.actor)
    return page.render("me/preferences.html", title=page._("me.preferences"), prefs=found["preferences"],
                       frequencies=found["frequencies"], kinds=[k for k in KINDS if k in found["preferences"]])


@page_route("/me/data")
def data(page, errors=None, status=200):
    """Export and deletion: what they do, and the buttons."""
    page.require_account()
    _my_municipality(page)
    return page.render("me/data.html", status=status, title=page._("me.data"), errors=errors or {})


@page_route("/me/data/export")
def export(page):
    account = page.require_account()  # the accounts layer's export, as the API's: the same file
    body = json.dumps(exporting.export(page.ctx, account), ensure_ascii=False, indent=2, default=str)
    return Response(body, content_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="samskab-my-data.json"'})


@page_route("/me/data/delete", methods=("POST",))
def delete(page):
    account = page.require_account()
    if page.form.get("confirm") != "1":
        return data(page, errors={"confirm": page._("me.delete.confirm_needed")}, status=422)
    erasure.erase(page.ctx, account)
    page.cookies.append((SESSION_COOKIE, "", 0))
    return page.redirect("/", "erased")


@page_route("/me/confirm", methods=("POST",))
def resend_confirmation(page):
    """Send the e-mail with the confirmation link again (the link opens /account/confirm)."""
    confirmation.resend(page.ctx, page.require_account())
    return page.redirect("/me", "confirmation_sent")


@page_route("/me/calendar", methods=("GET", "POST"))
def calendar_feed(page):
    """My private calendar feed: the meetings I have a seat at, for a calendar program.
    The address is shown once, when made; making a new one stops the old (as the API's
    POST /me/calendar-feed)."""
    account = page.require_account()
    _my_municipality(page)
    url = None
    if page.request.method == "POST":
        token = page.ctx.meetings.new_calendar_token(account.municipality, page.actor).token
        base = (page.ctx.config.get("PUBLIC_URL") or page.request.host_url).rstrip("/")
        url = f"{base}/api/v1/calendar/{token}.ics"
    response = page.render("me/calendar.html", title=page._("me.calendar"), url=url,
                           webcal=url and "webcal://" + url.split("://", 1)[1])
    response.headers["Cache-Control"] = "no-store"  # the address is a secret
    return response
