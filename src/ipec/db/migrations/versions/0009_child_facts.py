"""Each child's facts from its visits: the age at the first visit and the latest two visits.

The metrics read one row per child from ``child_facts`` instead of ranking the child's visits
(see ``ipec.monitoring.facts``, which keeps the rows current). The rows of the visits already
recorded are computed here, in one statement.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from ipec.monitoring.facts import refresh_child_facts

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child_facts",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("first_age", sa.Integer(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("last_age", sa.Integer(), nullable=False),
        sa.Column("last_monitor", sa.String(length=100), nullable=False),
        sa.Column("last_child_labour", sa.Integer(), nullable=False),
        sa.Column("last_hazardous", sa.Integer(), nullable=False),
        sa.Column("last_worst", sa.Integer(), nullable=False),
        sa.Column("last_attended", sa.Integer(), nullable=True),
        sa.Column("last_open", sa.Integer(), nullable=True),
        sa.Column("prev_date", sa.Date(), nullable=True),
        sa.Column("prev_child_labour", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_child_facts_child_id_children")
        ),
        sa.PrimaryKeyConstraint("child_id", name=op.f("pk_child_facts")),
    )
    op.create_index(op.f("ix_child_facts_last_date"), "child_facts", ["last_date"], unique=False)
    refresh_child_facts(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_child_facts_last_date"), table_name="child_facts")
    op.drop_table("child_facts")
