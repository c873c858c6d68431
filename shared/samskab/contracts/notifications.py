"""The notifications service's contracts: the event it emits, the shapes its RPC
takes and answers (the gateway shows them in its OpenAPI document), and
:class:`NotificationsRpc`, the typed client the gateway calls it through.

Arguments come in one order: municipality, actor, ids, payload; calls about the
caller alone (the inbox, preferences) start with the actor.  For the third-party
calls the API key (``X-Api-Key``) is the caller: ``subscribe_webhook`` takes it
in the actor's place, the calls that staff may make too take it as ``api_key=``.
"""
import base64
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..events import Contract, event
from .rpc import ServiceClient


@event("samskab.webhook.disabled")
class WebhookDisabled(Contract):
    """A webhook subscription kept failing and was disabled; its owner was told."""

    subscription_id: uuid.UUID
    municipality: str
    api_key_id: uuid.UUID
    failures_in_a_row: int
    last_status: int | None = None
    last_error: str | None = None


@event("samskab.notice.handed_over")
class NoticeHandedOver(Contract):
    """A notice for people whose account (and so their address) lives in another instance
    group: the group holding them sends the e-mail, by their preferences and in their
    language; the inbox entry stays with the group that notified.  Internal only (it
    names people); every notifications group takes it, whatever municipality it is of."""

    event_id: uuid.UUID
    event_type: str
    municipality: str
    kind: str
    template: str
    params: dict
    subject: str = ""
    link: str | None = None
    time_zone: str = "UTC"
    participant_ids: list[uuid.UUID]


# -- inputs ------------------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MarkRead(_Strict):
    ids: list[str] = Field(default_factory=list, max_length=500)
    all: bool = False


Immediate = Literal["immediate", "off"]
Frequency = Literal["immediate", "daily", "weekly", "off"]


class Channels(_Strict):
    inbox: Immediate | None = None
    email: Frequency | None = None


class PreferencesUpdate(_Strict):
    """Only the kinds and channels you name change; the rest keep their value."""

    meeting_change: Channels | None = None
    registration: Channels | None = None
    proposal_status: Channels | None = None
    proposal_activity: Channels | None = None
    proposal_triage: Channels | None = None
    matches: Channels | None = None


class NewApiKey(_Strict):
    name: str = Field(min_length=1, max_length=100, description="The third party the key is for")
    contact_email: str = Field(min_length=3, max_length=320, description="Told when one of its webhooks is disabled")


class NewWebhook(_Strict):
    url: str = Field(max_length=2000)
    types: list[str] = Field(min_length=1, max_length=50, description="Patterns such as 'meeting.*' or 'proposal.published'")


class SecretRotation(_Strict):
    overlap_seconds: int = Field(86400, ge=0, le=7 * 24 * 3600,
                                 description="How long the old secret keeps signing beside the new one")


# -- outputs -----------------------------------------------------------------------------------

class Out(BaseModel):
    """An answer.  It also reads like the dictionary the service sent (``out["items"]``,
    ``out.get("link")``, ``{**out}``), so pages written against those dictionaries
    keep working; ``model_dump(mode="json", exclude_unset=True)`` gives it back exactly."""

    def __getitem__(self, name):
        if name not in type(self).model_fields:
            raise KeyError(name)
        return getattr(self, name)

    def get(self, name, default=None):
        return getattr(self, name, default) if name in type(self).model_fields else default

    def keys(self):
        return self.model_fields_set


class InboxItem(Out):
    id: str
    municipality: str
    kind: str
    event_type: str
    subject: str
    title: str
    body: str
    link: str | None
    created_at: str
    read_at: str | None


class Inbox(Out):
    unread: int
    items: list[InboxItem]


class Marked(Out):
    marked: int


class PreferencesOut(Out):
    preferences: dict[str, dict[str, str]]
    frequencies: dict[str, list[str]]


class Unsubscribed(Out):
    unsubscribed: str = Field(description="the kind of notification no longer e-mailed, or 'all'")


