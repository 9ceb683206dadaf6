"""The baseline schema: every table of the monitoring system as the models define it.

Revision ID: 0001
Revises: (none)

One revision stands for the fifteen that built the schema before the first release (records,
users and tokens, partners and services, sessions, school attendance, the area and child
copies and the read model's tables with their indexes): nothing outside the project ran an
intermediate one. A database made by a pre-release ipec at another revision is refused by
``ipec db upgrade`` with a hint (recreate it, or export and import its records).
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("boundary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["areas.id"], name=op.f("fk_areas_parent_id_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("code", name=op.f("uq_areas_code")),
        sa.UniqueConstraint("parent_id", "name", name=op.f("uq_areas_parent_id_name")),
    )
    op.create_index(op.f("ix_areas_parent_id"), "areas", ["parent_id"], unique=False)
    op.create_index(op.f("ix_areas_path"), "areas", ["path"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor"), "audit_log", ["actor"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "government",
                "employers_organisation",
                "workers_organisation",
                "ngo",
                "university",
                "media",
                "community",
                "company",
                name="partner_kind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("agreement_from", sa.Date(), nullable=True),
        sa.Column("agreement_to", sa.Date(), nullable=True),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_partners_name")),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "national_tbp",
                "donor_project",
                "company_clmrs",
                name="programme_kind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("donor", sa.String(length=200), nullable=True),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("name", name=op.f("uq_programmes_name")),
    )
    op.create_table(
        "submission_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=100), nullable=False),
        sa.Column("form_kind", sa.String(length=20), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("made", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_imports")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_submission_imports_instance_id")),
    )
    op.create_table(
        "area_estimates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("profile", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=False),
        sa.Column("ci_low", sa.Float(), nullable=False),
        sa.Column("ci_high", sa.Float(), nullable=False),
        sa.Column("population", sa.Float(), nullable=False),
        sa.Column("count", sa.Float(), nullable=False),
        sa.Column("count_rmse", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_area_estimates_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_estimates")),
        sa.UniqueConstraint(
            "area_id", "indicator", name=op.f("uq_area_estimates_area_id_indicator")
        ),
    )
    op.create_index(op.f("ix_area_estimates_area_id"), "area_estimates", ["area_id"], unique=False)
    op.create_table(
        "awareness_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "community_meeting",
                "school_session",
                "radio",
                "inspector_training",
                "employer_training",
                name="awareness_kind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("campaign", sa.String(length=200), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=200), nullable=True),
        sa.Column("women", sa.Integer(), nullable=False),
        sa.Column("men", sa.Integer(), nullable=False),
        sa.Column("girls", sa.Integer(), nullable=False),
        sa.Column("boys", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_awareness_sessions_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_awareness_sessions_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awareness_sessions")),
    )
    op.create_index(
        op.f("ix_awareness_sessions_area_id_held_on"),
        "awareness_sessions",
        ["area_id", "held_on"],
        unique=False,
    )
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("head_name", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("supply_unit", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_households_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    op.create_index(op.f("ix_households_area_id"), "households", ["area_id"], unique=False)
    op.create_table(
        "partner_areas",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_partner_areas_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_partner_areas_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("partner_id", "area_id", name=op.f("pk_partner_areas")),
    )
    op.create_index(
        op.f("ix_partner_areas_area_id_partner_id"),
        "partner_areas",
        ["area_id", "partner_id"],
        unique=False,
    )
    op.create_table(
        "partner_services",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "school_enrolment",
                "school_kit",
                "bridging_class",
                "vocational_training",
                "apprenticeship",
                "birth_registration",
                "health",
                "psychosocial",
                "income_generation",
                "savings_group",
                "cash_transfer",
                "community_action",
                "legal_protection",
                name="service_type",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_partner_services_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("partner_id", "service", name=op.f("pk_partner_services")),
    )
    op.create_table(
        "programme_areas",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_programme_areas_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_areas_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("programme_id", "area_id", name=op.f("pk_programme_areas")),
    )
    op.create_table(
        "programme_partners",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "implementing",
                "referral_service",
                "funding",
                "government_authority",
                "employers_organisation",
                "workers_organisation",
                "media",
                "research",
                name="partner_role",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_programme_partners_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_partners_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint(
            "programme_id", "partner_id", "role", name=op.f("pk_programme_partners")
        ),
    )
    op.create_table(
        "programme_phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_phases_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_phases")),
    )
    op.create_index(
        op.f("ix_programme_phases_programme_id"), "programme_phases", ["programme_id"], unique=False
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column(
            "period_kind",
            sa.Enum("quarter", "half_year", "year", name="period_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "target_group",
            sa.Enum(
                "all",
                "worst_forms",
                "hazardous",
                "under_12",
                "girls",
                "boys",
                "at_risk",
                name="target_group",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("planned", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_targets_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_targets_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    op.create_index(op.f("ix_targets_programme_id"), "targets", ["programme_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "programme_manager",
                "supervisor",
                "monitor",
                "viewer",
                "partner",
                name="role",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credential_epoch", sa.Integer(), server_default="0", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_digest", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint(
            "role <> 'partner' OR (partner_id IS NOT NULL AND area_id IS NULL)",
            name=op.f("ck_users_partner_scope"),
        ),
        sa.CheckConstraint(
            "role = 'partner' OR partner_id IS NULL", name=op.f("ck_users_partner_only")
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'partner') OR area_id IS NOT NULL", name=op.f("ck_users_scope")
        ),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_users_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_users_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_area_id"), "users", ["area_id"], unique=False)
    op.create_index(op.f("ix_users_partner_id"), "users", ["partner_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("epoch", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "area_monitors",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_area_monitors_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_area_monitors_user_id_users")
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_area_monitors")),
    )
    op.create_index(op.f("ix_area_monitors_user_id"), "area_monitors", ["user_id"], unique=False)
    op.create_table(
        "children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sex", sa.Enum("male", "female", name="sex", native_enum=False), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("school_status", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column(
            "left_reason",
            sa.Enum("moved", "died", "aged_out", name="leave_reason", native_enum=False),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_children_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
        sa.UniqueConstraint(
            "household_id",
            "name",
            "sex",
            "birth_date",
            name=op.f("uq_children_household_id_name_sex_birth_date"),
        ),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_children_pseudonym")),
    )
    op.create_index(op.f("ix_children_household_id"), "children", ["household_id"], unique=False)
    op.create_table(
        "household_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("from_area_id", sa.Integer(), nullable=False),
        sa.Column("to_area_id", sa.Integer(), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_area_id"], ["areas.id"], name=op.f("fk_household_moves_from_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_moves_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["to_area_id"], ["areas.id"], name=op.f("fk_household_moves_to_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_moves")),
    )
    op.create_index(
        op.f("ix_household_moves_household_id"), "household_moves", ["household_id"], unique=False
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("child_labour", "at_risk", name="case_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "at_risk",
                "identified",
                "action_planned",
                "in_remediation",
                "under_follow_up",
                "closed",
                name="case_status",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("worst_forms", sa.Boolean(), nullable=False),
        sa.Column("hazardous", sa.Boolean(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "child_sex", sa.Enum("male", "female", name="sex", native_enum=False), nullable=False
        ),
        sa.Column("child_birth_date", sa.Date(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_cases_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_cases_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_cases_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(
        "ix_cases_area_id_priority",
        "cases",
        [
            "area_id",
            "status",
            "worst_forms",
            "hazardous",
            "opened_on",
            "child_id",
            "id",
            "child_birth_date",
            "child_sex",
        ],
        unique=False,
    )
    op.create_index(
        "ix_cases_area_kind_dates",
        "cases",
        ["area_id", "kind", "opened_on", "closed_on", "child_id", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_cases_assignee_id"), "cases", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_cases_child_id"), "cases", ["child_id"], unique=False)
    op.create_index(
        "ix_cases_priority",
        "cases",
        [
            "worst_forms",
            "hazardous",
            "opened_on",
            "id",
            "status",
            "area_id",
            "child_id",
            "child_birth_date",
            "child_sex",
        ],
        unique=False,
    )
    op.create_index(op.f("ix_cases_status"), "cases", ["status"], unique=False)
    op.create_table(
        "child_facts",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("sex", sa.Enum("male", "female", name="sex", native_enum=False), nullable=False),
        sa.Column("remediation_start", sa.Date(), nullable=True),
        sa.Column("last_found_on", sa.Date(), nullable=True),
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
        sa.Column("first_found_age", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_child_facts_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_child_facts_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_child_facts_household_id_households")
        ),
        sa.PrimaryKeyConstraint("child_id", name=op.f("pk_child_facts")),
    )
    op.create_index(op.f("ix_child_facts_last_date"), "child_facts", ["last_date"], unique=False)
    op.create_index(
        "ix_child_facts_remediation",
        "child_facts",
        [
            "area_id",
            "remediation_start",
            "last_date",
            "prev_date",
            "child_id",
            "sex",
            "last_age",
            "last_child_labour",
            "prev_child_labour",
        ],
        unique=False,
    )
    op.create_index(
        "ix_child_facts_visited",
        "child_facts",
        ["area_id", "last_date", "sex", "last_age", "last_found_on", "household_id", "child_id"],
        unique=False,
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "visit_record",
                "referral",
                "data_sharing",
                name="consent_purpose",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column(
            "given_by",
            sa.Enum("child", "caregiver", name="consent_giver", native_enum=False),
            nullable=False,
        ),
        sa.Column("giver_name", sa.String(length=200), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=100), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_consents_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_consents_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(
        op.f("ix_consents_child_id_purpose_partner_id"),
        "consents",
        ["child_id", "purpose", "partner_id"],
        unique=False,
    )
    op.create_table(
        "name_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "word",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "sound",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_name_keys_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_name_keys_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_name_keys_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_keys")),
    )
    op.create_index(
        "ix_name_keys_owner",
        "name_keys",
        ["household_id", "child_id", "word", "sound"],
        unique=False,
    )
    op.create_index(
        "ix_name_keys_sound",
        "name_keys",
        ["sound", "area_id", "child_id", "household_id"],
        unique=False,
    )
    op.create_index(
        "ix_name_keys_word",
        "name_keys",
        ["word", "area_id", "child_id", "household_id"],
        unique=False,
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("monitor", sa.String(length=100), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("profile_version", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("child_labour", sa.Boolean(), nullable=False),
        sa.Column("hazardous_work", sa.Boolean(), nullable=False),
        sa.Column("school_days_attended", sa.Integer(), nullable=True),
        sa.Column("school_days_open", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_visits_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_visits_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(
        op.f("ix_visits_area_id_visit_date_child_id_age_child_labour"),
        "visits",
        ["area_id", "visit_date", "child_id", "age", "child_labour"],
        unique=False,
    )
    op.create_index(
        "ix_visits_child_history",
        "visits",
        ["child_id", "visit_date", "id", "age", "child_labour", "hazardous_work"],
        unique=False,
    )
    op.create_index(op.f("ix_visits_child_labour"), "visits", ["child_labour"], unique=False)
    op.create_index(op.f("ix_visits_visit_date"), "visits", ["visit_date"], unique=False)
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("plan", "closure", name="approval_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "approved",
                "rejected",
                "withdrawn",
                name="approval_status",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_approvals_area_id_areas")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_approvals_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(op.f("ix_approvals_case_id"), "approvals", ["case_id"], unique=False)
    op.create_index(
        "ix_approvals_oldest", "approvals", ["status", "requested_at", "id"], unique=False
    )
    op.create_index(
        "ix_approvals_queue",
        "approvals",
        ["status", "area_id", "requested_at", "id", "case_id"],
        unique=False,
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "at_risk",
                "identified",
                "action_planned",
                "in_remediation",
                "under_follow_up",
                "closed",
                name="case_status",
                native_enum=False,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "at_risk",
                "identified",
                "action_planned",
                "in_remediation",
                "under_follow_up",
                "closed",
                name="case_status",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table(
        "case_facts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("first_child_labour", sa.Integer(), nullable=True),
        sa.Column("first_hazardous", sa.Integer(), nullable=True),
        sa.Column("first_service_on", sa.Date(), nullable=True),
        sa.Column("first_education_on", sa.Date(), nullable=True),
        sa.Column("service_kinds", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("child_labour", "at_risk", name="case_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("sex", sa.Enum("male", "female", name="sex", native_enum=False), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("prev_date", sa.Date(), nullable=True),
        sa.Column("last_age", sa.Integer(), nullable=True),
        sa.Column("last_monitor", sa.String(length=100), nullable=True),
        sa.Column("last_child_labour", sa.Integer(), nullable=True),
        sa.Column("last_hazardous", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_case_facts_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_facts_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_case_facts_child_id_children")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_facts")),
    )
    op.create_index(
        "ix_case_facts_area",
        "case_facts",
        ["area_id", "opened_on", "closed_on", "last_date", "last_monitor", "child_id"],
        unique=False,
    )
    op.create_index(op.f("ix_case_facts_last_date"), "case_facts", ["last_date"], unique=False)
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("rule_due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_follow_ups_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_follow_ups_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_follow_ups_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_follow_ups_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(
        "ix_follow_ups_area_open",
        "follow_ups",
        ["area_id", "visit_id", "due_on", "case_id", "assignee_id", "rule_due_on"],
        unique=False,
    )
    op.create_index(
        "ix_follow_ups_assignee_open",
        "follow_ups",
        ["assignee_id", "visit_id", "due_on", "case_id", "area_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_follow_ups_case_id_visit_id_due_on"),
        "follow_ups",
        ["case_id", "visit_id", "due_on"],
        unique=False,
    )
    op.create_index(op.f("ix_follow_ups_due_on"), "follow_ups", ["due_on"], unique=False)
    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "school_enrolment",
                "school_kit",
                "bridging_class",
                "vocational_training",
                "apprenticeship",
                "birth_registration",
                "health",
                "psychosocial",
                "income_generation",
                "savings_group",
                "cash_transfer",
                "community_action",
                "legal_protection",
                name="service_type",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("responsible_user_id", sa.Integer(), nullable=True),
        sa.Column("responsible_partner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "done",
                "cancelled",
                name="plan_action_status",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_plan_actions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_partner_id"],
            ["partners.id"],
            name=op.f("fk_plan_actions_responsible_partner_id_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible_user_id"],
            ["users.id"],
            name=op.f("fk_plan_actions_responsible_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
    )
    op.create_index(op.f("ix_plan_actions_case_id"), "plan_actions", ["case_id"], unique=False)
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "sent",
                "accepted",
                "rejected",
                "done",
                "revoked",
                name="referral_status",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "school_enrolment",
                "school_kit",
                "bridging_class",
                "vocational_training",
                "apprenticeship",
                "birth_registration",
                "health",
                "psychosocial",
                "income_generation",
                "savings_group",
                "cash_transfer",
                "community_action",
                "legal_protection",
                name="service_type",
                native_enum=False,
            ),
            nullable=True,
        ),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("override_by", sa.String(length=100), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_referrals_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_referrals_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(op.f("ix_referrals_case_id"), "referrals", ["case_id"], unique=False)
    op.create_index(op.f("ix_referrals_consent_id"), "referrals", ["consent_id"], unique=False)
    op.create_index(
        "ix_referrals_partner_sent", "referrals", ["partner_id", "sent_on", "id"], unique=False
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "school_enrolment",
                "school_kit",
                "bridging_class",
                "vocational_training",
                "apprenticeship",
                "birth_registration",
                "health",
                "psychosocial",
                "income_generation",
                "savings_group",
                "cash_transfer",
                "community_action",
                "legal_protection",
                name="service_type",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_services_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_services_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    op.create_index(op.f("ix_services_case_id"), "services", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_services_case_id"), table_name="services")
    op.drop_table("services")
    op.drop_index("ix_referrals_partner_sent", table_name="referrals")
    op.drop_index(op.f("ix_referrals_consent_id"), table_name="referrals")
    op.drop_index(op.f("ix_referrals_case_id"), table_name="referrals")
    op.drop_table("referrals")
    op.drop_index(op.f("ix_plan_actions_case_id"), table_name="plan_actions")
    op.drop_table("plan_actions")
    op.drop_index(op.f("ix_follow_ups_due_on"), table_name="follow_ups")
    op.drop_index(op.f("ix_follow_ups_case_id_visit_id_due_on"), table_name="follow_ups")
    op.drop_index("ix_follow_ups_assignee_open", table_name="follow_ups")
    op.drop_index("ix_follow_ups_area_open", table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_index(op.f("ix_case_facts_last_date"), table_name="case_facts")
    op.drop_index("ix_case_facts_area", table_name="case_facts")
    op.drop_table("case_facts")
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    op.drop_index("ix_approvals_queue", table_name="approvals")
    op.drop_index("ix_approvals_oldest", table_name="approvals")
    op.drop_index(op.f("ix_approvals_case_id"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_index(op.f("ix_visits_visit_date"), table_name="visits")
    op.drop_index(op.f("ix_visits_child_labour"), table_name="visits")
    op.drop_index("ix_visits_child_history", table_name="visits")
    op.drop_index(
        op.f("ix_visits_area_id_visit_date_child_id_age_child_labour"), table_name="visits"
    )
    op.drop_table("visits")
    op.drop_index("ix_name_keys_word", table_name="name_keys")
    op.drop_index("ix_name_keys_sound", table_name="name_keys")
    op.drop_index("ix_name_keys_owner", table_name="name_keys")
    op.drop_table("name_keys")
    op.drop_index(op.f("ix_consents_child_id_purpose_partner_id"), table_name="consents")
    op.drop_table("consents")
    op.drop_index("ix_child_facts_visited", table_name="child_facts")
    op.drop_index("ix_child_facts_remediation", table_name="child_facts")
    op.drop_index(op.f("ix_child_facts_last_date"), table_name="child_facts")
    op.drop_table("child_facts")
    op.drop_index(op.f("ix_cases_status"), table_name="cases")
    op.drop_index("ix_cases_priority", table_name="cases")
    op.drop_index(op.f("ix_cases_child_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_assignee_id"), table_name="cases")
    op.drop_index("ix_cases_area_kind_dates", table_name="cases")
    op.drop_index("ix_cases_area_id_priority", table_name="cases")
    op.drop_table("cases")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index(op.f("ix_household_moves_household_id"), table_name="household_moves")
    op.drop_table("household_moves")
    op.drop_index(op.f("ix_children_household_id"), table_name="children")
    op.drop_table("children")
    op.drop_index(op.f("ix_area_monitors_user_id"), table_name="area_monitors")
    op.drop_table("area_monitors")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_users_partner_id"), table_name="users")
    op.drop_index(op.f("ix_users_area_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_targets_programme_id"), table_name="targets")
    op.drop_table("targets")
    op.drop_index(op.f("ix_programme_phases_programme_id"), table_name="programme_phases")
    op.drop_table("programme_phases")
    op.drop_table("programme_partners")
    op.drop_table("programme_areas")
    op.drop_table("partner_services")
    op.drop_index(op.f("ix_partner_areas_area_id_partner_id"), table_name="partner_areas")
    op.drop_table("partner_areas")
    op.drop_index(op.f("ix_households_area_id"), table_name="households")
    op.drop_table("households")
    op.drop_index(op.f("ix_awareness_sessions_area_id_held_on"), table_name="awareness_sessions")
    op.drop_table("awareness_sessions")
    op.drop_index(op.f("ix_area_estimates_area_id"), table_name="area_estimates")
    op.drop_table("area_estimates")
    op.drop_table("submission_imports")
    op.drop_table("programmes")
    op.drop_table("partners")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_areas_path"), table_name="areas")
    op.drop_index(op.f("ix_areas_parent_id"), table_name="areas")
    op.drop_table("areas")
