"""The household's area copied onto visits and cases, with indexes that start from it.

A subtree's visits or cases become one index range per area of their own table, instead of a
walk from the areas down through households and children. The copies cannot go stale: a
household's area, a child's household and a visit's or case's child never change (the ORM
refuses such changes). Existing rows are filled from their child's household in one UPDATE
per table, then the columns are made NOT NULL and given their foreign keys.

Follow-ups are indexed by (case_id, visit_id, due_on) instead of case_id alone, so that the
overdue filter and count of a case list read the index only.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: Table -> the indexes on its area_id (name, columns).
_INDEXES = {
    "visits": [
        (
            "ix_visits_area_id_visit_date_child_id_age_child_labour",
            ["area_id", "visit_date", "child_id", "age", "child_labour"],
        )
    ],
    "cases": [
        (
            "ix_cases_area_id_priority",
            ["area_id", "status", "worst_forms", "hazardous", "opened_on", "child_id", "id"],
        )
    ],
}


#: SQLite page cache while the rows are filled (KiB): the fill looks up every row's child and
#: household, and with the default 2 MB cache each lookup rereads its pages (a million-child
#: database took more than 15 minutes).
_SQLITE_CACHE_KIB = 256 * 1024


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        _upgrade()
        return
    cache = bind.exec_driver_sql("PRAGMA cache_size").scalar()
    bind.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
    try:
        _upgrade()
    finally:
        bind.exec_driver_sql(f"PRAGMA cache_size={int(cache or -2000)}")


def _upgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            op.f("ix_follow_ups_case_id_visit_id_due_on"),
            ["case_id", "visit_id", "due_on"],
            unique=False,
        )
        batch_op.drop_index(op.f("ix_follow_ups_case_id"))
    for table, indexes in _INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        # UPDATE ... FROM: PostgreSQL, and SQLite from 3.33.
        op.execute(
            f"UPDATE {table} SET area_id = households.area_id FROM children, households "
            f"WHERE children.id = {table}.child_id AND households.id = children.household_id"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("area_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_area_id_areas"), "areas", ["area_id"], ["id"]
            )
            for name, columns in indexes:
                batch_op.create_index(op.f(name), columns, unique=False)
        # Planner statistics for the new column and index (SQLite's rebuild of the table also
        # dropped those of its other indexes: without them it chose slower plans).
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for table, indexes in _INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in indexes:
                batch_op.drop_index(op.f(name))
            batch_op.drop_constraint(op.f(f"fk_{table}_area_id_areas"), type_="foreignkey")
            batch_op.drop_column("area_id")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_follow_ups_case_id"), ["case_id"], unique=False)
        batch_op.drop_index(op.f("ix_follow_ups_case_id_visit_id_due_on"))
