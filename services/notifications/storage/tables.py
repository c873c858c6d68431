"""The notifications service's tables (the one schema source: the migrations are
checked against this metadata in the tests).

Personal data lives only in ``participants`` (e-mail, name, language, from the
participant events) and in e-mails waiting in ``email_deliveries``; both go
when the participant is erased.
"""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

metadata = sa.MetaData()

UUID = pg.UUID(as_uuid=True)
TS = sa.DateTime(timezone=True)


participants = sa.Table(
    "participants", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False, server_default=""),
    sa.Column("email_confirmed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
)
sa.Index("participants_staff", participants.c.municipality, participants.c.role)

# Ids only (not personal data): events that arrive after an erasure (out of order,
# or replayed from a dead-letter queue) must not bring the person back.
erased_participants = sa.Table(
    "erased_participants", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("erased_at", TS, nullable=False, server_default=sa.func.now()),
)

preferences = sa.Table(
    "preferences", metadata,
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("frequency", sa.Text, nullable=False),
)

# Who belongs to what (meeting registrants and waitlist; a proposal's
# initiator, supporters and followers), kept from the events that say so.
memberships = sa.Table(
    "memberships", metadata,
    sa.Column("subject", sa.Text, primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("relation", sa.Text, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
)
sa.Index("memberships_participant", memberships.c.participant_id)

notifications = sa.Table(
    "notifications", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("participant_id", UUID, nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("event_id", UUID, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("link", sa.Text),
    sa.Column("in_inbox", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    sa.Column("read_at", TS),
    # each notification reaches each recipient once
    sa.UniqueConstraint("event_id", "participant_id", name="notifications_once"),
)
sa.Index("notifications_inbox", notifications.c.participant_id, notifications.c.created_at.desc())

email_deliveries = sa.Table(
    "email_deliveries", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("participant_id", UUID),
    sa.Column("notification_id", UUID, unique=True),
    sa.Column("digest_run_id", sa.BigInteger, unique=True),
    sa.Column("purpose", sa.Text, nullable=False),  # immediate, digest, webhook_disabled
    sa.Column("to_address", sa.Text, nullable=False),
    sa.Column("message", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),  # pending, sent, failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TS, nullable=False, server_default=sa.func.now()),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", TS),
)
sa.Index("email_deliveries_due", email_deliveries.c.next_attempt_at,
         postgresql_where=email_deliveries.c.status == "pending")
sa.Index("email_deliveries_participant", email_deliveries.c.participant_id)

digest_items = sa.Table(
    "digest_items", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("participant_id", UUID, nullable=False),
    sa.Column("notification_id", UUID, nullable=False),
    sa.Column("frequency", sa.Text, nullable=False),
    sa.Column("period_start", TS, nullable=False),
    sa.Column("period_end", TS, nullable=False),
    sa.Column("digest_run_id", sa.BigInteger),
    sa.UniqueConstraint("notification_id", "frequency", name="digest_items_once"),
)
sa.Index("digest_items_due", digest_items.c.period_end, digest_items.c.participant_id,
         postgresql_where=digest_items.c.digest_run_id.is_(None))

# One row per digest ever sent: the unique key is what makes a period's digest go out once.
digest_runs = sa.Table(
    "digest_runs", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("participant_id", UUID, nullable=False),
    sa.Column("frequency", sa.Text, nullable=False),
    sa.Column("period_start", TS, nullable=False),
    sa.Column("period_end", TS, nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("participant_id", "frequency", "period_start", name="digest_runs_once"),
)

# The public log: every public event (public projection only), in the order received.
public_events = sa.Table(
    "public_events", metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("event_id", UUID, nullable=False, unique=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("time", TS, nullable=False),
    sa.Column("envelope", pg.JSONB, nullable=False),
)
sa.Index("public_events_municipality", public_events.c.municipality, public_events.c.seq)
# the newest event about a subject that names its title (notices about supports and matches)
sa.Index("public_events_subject", public_events.c.subject, public_events.c.seq)

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("contact_email", sa.Text, nullable=False),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),
    sa.Column("key_prefix", sa.Text, nullable=False),
    sa.Column("created_by", UUID),
    sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    sa.Column("revoked_at", TS),
)

webhook_subscriptions = sa.Table(
    "webhook_subscriptions", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("api_key_id", UUID, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("patterns", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("secret", sa.Text, nullable=False),
    # after a rotation the old secret signs too, until previous_secret_until (the overlap)
    sa.Column("previous_secret", sa.Text),
    sa.Column("previous_secret_until", TS),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),  # active, disabled
    sa.Column("failures_in_a_row", sa.Integer, nullable=False, server_default="0"),
    sa.Column("disabled_at", TS),
    sa.Column("disabled_reason", sa.Text),
    sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
)
sa.Index("webhook_subscriptions_active", webhook_subscriptions.c.municipality,
         postgresql_where=webhook_subscriptions.c.status == "active")

webhook_deliveries = sa.Table(
    "webhook_deliveries", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("subscription_id", UUID, nullable=False),
    sa.Column("event_id", UUID, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("payload", pg.JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),  # pending, succeeded, failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TS, nullable=False, server_default=sa.func.now()),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    sa.Column("delivered_at", TS),
    sa.UniqueConstraint("subscription_id", "event_id", name="webhook_deliveries_once"),
)
sa.Index("webhook_deliveries_due", webhook_deliveries.c.next_attempt_at,
         postgresql_where=webhook_deliveries.c.status == "pending")
sa.Index("webhook_deliveries_log", webhook_deliveries.c.subscription_id, webhook_deliveries.c.id.desc())
