"""The notifications service: nameko entrypoints, each calling one use case.

* one idempotent consumer takes every event notifications cares about (contact
  details, memberships, what to tell whom, and every public event for the public
  log and webhooks), in one transaction per event;
* timers send what is due: e-mails, webhook deliveries and digests;
* RPC for the gateway (its typed client is ``samskab.contracts.notifications.NotificationsRpc``).

The rules live in the use cases (``usecases/``), the SQL in ``storage/``, the
answers' shapes in ``views.py``.
"""
from samskab import events
from samskab.consumer import consume
from samskab.contracts.notifications import NoticeHandedOver
from samskab.db import Database
from samskab.health import Health
from samskab.service import ServiceBase, rpc

from . import rules
from .settings import ENVIRONMENT, Settings, every
from .usecases import (
    data_rights, digests, events as incoming, inbox, mail, notify, preferences, public, subscriptions, webhooks,
)

CONSUMED = rules.consumed_types(events.registry())


class Service(ServiceBase):
    name = "notifications"
    environment = ENVIRONMENT

    db = Database()
    health = Health()
    settings = Settings()

    # A transaction per event: the public log's lock is taken as the last step so that it
    # is held only until the commit; in a batch it would be held while the next events
    # take their locks, and two batches could deadlock.
    @consume(*CONSUMED, batch=1)
    def on_event(self, event):
        incoming.handle(self.db, self.settings, event)

    # People of this group notified by another group (their address is only here).
    @consume(NoticeHandedOver.event_type, every_municipality=True, batch=1)
    def on_handed_over(self, event):
        notify.handed_over(self.db, self.settings, event)

    # -- sending what is due ---------------------------------------------------------

    @every("NOTIFICATIONS_POLL_SECONDS", eager=True)
    def send_due_emails(self):
        return mail.send_due_emails(self.db, self.settings)

    @every("NOTIFICATIONS_DIGEST_POLL_SECONDS", eager=True)
    def send_due_digests(self):
        return digests.send_due_digests(self.db, self.settings)

    @rpc
    def make_digests(self, batch=2000):
        return digests.make_digests(self.db, self.settings, batch)

    @every("NOTIFICATIONS_POLL_SECONDS", eager=True)
    def send_due_webhooks(self):
        return webhooks.send_due_webhooks(self.db, self.settings)

    # -- RPC: a person's inbox, preferences and data ------------------------------------

    @rpc
    def inbox(self, actor, limit=50, unread_only=False):
        return inbox.inbox(self.db, actor, limit, unread_only)

    @rpc
    def mark_read(self, actor, ids=None, everything=False):
        return inbox.mark_read(self.db, actor, ids, everything)

    @rpc
    def get_preferences(self, actor):
        return preferences.get_preferences(self.db, actor)

    @rpc
    def set_preferences(self, actor, update):
        return preferences.set_preferences(self.db, actor, update)

    @rpc
    def unsubscribe(self, token):
        return preferences.unsubscribe(self.db, self.settings, token)

    @rpc
    def export_participant(self, participant_id):
        return data_rights.export_participant(self.db, participant_id)

    # -- RPC: staff, API keys and webhook subscriptions -----------------------------------

    @rpc
    def email_deliveries(self, municipality, actor, status="failed", limit=100):
        return subscriptions.email_deliveries(self.db, municipality, actor, status, limit)

    @rpc
    def issue_api_key(self, municipality, actor, payload):
        return subscriptions.issue_api_key(self.db, municipality, actor, payload)

    @rpc
    def list_api_keys(self, municipality, actor):
        return subscriptions.list_api_keys(self.db, municipality, actor)

    @rpc
    def revoke_api_key(self, municipality, actor, key_id):
        return subscriptions.revoke_api_key(self.db, municipality, actor, key_id)

    @rpc
    def subscribe_webhook(self, municipality, api_key, payload):
        return subscriptions.subscribe_webhook(self.db, self.settings, municipality, api_key, payload)

    @rpc
    def list_webhooks(self, municipality, actor, api_key=None):
        return subscriptions.list_webhooks(self.db, municipality, actor, api_key)

    @rpc
    def webhook_deliveries(self, municipality, actor, webhook_id, api_key=None, limit=100):
        return subscriptions.webhook_deliveries(self.db, municipality, actor, webhook_id, api_key, limit)

    @rpc
    def delete_webhook(self, municipality, actor, webhook_id, api_key=None):
        return subscriptions.delete_webhook(self.db, municipality, actor, webhook_id, api_key)

    @rpc
    def enable_webhook(self, municipality, actor, webhook_id, api_key=None):
        return subscriptions.enable_webhook(self.db, municipality, actor, webhook_id, api_key)

    @rpc
    def rotate_webhook_secret(self, municipality, actor, webhook_id, payload, api_key=None):
        return subscriptions.rotate_webhook_secret(self.db, municipality, actor, webhook_id, payload, api_key)

    @rpc
    def ping_webhook(self, municipality, actor, webhook_id, api_key=None):
        return subscriptions.ping_webhook(self.db, municipality, actor, webhook_id, api_key)

    # -- RPC: the public log, feed and open data ------------------------------------------------

    @rpc
    def events_after(self, municipality, after=None, limit=100):
        return public.events_after(self.db, municipality, after, limit)

    @rpc
    def feed(self, municipality, self_url, limit=50, before=None):
        return public.feed(self.db, self.settings, municipality, self_url, limit, before)

    @rpc
    def open_data(self, municipality):
        return public.open_data(self.db, municipality)

    @rpc
    def open_data_csv(self, municipality, dataset):
        return public.open_data_csv(self.db, municipality, dataset)

    @rpc
    def open_data_dataset(self, municipality, dataset):
        return public.dataset(self.db, self.settings, municipality, dataset)

    @rpc
    def open_data_dataset_csv(self, municipality, dataset):
        return public.dataset_csv(self.db, municipality, dataset)

    @rpc
    def open_data_catalog(self, municipality):
        return public.catalog(self.db, self.settings, municipality)

    @rpc
    def open_data_zip(self, municipality):
        return public.open_data_zip(self.db, self.settings, municipality)
