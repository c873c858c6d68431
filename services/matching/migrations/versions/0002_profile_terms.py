"""profile_terms: one row per opted-in profile and scoped term, kept in step with profiles by a trigger

The GIN index on ``profiles.scoped_terms`` gave candidate ids only through
bitmap heap scans of the whole profile row; in a municipality of ~46,000
opted-in profiles that was most of the time of a match.  A B-tree over
(term, participant) that carries the kind lets PostgreSQL bound every
candidate's score from the index alone (index-only scans) and hand only the
best ones to Python.  The trigger keeps it exact on every write to
``profiles`` (insert, COPY, update, erasure), so no code path can forget it.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The kind a profile is matched as: the one chosen on the profile, else the
# account's role when it is a kind, else resident (service._profile_domain).
KIND = ("coalesce(nullif({row}.kind, ''), CASE WHEN {row}.role IN "
        "('resident', 'business', 'association', 'politician', 'employee') THEN {row}.role ELSE 'resident' END)")


def upgrade():
    op.create_table(
        "profile_terms",
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("participant_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("neighbour", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("term", "participant_id", name="profile_terms_pkey",
                                postgresql_include=["kind", "neighbour"]),
    )
    op.execute(f"""
        CREATE FUNCTION matching_profile_terms() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM profile_terms
                 WHERE participant_id = OLD.participant_id AND term = ANY(OLD.scoped_terms);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO profile_terms (term, participant_id, kind, neighbour)
                SELECT DISTINCT t, NEW.participant_id, {KIND.format(row="NEW")}, split_part(t, '|', 1) <> NEW.municipality
                  FROM unnest(NEW.scoped_terms) AS t;
            END IF;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER profile_terms_insert_delete AFTER INSERT OR DELETE ON profiles
        FOR EACH ROW EXECUTE FUNCTION matching_profile_terms()
    """)
    op.execute("""
        CREATE TRIGGER profile_terms_update AFTER UPDATE ON profiles FOR EACH ROW
        WHEN (OLD.scoped_terms IS DISTINCT FROM NEW.scoped_terms OR OLD.kind IS DISTINCT FROM NEW.kind
              OR OLD.role IS DISTINCT FROM NEW.role OR OLD.municipality IS DISTINCT FROM NEW.municipality)
        EXECUTE FUNCTION matching_profile_terms()
    """)
    op.execute(f"""
        INSERT INTO profile_terms (term, participant_id, kind, neighbour)
        SELECT DISTINCT t, p.participant_id, {KIND.format(row="p")}, split_part(t, '|', 1) <> p.municipality
          FROM profiles AS p, unnest(p.scoped_terms) AS t
    """)
    op.drop_index("profiles_scoped_terms", table_name="profiles")


def downgrade():
    op.create_index("profiles_scoped_terms", "profiles", ["scoped_terms"], postgresql_using="gin")
    op.execute("DROP TRIGGER profile_terms_update ON profiles")
    op.execute("DROP TRIGGER profile_terms_insert_delete ON profiles")
    op.execute("DROP FUNCTION matching_profile_terms()")
    op.drop_table("profile_terms")
