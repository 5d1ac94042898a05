"""Triage of findings (reviewed, dismissed with a reason, flagged, with a note, who and when),
and each comparison's count of medium findings for the library's MEDIUM badge.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'finding_triage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('old_sha256', sa.String(length=64), nullable=False),
        sa.Column('new_sha256', sa.String(length=64), nullable=False),
        sa.Column('finding_key', sa.String(length=64), nullable=False),
        sa.Column('finding_type', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'old_sha256', 'new_sha256', 'finding_key',
                            name='uq_finding_triage_finding'),
    )
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('medium', sa.Integer(), nullable=False,
                                      server_default='0'))
    _count_medium_findings()


def _count_medium_findings() -> None:
    """Fill the new count from each stored result, one comparison at a time (a result can
    be megabytes; reading them all at once could not be afforded on a large store)."""
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM comparisons"))]
    for comparison_id in ids:
        stored = connection.execute(sa.text("SELECT result_json FROM comparisons WHERE id = :id"),
                                    {"id": comparison_id}).scalar()
        try:
            medium = int(json.loads(str(stored))["summary"]["findings"]["medium"])
        except (TypeError, ValueError, KeyError):
            continue  # unreadable: counted when the comparison is next rendered
        if medium:
            connection.execute(sa.text("UPDATE comparisons SET medium = :n WHERE id = :id"),
                               {"n": medium, "id": comparison_id})


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.drop_column('medium')
    op.drop_table('finding_triage')
