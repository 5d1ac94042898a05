"""Sign-in sessions: the page cookie holds a random token, the store its SHA-256, tied to the
API key that opened it (deleted with it), with its sign-in and last request times.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('api_key_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_sessions_api_key_id', 'sessions', ['api_key_id'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_sessions_api_key_id', table_name='sessions')
    op.drop_table('sessions')
