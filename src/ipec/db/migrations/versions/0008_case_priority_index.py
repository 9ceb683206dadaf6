"""Index the cases in priority order, for the top of long case lists.

A case list is sorted by worst forms, hazardous work, the child's age under 12, girls, then
the oldest case. Walking (worst_forms, hazardous, opened_on, id) for each of the sixteen
groups of those four criteria gives the first rows of a country's list without sorting its
hundreds of thousands of cases; status, area and child are in the index, so the walk reads no
case row.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_priority",
        "cases",
        ["worst_forms", "hazardous", "opened_on", "id", "status", "area_id", "child_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_priority", table_name="cases")
