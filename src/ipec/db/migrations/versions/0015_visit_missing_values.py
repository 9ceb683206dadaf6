"""What an undetermined visit waits for: the fields to ask again.

A visit whose classification depends on a value the monitor did not record (the hours of a
reported activity) has the status ``undetermined`` (``visits.status`` is free text: no change
there) and names the fields to ask again in ``missing``, a JSON list. Visits already recorded
miss nothing they are known to: an empty list.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missing", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("missing")
