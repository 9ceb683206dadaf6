"""Each child's facts from its visits: the age at the first visit and the latest two visits.

The metrics read one row per child from ``child_facts`` instead of ranking the child's visits
(see ``ipec.monitoring.readmodel``, which keeps the rows current). The rows of the visits already
recorded are computed here, in one statement written out as it stood at this revision (the
application's own may change with later revisions).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Each child's facts from its visits: the smallest age, then the latest two visits by date,
#: the later id first on the same day.
_FILL = """
INSERT INTO child_facts (child_id, first_age, last_date, last_age, last_monitor,
    last_child_labour, last_hazardous, last_worst, last_attended, last_open, prev_date,
    prev_child_labour)
SELECT child_id, MAX(first_age),
    MAX(CASE WHEN visit_rank = 1 THEN visit_date END),
    MAX(CASE WHEN visit_rank = 1 THEN age END),
    MAX(CASE WHEN visit_rank = 1 THEN monitor END),
    MAX(CASE WHEN visit_rank = 1 THEN child_labour END),
    MAX(CASE WHEN visit_rank = 1 THEN hazardous END),
    MAX(CASE WHEN visit_rank = 1 THEN worst END),
    MAX(CASE WHEN visit_rank = 1 THEN school_days_attended END),
    MAX(CASE WHEN visit_rank = 1 THEN school_days_open END),
    MAX(CASE WHEN visit_rank = 2 THEN visit_date END),
    MAX(CASE WHEN visit_rank = 2 THEN child_labour END)
FROM (
    SELECT child_id, MIN(age) OVER (PARTITION BY child_id) AS first_age, visit_date, age,
        monitor,
        CASE WHEN child_labour THEN 1 ELSE 0 END AS child_labour,
        CASE WHEN hazardous_work THEN 1 ELSE 0 END AS hazardous,
        CASE WHEN CAST(reasons AS VARCHAR) LIKE '%"WFCL_OTHER"%' THEN 1 ELSE 0 END AS worst,
        school_days_attended, school_days_open,
        ROW_NUMBER() OVER (PARTITION BY child_id ORDER BY visit_date DESC, id DESC)
            AS visit_rank
    FROM visits
) AS ranked
WHERE visit_rank <= 2
GROUP BY child_id
"""


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
    op.execute(_FILL)


def downgrade() -> None:
    op.drop_index(op.f("ix_child_facts_last_date"), table_name="child_facts")
    op.drop_table("child_facts")
