"""Cases carry their child's sex and birth date; the case list's indexes hold them.

A case list sorts by priority (worst forms, hazardous work, under 12, girls, then the oldest
case) and filters by sex and age. With copies of the child's sex and birth date on the case,
at the end of the two priority indexes, a list finds its page from the cases' indexes alone
instead of looking up the child of every case it sorts or merges. The ORM copies them on
insert and again when a child's sex or birth date is corrected; the cases already recorded
get them here.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_FILL = """
UPDATE cases SET
    child_sex = (SELECT children.sex FROM children WHERE children.id = cases.child_id),
    child_birth_date = (SELECT children.birth_date FROM children
                        WHERE children.id = cases.child_id)
"""

_SEX = sa.Enum("male", "female", name="sex", native_enum=False)

_AREA_PRIORITY = ["area_id", "status", "worst_forms", "hazardous", "opened_on", "child_id", "id"]
_PRIORITY = ["worst_forms", "hazardous", "opened_on", "id", "status", "area_id", "child_id"]
_COPIES = ["child_birth_date", "child_sex"]


def _indexes(batch_op: BatchOperations, *, with_copies: bool) -> None:
    """Drop the two priority indexes and build them again, with the copies or without."""
    extra = _COPIES if with_copies else []
    for name, columns in (("ix_cases_area_id_priority", _AREA_PRIORITY),
                          ("ix_cases_priority", _PRIORITY)):  # fmt: skip
        batch_op.drop_index(name)
        batch_op.create_index(name, columns + extra, unique=False)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("child_sex", _SEX, nullable=True))
        batch_op.add_column(sa.Column("child_birth_date", sa.Date(), nullable=True))
    op.execute(_FILL)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("child_sex", existing_type=_SEX, nullable=False)
        batch_op.alter_column("child_birth_date", existing_type=sa.Date(), nullable=False)
        _indexes(batch_op, with_copies=True)
    op.execute("ANALYZE cases")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        _indexes(batch_op, with_copies=False)
        batch_op.drop_column("child_birth_date")
        batch_op.drop_column("child_sex")
    op.execute("ANALYZE cases")
