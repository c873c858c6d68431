"""profiles: changes that move postings take their turn (a statement trigger's lock)

Revision ID: 0004
Revises: 0003

The postings trigger (0002) locks the rows of term_postings it rewrites in one order,
but a term one transaction adds as a new row can exist, committed by a third, when
another locks its rows, and a transaction that changes a profile in two statements
(its shell, then its terms) locks in two passes: under concurrent sign-ups the two
waited for each other and PostgreSQL ended one (a 503 on PUT /me/profile).  Every
statement that writes profiles now first takes one transaction-level advisory lock,
so changes of profiles' postings follow each other; profiles change a few times a
day per person, and reading postings (ranking) takes no lock.
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LOCK = 0x70726F66696C  # "profil": a key of its own (the similar lists use 0x6D61746368)


def upgrade():
    op.execute(f"""
        CREATE FUNCTION matching_profiles_in_turn() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({LOCK});
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER profiles_in_turn BEFORE INSERT OR UPDATE OR DELETE ON profiles
        FOR EACH STATEMENT EXECUTE FUNCTION matching_profiles_in_turn()
    """)


def downgrade():
    op.execute("DROP TRIGGER profiles_in_turn ON profiles")
    op.execute("DROP FUNCTION matching_profiles_in_turn()")