class EmailDeliveryOut(Out):
    """An e-mail as staff see it: ids, status and error, never the address."""

    id: int
    participant_id: str
    purpose: str
    status: str
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None


class ApiKeyOut(Out):
    id: str
    municipality: str
    name: str
    key: str = Field(description="Shown once; only a hash is stored")
    key_prefix: str


class ApiKeyListed(Out):
    id: str
    municipality: str
    name: str
    contact_email: str
    key_prefix: str
    created_at: str
    revoked_at: str | None


class Revoked(Out):
    revoked: str


class WebhookOut(Out):
    id: str
    municipality: str
    url: str
    types: list[str]
    status: str
    failures_in_a_row: int
    disabled_reason: str | None
    created_at: str
    secret: str | None = Field(None, description="whsec_… signing secret, shown once at creation")
    previous_secret_until: str | None = Field(None, description="Until then the rotated-out secret signs too")


class WebhookDeliveryOut(Out):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: str
    delivered_at: str | None


class WebhookDeleted(Out):
    deleted: str


class WebhookPinged(Out):
    event_id: str


class WebhookLog(Out):
    webhook: WebhookOut
    deliveries: list[WebhookDeliveryOut]


class Page(Out):
    events: list[dict]
    next: str
    more: bool


# Open data's datasets, one row per entity (their columns: ``…/open-data/<dataset>.json``)
DATASETS = ("proposals", "meetings", "outcomes", "experiments", "agreements", "missions", "committees", "decisions")


class OpenData(Out):
    """Every dataset of a municipality, one record per entity."""

    proposals: list[dict]
    meetings: list[dict]
    outcomes: list[dict]
    experiments: list[dict] = Field(default_factory=list)
    agreements: list[dict] = Field(default_factory=list)
    # the council's missions, task committees and decisions (issue 22)
    missions: list[dict] = Field(default_factory=list)
    committees: list[dict] = Field(default_factory=list)
    decisions: list[dict] = Field(default_factory=list)


class DatasetColumn(Out):
    name: str
    type: Literal["uuid", "text", "integer", "bigint", "number", "boolean", "date", "datetime", "list", "object"]
    description: str


class Dataset(Out):
    """One dataset: its documented columns and its records (one per entity, in column order)."""

    dataset: str
    municipality: str
    licence: str = Field(description="the licence's URL (OPEN_DATA_LICENCE; CC BY 4.0 by default)")
    modified: str | None = Field(description="when a record last changed (UTC); none for an empty dataset")
    columns: list[DatasetColumn]
    records: list[dict]


def _each(model, items):
    return [model.model_validate(item) for item in items]


