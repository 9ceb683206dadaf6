"""Each case's facts (what the identification visit found, and its first services' start),
more of each child's facts (area, household, sex, latest visit that found child labour,
remediation start), and an area's cases by kind and dates.

The outcomes read one row per case from ``case_facts`` instead of probing each case's visits
and summing its services (see ``ipec.monitoring.readmodel``, which keeps the rows current). The
rows of the cases already recorded are computed here, in a statement written out as it stood
at this revision (the application's own may change with later revisions). The index
(area_id, kind, opened_on, closed_on, child_id, id) gives the metrics an area's cases of a
kind opened, or open, in a period without reading the case rows.

The children's facts gain the child's household's area (copied from its visits) and the
household (neither changes), its sex (copied), the day of its latest visit that found child
labour and the first start date of a service in its child-labour cases, so that the
identification rate, coverage and effectiveness read an area's children as one index range
of their facts.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: Each case: the verdicts of its child's first visit on or after the day it opened (the
#: earlier id first on the same day), and the first start dates of its services, of any kind
#: and of education or training.
_FILL = """
INSERT INTO case_facts (case_id, first_child_labour, first_hazardous, first_service_on,
    first_education_on)
SELECT cases.id,
    (SELECT CASE WHEN visits.child_labour THEN 1 ELSE 0 END FROM visits
     WHERE visits.child_id = cases.child_id AND visits.visit_date >= cases.opened_on
     ORDER BY visits.visit_date, visits.id LIMIT 1),
    (SELECT CASE WHEN visits.hazardous_work THEN 1 ELSE 0 END FROM visits
     WHERE visits.child_id = cases.child_id AND visits.visit_date >= cases.opened_on
     ORDER BY visits.visit_date, visits.id LIMIT 1),
    started.any_on, started.education_on
FROM cases LEFT OUTER JOIN (
    SELECT case_id, MIN(started_on) AS any_on,
        MIN(CASE WHEN type IN ('school_enrolment', 'school_kit', 'bridging_class',
            'vocational_training', 'apprenticeship') THEN started_on END) AS education_on
    FROM services GROUP BY case_id
) AS started ON started.case_id = cases.id
"""


#: Each child's area, household and sex, its latest visit that found child labour, and the
#: first start of a service in its child-labour cases.
_FILL_CHILDREN = """
UPDATE child_facts SET
    area_id = (SELECT households.area_id FROM children
               JOIN households ON households.id = children.household_id
               WHERE children.id = child_facts.child_id),
    household_id = (SELECT children.household_id FROM children
                    WHERE children.id = child_facts.child_id),
    sex = (SELECT children.sex FROM children WHERE children.id = child_facts.child_id),
    remediation_start = (SELECT MIN(services.started_on) FROM services
                         JOIN cases ON cases.id = services.case_id
                         WHERE cases.child_id = child_facts.child_id
                         AND cases.kind = 'child_labour'),
    last_found_on = (SELECT MAX(visits.visit_date) FROM visits
                     WHERE visits.child_id = child_facts.child_id AND visits.child_labour)
"""

_VISITED_INDEX = (
    "ix_child_facts_visited",
    ["area_id", "last_date", "sex", "last_age", "last_found_on", "household_id", "child_id"],
)

_SEX = sa.Enum("male", "female", name="sex", native_enum=False)

_REMEDIATION_INDEX = (
    "ix_child_facts_remediation",
    ["area_id", "remediation_start", "last_date", "prev_date", "child_id", "sex", "last_age",
     "last_child_labour", "prev_child_labour"],
)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("child_facts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("household_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sex", _SEX, nullable=True))
        batch_op.add_column(sa.Column("remediation_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_found_on", sa.Date(), nullable=True))
    op.execute(_FILL_CHILDREN)
    with op.batch_alter_table("child_facts", schema=None) as batch_op:
        for column in ("area_id", "household_id"):
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("sex", existing_type=_SEX, nullable=False)
        batch_op.create_foreign_key(
            op.f("fk_child_facts_area_id_areas"), "areas", ["area_id"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_child_facts_household_id_households"), "households", ["household_id"], ["id"]
        )
        for name, columns in (_VISITED_INDEX, _REMEDIATION_INDEX):
            batch_op.create_index(name, columns, unique=False)
    op.create_table(
        "case_facts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("first_child_labour", sa.Integer(), nullable=True),
        sa.Column("first_hazardous", sa.Integer(), nullable=True),
        sa.Column("first_service_on", sa.Date(), nullable=True),
        sa.Column("first_education_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_facts_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_facts")),
    )
    op.execute(_FILL)
    op.create_index(
        "ix_cases_area_kind_dates",
        "cases",
        ["area_id", "kind", "opened_on", "closed_on", "child_id", "id"],
        unique=False,
    )
    # Planner statistics for the new tables and indexes (SQLite's rebuild of the children's
    # facts also dropped those of its other index).
    for table in ("case_facts", "cases", "child_facts"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    op.drop_index("ix_cases_area_kind_dates", table_name="cases")
    op.drop_table("case_facts")
    with op.batch_alter_table("child_facts", schema=None) as batch_op:
        for name, _ in (_VISITED_INDEX, _REMEDIATION_INDEX):
            batch_op.drop_index(name)
        batch_op.drop_constraint(op.f("fk_child_facts_area_id_areas"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_child_facts_household_id_households"), type_="foreignkey")
        for column in ("last_found_on", "remediation_start", "sex", "household_id", "area_id"):
            batch_op.drop_column(column)
    op.execute("ANALYZE child_facts")
