"""open data: one table per dataset (proposals, meetings, outcomes, experiments, agreements,
missions, committees, decisions), filled from the public log already received

Revision ID: 0003
Revises: 0002

The tables are kept by ``notifications.storage.open_data.project`` as public events are
logged.  This revision fills them once from the public log (``rebuild``), so an existing
deployment's open data is not empty after the upgrade.  The backfill runs today's
projection code: a later revision that changes these tables moves the ``rebuild`` call
into itself (after its change) and takes it out of here, so an upgrade from before this
revision never runs the projection on tables older than the code.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('open_data_agreements',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('proposal_id', sa.UUID(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('parties', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('municipality_commitment', sa.Text(), nullable=True),
    sa.Column('iap2_level', sa.Text(), nullable=True),
    sa.Column('decision_maker', sa.Text(), nullable=True),
    sa.Column('resources', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('timeline', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('accepted_by', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_agreements_municipality', 'open_data_agreements', ['municipality', 'created_at'], unique=False)
    op.create_table('open_data_committees',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('mission_id', sa.UUID(), nullable=True),
    sa.Column('task', sa.Text(), nullable=True),
    sa.Column('questions', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('frame', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('seats', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('recruitment', sa.Text(), nullable=True),
    sa.Column('formed_by', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('members_by_group', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('politicians', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('panel_id', sa.Text(), nullable=True),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('meeting_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('document_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('recommendation', sa.Text(), nullable=True),
    sa.Column('recommended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_committees_municipality', 'open_data_committees', ['municipality', 'created_at'], unique=False)
    op.create_table('open_data_decisions',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('proposal_id', sa.UUID(), nullable=True),
    sa.Column('committee_id', sa.UUID(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('sent_to', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_decisions_municipality', 'open_data_decisions', ['municipality', 'created_at'], unique=False)
    op.create_table('open_data_experiments',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('proposal_id', sa.UUID(), nullable=True),
    sa.Column('intervention', sa.Text(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('learnings', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_experiments_municipality', 'open_data_experiments', ['municipality', 'created_at'], unique=False)
    op.create_index('open_data_experiments_proposal_id', 'open_data_experiments', ['proposal_id'], unique=False)
    op.create_table('open_data_meetings',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('format', sa.Text(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('promise', sa.Text(), nullable=True),
    sa.Column('iap2_level', sa.Text(), nullable=True),
    sa.Column('proposal_id', sa.UUID(), nullable=True),
    sa.Column('series_id', sa.UUID(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_zone', sa.Text(), nullable=True),
    sa.Column('place_id', sa.UUID(), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('confirmed_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('waitlist_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('seats_left', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_meetings_municipality', 'open_data_meetings', ['municipality', 'created_at'], unique=False)
    op.create_index('open_data_meetings_proposal_id', 'open_data_meetings', ['proposal_id'], unique=False)
    op.create_table('open_data_missions',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('challenge', sa.Text(), nullable=True),
    sa.Column('goal', sa.Text(), nullable=True),
    sa.Column('horizon', sa.Integer(), nullable=True),
    sa.Column('owner_committee', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('published_by', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('proposal_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_missions_municipality', 'open_data_missions', ['municipality', 'created_at'], unique=False)
    op.create_table('open_data_outcomes',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('meeting_id', sa.UUID(), nullable=True),
    sa.Column('proposal_id', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_outcomes_meeting_id', 'open_data_outcomes', ['meeting_id'], unique=False)
    op.create_index('open_data_outcomes_municipality', 'open_data_outcomes', ['municipality', 'created_at'], unique=False)
    op.create_table('open_data_proposals',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('goal', sa.Text(), nullable=True),
    sa.Column('area', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('topics', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('needs', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('initiator_role', sa.Text(), nullable=True),
    sa.Column('iap2_level', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('support_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('question_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answer_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('comment_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('update_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('mission_id', sa.UUID(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('open_data_proposals_municipality', 'open_data_proposals', ['municipality', 'created_at'], unique=False)
    from notifications.storage import open_data  # the projection as of this revision

    open_data.rebuild(op.get_bind())


def downgrade():
    op.drop_index('open_data_proposals_municipality', table_name='open_data_proposals')
    op.drop_table('open_data_proposals')
    op.drop_index('open_data_outcomes_municipality', table_name='open_data_outcomes')
    op.drop_index('open_data_outcomes_meeting_id', table_name='open_data_outcomes')
    op.drop_table('open_data_outcomes')
    op.drop_index('open_data_missions_municipality', table_name='open_data_missions')
    op.drop_table('open_data_missions')
    op.drop_index('open_data_meetings_proposal_id', table_name='open_data_meetings')
    op.drop_index('open_data_meetings_municipality', table_name='open_data_meetings')
    op.drop_table('open_data_meetings')
    op.drop_index('open_data_experiments_proposal_id', table_name='open_data_experiments')
    op.drop_index('open_data_experiments_municipality', table_name='open_data_experiments')
    op.drop_table('open_data_experiments')
    op.drop_index('open_data_decisions_municipality', table_name='open_data_decisions')
    op.drop_table('open_data_decisions')
    op.drop_index('open_data_committees_municipality', table_name='open_data_committees')
    op.drop_table('open_data_committees')
    op.drop_index('open_data_agreements_municipality', table_name='open_data_agreements')
    op.drop_table('open_data_agreements')