class NotificationsRpc(ServiceClient):
    """``ctx.notifications.inbox(actor)`` …: the notifications service, typed."""

    service = "notifications"

    # -- the caller's own inbox and preferences -------------------------------------------

    def inbox(self, actor, limit=50, unread_only=False) -> Inbox:
        return Inbox.model_validate(self._rpc("inbox", actor, int(limit), bool(unread_only)))

    def mark_read(self, actor, ids=(), everything=False) -> Marked:
        return Marked.model_validate(self._rpc("mark_read", actor, list(ids or []), bool(everything)))

    def get_preferences(self, actor) -> PreferencesOut:
        return PreferencesOut.model_validate(self._rpc("get_preferences", actor))

    def set_preferences(self, actor, update) -> PreferencesOut:
        """``update``: a :class:`PreferencesUpdate` or ``{kind: {channel: frequency}}``."""
        if isinstance(update, BaseModel):
            update = update.model_dump(mode="json", exclude_none=True)
        return PreferencesOut.model_validate(self._rpc("set_preferences", actor, update))

    def unsubscribe(self, token) -> Unsubscribed:
        return Unsubscribed.model_validate(self._rpc("unsubscribe", token))

    # -- staff and operators ---------------------------------------------------------------

    def email_deliveries(self, municipality, actor, status="failed", limit=100) -> list[EmailDeliveryOut]:
        return _each(EmailDeliveryOut, self._rpc("email_deliveries", municipality, actor, status, limit))

    def issue_api_key(self, municipality, actor, payload) -> ApiKeyOut:
        """``payload``: a :class:`NewApiKey` or a dict of it (the service checks it either way)."""
        return ApiKeyOut.model_validate(self._rpc("issue_api_key", municipality, actor, self._dump(payload)))

    def list_api_keys(self, municipality, actor) -> list[ApiKeyListed]:
        return _each(ApiKeyListed, self._rpc("list_api_keys", municipality, actor))

    def revoke_api_key(self, municipality, actor, key_id) -> Revoked:
        return Revoked.model_validate(self._rpc("revoke_api_key", municipality, actor, str(key_id)))

    # -- third parties (an API key, or staff) --------------------------------------------------

    def subscribe_webhook(self, municipality, api_key, payload) -> WebhookOut:
        return WebhookOut.model_validate(self._rpc("subscribe_webhook", municipality, api_key, self._dump(payload)))

    def list_webhooks(self, municipality, actor, api_key=None) -> list[WebhookOut]:
        return _each(WebhookOut, self._rpc("list_webhooks", municipality, actor, api_key))

    def webhook_deliveries(self, municipality, actor, webhook_id, api_key=None, limit=100) -> WebhookLog:
        return WebhookLog.model_validate(
            self._rpc("webhook_deliveries", municipality, actor, str(webhook_id), api_key, limit))

    def delete_webhook(self, municipality, actor, webhook_id, api_key=None) -> WebhookDeleted:
        return WebhookDeleted.model_validate(self._rpc("delete_webhook", municipality, actor, str(webhook_id), api_key))

    def enable_webhook(self, municipality, actor, webhook_id, api_key=None) -> WebhookOut:
        return WebhookOut.model_validate(self._rpc("enable_webhook", municipality, actor, str(webhook_id), api_key))

    def rotate_webhook_secret(self, municipality, actor, webhook_id, payload, api_key=None) -> WebhookOut:
        """``payload``: a :class:`SecretRotation` or a dict of it."""
        return WebhookOut.model_validate(self._rpc("rotate_webhook_secret", municipality, actor, str(webhook_id),
                                                   self._dump(payload), api_key))

    def ping_webhook(self, municipality, actor, webhook_id, api_key=None) -> WebhookPinged:
        return WebhookPinged.model_validate(self._rpc("ping_webhook", municipality, actor, str(webhook_id), api_key))

    # -- the public log -------------------------------------------------------------------------

    def events_after(self, municipality, after=None, limit=100) -> Page:
        return Page.model_validate(self._rpc("events_after", municipality, after, limit))

    def feed(self, municipality, self_url, limit=50, before=None) -> str:
        """The Atom feed, as XML text (``before``: a page of older entries)."""
        if before is None:
            return self._rpc("feed", municipality, self_url, limit)
        return self._rpc("feed", municipality, self_url, limit, before)

    # -- open data ----------------------------------------------------------------------------

    def open_data(self, municipality) -> OpenData:
        return OpenData.model_validate(self._rpc("open_data", municipality))

    def open_data_csv(self, municipality, dataset) -> str:
        """CSV of one dataset; an unknown name is invalid input (422)."""
        return self._rpc("open_data_csv", municipality, dataset)

    def open_data_dataset(self, municipality, dataset) -> Dataset:
        """One dataset with its columns; an unknown name is not found (404)."""
        return Dataset.model_validate(self._rpc("open_data_dataset", municipality, dataset))

    def open_data_dataset_csv(self, municipality, dataset) -> str:
        return self._rpc("open_data_dataset_csv", municipality, dataset)

    def open_data_catalog(self, municipality) -> dict:
        """The DCAT-AP catalog, a JSON-LD document."""
        return self._rpc("open_data_catalog", municipality)

    def open_data_zip(self, municipality) -> bytes:
        """Every dataset as CSV and the catalog, zipped."""
        return base64.b64decode(self._rpc("open_data_zip", municipality))
