"""The notifications service: nameko entrypoints around the pure modules.

* one idempotent consumer takes every event notifications cares about
  (contact details, memberships, what to tell whom, and every public event
  for the public log and webhooks), in one transaction per event;
* timers send what is due: e-mails (with backoff), webhook deliveries (with
  exponential backoff, disabling a subscription that keeps failing) and
  digests of ended periods (exactly once per participant and period);
* RPC for the gateway: inbox, preferences, unsubscribe, API keys, webhooks,
  the Atom feed, the catch-up log and the open-data export.

Due work is claimed with ``FOR UPDATE SKIP LOCKED`` and a lease, so several
instances split it, and nothing is held locked while talking to SMTP or HTTP.
"""
import datetime as dt
import logging
import smtplib
import time
import uuid
from email import policy as email_policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr

import eventlet
import requests
import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from nameko.timer import Timer
from prometheus_client import Counter
from sqlalchemy.dialects import postgresql as pg

from samskab import events, metrics, municipalities
from samskab.consumer import consume
from samskab.contracts.notifications import WebhookDisabled
from samskab.db import Database
from samskab.errors import Forbidden, Invalid, NotFound, Unauthorized
from samskab.health import Health
from samskab.service import ServiceBase, rpc

from . import atom, digests, messages, preferences, rules, webhooks
from .storage import (
    api_keys, digest_items, digest_runs, email_deliveries, erased_participants, memberships, notifications, participants,
    preferences as preferences_table, public_events, webhook_deliveries, webhook_subscriptions,
)

log = logging.getLogger("notifications")

STAFF_ROLES = ("employee", "politician")
# Claimed rows are ours for this long; longer than a batch can take even with a slow server.
LEASE = dt.timedelta(minutes=10)
# A timer tick works through a backlog for at most this long, so a stopping
# service is never kept waiting by a long backlog; the next tick goes on.
TICK_BUDGET_SECONDS = 15.0

ENVIRONMENT = {
    "PUBLIC_URL": "http://localhost:8000",
    "NOTIFICATIONS_SECRET": "dev-only-notifications-secret",
    "NOTIFICATIONS_SMTP_HOST": "localhost",
    "NOTIFICATIONS_SMTP_PORT": "1025",
    "NOTIFICATIONS_SMTP_TIMEOUT_SECONDS": "10",
    "NOTIFICATIONS_MAIL_FROM": "Samskab <noreply@samskab.localhost>",
    "NOTIFICATIONS_MAIL_MAX_ATTEMPTS": "10",
    "NOTIFICATIONS_MAIL_BACKOFF_SECONDS": "5",
    "NOTIFICATIONS_MAIL_BATCH": "500",
    "NOTIFICATIONS_SMTP_CONNECTIONS": "4",
    "NOTIFICATIONS_POLL_SECONDS": "1",
    "NOTIFICATIONS_DIGEST_POLL_SECONDS": "60",
    "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "0",
    "NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS": "",
    "NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS": "8",
    "NOTIFICATIONS_WEBHOOK_DISABLE_AFTER": "8",
    "NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS": "5",
    "NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS": "5",
    "NOTIFICATIONS_WEBHOOK_CONCURRENCY": "20",
}

CONSUMED = rules.consumed_types(events.registry())

NOTIFICATIONS_CREATED = Counter("samskab_notifications_created_total", "Notifications created", ["kind"])
EMAILS = Counter("samskab_notifications_emails_total", "E-mail delivery attempts by outcome", ["outcome"])
WEBHOOK_ATTEMPTS = Counter("samskab_notifications_webhook_attempts_total", "Webhook delivery attempts by outcome", ["outcome"])
DIGESTS = Counter("samskab_notifications_digests_total", "Digests made")
EMAILS_FAILED = Counter("samskab_notifications_emails_failed_total",
                        "E-mails given up on for good (refused, or out of attempts)")
WEBHOOKS_FAILED = Counter("samskab_notifications_webhook_deliveries_failed_total",
                          "Webhook deliveries given up on for good")
WEBHOOKS_DISABLED = Counter("samskab_notifications_webhooks_disabled_total", "Webhook subscriptions disabled")


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class Settings(DependencyProvider):
    """Configuration with the service's defaults (tests pass only what they change)."""

    def setup(self):
        config = self.container.config
        value = {name: config.get(name, default) for name, default in ENVIRONMENT.items()}
        value["catalogue"] = municipalities.catalogue(config.get("MUNICIPALITY_CATALOG", ""))
        value["metrics"] = metrics.for_service("notifications")
        self.value = type("NotificationSettings", (), value)()

    def get_dependency(self, worker_ctx):
        return self.value


class ConfiguredTimer(Timer):
    """A nameko timer whose interval is a configuration setting."""

    def __init__(self, setting, **kwargs):
        self.setting = setting
        super().__init__(interval=float(ENVIRONMENT[setting]), **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.setting, ENVIRONMENT[self.setting]))


every = ConfiguredTimer.decorator


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _uuid(value, what="id"):
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        raise NotFound(f"no such {what}")


# Erased ids are kept only as this digest: enough to recognise a late event about the
# person, without a row that names them (participant ids are random UUIDs, so the
# digest cannot be turned back into one by trying candidates).
TOMBSTONE_NAMESPACE = uuid.UUID("6f1f7b1e-3c55-4f4e-9d0a-5a6d2f0c9e11")


def _tombstone(pid):
    return uuid.uuid5(TOMBSTONE_NAMESPACE, str(pid))


def _subject_line(message):
    """The Subject header of a stored e-mail (the body is not read)."""
    try:
        return BytesHeaderParser(policy=email_policy.default).parsebytes(bytes(message))["Subject"]
    except Exception:  # a malformed stored message still shows in the export, without its subject
        return None


def _iso(value):
    return value.isoformat() if value is not None else None


def _actor_id(actor):
    if not actor or not actor.get("id"):
        raise Unauthorized("sign in first")
    return uuid.UUID(actor["id"])


