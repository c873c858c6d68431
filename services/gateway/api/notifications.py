"""Notifications and third-party subscriptions: the inbox, preferences,
one-click unsubscribe, API keys, webhooks, the Atom feed, the catch-up log and
the open-data export.  Everything is answered by the notifications service."""

import json

from werkzeug.wrappers import Response

from samskab.contracts.notifications import (
    DATASETS, ApiKeyListed, ApiKeyOut, Dataset, EmailDeliveryOut, Inbox, Marked, MarkRead, NewApiKey, NewWebhook,
    OpenData, Page, PreferencesOut, PreferencesUpdate, Revoked, SecretRotation, WebhookDeleted, WebhookLog, WebhookOut,
    WebhookPinged,
)
from samskab.contracts.rpc import plain as _json

from .. import account_pages
from .problems import Problem
from .router import route

API_KEY_HEADER = "X-Api-Key"


# -- the inbox and preferences -------------------------------------------------------

@route("GET", "/me/notifications", response=Inbox, auth=True, summary="My notifications, newest first",
       tags=["notifications"], query={"unread": ({"type": "boolean"}, "only unread ones"),
                                      "limit": ({"type": "integer"}, "at most this many (≤ 200)")})
def inbox(ctx):
    ctx.require_account()
    args = ctx.request.args
    try:
        limit = int(args.get("limit", 50))
    except ValueError:
        raise Problem(422, "limit must be a number", [{"field": "limit", "message": "not an integer"}])
    return _json(ctx.notifications.inbox(ctx.actor, limit, args.get("unread") in ("1", "true")))


@route("POST", "/me/notifications/read", body=MarkRead, response=Marked, auth=True,
       summary="Mark notifications read (some by id, or all)", tags=["notifications"])
def mark_read(ctx, body):
    ctx.require_account()
    return _json(ctx.notifications.mark_read(ctx.actor, body.ids, body.all))


@route("GET", "/me/preferences", response=PreferencesOut, auth=True,
       summary="How often I hear about each kind of notification, per channel", tags=["notifications"])
def get_preferences(ctx):
    ctx.require_account()
    return _json(ctx.notifications.get_preferences(ctx.actor))


@route("PUT", "/me/preferences", body=PreferencesUpdate, response=PreferencesOut, auth=True,
       summary="Change how often I hear about each kind of notification", tags=["notifications"])
def put_preferences(ctx, body):
    ctx.require_account()
    return _json(ctx.notifications.set_preferences(ctx.actor, body))


@route("GET", "/unsubscribe", media_type="text/html", summary="The unsubscribe page an e-mail links to",
       tags=["notifications"], query={"token": ({"type": "string"}, "from the e-mail")})
def unsubscribe_page(ctx):
    # A GET never unsubscribes: mail scanners follow links. The button POSTs.
    token = ctx.request.args.get("token")
    if not token:
        raise Problem(400, "the link lacks its token")
    return account_pages.unsubscribe_page(ctx, ctx.request, token)


@route("POST", "/unsubscribe", summary="One-click unsubscribe (RFC 8058)", tags=["notifications"],
       query={"token": ({"type": "string"}, "from the e-mail")})
def unsubscribe(ctx):
    token = ctx.request.args.get("token")
    if not token:
        raise Problem(400, "the link lacks its token")
    result = _json(ctx.notifications.unsubscribe(token))
    if "text/html" in (ctx.request.headers.get("Accept") or ""):
        return account_pages.unsubscribe_page(ctx, ctx.request, token, done_kind=result["unsubscribed"])
    return result


@route("GET", "/municipalities/<m>/email-deliveries", response=[EmailDeliveryOut], auth=True,
       summary="E-mails that could not be delivered (staff)", tags=["notifications"],
       query={"status": ({"type": "string", "enum": ["failed", "pending", "sent"]}, "default failed")})
def email_deliveries(ctx, m):
    municipality = ctx.municipality(m)
    ctx.require_account()
    status = ctx.request.args.get("status", "failed")
    if status not in ("failed", "pending", "sent"):
        raise Problem(422, "unknown status", [{"field": "status", "message": "failed, pending or sent"}])
    return _json(ctx.notifications.email_deliveries(municipality.id, ctx.actor, status))


# -- API keys and webhooks -----------------------------------------------------------------

@route("POST", "/municipalities/<m>/api-keys", body=NewApiKey, status=201, response=ApiKeyOut, auth=True,
       summary="Issue an API key for a third party (operator)", tags=["subscriptions"])
