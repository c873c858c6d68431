"""Storage of the notifications service: the tables (``tables``) and one module of
queries per aggregate, each a set of functions taking the unit of work:

* ``people``: contact details, erasure tombstones, memberships, preferences,
  and everything held about one person (for the export);
* ``inbox``: the notifications made for people;
* ``mail``: e-mails waiting or sent, and the lease by which senders claim due work;
* ``digests``: items held for a digest and the digests made;
* ``subscriptions``: API keys, webhook subscriptions and their deliveries;
* ``public_log``: the public events in the order received;
* ``open_data``: open data's datasets, one table each (``open_data_tables``), kept from the public events.

Only these modules write SQL; the use cases call them.
"""
from .tables import (  # noqa: F401  (the tables are this package's public names)
    api_keys, digest_items, digest_runs, email_deliveries, erased_participants, memberships, metadata,
    notifications, participants, preferences, public_events, webhook_deliveries, webhook_subscriptions,
)
from . import open_data_tables  # noqa: E402,F401  (its tables join ``metadata``)