class Service(ServiceBase):
    name = "notifications"
    environment = ENVIRONMENT

    db = Database()
    health = Health()
    settings = Settings()

    # -- events ------------------------------------------------------------------

    # A transaction per event: the public log's lock (``_log_public``) is taken as the
    # last step so that it is held only until the commit; in a batch it would be held
    # while the next events take their locks, and two batches could deadlock.
    @consume(*CONSUMED, batch=1)
    def on_event(self, event):
        type_name = event["type"]
        if type_name in rules.CONTACT:
            self._contact(event)
        if type_name in rules.AUDIENCE:
            for m in rules.AUDIENCE[type_name].memberships(event["data"]):
                self._membership(event["municipality"], m)
        if type_name in rules.NOTIFY:
            self._notify(event, rules.NOTIFY[type_name])
        if type_name in rules.TRANSACTIONAL:
            self._transactional(event, rules.TRANSACTIONAL[type_name])
        public = events.public_envelope(event)
        if public is not None:
            self._log_public(public)

    def _erased(self, ids):
        """Which of these participant ids were erased."""
        if not ids:
            return set()
        # Tombstones are a one-way digest of the id (older rows may hold the plain id).
        keys = {}
        for i in ids:
            pid = uuid.UUID(str(i))
            keys[pid] = keys[_tombstone(pid)] = str(pid)
        return {keys[r.id] for r in self.db.execute(
            sa.select(erased_participants.c.id).where(erased_participants.c.id.in_(list(keys))))}

    def _contact(self, event):
        data = event["data"]
        pid = uuid.UUID(str(data["id"]))
        if event["type"].endswith(".erased"):
            self.db.execute(pg.insert(erased_participants).values(id=_tombstone(pid)).on_conflict_do_nothing())
            self.db.execute(erased_participants.delete().where(erased_participants.c.id == pid))
            # Everything personal about them goes: contact, choices, memberships, inbox, e-mails,
            # digests; API keys they issued as an operator stay, without who issued them.
            for table, column in ((participants, participants.c.id),
                                  (preferences_table, preferences_table.c.participant_id),
                                  (memberships, memberships.c.participant_id),
                                  (digest_items, digest_items.c.participant_id),
                                  (notifications, notifications.c.participant_id),
                                  (email_deliveries, email_deliveries.c.participant_id),
                                  (digest_runs, digest_runs.c.participant_id)):
                self.db.execute(table.delete().where(column == pid))
            self.db.execute(api_keys.update().where(api_keys.c.created_by == pid).values(created_by=None))
            return
        if self._erased([pid]):
            return  # an update that arrives after the erasure brings nothing back
        values = {
            "municipality": data["municipality"], "email": data["email"], "language": data["language"],
            "role": data["role"], "display_name": data.get("display_name") or "",
            "email_confirmed": bool(data.get("email_confirmed", False)), "updated_at": _now(),
        }
        stmt = pg.insert(participants).values(id=pid, **values)
        self.db.execute(stmt.on_conflict_do_update(index_elements=[participants.c.id], set_=values))

    def _membership(self, municipality, m):
        pid = uuid.UUID(m.participant_id)
        if m.op == "add" and not self._erased([pid]):
            self.db.execute(pg.insert(memberships).values(
                subject=m.subject, participant_id=pid, relation=m.relation, municipality=municipality,
            ).on_conflict_do_nothing())
        elif m.op == "remove":
            self.db.execute(memberships.delete().where(
                memberships.c.subject == m.subject, memberships.c.participant_id == pid,
                memberships.c.relation == m.relation))

    def _municipality(self, municipality):
        return self.settings.catalogue.get(municipality)

    def _notify(self, event, rule):
        s = self.settings
        data, municipality = event["data"], event["municipality"]
        subject = rule.subject_of(data)
        members = []
        if subject and rule.relations:
            members = [(str(r.participant_id), r.relation) for r in self.db.execute(
                sa.select(memberships.c.participant_id, memberships.c.relation)
                .where(memberships.c.subject == subject))]
        staff = []
        if rule.staff:
            staff = [str(r.id) for r in self.db.execute(sa.select(participants.c.id).where(
                participants.c.municipality == municipality, participants.c.role.in_(STAFF_ROLES)))]
        recipients = rules.resolve_recipients(rule, data, members, staff)
        erased = self._erased(recipients)
        recipients = [p for p in recipients if p not in erased]
        if not recipients:
            return 0
        ids = [uuid.UUID(p) for p in recipients]
        contacts = {str(r.id): r for r in self.db.execute(sa.select(participants).where(participants.c.id.in_(ids)))}
        chosen = {}
        for r in self.db.execute(sa.select(preferences_table).where(
                preferences_table.c.participant_id.in_(ids), preferences_table.c.kind == rule.kind)):
            chosen.setdefault(str(r.participant_id), {})[(r.kind, r.channel)] = r.frequency
        place = self._municipality(municipality)
        time_zone = place.time_zone if place else "UTC"
        default_language = place.language if place else "en"
        link_subject = subject or event.get("subject") or ""
        link = f"{s.PUBLIC_URL}/municipalities/{municipality}/{link_subject}" if link_subject else None
        params = messages.params_from_event(event, time_zone)
        if not params["title"] and subject:
            params["title"] = self._public_title(subject)
        rendered = {}
        now = _now()
        rows, plans = [], {}
        for pid in recipients:
            contact = contacts.get(pid)
            want = preferences.effective(chosen.get(pid))[rule.kind]
            email = want["email"] if contact is not None else "off"
            if want["inbox"] == "off" and email == "off":
                continue
            language = messages.language_of(contact.language if contact is not None else default_language)
            if language not in rendered:
                rendered[language] = messages.render(rule.template, language, params)
            title, lines = rendered[language]
            nid = uuid.uuid4()
            rows.append({
                "id": nid, "participant_id": uuid.UUID(pid), "municipality": municipality,
                "event_id": uuid.UUID(event["id"]), "event_type": event["type"], "kind": rule.kind,
                "subject": link_subject, "title": title, "body": "\n".join(lines), "link": link,
                "in_inbox": want["inbox"] == "immediate", "created_at": now,
            })
            plans[pid] = (email, contact, language)
        if not rows:
            return 0
        # executemany with RETURNING: SQLAlchemy sends it in pages ("insertmanyvalues"),
        # far cheaper than compiling one statement with 10,000 VALUES rows.
        inserted = self.db.execute(
            pg.insert(notifications).on_conflict_do_nothing(constraint="notifications_once")
            .returning(notifications.c.id, notifications.c.participant_id, sort_by_parameter_order=True),
            rows,
        ).all()
        deliveries, held = [], []
        for nid, participant_id in inserted:
            pid = str(participant_id)
            email, contact, language = plans[pid]
            if email == "immediate":
                title, lines = rendered[language]
                deliveries.append({
                    "participant_id": participant_id, "notification_id": nid, "purpose": "immediate",
                    "to_address": contact.email,
                    "message": messages.build_email(
                        sender=s.NOTIFICATIONS_MAIL_FROM, to=contact.email, language=language,
                        name=contact.display_name, subject=title, lines=lines, link=link,
                        unsubscribe_url=self._unsubscribe_url(pid, rule.kind), now=now),
                })
            elif email in digests.FREQUENCIES:
                start, end = digests.period_of(now, email, time_zone)
                held.append({"participant_id": participant_id, "notification_id": nid, "frequency": email,
                             "period_start": start, "period_end": end})
        for chunk in range(0, len(deliveries), 1000):
            self.db.execute(email_deliveries.insert(), deliveries[chunk:chunk + 1000])
        if held:
            self.db.execute(pg.insert(digest_items).on_conflict_do_nothing(), held)
        NOTIFICATIONS_CREATED.labels(rule.kind).inc(len(inserted))
        log.info("%s %s → %d notifications, %d e-mails, %d held for digests",
                 event["type"], event["id"], len(inserted), len(deliveries), len(held))
        return len(inserted)

    def _public_title(self, subject):
        """Events about a proposal's supports, questions or matches carry no title:
        take it from the latest public event about the same subject."""
        envelope = self.db.execute(sa.select(public_events.c.envelope).where(
            public_events.c.subject == subject, public_events.c.envelope["data"]["title"].isnot(None))
            .order_by(public_events.c.seq.desc()).limit(1)).scalar()
        return (envelope or {}).get("data", {}).get("title") or ""

    def _transactional(self, event, rule):
        data = event["data"]
        pid = uuid.UUID(str(data["id"]))
        if self._erased([pid]):
            log.info("%s %s: the participant was erased; nothing sent", event["type"], event["id"])
            return
        contact = self.db.execute(sa.select(participants).where(participants.c.id == pid)).first()
        address = data.get(rule.email_field) if rule.email_field else None
        language = data.get(rule.language_field) if rule.language_field else None
        if address is None and contact is not None:
            address = contact.email
        if language is None and contact is not None:
            language = contact.language
        if address is None:
            # The contact details come with participant.registered; retry until they are here.
            raise LookupError(f"no contact details for participant {pid} yet")
        language = messages.language_of(language)
        subject, lines = messages.render(rule.template, language, {})
        self.db.execute(email_deliveries.insert().values(
            participant_id=pid, purpose=rule.template, to_address=address,
            message=messages.build_email(
                sender=self.settings.NOTIFICATIONS_MAIL_FROM, to=address, language=language,
                name=contact.display_name if contact else "", subject=subject, lines=lines,
                link=data[rule.link_field])))
        # the link is a secret: it is in the e-mail, never in the log
        log.info("%s %s → one %s e-mail", event["type"], event["id"], rule.template)

    def _unsubscribe_url(self, participant_id, kind):
        token = messages.unsubscribe_token(self.settings.NOTIFICATIONS_SECRET, participant_id, kind)
        return f"{self.settings.PUBLIC_URL}/api/v1/unsubscribe?token={token}"

    def _log_public(self, public):
        # Readers page by seq: a seq must never become visible after a higher one, or a
        # reader could step past it. Holding a per-municipality lock from taking the seq
        # to the commit (this is the handler's last step) makes commit order seq order.
        self.db.execute(sa.select(sa.func.pg_advisory_xact_lock(
            sa.func.hashtext("samskab-public-log:" + public["municipality"]))))
        row = self.db.execute(pg.insert(public_events).values(
            municipality=public["municipality"], event_id=uuid.UUID(public["id"]), type=public["type"],
            subject=public["subject"], time=dt.datetime.fromisoformat(public["time"].replace("Z", "+00:00")),
            envelope=public,
        ).on_conflict_do_nothing().returning(public_events.c.seq)).first()
        if row is None:
            return
        subs = self.db.execute(sa.select(webhook_subscriptions.c.id, webhook_subscriptions.c.patterns).where(
            webhook_subscriptions.c.municipality == public["municipality"],
            webhook_subscriptions.c.status == "active")).all()
        wanted = [{"subscription_id": sub.id, "event_id": uuid.UUID(public["id"]), "event_type": public["type"],
                   "payload": public} for sub in subs if webhooks.matches(sub.patterns, public["type"])]
        if wanted:
            self.db.execute(pg.insert(webhook_deliveries).values(wanted).on_conflict_do_nothing())

    # -- e-mail ----------------------------------------------------------------------

    @every("NOTIFICATIONS_POLL_SECONDS", eager=True)
    def send_due_emails(self):
        """Send due e-mails until none is due (or a pass stops making progress)."""
        total, started = 0, time.monotonic()
        while time.monotonic() - started < TICK_BUDGET_SECONDS:
            sent, claimed = self._send_email_batch()
            total += sent
            if claimed == 0 or sent == 0:
                break
        return total

    def _claim(self, table, batch):
        """Take up to ``batch`` due rows for ourselves for a while (a lease)."""
        with self.db as uow:
            due = (sa.select(table.c.id).where(table.c.status == "pending", table.c.next_attempt_at <= sa.func.now())
                   .order_by(table.c.next_attempt_at).limit(batch).with_for_update(skip_locked=True))
            return uow.execute(
                table.update().where(table.c.id.in_(due.scalar_subquery()))
                .values(next_attempt_at=sa.func.now() + LEASE)
                .returning(*table.c)
            ).all()

    def _send_email_batch(self):
        s = self.settings
        rows = self._claim(email_deliveries, int(s.NOTIFICATIONS_MAIL_BATCH))
        if not rows:
            return 0, 0
        results = {}
        # A few connections in parallel hide the round trips of each SMTP dialogue.
        lanes = max(1, min(int(s.NOTIFICATIONS_SMTP_CONNECTIONS), len(rows)))
        pool = eventlet.GreenPool(lanes)
        for lane in range(lanes):
            pool.spawn_n(self._send_over_one_connection, rows[lane::lanes], results)
        pool.waitall()
        for row in rows:
            results.setdefault(row.id, ("retry", "not attempted: the connection broke"))
        self._record_email_results(rows, results)
        for outcome, _ in results.values():
            EMAILS.labels(outcome).inc()
        return sum(1 for outcome, _ in results.values() if outcome == "sent"), len(rows)

    def _send_over_one_connection(self, rows, results):
        s = self.settings
        sender = parseaddr(s.NOTIFICATIONS_MAIL_FROM)[1]
        try:
            smtp = smtplib.SMTP(s.NOTIFICATIONS_SMTP_HOST, int(s.NOTIFICATIONS_SMTP_PORT),
                                timeout=float(s.NOTIFICATIONS_SMTP_TIMEOUT_SECONDS))
        except (OSError, smtplib.SMTPException) as exc:
            for row in rows:
                results[row.id] = ("retry", f"SMTP server unavailable: {exc}")
            return
        try:
            for row in rows:
                try:
                    smtp.sendmail(sender, [row.to_address], row.message)
                    results[row.id] = ("sent", None)
                except smtplib.SMTPRecipientsRefused as exc:
                    code, reason = next(iter(exc.recipients.values()))
                    results[row.id] = ("failed" if code >= 500 else "retry", f"{code} {reason!r}")
                except smtplib.SMTPResponseException as exc:
                    results[row.id] = ("failed" if exc.smtp_code >= 500 else "retry", f"{exc.smtp_code} {exc.smtp_error!r}")
                except (OSError, smtplib.SMTPException) as exc:
                    results[row.id] = ("retry", f"{type(exc).__name__}: {exc}")
                    break  # the connection is gone: the rest waits for the next pass
        finally:
            try:
                smtp.quit()
            except Exception:
                pass

    def _record_email_results(self, rows, results):
        s = self.settings
        max_attempts = int(s.NOTIFICATIONS_MAIL_MAX_ATTEMPTS)
        base = float(s.NOTIFICATIONS_MAIL_BACKOFF_SECONDS)
        sent_ids = [rid for rid, (outcome, _) in results.items() if outcome == "sent"]
        with self.db as uow:
            if sent_ids:
                uow.execute(email_deliveries.update().where(email_deliveries.c.id.in_(sent_ids)).values(
                    status="sent", sent_at=sa.func.now(), attempts=email_deliveries.c.attempts + 1, last_error=None))
            for row in rows:
                outcome, error = results[row.id]
                if outcome == "sent":
                    continue
                # Servers often quote the address in their refusal: keep it out of logs and the staff view.
                error = (error or "").replace(row.to_address, "<recipient>")
                attempts = row.attempts + 1
                if outcome == "failed" or attempts >= max_attempts:
                    values = {"status": "failed", "attempts": attempts, "last_error": error}
                    EMAILS_FAILED.inc()
                    log.warning("e-mail delivery %s failed for good after %d attempts: %s", row.id, attempts, error)
                else:
                    delay = webhooks.backoff_seconds(attempts, base)
                    values = {"attempts": attempts, "last_error": error,
                              "next_attempt_at": sa.func.now() + dt.timedelta(seconds=delay)}
                uow.execute(email_deliveries.update().where(email_deliveries.c.id == row.id).values(**values))
        if sent_ids:
            log.info("sent %d e-mails", len(sent_ids))

    # -- digests ------------------------------------------------------------------------

    @every("NOTIFICATIONS_DIGEST_POLL_SECONDS", eager=True)
    def send_due_digests(self):
        total, started = 0, time.monotonic()
        budget = max(TICK_BUDGET_SECONDS, float(self.settings.NOTIFICATIONS_DIGEST_POLL_SECONDS) * 0.8)
        while time.monotonic() - started < budget:
            made = self.make_digests()
            total += made
            if made == 0:
                break
        return total

    @rpc
    def make_digests(self, batch=2000):
        """Create the e-mails of every digest whose period has ended; returns how many
        (participant, period) groups it settled.

        The unique (participant, frequency, period) row of ``digest_runs`` is
        inserted in the same transaction as the e-mail: a period's digest is
        made once, whichever instance or restart gets there first.
        """
        s = self.settings
        with self.db as uow:
            groups = uow.execute(
                sa.select(digest_items.c.participant_id, digest_items.c.frequency, digest_items.c.period_start,
                          sa.func.max(digest_items.c.period_end).label("period_end"))
                .where(digest_items.c.digest_run_id.is_(None), digest_items.c.period_end <= sa.func.now())
                .group_by(digest_items.c.participant_id, digest_items.c.frequency, digest_items.c.period_start)
                .limit(batch)
            ).all()
            if not groups:
                return 0
            pids = list({g.participant_id for g in groups})
            contacts = {r.id: r for r in uow.execute(sa.select(participants).where(participants.c.id.in_(pids)))}
            items = {}
            for item in uow.execute(
                sa.select(digest_items.c.id, digest_items.c.participant_id, digest_items.c.frequency,
                          digest_items.c.period_start, notifications.c.title, notifications.c.link)
                .join(notifications, notifications.c.id == digest_items.c.notification_id)
                .where(digest_items.c.digest_run_id.is_(None), digest_items.c.participant_id.in_(pids),
                       digest_items.c.period_end <= sa.func.now())
                .order_by(notifications.c.created_at)
            ):
                items.setdefault((item.participant_id, item.frequency, item.period_start), []).append(item)
            runs = uow.execute(pg.insert(digest_runs).values([
                {"participant_id": g.participant_id, "frequency": g.frequency, "period_start": g.period_start,
                 "period_end": g.period_end, "item_count": len(items.get((g.participant_id, g.frequency, g.period_start), []))}
                for g in groups
            ]).on_conflict_do_nothing(constraint="digest_runs_once").returning(
                digest_runs.c.id, digest_runs.c.participant_id, digest_runs.c.frequency, digest_runs.c.period_start)).all()
            fresh = {(r.participant_id, r.frequency, r.period_start): r.id for r in runs}
            deliveries, made = [], 0
            for group in groups:
                key = (group.participant_id, group.frequency, group.period_start)
                group_items = items.get(key, [])
                run_id = fresh.get(key)
                contact = contacts.get(group.participant_id)
                if run_id is None:
                    # Its digest already went out; these came late, so they wait for the current period.
                    self._restamp(uow, group_items, contact)
                    continue
                if contact is None or not group_items:
                    continue
                language = messages.language_of(contact.language)
                subject, lines = messages.render("digest", language, {"count": len(group_items)})
                deliveries.append({
                    "participant_id": contact.id, "digest_run_id": run_id, "purpose": "digest",
                    "to_address": contact.email,
                    "message": messages.build_email(
                        sender=s.NOTIFICATIONS_MAIL_FROM, to=contact.email, language=language,
                        name=contact.display_name, subject=subject, lines=lines,
                        items=[{"subject": i.title, "url": i.link} for i in group_items],
                        unsubscribe_url=self._unsubscribe_url(str(contact.id), "all")),
                })
                made += 1
            if fresh:
                uow.execute(sa.text(
                    "UPDATE digest_items d SET digest_run_id = r.id FROM digest_runs r "
                    "WHERE r.id = ANY(:ids) AND d.digest_run_id IS NULL AND d.participant_id = r.participant_id "
                    "AND d.frequency = r.frequency AND d.period_start = r.period_start"),
                    {"ids": list(fresh.values())})
            if deliveries:
                uow.execute(email_deliveries.insert(), deliveries)
        DIGESTS.inc(made)
        log.info("made %d digests", made)
        return len(groups)

    def _restamp(self, uow, items, contact):
        place = self._municipality(contact.municipality) if contact is not None else None
        for item in items:
            start, end = digests.period_of(_now(), item.frequency, place.time_zone if place else "UTC")
            uow.execute(digest_items.update().where(digest_items.c.id == item.id).values(
                period_start=start, period_end=end))

    # -- webhooks: sending ---------------------------------------------------------------------

    @every("NOTIFICATIONS_POLL_SECONDS", eager=True)
    def send_due_webhooks(self):
        total, started = 0, time.monotonic()
        while time.monotonic() - started < TICK_BUDGET_SECONDS:
            claimed = self._send_webhook_batch()
            total += claimed
            if claimed == 0:
                break
        return total

    def _send_webhook_batch(self):
        s = self.settings
        rows = self._claim(webhook_deliveries, 200)
        if not rows:
            return 0
        with self.db as uow:
            subs = {r.id: r for r in uow.execute(sa.select(webhook_subscriptions).where(
                webhook_subscriptions.c.id.in_({r.subscription_id for r in rows})))}
        pool = eventlet.GreenPool(int(s.NOTIFICATIONS_WEBHOOK_CONCURRENCY))
        results = {}

        def post(row):
            sub = subs.get(row.subscription_id)
            if sub is None or sub.status != "active":
                results[row.id] = ("parked", None, "the subscription is disabled")
                return
            body = events.dumps(row.payload)
            try:
                webhooks.check_target(sub.url, allow_private=_flag(s.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE),
                                      allowed_networks=s.NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS)
                response = requests.post(
                    sub.url, data=body, headers=webhooks.headers(sub.secret, row.event_id, time.time(), body),
                    timeout=float(s.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS), allow_redirects=False)
                ok = 200 <= response.status_code < 300
                results[row.id] = ("ok" if ok else "error", response.status_code,
                                   None if ok else f"HTTP {response.status_code}")
            except Invalid as exc:
                results[row.id] = ("error", None, f"address refused: {exc.errors[0]['message'] if exc.errors else exc}")
            except requests.RequestException as exc:
                results[row.id] = ("error", None, f"{type(exc).__name__}")

        for row in rows:
            pool.spawn_n(post, row)
        pool.waitall()
        self._record_webhook_results(rows, subs, results)
        for outcome, _, _ in results.values():
            WEBHOOK_ATTEMPTS.labels(outcome).inc()
        return len(rows)

    def _record_webhook_results(self, rows, subs, results):
        s = self.settings
        max_attempts = int(s.NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS)
        disable_after = int(s.NOTIFICATIONS_WEBHOOK_DISABLE_AFTER)
        base = float(s.NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS)
        with self.db as uow:
            for row in sorted(rows, key=lambda r: r.id):
                outcome, status, error = results[row.id]
                if outcome == "parked":
                    # held while the subscription is disabled; not an attempt
                    uow.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == row.id).values(
                        status="failed", last_error=error))
                    continue
                attempts = row.attempts + 1
                if outcome == "ok":
                    uow.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == row.id).values(
                        status="succeeded", attempts=attempts, last_status=status, last_error=None,
                        delivered_at=sa.func.now()))
                    uow.execute(webhook_subscriptions.update().where(
                        webhook_subscriptions.c.id == row.subscription_id).values(failures_in_a_row=0))
                    continue
                give_up = attempts >= max_attempts
                values = {"attempts": attempts, "last_status": status, "last_error": error}
                if give_up:
                    values["status"] = "failed"
                    WEBHOOKS_FAILED.inc()
                else:
                    values["next_attempt_at"] = sa.func.now() + dt.timedelta(seconds=webhooks.backoff_seconds(attempts, base))
                uow.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == row.id).values(**values))
                failures = uow.execute(
                    webhook_subscriptions.update().where(webhook_subscriptions.c.id == row.subscription_id)
                    .values(failures_in_a_row=webhook_subscriptions.c.failures_in_a_row + 1)
                    .returning(webhook_subscriptions.c.failures_in_a_row, webhook_subscriptions.c.status)).first()
                if failures and failures.status == "active" and failures.failures_in_a_row >= disable_after:
                    self._disable(uow, subs[row.subscription_id], failures.failures_in_a_row, status, error)

    def _disable(self, uow, sub, failures, status, error):
        s = self.settings
        uow.execute(webhook_subscriptions.update().where(webhook_subscriptions.c.id == sub.id).values(
            status="disabled", disabled_at=sa.func.now(),
            disabled_reason=f"{failures} failed attempts in a row; last: {error}"))
        uow.emit(WebhookDisabled.event_type, municipality=sub.municipality, subject=f"webhooks/{sub.id}",
                 data={"subscription_id": sub.id, "municipality": sub.municipality, "api_key_id": sub.api_key_id,
                       "failures_in_a_row": failures, "last_status": status, "last_error": error})
        key = uow.execute(sa.select(api_keys).where(api_keys.c.id == sub.api_key_id)).first()
        if key is not None:
            place = self._municipality(sub.municipality)
            language = place.language if place else "en"
            subject, lines = messages.render("webhook_disabled", language, {"url": sub.url, "failures": failures})
            uow.execute(email_deliveries.insert().values(
                purpose="webhook_disabled", to_address=key.contact_email,
                message=messages.build_email(
                    sender=s.NOTIFICATIONS_MAIL_FROM, to=key.contact_email, language=language, name=key.name,
                    subject=subject, lines=lines, link=None,
                    unsubscribe_url=f"{s.PUBLIC_URL}/api/v1/municipalities/{sub.municipality}/webhooks")))
        WEBHOOKS_DISABLED.inc()
        log.warning("webhook subscription %s disabled after %d failures", sub.id, failures)

    # -- RPC: inbox and preferences ---------------------------------------------------------

    @rpc
    def inbox(self, actor, limit=50, unread_only=False):
        pid = _actor_id(actor)
        limit = max(1, min(int(limit), 200))
        with self.db as uow:
            query = sa.select(notifications).where(notifications.c.participant_id == pid, notifications.c.in_inbox)
            if unread_only:
                query = query.where(notifications.c.read_at.is_(None))
            rows = uow.execute(query.order_by(notifications.c.created_at.desc()).limit(limit)).all()
            unread = uow.execute(sa.select(sa.func.count()).select_from(notifications).where(
                notifications.c.participant_id == pid, notifications.c.in_inbox,
                notifications.c.read_at.is_(None))).scalar()
        return {"unread": unread, "items": [{
            "id": str(r.id), "municipality": r.municipality, "kind": r.kind, "event_type": r.event_type,
            "subject": r.subject, "title": r.title, "body": r.body, "link": r.link,
            "created_at": r.created_at.isoformat(), "read_at": r.read_at.isoformat() if r.read_at else None,
        } for r in rows]}

    @rpc
    def mark_read(self, actor, ids=None, everything=False):
        pid = _actor_id(actor)
        if not everything and not ids:
            raise Invalid("say which notifications", [{"field": "ids", "message": "give ids or all: true"}])
        query = notifications.update().where(notifications.c.participant_id == pid, notifications.c.read_at.is_(None))
        if not everything:
            wanted = []
            for i, value in enumerate(ids):
                try:
                    wanted.append(uuid.UUID(str(value)))
                except ValueError:
                    raise Invalid("not a notification id", [{"field": f"ids.{i}", "message": "not a UUID"}])
            query = query.where(notifications.c.id.in_(wanted))
        with self.db as uow:
            marked = uow.execute(query.values(read_at=sa.func.now())).rowcount
        return {"marked": marked}

    def _preferences_of(self, uow, pid):
        stored = {(r.kind, r.channel): r.frequency for r in uow.execute(
            sa.select(preferences_table).where(preferences_table.c.participant_id == pid))}
        return preferences.effective(stored)

    @rpc
    def get_preferences(self, actor):
        pid = _actor_id(actor)
        with self.db as uow:
            return {"preferences": self._preferences_of(uow, pid), "frequencies": preferences.FREQUENCIES}

    @rpc
    def set_preferences(self, actor, update):
        pid = _actor_id(actor)
        pairs = preferences.validate(update)
        with self.db as uow:
            self._store_preferences(uow, pid, pairs)
            return {"preferences": self._preferences_of(uow, pid), "frequencies": preferences.FREQUENCIES}

    def _store_preferences(self, uow, pid, pairs):
        for (kind, channel), frequency in pairs.items():
            stmt = pg.insert(preferences_table).values(participant_id=pid, kind=kind, channel=channel, frequency=frequency)
            uow.execute(stmt.on_conflict_do_update(index_elements=["participant_id", "kind", "channel"],
                                                   set_={"frequency": frequency}))

    @rpc
    def unsubscribe(self, token):
        found = messages.read_unsubscribe_token(self.settings.NOTIFICATIONS_SECRET, token)
        if found is None:
            raise NotFound("this unsubscribe link is not valid")
        participant_id, kind = found
        with self.db as uow:
            self._store_preferences(uow, uuid.UUID(participant_id), preferences.unsubscribe_all(kind))
        return {"unsubscribed": kind if kind in preferences.DEFAULTS else "all"}

    @rpc
    def export_participant(self, participant_id):
        """Everything held here that is linked to the person (GDPR art. 15 and 20), as JSON.

        Contact details, the notification choices they made, their notifications (inbox
        or held for a digest), the e-mails to them (subject line, status and times, not
        the body, which holds nothing the notification does not), the digests made for
        them, what they are known to belong to or follow, and the API keys they issued as
        an operator (never the key; webhooks belong to an API key, not to a person).
        After an erasure every collection is empty."""
        pid = _uuid(participant_id, "participant")
        with self.db as uow:
            contact = uow.execute(sa.select(participants).where(participants.c.id == pid)).first()
            chosen = uow.execute(sa.select(preferences_table).where(preferences_table.c.participant_id == pid)
                                 .order_by(preferences_table.c.kind, preferences_table.c.channel)).all()
            notes = uow.execute(sa.select(notifications).where(notifications.c.participant_id == pid)
                                .order_by(notifications.c.created_at, notifications.c.id)).all()
            held = uow.execute(sa.select(digest_items).where(digest_items.c.participant_id == pid)
                               .order_by(digest_items.c.id)).all()
            runs = uow.execute(sa.select(digest_runs).where(digest_runs.c.participant_id == pid)
                               .order_by(digest_runs.c.period_start, digest_runs.c.id)).all()
            mails = uow.execute(sa.select(email_deliveries).where(email_deliveries.c.participant_id == pid)
                                .order_by(email_deliveries.c.id)).all()
            belongs = uow.execute(sa.select(memberships).where(memberships.c.participant_id == pid)
                                  .order_by(memberships.c.subject, memberships.c.relation)).all()
            keys = uow.execute(sa.select(api_keys).where(api_keys.c.created_by == pid)
                               .order_by(api_keys.c.created_at)).all()
        return {
            "participant_id": str(pid),
            "contact": None if contact is None else {
                "municipality": contact.municipality, "email": contact.email, "language": contact.language,
                "role": contact.role, "display_name": contact.display_name,
                "email_confirmed": contact.email_confirmed, "updated_at": _iso(contact.updated_at)},
            "preferences": [{"kind": r.kind, "channel": r.channel, "frequency": r.frequency} for r in chosen],
            "notifications": [{
                "id": str(r.id), "municipality": r.municipality, "kind": r.kind, "event_type": r.event_type,
                "subject": r.subject, "title": r.title, "body": r.body, "link": r.link, "in_inbox": r.in_inbox,
                "created_at": _iso(r.created_at), "read_at": _iso(r.read_at)} for r in notes],
            "digest_items": [{
                "notification_id": str(r.notification_id), "frequency": r.frequency,
                "period_start": _iso(r.period_start), "period_end": _iso(r.period_end),
                "digest_run_id": r.digest_run_id} for r in held],
            "digest_runs": [{
                "id": r.id, "frequency": r.frequency, "period_start": _iso(r.period_start),
                "period_end": _iso(r.period_end), "item_count": r.item_count, "created_at": _iso(r.created_at)}
                for r in runs],
            "email_deliveries": [{
                "id": r.id, "kind": r.purpose, "to_address": r.to_address, "subject": _subject_line(r.message),
                "status": r.status, "attempts": r.attempts, "last_error": r.last_error,
                "notification_id": str(r.notification_id) if r.notification_id else None,
                "digest_run_id": r.digest_run_id, "created_at": _iso(r.created_at), "sent_at": _iso(r.sent_at)}
                for r in mails],
            "memberships": [{"subject": r.subject, "relation": r.relation, "municipality": r.municipality}
                            for r in belongs],
            "api_keys_issued": [{
                "id": str(r.id), "municipality": r.municipality, "name": r.name, "key_prefix": r.key_prefix,
                "created_at": _iso(r.created_at), "revoked_at": _iso(r.revoked_at)} for r in keys],
        }

    @rpc
    def email_deliveries(self, municipality, actor, status="failed", limit=100):
        """Staff see e-mails that could not be delivered (ids and errors, no addresses)."""
        if not actor or not (actor.get("operator") or (actor.get("staff") and actor.get("municipality") == municipality)):
            raise Forbidden("only the municipality's staff may see deliveries")
        with self.db as uow:
            rows = uow.execute(
                sa.select(email_deliveries.c.id, email_deliveries.c.participant_id, email_deliveries.c.purpose,
                          email_deliveries.c.status, email_deliveries.c.attempts, email_deliveries.c.last_error,
                          email_deliveries.c.created_at, email_deliveries.c.sent_at)
                .join(participants, participants.c.id == email_deliveries.c.participant_id)
                .where(participants.c.municipality == municipality, email_deliveries.c.status == status)
                .order_by(email_deliveries.c.id.desc()).limit(max(1, min(int(limit), 500)))).all()
        return [{"id": r.id, "participant_id": str(r.participant_id), "purpose": r.purpose, "status": r.status,
                 "attempts": r.attempts, "last_error": r.last_error, "created_at": r.created_at.isoformat(),
                 "sent_at": r.sent_at.isoformat() if r.sent_at else None} for r in rows]

    # -- RPC: API keys and webhook subscriptions ------------------------------------------------

    @rpc
    def issue_api_key(self, municipality, actor, payload):
        if not actor or not actor.get("operator"):
            raise Forbidden("only an operator may issue API keys")
        name = (payload.get("name") or "").strip()
        contact = (payload.get("contact_email") or "").strip()
        errors = []
        if not name or len(name) > 100:
            errors.append({"field": "name", "message": "the third party's name, 1 to 100 characters"})
        if "@" not in contact or len(contact) > 320:
            errors.append({"field": "contact_email", "message": "an e-mail address to tell when a webhook fails"})
        if errors:
            raise Invalid("the API key request is not valid", errors)
        key = webhooks.new_api_key()
        row = {"id": uuid.uuid4(), "municipality": municipality, "name": name, "contact_email": contact,
               "key_hash": webhooks.hash_api_key(key), "key_prefix": key[:10], "created_by": _actor_id(actor)}
        with self.db as uow:
            uow.execute(api_keys.insert().values(**row))
        return {"id": str(row["id"]), "municipality": municipality, "name": name, "key": key,
                "key_prefix": row["key_prefix"]}

    @rpc
    def list_api_keys(self, municipality, actor):
        if not actor or not actor.get("operator"):
            raise Forbidden("only an operator may list API keys")
        with self.db as uow:
            rows = uow.execute(sa.select(api_keys).where(api_keys.c.municipality == municipality)
                               .order_by(api_keys.c.created_at)).all()
        return [{"id": str(r.id), "municipality": r.municipality, "name": r.name, "contact_email": r.contact_email,
                 "key_prefix": r.key_prefix, "created_at": r.created_at.isoformat(),
                 "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None} for r in rows]

    @rpc
    def revoke_api_key(self, municipality, actor, key_id):
        if not actor or not actor.get("operator"):
            raise Forbidden("only an operator may revoke API keys")
        with self.db as uow:
            found = uow.execute(api_keys.update().where(
                api_keys.c.id == _uuid(key_id, "API key"), api_keys.c.municipality == municipality)
                .values(revoked_at=sa.func.now()).returning(api_keys.c.id)).first()
            if found is None:
                raise NotFound("no such API key")
            uow.execute(webhook_subscriptions.update().where(webhook_subscriptions.c.api_key_id == found.id)
                        .values(status="disabled", disabled_at=sa.func.now(), disabled_reason="API key revoked"))
        return {"revoked": str(found.id)}

    def _key(self, uow, municipality, api_key):
        if not api_key:
            raise Unauthorized("send the API key in the X-Api-Key header")
        row = uow.execute(sa.select(api_keys).where(
            api_keys.c.key_hash == webhooks.hash_api_key(api_key), api_keys.c.revoked_at.is_(None))).first()
        if row is None:
            raise Unauthorized("unknown or revoked API key")
        if row.municipality != municipality:
            raise Forbidden("this API key belongs to another municipality")
        return row

    def _subscription_out(self, r, secret=False):
        out = {"id": str(r.id), "municipality": r.municipality, "url": r.url, "types": list(r.patterns),
               "status": r.status, "failures_in_a_row": r.failures_in_a_row,
               "disabled_reason": r.disabled_reason, "created_at": r.created_at.isoformat()}
        if secret:
            out["secret"] = r.secret
        return out

    @rpc
    def subscribe_webhook(self, municipality, api_key, payload):
        s = self.settings
        patterns = webhooks.validate_patterns(payload.get("types"))
        url = webhooks.check_target(payload.get("url"), allow_private=_flag(s.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE),
                                    allowed_networks=s.NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS)
        with self.db as uow:
            key = self._key(uow, municipality, api_key)
            row = uow.execute(webhook_subscriptions.insert().values(
                id=uuid.uuid4(), municipality=municipality, api_key_id=key.id, url=url, patterns=patterns,
                secret=webhooks.new_secret()).returning(*webhook_subscriptions.c)).first()
        return self._subscription_out(row, secret=True)

    @rpc
    def list_webhooks(self, municipality, api_key=None, actor=None):
        with self.db as uow:
            query = sa.select(webhook_subscriptions).where(webhook_subscriptions.c.municipality == municipality)
            if api_key:
                query = query.where(webhook_subscriptions.c.api_key_id == self._key(uow, municipality, api_key).id)
            elif not actor or not (actor.get("operator") or (actor.get("staff") and actor.get("municipality") == municipality)):
                raise Unauthorized("send the API key in the X-Api-Key header")
            rows = uow.execute(query.order_by(webhook_subscriptions.c.created_at)).all()
        return [self._subscription_out(r) for r in rows]

    @rpc
    def webhook_deliveries(self, municipality, subscription_id, api_key=None, actor=None, limit=100):
        with self.db as uow:
            sub = uow.execute(sa.select(webhook_subscriptions).where(
                webhook_subscriptions.c.id == _uuid(subscription_id, "webhook"),
                webhook_subscriptions.c.municipality == municipality)).first()
            if sub is None:
                raise NotFound("no such webhook")
            if api_key:
                if self._key(uow, municipality, api_key).id != sub.api_key_id:
                    raise NotFound("no such webhook")
            elif not actor or not (actor.get("operator") or (actor.get("staff") and actor.get("municipality") == municipality)):
                raise Unauthorized("send the API key in the X-Api-Key header")
            rows = uow.execute(sa.select(webhook_deliveries).where(webhook_deliveries.c.subscription_id == sub.id)
                               .order_by(webhook_deliveries.c.id.desc()).limit(max(1, min(int(limit), 500)))).all()
        return {"webhook": self._subscription_out(sub), "deliveries": [{
            "id": r.id, "event_id": str(r.event_id), "event_type": r.event_type, "status": r.status,
            "attempts": r.attempts, "last_status": r.last_status, "last_error": r.last_error,
            "created_at": r.created_at.isoformat(), "delivered_at": r.delivered_at.isoformat() if r.delivered_at else None,
        } for r in rows]}

    # -- RPC: public log, feed, open data -------------------------------------------------------

    @rpc
    def events_after(self, municipality, after=None, limit=100):
        """The public events of a municipality after a cursor, oldest first."""
        try:
            cursor = int(after) if after not in (None, "") else 0
            if cursor < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise Invalid("the cursor is not valid", [{"field": "after", "message": "use the 'next' value of a previous page"}])
        limit = max(1, min(int(limit), 500))
        with self.db as uow:
            rows = uow.execute(sa.select(public_events.c.seq, public_events.c.envelope).where(
                public_events.c.municipality == municipality, public_events.c.seq > cursor)
                .order_by(public_events.c.seq).limit(limit)).all()
        return {"events": [r.envelope for r in rows], "next": str(rows[-1].seq if rows else cursor),
                "more": len(rows) == limit}

    @rpc
    def feed(self, municipality, self_url, limit=50):
        place = self._municipality(municipality)
        with self.db as uow:
            rows = uow.execute(sa.select(public_events.c.envelope).where(public_events.c.municipality == municipality)
                               .order_by(public_events.c.seq.desc()).limit(limit)).all()
        return atom.render_feed(
            municipality=municipality, name=place.name if place else municipality,
            language=place.language if place else "en", self_url=self_url, base_url=self.settings.PUBLIC_URL,
            envelopes=[r.envelope for r in rows]).decode("utf-8")

    @rpc
    def open_data(self, municipality):
        with self.db as uow:
            rows = uow.execute(sa.select(public_events.c.envelope).where(public_events.c.municipality == municipality)
                               .order_by(public_events.c.seq)).all()
        return atom.latest_by_subject([r.envelope for r in rows])

    @rpc
    def open_data_csv(self, municipality, dataset):
        if dataset not in atom.DATASETS:
            raise Invalid("unknown dataset", [{"field": "dataset", "message": f"one of {', '.join(atom.DATASETS)}"}])
        return atom.to_csv(self.open_data(municipality)[dataset])
