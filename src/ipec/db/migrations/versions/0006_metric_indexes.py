"""Indexes for the programme metrics: a child's visits by date, with the age and verdict.

The metrics reach a subtree's children and then each child's visits in a period; with
(child_id, visit_date, age, child_labour) both databases find those visits with one index
range per child and read the age and verdict from the index, without the visit rows (which
carry the whole record). The index on child_id alone is a prefix of it and is dropped.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            op.f("ix_visits_child_id_visit_date_age_child_labour"),
            ["child_id", "visit_date", "age", "child_labour"],
            unique=False,
        )
        batch_op.drop_index(op.f("ix_visits_child_id"))


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_visits_child_id"), ["child_id"], unique=False)
        batch_op.drop_index(op.f("ix_visits_child_id_visit_date_age_child_labour"))