def issue_api_key(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_operator()
    return _json(ctx.notifications.issue_api_key(municipality.id, ctx.actor, body))


@route("GET", "/municipalities/<m>/api-keys", response=[ApiKeyListed], auth=True,
       summary="The API keys issued for a municipality (operator); keys themselves are never shown again",
       tags=["subscriptions"])
def list_api_keys(ctx, m):
    municipality = ctx.municipality(m)
    ctx.require_operator()
    return _json(ctx.notifications.list_api_keys(municipality.id, ctx.actor))


@route("DELETE", "/municipalities/<m>/api-keys/<key_id>", response=Revoked, auth=True,
       summary="Revoke an API key (operator)", tags=["subscriptions"])
def revoke_api_key(ctx, m, key_id):
    municipality = ctx.municipality(m)
    ctx.require_operator()
    return _json(ctx.notifications.revoke_api_key(municipality.id, ctx.actor, key_id))


def _api_key(ctx):
    return ctx.request.headers.get(API_KEY_HEADER) or None


@route("GET", "/municipalities/<m>/webhooks", response=[WebhookOut],
       summary="Webhook subscriptions (of the API key in X-Api-Key, or all of them for staff)", tags=["subscriptions"])
def list_webhooks(ctx, m):
    municipality = ctx.municipality(m)
    key = _api_key(ctx)
    return _json(ctx.notifications.list_webhooks(municipality.id, None if key else ctx.actor, api_key=key))


@route("POST", "/municipalities/<m>/webhooks", body=NewWebhook, status=201, response=WebhookOut,
       summary="Subscribe a URL to public events (API key in X-Api-Key)", tags=["subscriptions"])
def subscribe_webhook(ctx, m, body):
    municipality = ctx.municipality(m)
    return _json(ctx.notifications.subscribe_webhook(municipality.id, _api_key(ctx), body))


@route("GET", "/municipalities/<m>/webhooks/<webhook_id>/deliveries", response=WebhookLog,
       summary="The delivery log of a webhook subscription", tags=["subscriptions"])
def webhook_deliveries(ctx, m, webhook_id):
    municipality = ctx.municipality(m)
    key = _api_key(ctx)
    return _json(ctx.notifications.webhook_deliveries(municipality.id, None if key else ctx.actor, webhook_id, api_key=key))


def _managed(ctx, m):
    """(municipality id, actor or None, API key or None): the key's own webhook, or staff."""
    municipality = ctx.municipality(m)
    key = _api_key(ctx)
    return municipality.id, None if key else ctx.actor, key


@route("DELETE", "/municipalities/<m>/webhooks/<webhook_id>", response=WebhookDeleted,
       summary="Delete a webhook subscription; nothing more is sent to it", tags=["subscriptions"])
def delete_webhook(ctx, m, webhook_id):
    municipality, actor, key = _managed(ctx, m)
    return _json(ctx.notifications.delete_webhook(municipality, actor, webhook_id, api_key=key))


@route("POST", "/municipalities/<m>/webhooks/<webhook_id>/enable", response=WebhookOut,
       summary="Enable a disabled webhook again; deliveries held while it was disabled are sent",
       tags=["subscriptions"])
def enable_webhook(ctx, m, webhook_id):
    municipality, actor, key = _managed(ctx, m)
    return _json(ctx.notifications.enable_webhook(municipality, actor, webhook_id, api_key=key))


@route("POST", "/municipalities/<m>/webhooks/<webhook_id>/rotate-secret", body=SecretRotation, response=WebhookOut,
       summary="A new signing secret (shown once); the old one also signs during the overlap",
       tags=["subscriptions"])
def rotate_webhook_secret(ctx, m, webhook_id, body):
    municipality, actor, key = _managed(ctx, m)
    return _json(ctx.notifications.rotate_webhook_secret(municipality, actor, webhook_id, body, api_key=key))


@route("POST", "/municipalities/<m>/webhooks/<webhook_id>/ping", status=202, response=WebhookPinged,
       summary="Send a signed samskab.webhook.ping to the webhook (see its delivery log)", tags=["subscriptions"])
def ping_webhook(ctx, m, webhook_id):
    municipality, actor, key = _managed(ctx, m)
    return _json(ctx.notifications.ping_webhook(municipality, actor, webhook_id, api_key=key))


# -- the public log ---------------------------------------------------------------------------

@route("GET", "/municipalities/<m>/feed.atom", media_type="application/atom+xml",
       summary="Atom feed of the municipality's public events (RFC 5005 paged: links first, next, previous)",
       tags=["subscriptions"],
       query={"before": ({"type": "string"}, "a page of older entries: the href of a 'next' link")})
def feed(ctx, m):
    municipality = ctx.municipality(m)
    self_url = f"{ctx.config.get('PUBLIC_URL', '').rstrip('/')}/api/v1/municipalities/{municipality.id}/feed.atom"
    before = ctx.request.args.get("before")
    if before:
        xml = ctx.notifications.feed(municipality.id, self_url, 50, before)
    else:
        xml = ctx.notifications.feed(municipality.id, self_url)
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


@route("GET", "/municipalities/<m>/events", response=Page,
       summary="The public events in order, for catching up before binding a queue", tags=["subscriptions"],
       query={"after": ({"type": "string"}, "the 'next' cursor of the previous page; empty for the start"),
              "limit": ({"type": "integer"}, "at most this many (≤ 500)")})
def catch_up(ctx, m):
    municipality = ctx.municipality(m)
    try:
        limit = int(ctx.request.args.get("limit", 100))
    except ValueError:
        raise Problem(422, "limit must be a number", [{"field": "limit", "message": "not an integer"}])
    return _json(ctx.notifications.events_after(municipality.id, ctx.request.args.get("after"), limit))


# -- open data ---------------------------------------------------------------------------------
# Datasets kept by the notifications service from the public events, one row per entity,
# under the licence OPEN_DATA_LICENCE; described by the DCAT-AP catalog.

DATASET_NAMES = ", ".join(DATASETS)


@route("GET", "/municipalities/<m>/open-data.json", response=OpenData,
       summary="Open data: every dataset (proposals, meetings, outcomes, experiments, agreements, missions, "
               "committees, decisions), one record per entity", tags=["open data"])
def open_data_json(ctx, m):
    municipality = ctx.municipality(m)
    return {"municipality": municipality.id, **_json(ctx.notifications.open_data(municipality.id))}


@route("GET", "/municipalities/<m>/open-data.csv", media_type="text/csv",
       summary="Open data as CSV, one dataset at a time (also at /open-data/{dataset}.csv)", tags=["open data"],
       query={"dataset": ({"type": "string", "enum": list(DATASETS)}, "default proposals")})
def open_data_csv(ctx, m):
    municipality = ctx.municipality(m)
    dataset = ctx.request.args.get("dataset", "proposals")
    text = ctx.notifications.open_data_csv(municipality.id, dataset)
    return _csv(municipality.id, dataset, text)


def _csv(municipality, dataset, text):
    return Response(text, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{municipality}-{dataset}.csv"'})


def _dataset(dataset):
    if dataset not in DATASETS:
        raise Problem(404, f"there is no dataset '{dataset}': the datasets are {DATASET_NAMES}")
    return dataset


@route("GET", "/municipalities/<m>/open-data/<dataset>.json", response=Dataset,
       summary=f"One dataset ({DATASET_NAMES}): its documented columns and one record per entity",
       tags=["open data"])
def open_data_dataset(ctx, m, dataset):
    municipality = ctx.municipality(m)
    return _json(ctx.notifications.open_data_dataset(municipality.id, _dataset(dataset)))


@route("GET", "/municipalities/<m>/open-data/<dataset>.csv", media_type="text/csv",
       summary=f"One dataset ({DATASET_NAMES}) as CSV: a header row of its columns, one row per entity",
       tags=["open data"])
def open_data_dataset_csv(ctx, m, dataset):
    municipality = ctx.municipality(m)
    return _csv(municipality.id, dataset, ctx.notifications.open_data_dataset_csv(municipality.id, _dataset(dataset)))


@route("GET", "/municipalities/<m>/open-data.zip", media_type="application/zip",
       response={"type": "string", "contentMediaType": "application/zip"},
       summary="Every dataset as CSV and the catalog (catalog.jsonld), zipped", tags=["open data"])
def open_data_zip(ctx, m):
    municipality = ctx.municipality(m)
    return Response(ctx.notifications.open_data_zip(municipality.id), content_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{municipality.id}-open-data.zip"'})


@route("GET", "/municipalities/<m>/catalog.jsonld", media_type="application/ld+json",
       response={"type": "object", "description": "a DCAT-AP dcat:Catalog with its @context"},
       summary="The open-data catalog: DCAT-AP metadata (JSON-LD) of every dataset, its distributions and licence",
       tags=["open data"])
def open_data_catalog(ctx, m):
    municipality = ctx.municipality(m)
    document = ctx.notifications.open_data_catalog(municipality.id)
    return Response(json.dumps(document, ensure_ascii=False), content_type="application/ld+json; charset=utf-8")
