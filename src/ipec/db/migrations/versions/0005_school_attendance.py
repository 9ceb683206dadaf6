"""School attendance at a visit: days attended and days the school was open (both optional).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school_days_attended", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("school_days_open", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("school_days_open")
        batch_op.drop_column("school_days_attended")
