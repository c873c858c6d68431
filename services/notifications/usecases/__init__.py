"""The notifications service's use cases: one plain function per use case, taking
the unit of work (and the settings, where it needs them) and plain arguments.
``service.py`` only calls them.

* ``events``: what an incoming event changes (contact details, memberships, the
  public log) and whom it notifies (``notify``);
* ``mail``, ``digests``, ``webhooks``: sending what is due (``backlog``: in timer ticks);
* ``inbox``, ``preferences``: the person's own notifications and choices;
* ``data_rights``: export and erasure of what is held about a person;
* ``subscriptions``: API keys, webhook subscriptions and delivery logs;
* ``public``: the catch-up log, the Atom feed and open data.
"""
