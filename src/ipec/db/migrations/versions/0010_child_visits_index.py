"""A child's visits indexed in the order the metrics take them: by date, then id.

The metrics and the child facts take a child's first or latest visit, the earlier (or later)
id first on the same day. The index (child_id, visit_date, age, child_labour) gave the dates
in order but not the ids within a day, so each lookup sorted the child's visits, and the
hazardous-work verdict was read from the visit row. (child_id, visit_date, id, age,
child_labour, hazardous_work) gives both from the index alone; it replaces the old one, of
which it serves every use (the same leading columns). On PostgreSQL the index build blocks
writes to the visits while it runs (5.6 s at 3 million visits): upgrade between sessions.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_visits_child_history",
        "visits",
        ["child_id", "visit_date", "id", "age", "child_labour", "hazardous_work"],
        unique=False,
    )
    op.drop_index(op.f("ix_visits_child_id_visit_date_age_child_labour"), table_name="visits")
    op.execute("ANALYZE visits")  # planner statistics for the new index


def downgrade() -> None:
    op.create_index(
        op.f("ix_visits_child_id_visit_date_age_child_labour"),
        "visits",
        ["child_id", "visit_date", "age", "child_labour"],
        unique=False,
    )
    op.drop_index("ix_visits_child_history", table_name="visits")
    op.execute("ANALYZE visits")
