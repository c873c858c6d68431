"""accounts: a notice on channel samskab_accounts with the id of every row changed or deleted,
so that each gateway instance forgets the account it kept in memory (gateway/accounts/cache.py)

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE FUNCTION accounts_notice() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('samskab_accounts', OLD.id::text);
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER accounts_notice AFTER UPDATE OR DELETE ON accounts
        FOR EACH ROW EXECUTE FUNCTION accounts_notice()
    """)


def downgrade():
    op.execute("DROP TRIGGER accounts_notice ON accounts")
    op.execute("DROP FUNCTION accounts_notice()")
