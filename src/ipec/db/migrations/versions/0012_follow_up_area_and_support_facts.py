"""Follow-ups carry their case's area; the facts hold what the support rate reads.

A follow-up gains ``area_id``, a copy of its case's area (which never changes), and an index
(area_id, visit_id, due_on, case_id): an area subtree's follow-ups not done and due before a
day are one index range per area, without reading the follow-up rows or every case of the
area (the children lost to follow-up).

Each case's facts gain the number of distinct kinds of service it has had, and each child's
the smallest age among its visits that found child labour, so that the support rate reads
one row of each per case instead of grouping the case's services and the child's visits.
The values of the records already written are computed here, in statements written out as
they stood at this revision.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_FILL_FOLLOW_UPS = """
UPDATE follow_ups SET area_id = (SELECT cases.area_id FROM cases
                                 WHERE cases.id = follow_ups.case_id)
"""

_FILL_CASES = """
UPDATE case_facts SET service_kinds = (SELECT COUNT(DISTINCT services.type) FROM services
                                       WHERE services.case_id = case_facts.case_id)
"""

_FILL_CHILDREN = """
UPDATE child_facts SET first_found_age = (SELECT MIN(visits.age) FROM visits
                                          WHERE visits.child_id = child_facts.child_id
                                          AND visits.child_labour)
"""

_OPEN_INDEX = ("ix_follow_ups_area_open", ["area_id", "visit_id", "due_on", "case_id"])


def upgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
    op.execute(_FILL_FOLLOW_UPS)
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.alter_column("area_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            op.f("fk_follow_ups_area_id_areas"), "areas", ["area_id"], ["id"]
        )
        batch_op.create_index(*_OPEN_INDEX, unique=False)
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_kinds", sa.Integer(), nullable=True))
    op.execute(_FILL_CASES)
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.alter_column("service_kinds", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("child_facts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_found_age", sa.Integer(), nullable=True))
    op.execute(_FILL_CHILDREN)
    # Planner statistics for the new column and index (and for the tables SQLite rebuilt).
    for table in ("follow_ups", "case_facts", "child_facts"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    with op.batch_alter_table("child_facts", schema=None) as batch_op:
        batch_op.drop_column("first_found_age")
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.drop_column("service_kinds")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(_OPEN_INDEX[0])
        batch_op.drop_constraint(op.f("fk_follow_ups_area_id_areas"), type_="foreignkey")
        batch_op.drop_column("area_id")
    for table in ("follow_ups", "case_facts", "child_facts"):
        op.execute(f"ANALYZE {table}")
