"""Documents are parsed after the upload is answered: a status, and the error of a failed
parse; the analysis and clause count are empty until then. Existing rows are ready.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False,
                                      server_default='ready'))
        batch_op.add_column(sa.Column('error_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.alter_column('clause_count',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('analysis',
               existing_type=sa.TEXT(),
               nullable=True)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.alter_column('analysis',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('clause_count',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('error')
        batch_op.drop_column('error_code')
        batch_op.drop_column('status')
