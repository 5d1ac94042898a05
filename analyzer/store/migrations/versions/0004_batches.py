"""Batches of comparisons (POST /api/v1/batches) and their pairs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'batches',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_batches_status', 'batches', ['status'])
    op.create_table(
        'batch_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.String(length=32), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('pair_id', sa.String(length=128), nullable=False),
        sa.Column('old_id', sa.String(length=32), nullable=False),
        sa.Column('new_id', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('comparison_id', sa.String(length=32), nullable=True),
        sa.Column('counts', sa.Text(), nullable=True),
        sa.Column('highest', sa.String(length=16), nullable=True),
        sa.Column('top_finding', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('batch_id', 'pair_id', name='uq_batch_items_pair'),
    )
    op.create_index('ix_batch_items_batch_position', 'batch_items', ['batch_id', 'position'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_batch_items_batch_position', table_name='batch_items')
    op.drop_table('batch_items')
    op.drop_index('ix_batches_status', table_name='batches')
    op.drop_table('batches')
