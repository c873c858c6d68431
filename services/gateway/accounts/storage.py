import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("email_confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("token_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("erased_at", sa.DateTime(timezone=True)),
    # Set when the account is linked to an identity an OpenID provider vouched for (oidc.py);
    # the municipality of residence only where the provider tells it.
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.Column("residence_municipality", sa.Text),
    # Raised by every write the account makes (gateway.readmodel.own): what is theirs on
    # proposal pages is asked again.
    sa.Column("own_version", sa.BigInteger, nullable=False, server_default="0"),
)

# The identities linked to accounts: the provider's issuer and a salted hash of its subject
# (OIDC_SUBJECT_SALT), never the subject or a national id in clear.
identities = sa.Table(
    "identities",
    metadata,
    sa.Column("issuer", sa.Text, primary_key=True),
    sa.Column("subject_hash", sa.Text, primary_key=True),
    sa.Column("account_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
sa.Index("identities_account_id", identities.c.account_id)

# Per municipality: whether supporting a proposal, or volunteering for a citizen panel,
# needs a verified account (staff set it; no row means neither does).
verification_rules = sa.Table(
    "verification_rules",
    metadata,
    sa.Column("municipality", sa.Text, primary_key=True),
    sa.Column("supports", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("panels", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Attempts counted per fixed window, one row per (limit, window): sign-ins, reset and
# confirmation e-mails.  The key is a digest of what is limited (an address, an IP), so
# the table holds no address in clear; rows older than the retention are deleted.
throttle = sa.Table(
    "throttle",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)
sa.Index("throttle_window_start", throttle.c.window_start)

# One row per Idempotency-Key of an account: the request's fingerprint, and once it has
# been answered the answer (``status`` is NULL while the first request is in progress).
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("account_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("status", sa.Integer),
    sa.Column("headers", pg.JSONB),
    sa.Column("body", sa.LargeBinary),
)
sa.Index("idempotency_keys_created_at", idempotency_keys.c.created_at)


def live_account_by_email(email, *columns):
    """The select of the account (or ``columns`` of it) with this address, unless it was erased."""
    return sa.select(*(columns or (accounts,))).where(accounts.c.email == email.lower(), accounts.c.erased_at.is_(None))


# Uploads whose bytes may be in the object store while the owning service has not (yet)
# recorded them (issue 21, gateway/uploading.py, migration 0004): a row is written before
# the bytes and removed once the service recorded the attachment, or once its bytes were
# deleted after a refusal.  A row left behind (the gateway stopped in between) is swept.
pending_uploads = sa.Table(
    "pending_uploads",
    metadata,
    sa.Column("attachment_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),  # the owning service: proposals | meetings
    sa.Column("owner_id", pg.UUID(as_uuid=True), nullable=False),  # the proposal or meeting
    sa.Column("uploader_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
sa.Index("pending_uploads_created_at", pending_uploads.c.created_at)
